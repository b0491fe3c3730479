-- Every indicator's stage values of a year (to judge dynamics by other indicators).
select c.*
from monitoring_changes as c
join schools as s using (school_id)
where c.year = $year and ($municipality is null or s.municipality_id = $municipality)
order by c.school_id, c.indicator
