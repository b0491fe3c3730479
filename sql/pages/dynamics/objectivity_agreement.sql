-- Per year: the schools the federal list of ВПР objectivity markers names (any marker) and the
-- schools where the radar's own signs fired, and how far the two agree, over the schools both
-- judged (those in the list and with signs computed), in the region or one municipality.
with official as (
    select school_id, year, bool_or(marker) as official
    from official_objectivity_markers
    group by all
),

radar as (
    select school_id, year, bool_or(fired) as radar
    from objectivity_flags
    group by all
),

both_judged as (
    select o.year, o.official, r.radar
    from official as o
    join radar as r using (school_id, year)
    join schools as s using (school_id)
    where $municipality is null or s.municipality_id = $municipality
)

select
    year,
    count(*) as judged_schools,
    count(*) filter (where official) as official_marked,
    count(*) filter (where radar) as radar_marked,
    count(*) filter (where official and radar) as both_marked,
    avg(case when official = radar then 1.0 else 0.0 end) as agreement
from both_judged
group by year
order by year
