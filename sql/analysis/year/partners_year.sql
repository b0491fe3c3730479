select * from partner_suggestions where year = $year order by school_id, rank
