-- The stored values of one school's monitoring stage.
select indicator, value, stage_date
from monitoring_stages
where school_id = $school_id and year = $year and stage = $stage
order by indicator
