-- How many stage values of a year the schools of the scope have, per stage.
select count(c.entry) as entry, count(c.intermediate) as intermediate, count(c.final) as final
from monitoring_changes as c
join schools as s using (school_id)
where c.year = $year and ($municipality is null or s.municipality_id = $municipality)
