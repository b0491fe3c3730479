-- A school's context per year: ИСБШ, settlement type, size, remoteness and municipality.
select
    i.school_id,
    i.year,
    i.isbsh,
    i.quartile as isbsh_quartile,
    s.settlement_type,
    coalesce(p.pupils, s.pupils) as pupils,
    s.is_small,
    s.distance_km,
    s.municipality_id,
    s.programme_type,
    s.lat,
    s.lon
from social_index as i
join schools as s using (school_id)
left join social_passport as p using (school_id, year)
order by i.school_id, i.year
