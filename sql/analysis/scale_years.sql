-- Each procedure-year of the region with what a change of scale moves: the region's share of
-- «2» and mean score (participant-weighted), and, of the schools with the procedure in this
-- and the previous year, how many saw their share of «2» or their mean score rise or fall.
with region as (
    select
        year, exam, subject, grade,
        sum(participants * share_fail) filter (where share_fail is not null)
        / sum(participants) filter (where share_fail is not null) as share_fail,
        sum(participants * mean_score) filter (where mean_score is not null)
        / sum(participants) filter (where mean_score is not null) as mean_score,
        count(*) as schools
    from procedure_results
    where participants >= $min_participants
    group by all
),

pairs as (
    select
        now.year, now.exam, now.subject, now.grade,
        count(*) filter (where now.share_fail is not null and before.share_fail is not null)
            as fail_pairs,
        count(*) filter (where now.share_fail > before.share_fail) as fail_up,
        count(*) filter (where now.share_fail < before.share_fail) as fail_down,
        count(*) filter (where now.mean_score is not null and before.mean_score is not null)
            as mean_pairs,
        count(*) filter (where now.mean_score > before.mean_score) as mean_up,
        count(*) filter (where now.mean_score < before.mean_score) as mean_down
    from procedure_results as now
    join procedure_results as before
        on before.school_id = now.school_id
        and before.exam = now.exam
        and before.subject = now.subject
        and before.grade = now.grade
        and before.year = now.year - 1
    where now.participants >= $min_participants and before.participants >= $min_participants
    group by all
)

select r.*, p.* exclude (year, exam, subject, grade)
from region as r
left join pairs as p using (year, exam, subject, grade)
order by exam, subject, grade, year
