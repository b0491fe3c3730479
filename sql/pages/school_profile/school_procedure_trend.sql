-- A school's trend for one procedure (as of the latest year with results).
select indicator, as_of, n_points, last_value, slope, slope_low, slope_high, colour, label
from procedure_trends
where school_id = $school_id and exam = $exam and subject = $subject and grade = $grade
order by indicator
