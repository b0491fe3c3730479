-- The schools (with their municipality) an access opens: every school of its whole
-- municipalities, and each curator's schools in the latest year the programme lists assign
-- her any.
with assigned as (
    select school_id, year, curator_id
    from programme_membership
    where curator_id in (select unnest($curators::varchar[]))
),
latest as (
    select curator_id, max(year) as year
    from assigned
    group by curator_id
)
select s.school_id, s.municipality_id
from schools as s
where s.municipality_id in (select unnest($municipalities::varchar[]))
union
select s.school_id, s.municipality_id
from assigned as a
join latest as l on l.curator_id = a.curator_id and l.year = a.year
join schools as s on s.school_id = a.school_id
