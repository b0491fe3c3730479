-- Delete the cohort figures and lines that end or start in some years (the years a refresh
-- recomputes).
delete from __TABLE__ where list_contains($years, year) or list_contains($years, earlier_year)
