-- Existing key values of a table; __TABLE__ and __COLUMNS__ come from radar/store/spec.py.
select distinct __COLUMNS__ from __TABLE__
