-- Delete the rows of some years of a derived table (the years a refresh recomputes).
delete from __TABLE__ where list_contains($years, year)
