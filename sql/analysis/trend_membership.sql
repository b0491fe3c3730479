select school_id, year from programme_membership
