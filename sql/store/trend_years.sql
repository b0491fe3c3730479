-- The years the school trends are stored as of (a refresh of some years starts from them).
select distinct as_of as year from trends order by year
