-- The years the stored procedure results hold (what a refresh of some years starts from).
select distinct year from procedure_results order by year
