-- The catalogue with its order, as a write keeps it.
select position, factor_keyword, measure, description, level, source
from support_measures
order by position
