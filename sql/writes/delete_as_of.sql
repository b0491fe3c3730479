-- Delete the rows «as of» some years of a derived table of trends (the years a refresh
-- recomputes).
delete from __TABLE__ where list_contains($years, as_of)
