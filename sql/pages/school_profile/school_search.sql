-- Schools whose name, short name or code contains the search text (case-insensitive), within
-- the scope, with how many were found in all.
select s.school_id, s.name, s.short_name, mu.name as municipality, count(*) over () as found
from schools as s
join municipalities as mu using (municipality_id)
where ($municipality is null or s.municipality_id = $municipality)
    and (
        $text = ''
        or s.name ilike '%' || $text || '%'
        or coalesce(s.short_name, '') ilike '%' || $text || '%'
        or s.school_id ilike '%' || $text || '%'
    )
order by mu.kind = 'столица' desc, mu.name, s.name
limit $limit
