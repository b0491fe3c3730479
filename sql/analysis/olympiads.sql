select school_id, year, share_olympiad, share_continue_grade10
from olympiads_continuation
order by school_id, year
