-- The stored context-adjusted results of some years, in the order analytics.context gives them
-- (a refresh of some years pools and follows cohorts over the years around them).
select * from context_adjusted
where list_contains($years, year)
order by school_id, year, exam, subject, grade
