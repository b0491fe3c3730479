select flag, name, value, threshold, fired, evidence
from objectivity_flags
where school_id = $school_id and year = $year
order by fired desc, name
