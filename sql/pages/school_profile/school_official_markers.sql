-- The federal list's ВПР objectivity markers of a school in a year (ФИС ОКО), by grade and
-- subject.
select grade, subject, marker
from official_objectivity_markers
where school_id = $school_id and year = $year
order by grade, subject
