-- Replace a derived table with a frame computed in Python (both names from a fixed list).
create or replace table __TABLE__ as select * from __FRAME__
