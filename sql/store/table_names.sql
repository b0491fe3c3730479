select table_name from duckdb_tables() where schema_name = 'main' order by table_name
