-- One procedure over the years: the region (participant-weighted mean and the band of the
-- middle half and 80 % of schools) and, when chosen, one municipality. The value is the mean
-- score; for a procedure without scores (a ФИС ОКО export of marks) the mean mark; for one
-- with neither (counts above and below thresholds) the share above the upper threshold.
-- `measure` says which: score, mark or high.
with rows as (
    select
        p.*,
        s.municipality_id,
        case
            when count(p.mean_score) over () > 0 then 'score'
            when count(p.mean_mark) over () > 0 then 'mark'
            else 'high'
        end as measure
    from procedure_results as p
    join schools as s using (school_id)
    where p.exam = $exam and p.subject = $subject and p.grade = $grade
        and p.participants >= $min_participants
),

valued as (
    select
        *,
        case measure
            when 'score' then mean_score when 'mark' then mean_mark else share_81plus
        end as value
    from rows
)

select
    year,
    any_value(measure) as measure,
    sum(participants * value) / sum(participants) as region_mean,
    quantile_cont(value, 0.10) as p10,
    quantile_cont(value, 0.25) as p25,
    quantile_cont(value, 0.75) as p75,
    quantile_cont(value, 0.90) as p90,
    sum(participants * share_fail) / sum(participants) as region_share_fail,
    sum(participants * value) filter (where municipality_id = $municipality)
        / sum(participants) filter (where municipality_id = $municipality) as municipality_mean,
    sum(participants * share_fail) filter (where municipality_id = $municipality)
        / sum(participants) filter (where municipality_id = $municipality)
        as municipality_share_fail,
    count(*) as schools
from valued
group by year
order by year
