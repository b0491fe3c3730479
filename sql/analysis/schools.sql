-- The school register as the analytics read it.
select
    school_id, municipality_id, settlement_type, programme_type, pupils, is_small, distance_km,
    lat, lon
from schools
order by school_id
