-- A school's roadmap events, newest first.
select
    event_id,
    year,
    title,
    period_start,
    period_end,
    responsible,
    expected_result,
    status,
    evidence
from roadmap_events
where school_id = $school_id
order by year desc, period_start, event_id
