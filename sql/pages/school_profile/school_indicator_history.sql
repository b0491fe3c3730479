-- One school's indicator over the years (the trend chart of the profile).
select year, value from (
    select year, result_index as value, 'result_index' as indicator
    from school_year_results where school_id = $school_id
    union all
    select year, share_fail, 'share_fail' from school_year_results where school_id = $school_id
    union all
    select year, residual, 'adjusted' from school_adjusted
    where school_id = $school_id and scope = 'все процедуры'
    union all
    select year, isbsh, 'isbsh' from social_index where school_id = $school_id
)
where indicator = $indicator and value is not null
order by year
