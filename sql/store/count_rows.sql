-- __TABLE__ is a name read from duckdb_tables(), quoted by radar.store.db.statement.
select count(*) from __TABLE__
