-- Whether some procedure result takes its pupils' spread from the pooled fallback of
-- analytics.context.pupil_spread (no spread stated, and no shares to read it from: none of its
-- own, no standardised result, a procedure-year mixing marks with the two ЕГЭ thresholds, or
-- fewer than ten schools of its procedure-year with shares). Such a spread pools the years, so
-- a refresh of some years only would not do; the answer errs towards «pooled».
with rows as (
    select
        year, exam, subject, grade,
        stated_pupil_sd is null as unstated,
        z_score is not null and participants > 0 as judged,
        share_2 is not null and share_3 is not null and share_4 is not null as marks,
        share_below_min is not null and share_81plus is not null as tails
    from procedure_results
),

years as (
    select
        year, exam, subject, grade,
        count(*) filter (where judged and (marks or tails)) as with_shares,
        count(*) filter (where marks) > 0 and count(*) filter (where tails and not marks) > 0
            as mixed
    from rows
    group by all
)

select count(*) > 0 as pooled
from rows
join years using (year, exam, subject, grade)
where unstated and (not judged or not (marks or tails) or mixed or with_shares < 10)
