-- The stored ШНОР flags of some years (the early warning of the years a refresh recomputes).
select school_id, year, shnor from identification
where list_contains($years, year)
order by school_id, year
