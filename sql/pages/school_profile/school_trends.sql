-- A school's indicator trends as of a year with their colours.
select t.indicator, t.n_points, t.first_year, t.last_year, t.last_value, t.change_last,
    t.slope, t.slope_low, t.slope_high, t.theil_slope, t.mk_p,
    s.status, s.change, s.colour, s.colour_name, s.colour_hex, s.symbol, s.label
from trends as t
left join status_change as s using (as_of, school_id, indicator)
where t.school_id = $school_id and t.as_of = $year
order by t.indicator
