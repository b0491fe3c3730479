select e.school_id, s.name, m.name as municipality, e.last_value, e.theil_slope, e.projected,
    e.threshold, e.mk_p
from early_warning as e
join schools as s using (school_id)
join municipalities as m using (municipality_id)
where e.as_of = $year and ($municipality is null or s.municipality_id = $municipality)
order by e.projected
