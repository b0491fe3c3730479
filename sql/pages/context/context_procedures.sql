-- Procedures with context-adjusted results in a year, the most common first.
select exam, subject, grade, count(*) as schools
from context_adjusted
where year = $year and residual is not null
group by exam, subject, grade
order by
    case exam when 'ВПР' then 1 when 'ОГЭ' then 2 else 3 end,
    grade,
    count(*) desc,
    subject
