-- A school's programme membership over the years with curator and partner names.
select
    m.year, m.programme, c.full_name as curator, c.organisation as curator_organisation,
    p.name as partner
from programme_membership as m
left join curators as c using (curator_id)
left join schools as p on p.school_id = m.partner_school_id
where m.school_id = $school_id
order by m.year desc, m.programme
