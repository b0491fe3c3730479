-- One school's identification in a year with every rule (as stored with the active settings).
select * from identification where school_id = $school_id and year = $year
