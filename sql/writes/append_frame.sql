-- Add the rows of a registered frame to a derived table (declared in sql/schema/derived.sql),
-- column by name.
insert into __TABLE__ (__COLUMNS__) select __COLUMNS__ from __FRAME__
