-- One procedure over the years: the school against its municipality and the region. The
-- share above the upper threshold is the share with 81 points and more, or with more than the
-- procedure's own upper threshold (procedure_thresholds).
with procedure as (
    select r.*, s.municipality_id
    from procedure_results as r
    join schools as s using (school_id)
    where r.exam = $exam and r.subject = $subject and r.grade = $grade
),

school as (
    select year, participants, mean_score, mean_mark, share_fail, share_81plus as share_high
    from procedure where school_id = $school_id
),

municipality as (
    select year,
        sum(participants * mean_score) / sum(participants) as mean_score,
        sum(participants * mean_mark) / sum(participants) as mean_mark,
        sum(participants * share_fail) / sum(participants) as share_fail,
        sum(participants * share_81plus) / sum(participants) as share_high
    from procedure
    where municipality_id = (select municipality_id from schools where school_id = $school_id)
    group by year
),

region as (
    select year,
        sum(participants * mean_score) / sum(participants) as mean_score,
        sum(participants * mean_mark) / sum(participants) as mean_mark,
        sum(participants * share_fail) / sum(participants) as share_fail,
        sum(participants * share_81plus) / sum(participants) as share_high
    from procedure
    group by year
),

final as (
    select
        rg.year,
        sc.participants,
        sc.mean_score as school_mean_score, mu.mean_score as municipality_mean_score,
        rg.mean_score as region_mean_score,
        sc.mean_mark as school_mean_mark, mu.mean_mark as municipality_mean_mark,
        rg.mean_mark as region_mean_mark,
        sc.share_fail as school_share_fail, mu.share_fail as municipality_share_fail,
        rg.share_fail as region_share_fail,
        sc.share_high as school_share_high, mu.share_high as municipality_share_high,
        rg.share_high as region_share_high
    from region as rg
    left join municipality as mu using (year)
    left join school as sc using (year)
)

select * from final order by year
