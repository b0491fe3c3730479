-- Per procedure: the standardised mean score and the share of «2» per school and year.
select school_id, exam, subject, grade, year, z_score, share_fail
from procedure_results
where participants >= $min_participants
order by school_id, exam, subject, grade, year
