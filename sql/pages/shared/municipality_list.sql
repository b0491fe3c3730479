select municipality_id, name, kind from municipalities order by kind = 'столица' desc, name
