-- The radar's ВПР objectivity signs of a year (each sign computed, fired or not) at the schools
-- the federal list of markers (ФИС ОКО) judged that year, with the list's verdict (any marker),
-- in the region or one municipality.
select f.school_id, f.year, f.flag, f.name, f.fired, m.marker
from objectivity_flags as f
join (
    select school_id, year, bool_or(marker) as marker
    from official_objectivity_markers
    where year = $year
    group by all
) as m using (school_id, year)
join schools as s using (school_id)
where f.year = $year and ($municipality is null or s.municipality_id = $municipality)
order by f.school_id, f.flag
