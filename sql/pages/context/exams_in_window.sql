-- The procedures with results in the years window up to $year (resilience is judged on the
-- chosen ones the region has).
select distinct exam
from procedure_results
where year between $year - $window + 1 and $year
    and participants >= $min_participants
    and z_score is not null
order by exam
