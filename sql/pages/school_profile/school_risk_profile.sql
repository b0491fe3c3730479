-- One school's risk profile in every programme year, loaded or derived, with the region's
-- mean level of the same source and the centre of the school's cluster.
with region as (
    select year, factor_code, source,
        avg(case risk_level when 'высокий' then 2 when 'средний' then 1 else 0 end) as region_level
    from risk_profiles_derived
    group by all
)

select
    p.year, p.factor_code, p.factor_name, p.risk_level, p.source, p.indicator, p.value,
    case p.risk_level when 'высокий' then 2 when 'средний' then 1 else 0 end as level,
    r.region_level,
    c.cluster_id, c.cluster_name, c.distance,
    ce.mean_level as cluster_level,
    ce.defining
from risk_profiles_derived as p
join region as r using (year, factor_code, source)
left join risk_clusters as c on c.school_id = p.school_id and c.year = p.year
left join risk_cluster_centres as ce
    on ce.year = p.year and ce.cluster_id = c.cluster_id and ce.factor_code = p.factor_code
where p.school_id = $school_id
order by p.year, p.factor_code
