-- Curators with the number of schools they had in each year's programmes.
select c.curator_id, c.full_name, c.organisation, m.year, count(distinct m.school_id) as schools
from curators as c
join programme_membership as m using (curator_id)
group by all
order by c.full_name, m.year desc
