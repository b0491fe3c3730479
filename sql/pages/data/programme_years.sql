-- Years of the programme lists, newest first.
select distinct year from programme_membership order by year desc
