-- The overall result of a curator's schools over the five years up to $year.
select r.school_id, r.year, r.result_index, r.share_fail
from school_year_results as r
where r.year between $year - 4 and $year
    and r.school_id in (
        select school_id from programme_membership where curator_id = $curator_id and year = $year
    )
order by r.school_id, r.year
