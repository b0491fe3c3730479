-- The region's notes as key and value (the demo says which generator built it).
select key, value from region_info
