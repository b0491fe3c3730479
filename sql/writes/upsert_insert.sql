-- Rows of a region's file whose key is new.
insert into __TABLE__ (__COLUMNS__)
select __COLUMNS__ from incoming_rows as i
where not exists (select 1 from __TABLE__ as t where __MATCH__)
