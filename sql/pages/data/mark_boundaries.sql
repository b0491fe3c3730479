-- The mark boundaries of every procedure and year, for the editor on the page «Данные».
select year, exam, subject, grade, max_score, min_3, min_4, min_5
from mark_boundaries
order by exam, subject, grade, year
