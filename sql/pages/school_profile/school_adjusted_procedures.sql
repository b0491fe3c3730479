-- One school's context-adjusted results per procedure in a year.
select
    exam, subject, grade, participants, z_score, expected, residual, se, lower, upper, band,
    shrunk, reliability
from context_adjusted
where school_id = $school_id and year = $year and residual is not null
order by case exam when 'ВПР' then 1 when 'ОГЭ' then 2 else 3 end, grade, subject
