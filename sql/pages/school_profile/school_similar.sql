-- Every school of the region in a year with what its likeness is judged by (ИСБШ, settlement
-- type, size, remoteness) and what it is compared on with its group of similar schools
-- (analytics.similar): the results of the year and the context-adjusted result.
select
    i.school_id,
    s.name,
    s.short_name,
    m.name as municipality,
    s.settlement_type,
    coalesce(p.pupils, s.pupils) as pupils,
    s.distance_km,
    i.isbsh,
    r.result_index,
    r.vpr_index,
    r.oge_index,
    r.ege_index,
    r.share_fail,
    a.residual,
    a.se,
    a.shrunk,
    a.shrunk_se
from social_index as i
join schools as s using (school_id)
join municipalities as m using (municipality_id)
left join social_passport as p using (school_id, year)
left join school_year_results as r using (school_id, year)
left join school_adjusted as a
    on a.school_id = i.school_id and a.year = i.year and a.scope = 'все процедуры'
where i.year = $year
order by i.school_id
