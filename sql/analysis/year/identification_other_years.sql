-- The stored identification of every year but the given one and the one before (those come
-- computed with the criteria a user is trying).
select * from identification where year not in ($year, $year - 1)
