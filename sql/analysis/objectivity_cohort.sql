-- The same cohort in ВПР: grade 4 of the previous year against grade 5 of this year
-- (participant-weighted z over subjects present in both years).
with grade4 as (
    select school_id, year + 1 as year, subject, participants, z_score
    from procedure_results
    where exam = 'ВПР' and grade = 4 and participants >= $min_participants
),

grade5 as (
    select school_id, year, subject, participants, z_score
    from procedure_results
    where exam = 'ВПР' and grade = 5 and participants >= $min_participants
)

select
    g5.school_id,
    g5.year,
    sum(g4.participants * g4.z_score) / sum(g4.participants) as grade4_previous,
    sum(g5.participants * g5.z_score) / sum(g5.participants) as grade5
from grade5 as g5
join grade4 as g4 using (school_id, year, subject)
group by g5.school_id, g5.year
order by g5.school_id, g5.year
