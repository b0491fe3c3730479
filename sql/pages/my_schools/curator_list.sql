-- Curators with the number of schools they had in each year's programmes, within the scope.
select c.curator_id, c.full_name, c.organisation, m.year, count(distinct m.school_id) as schools
from curators as c
join programme_membership as m using (curator_id)
join schools as s on s.school_id = m.school_id
where $municipality is null or s.municipality_id = $municipality
group by all
order by c.full_name, m.year desc
