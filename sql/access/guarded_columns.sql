-- The region's tables that name a school or a municipality in a column of their own.
select table_name, column_name
from duckdb_columns()
where schema_name = 'main'
  and database_name = current_database()
  and column_name in ('school_id', 'municipality_id')
order by table_name, column_name
