select distinct year from monitoring_progress order by year desc
