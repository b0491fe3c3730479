-- One school's cohort value added (cohort_value_added) for every link and pair of years up to
-- the year: the later result against what the region's line predicts from the earlier one.
select
    link, earlier_exam, earlier_grade, earlier_year, year as later_year, subjects,
    earlier_participants, participants as later_participants, earlier_result, later_result,
    expected as expected_later, residual as value_added, se, lower, upper, band
from cohort_value_added
where school_id = $school_id and year <= $year
order by case earlier_exam when 'ВПР' then 1 when 'ОГЭ' then 2 else 3 end, earlier_grade,
    later_year
