-- Names for the lists: every school with its municipality.
select s.school_id, s.name, s.short_name, s.municipality_id, m.name as municipality,
    s.settlement_type, s.programme_type
from schools as s
join municipalities as m using (municipality_id)
order by s.school_id
