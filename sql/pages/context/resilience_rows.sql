-- Every school of the scope in one year with what resilience is judged on: ИСБШ and its
-- quartile, the context-adjusted result pooled over the years window, the result's quartile.
select
    i.school_id,
    s.name,
    m.name as municipality,
    s.settlement_type,
    s.programme_type,
    i.isbsh,
    i.isbsh_quartile,
    i.adjusted_result,
    i.adjusted_se,
    i.adjusted_band,
    i.result_quartile,
    coalesce(i.resilient, false) as resilient
from identification as i
join schools as s using (school_id)
join municipalities as m using (municipality_id)
where i.year = $year
    and ($municipality is null or s.municipality_id = $municipality)
order by i.adjusted_result desc nulls last, i.school_id
