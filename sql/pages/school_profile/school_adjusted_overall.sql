-- One school's overall context-adjusted result in a year, per scope of exams.
select scope, participants, procedures, residual, se, lower, upper, band, shrunk, shrunk_se
from school_adjusted
where school_id = $school_id and year = $year
order by case scope
    when 'все процедуры' then 1 when 'ОГЭ и ЕГЭ' then 2 when 'ВПР' then 3
    when 'ОГЭ' then 4 else 5 end
