-- One indicator's stage values of a year for the schools of the scope.
select c.school_id, s.name, c.entry, c.intermediate, c.final, c.change_final, c.name as indicator_name,
    c.unit, c.higher_is_better
from monitoring_changes as c
join schools as s using (school_id)
where c.year = $year and c.indicator = $indicator
    and ($municipality is null or s.municipality_id = $municipality)
order by s.name
