select school_id from schools order by school_id
