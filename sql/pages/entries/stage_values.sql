-- One school's values of one monitoring stage, with every indicator of the region (empty
-- where nothing is recorded yet).
select
    i.indicator,
    i.name,
    i.unit,
    m.value,
    m.stage_date
from monitoring_indicators as i
left join monitoring_stages as m
    on m.indicator = i.indicator
    and m.school_id = $school_id
    and m.year = $year
    and m.stage = $stage
order by i.name
