select factor_keyword, measure, description, level, source
from support_measures
order by position
