-- One procedure over the years: the region (participant-weighted mean and the band of the
-- middle half and 80 % of schools) and, when chosen, one municipality.
with rows as (
    select p.*, s.municipality_id
    from procedure_results as p
    join schools as s using (school_id)
    where p.exam = $exam and p.subject = $subject and p.grade = $grade
        and p.participants >= $min_participants
)

select
    year,
    sum(participants * mean_score) / sum(participants) as region_mean,
    quantile_cont(mean_score, 0.10) as p10,
    quantile_cont(mean_score, 0.25) as p25,
    quantile_cont(mean_score, 0.75) as p75,
    quantile_cont(mean_score, 0.90) as p90,
    sum(participants * share_fail) / sum(participants) as region_share_fail,
    sum(participants * mean_score) filter (where municipality_id = $municipality)
        / sum(participants) filter (where municipality_id = $municipality) as municipality_mean,
    sum(participants * share_fail) filter (where municipality_id = $municipality)
        / sum(participants) filter (where municipality_id = $municipality)
        as municipality_share_fail,
    count(*) as schools
from rows
group by year
order by year
