select * from social_passport order by school_id, year
