-- The stored lists of a year (by the active criteria), for one municipality or the region.
select i.*
from identification as i
join schools as s using (school_id)
where i.year = $year and ($municipality is null or s.municipality_id = $municipality)
