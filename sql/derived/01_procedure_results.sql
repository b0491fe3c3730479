-- The rows of procedure_results (declared in sql/schema/derived.sql): one per school, year and
-- procedure (exam, subject, grade) with practitioners' figures and the result standardised
-- within the procedure-year across the region's schools. The result standardised is the mean
-- score; a procedure-year without any mean score (a ФИС ОКО export of marks, say) is judged by
-- its mean mark from the shares of «2»–«5»; one with neither (an open-data file of counts
-- above and below two thresholds) by the share above the upper threshold less the share at
-- or below the lower one. Where procedure_thresholds names a procedure's own thresholds, its
-- lower share is not a share of failures. A spread of pupils' scores that the file states
-- (pupil_sd, in points) is carried in the units of the standardised result.
with results as (
    select e.*, t.low_label, t.high_label
    from exam_results as e
    left join procedure_thresholds as t using (exam, subject, grade)
    where e.participants > 0
        -- $years: the years to compute (a refresh of the years an import touched), or null.
        and ($years is null or list_contains($years, e.year))
        and (e.mean_score is not null
            or (e.share_2 is not null and e.share_3 is not null and e.share_4 is not null
                and e.share_5 is not null)
            or (e.share_below_min is not null and e.share_81plus is not null))
),

figures as (
    select
        school_id, year, exam, subject, grade, participants, mean_score,
        case
            when share_2 is not null and share_3 is not null and share_4 is not null
                and share_5 is not null
            then 2 * share_2 + 3 * share_3 + 4 * share_4 + 5 * share_5
        end as mean_mark,
        share_2, share_3, share_4, share_5,
        coalesce(share_2, case when low_label is null then share_below_min end) as share_fail,
        1 - share_2 as success_rate,
        share_4 + share_5 as quality_rate,
        share_below_min,
        share_81plus,
        low_label,
        high_label,
        nullif(pupil_sd, 0) as pupil_sd
    from results
),

-- Which figure each procedure-year is standardised by (counted once per procedure-year and
-- joined: a window over millions of rows costs twice as much).
measures as (
    select
        year, exam, subject, grade,
        count(mean_score) > 0 as by_score,
        count(mean_mark) > 0 as by_mark
    from figures
    group by all
),

measured as (
    select
        f.*,
        m.by_score,
        case
            when m.by_score then f.mean_score
            when m.by_mark then f.mean_mark
            else f.share_81plus - f.share_below_min
        end as measure
    from figures as f
    join measures as m using (year, exam, subject, grade)
),

region as (
    -- Participant-weighted mean and spread of school means within each procedure-year.
    select
        year, exam, subject, grade,
        sum(participants * measure) / sum(participants) as region_mean,
        sqrt(
            sum(participants * measure * measure) / sum(participants)
            - power(sum(participants * measure) / sum(participants), 2)
        ) as region_sd,
        count(*) as region_schools,
        sum(participants * share_fail) filter (where share_fail is not null)
        / sum(participants) filter (where share_fail is not null) as region_share_fail
    from measured
    where measure is not null
    group by all
),

final as (
    select
        f.* exclude (measure, by_score, pupil_sd),
        r.region_mean,
        r.region_share_fail,
        case when r.region_sd > 0 then (f.measure - r.region_mean) / r.region_sd end as z_score,
        -- A stated spread of pupils' scores in the units of z_score (only where z_score is
        -- read from the mean scores it is stated in).
        case when f.by_score and r.region_sd > 0 then f.pupil_sd / r.region_sd end
            as stated_pupil_sd
    from measured as f
    join region as r using (year, exam, subject, grade)
    where f.measure is not null
)

select * from final
order by school_id, year, exam, subject, grade
