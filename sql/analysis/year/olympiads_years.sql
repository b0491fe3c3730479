select school_id, year, share_olympiad, share_continue_grade10
from olympiads_continuation
where year between $from_year and $to_year
order by school_id, year
