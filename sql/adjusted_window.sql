-- Procedure residuals of the years window up to $year (for resilience and partners on a page).
select school_id, year, exam, subject, grade, participants, residual, se
from context_adjusted
where year between $year - $window + 1 and $year
order by school_id, year, exam, subject, grade
