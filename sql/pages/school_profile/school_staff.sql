select * from staff where school_id = $school_id order by year
