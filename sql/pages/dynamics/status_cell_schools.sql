-- The schools of one status × change cell, with the trend behind the colour.
select sc.school_id, sc.name, m.name as municipality, t.last_value, t.change_last, t.slope,
    t.slope_low, t.slope_high, t.n_points, s.label
from status_change as s
join trends as t using (as_of, school_id, indicator)
join schools as sc using (school_id)
join municipalities as m on m.municipality_id = sc.municipality_id
where s.as_of = $year and s.indicator = $indicator and s.status = $status and s.change = $change
    and ($municipality is null or sc.municipality_id = $municipality)
order by t.last_value
