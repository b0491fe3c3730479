-- Status × change of the main indicators for a curator's schools as of a year.
select s.school_id, s.indicator, t.last_value, t.slope, s.status, s.change, s.colour, s.label
from status_change as s
join trends as t using (as_of, school_id, indicator)
where s.as_of = $year
    and s.school_id in (
        select school_id from programme_membership where curator_id = $curator_id and year = $year
    )
order by s.school_id, s.indicator
