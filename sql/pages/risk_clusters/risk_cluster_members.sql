-- Schools of the clusters of a year with their status and results.
select
    c.school_id, s.name, s.short_name, s.municipality_id, m.name as municipality,
    c.cluster_id, c.cluster_name, c.distance, c.ward_cluster,
    coalesce(i.shnor, false) as shnor,
    coalesce(i.shnsu, false) as shnsu,
    r.result_index,
    si.isbsh
from risk_clusters as c
join schools as s using (school_id)
join municipalities as m using (municipality_id)
left join identification as i on i.school_id = c.school_id and i.year = c.year
left join school_year_results as r on r.school_id = c.school_id and r.year = c.year
left join social_index as si on si.school_id = c.school_id and si.year = c.year
where c.year = $year
order by c.cluster_id, c.distance
