-- Procedure results as the analytics read them (identification, context-adjusted results).
select
    school_id, year, exam, subject, grade, participants, mean_score, region_mean, z_score,
    share_fail
from procedure_results
order by school_id, year, exam, subject, grade
