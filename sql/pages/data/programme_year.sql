-- One year's programme lists as stored: the slice the methodologist edits.
select school_id, year, programme, curator_id, partner_school_id
from programme_membership
where year = $year
order by programme, school_id
