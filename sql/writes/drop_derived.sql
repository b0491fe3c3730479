-- Drop a derived table before it is created afresh from sql/schema/derived.sql.
drop table if exists __TABLE__
