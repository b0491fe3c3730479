-- Partner suggestions for one school in a year, with the partners' names.
select p.rank, p.partner_id, s.name as partner, m.name as municipality, p.partner_adjusted,
    p.reason
from partner_suggestions as p
join schools as s on s.school_id = p.partner_id
join municipalities as m on m.municipality_id = s.municipality_id
where p.school_id = $school_id and p.year = $year
order by p.rank
