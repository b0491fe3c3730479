-- __TABLE__ is a name read from duckdb_tables(), never user input.
select count(*) from "__TABLE__"
