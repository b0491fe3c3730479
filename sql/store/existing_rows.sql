-- The rows of a table whose keys are in the incoming frame (to tell added, changed, unchanged).
select t.* from __TABLE__ as t
join incoming_keys as i on __MATCH__
