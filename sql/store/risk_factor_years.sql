-- The programme years of the «500+» factor lists (the years risk profiles are derived for).
select distinct year from risk_factors order by year
