select school_id, year, stage, indicator, value from monitoring_stages
order by school_id, year, stage, indicator
