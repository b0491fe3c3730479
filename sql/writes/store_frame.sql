-- Replace the rows of a derived table (declared in sql/schema/derived.sql) by those of a
-- registered frame or query, column by name.
delete from __TABLE__;
insert into __TABLE__ (__COLUMNS__) select __COLUMNS__ from __FRAME__
