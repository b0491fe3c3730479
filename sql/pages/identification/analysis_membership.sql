select school_id, year, programme, curator_id, partner_school_id
from programme_membership
order by school_id, year, programme
