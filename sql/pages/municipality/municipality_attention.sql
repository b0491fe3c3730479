-- Schools of a municipality that need attention this year, and why.
with colour as (
    select school_id, colour, label from status_change
    where as_of = $year and indicator = 'result_index'
),

signs as (
    select school_id, count(*) as signs from objectivity_flags
    where year = $year and fired group by school_id
),

early as (
    select school_id, true as early from early_warning where as_of = $year
)

select
    s.school_id, s.name,
    coalesce(i.shnor, false) as shnor,
    coalesce(i.shnsu, false) as shnsu,
    c.colour, c.label,
    p.status as stage_status,
    coalesce(g.signs, 0) as signs,
    coalesce(e.early, false) as early_warning
from schools as s
left join identification as i on i.school_id = s.school_id and i.year = $year
left join colour as c on c.school_id = s.school_id
left join monitoring_progress as p on p.school_id = s.school_id and p.year = $year
left join signs as g on g.school_id = s.school_id
left join early as e on e.school_id = s.school_id
where s.municipality_id = $municipality
    and (
        coalesce(i.shnor, false) or c.colour in ('R', 'O') or coalesce(e.early, false)
        or coalesce(g.signs, 0) > 0 or p.status = 'нет положительной динамики'
    )
order by coalesce(i.shnor, false) desc, c.colour = 'R' desc, s.name
