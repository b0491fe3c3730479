-- Per procedure: the standardised mean score and the share of «2» per school and year, for
-- the trends as of the latest year: the rows of its window ($window years) of the procedures
-- a school has in that year (a trend as of a year needs that year's value; the other rows
-- would only be computed and dropped).
with counted as (
    select school_id, exam, subject, grade, year, z_score, share_fail
    from procedure_results
    where participants >= $min_participants
),

latest as (
    select max(year) as year from counted
),

windowed as (
    select c.*
    from counted as c, latest as l
    where c.year > l.year - $window
)

select w.*
from windowed as w
semi join (
    select school_id, exam, subject, grade
    from windowed, latest
    where windowed.year = latest.year
) as present using (school_id, exam, subject, grade)
order by school_id, exam, subject, grade, year
