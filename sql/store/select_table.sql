-- A whole base table in key order; __TABLE__ comes from radar/store/spec.py.
select * from __TABLE__ order by all
