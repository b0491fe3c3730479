-- One municipality on one screen: lists and their change, results against the region,
-- positive dynamics. $as_of is the date against which roadmap events are overdue.
with mine as (
    select school_id from schools where municipality_id = $municipality
),

ident as (
    select
        year,
        count(*) filter (where shnor and school_id in (select school_id from mine)) as shnor,
        count(*) filter (where shnsu and school_id in (select school_id from mine)) as shnsu
    from identification
    where year in ($year, $year - 1)
    group by year
),

results as (
    select
        sum(participants_total * result_index)
            filter (where school_id in (select school_id from mine))
            / sum(participants_total) filter (where school_id in (select school_id from mine))
            as result_index,
        sum(participants_total * share_fail)
            filter (where school_id in (select school_id from mine))
            / sum(participants_total) filter (where school_id in (select school_id from mine))
            as share_fail,
        sum(participants_total * share_fail) / sum(participants_total) as region_share_fail
    from school_year_results
    where year = $year
),

dynamics as (
    select
        avg(positive::int) filter (where school_id in (select school_id from mine))
            as positive_share,
        avg(positive::int) as region_positive_share
    from monitoring_progress
    where year = $year and positive is not null
)

select
    (select count(*) from mine) as schools,
    (select shnor from ident where year = $year) as shnor,
    (select shnor from ident where year = $year - 1) as shnor_prev,
    (select shnsu from ident where year = $year) as shnsu,
    (select shnsu from ident where year = $year - 1) as shnsu_prev,
    r.result_index, r.share_fail, r.region_share_fail,
    d.positive_share, d.region_positive_share
from results as r, dynamics as d
