-- Years of monitoring stages in the region, newest first.
select distinct year from monitoring_stages order by year desc
