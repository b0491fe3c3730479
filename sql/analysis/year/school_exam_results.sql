-- Each school's overall result per exam and year (as analytics.identification.exam_results):
-- participant-weighted mean z over its procedures with enough participants.
select
    school_id,
    year,
    exam,
    sum(participants)::double as n,
    sum(participants * z_score) as nz,
    sum(participants * z_score) / sum(participants) as exam_result
from procedure_results
where year between $from_year and $to_year
    and participants >= $min_participants
    and z_score is not null
group by school_id, year, exam
order by school_id, year, exam
