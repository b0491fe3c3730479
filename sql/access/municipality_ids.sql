select municipality_id from municipalities order by 1
