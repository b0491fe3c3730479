-- The region's municipalities, for hand-outs written one per municipality.
select municipality_id, name from municipalities order by name
