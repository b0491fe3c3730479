-- __TABLE__ and __COLUMNS__ are filled from radar/store/spec.py (never from user input);
-- the rows come from a registered data frame.
insert into __TABLE__ (__COLUMNS__)
select __COLUMNS__ from incoming_rows
