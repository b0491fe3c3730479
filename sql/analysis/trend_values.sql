-- School-level indicators per year for the trends (long: school, indicator, year, value).
select school_id, 'result_index' as indicator, year, result_index as value
from school_year_results
union all
select school_id, 'share_fail', year, share_fail from school_year_results
union all
select school_id, 'adjusted', year, residual from school_adjusted where scope = 'все процедуры'
union all
select school_id, 'isbsh', year, isbsh from social_index
union all
select school_id, 'high_risks', year, count(*) filter (where risk_level = 'высокий')::double
from risk_profiles_derived
group by school_id, year
order by 1, 2, 3
