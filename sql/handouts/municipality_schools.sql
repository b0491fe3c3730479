-- Every school with its municipality, for the school cards of a municipality.
select school_id, municipality_id from schools order by municipality_id, name
