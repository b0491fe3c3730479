-- The stored trends of the overall result as of some years (the early warning of the years a
-- refresh recomputes).
select * from trends
where indicator = 'result_index' and list_contains($years, as_of)
order by as_of, school_id
