-- Every school of the 5×5 grid of one indicator and year, with its cell and trend.
select sc.name, m.name as municipality, s.status, s.change, t.last_value, t.change_last,
    t.slope, s.label
from status_change as s
join trends as t using (as_of, school_id, indicator)
join schools as sc using (school_id)
join municipalities as m on m.municipality_id = sc.municipality_id
where s.as_of = $year and s.indicator = $indicator
    and ($municipality is null or sc.municipality_id = $municipality)
order by s.status, s.change, t.last_value
