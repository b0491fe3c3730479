select * from identification where year = $year order by school_id
