-- Schools of the scope in each status × change cell for one indicator as of a year.
select s.status, s.change, s.colour, count(*) as schools
from status_change as s
join schools as sc using (school_id)
where s.as_of = $year and s.indicator = $indicator and s.status is not null
    and s.change is not null
    and ($municipality is null or sc.municipality_id = $municipality)
group by all
order by s.status, s.change
