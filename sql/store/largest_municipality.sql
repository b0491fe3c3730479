-- The municipality with the most schools, and how many it has.
select municipality_id, count(*) as schools
from schools
group by municipality_id
order by schools desc, municipality_id
limit 1
