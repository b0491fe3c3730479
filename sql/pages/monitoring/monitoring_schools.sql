-- Schools in the monitoring of a year: progress, municipality, curator and risk cluster.
with curator as (
    select school_id, min(curator_id) as curator_id
    from programme_membership
    where year = $year and curator_id is not null
    group by school_id
)

select
    p.school_id, s.name, s.municipality_id, m.name as municipality,
    coalesce(c.full_name, 'не назначен') as curator,
    coalesce(rc.cluster_id::varchar || '. ' || rc.cluster_name, 'вне кластеров') as cluster,
    p.indicators_known, p.improved, p.high_risks_entry, p.high_risks_final,
    p.positive, p.status, p.reason
from monitoring_progress as p
join schools as s using (school_id)
join municipalities as m using (municipality_id)
left join curator as cu on cu.school_id = p.school_id
left join curators as c on c.curator_id = cu.curator_id
left join risk_clusters as rc on rc.school_id = p.school_id and rc.year = p.year
where p.year = $year and ($municipality is null or s.municipality_id = $municipality)
order by s.name
