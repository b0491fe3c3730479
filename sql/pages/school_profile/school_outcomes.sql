select * from olympiads_continuation where school_id = $school_id order by year
