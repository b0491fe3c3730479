-- The last year with results: the year a hand-out is about unless the user names one.
select coalesce(max(year), extract(year from current_date)) as year from school_year_results
