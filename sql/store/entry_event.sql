-- One roadmap event as stored.
select *
from roadmap_events
where event_id = $event_id
