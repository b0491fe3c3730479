-- A school's monitoring stages in a year, and the verdict on its dynamics.
select c.name, c.unit, c.entry, c.intermediate, c.final, c.change_final, p.status, p.reason
from monitoring_changes as c
left join monitoring_progress as p using (school_id, year)
where c.school_id = $school_id and c.year = $year
order by c.name
