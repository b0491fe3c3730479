-- The region's curators, for assigning the curator role to an account.
select c.curator_id, c.full_name, coalesce(m.name, '') as municipality
from curators as c
left join municipalities as m on m.municipality_id = c.municipality_id
order by c.full_name
