-- A curator's schools in a year with what a visit needs: results and their change, status,
-- stage progress, objectivity signs and the risk cluster.
with mine as (
    select school_id, string_agg(distinct programme, ', ' order by programme) as programmes
    from programme_membership
    where curator_id = $curator_id and year = $year
    group by school_id
),

flags as (
    select school_id, count(*) as flags, string_agg(name, '; ' order by flag) as flag_names
    from objectivity_flags
    where year = $year and fired
    group by school_id
)

select
    m.school_id, s.name, s.short_name, mu.name as municipality, m.programmes,
    r.result_index, prev.result_index as result_index_prev,
    r.share_fail, prev.share_fail as share_fail_prev,
    si.isbsh,
    coalesce(i.shnor, false) as shnor, coalesce(i.shnsu, false) as shnsu,
    p.status as stage_status, p.reason as stage_reason,
    coalesce(f.flags, 0) as flags, f.flag_names,
    rc.cluster_name
from mine as m
join schools as s using (school_id)
join municipalities as mu using (municipality_id)
left join school_year_results as r on r.school_id = m.school_id and r.year = $year
left join school_year_results as prev on prev.school_id = m.school_id and prev.year = $year - 1
left join social_index as si on si.school_id = m.school_id and si.year = $year
left join identification as i on i.school_id = m.school_id and i.year = $year
left join monitoring_progress as p on p.school_id = m.school_id and p.year = $year
left join flags as f on f.school_id = m.school_id
left join risk_clusters as rc on rc.school_id = m.school_id and rc.year = $year
where $municipality is null or s.municipality_id = $municipality
order by s.name
