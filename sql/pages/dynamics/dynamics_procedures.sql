-- Procedures with results, the most common first.
select exam, subject, grade, count(*) as rows
from procedure_results
group by exam, subject, grade
order by case exam when 'ВПР' then 1 when 'ОГЭ' then 2 else 3 end, grade, count(*) desc, subject
