-- All of a school's results in one year, each with the regional mean of the procedure.
select exam, subject, grade, participants, mean_score, region_mean, mean_mark, share_fail,
    share_below_min, share_81plus, low_label, high_label, z_score
from procedure_results
where school_id = $school_id and year = $year
order by exam = 'ВПР', exam, grade, subject
