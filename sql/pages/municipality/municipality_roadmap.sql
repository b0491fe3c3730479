-- Roadmap events of a municipality and its schools in a year, with overdue ones marked.
select
    e.level, e.title, e.period_start, e.period_end, e.responsible, e.status,
    coalesce(s.name, '') as school,
    e.status <> 'выполнено' and e.period_end < $as_of as overdue
from roadmap_events as e
left join schools as s using (school_id)
where e.year = $year
    and (e.municipality_id = $municipality or s.municipality_id = $municipality)
order by overdue desc, e.period_end, e.title
