insert into support_measures (position, factor_keyword, measure, description, level, source)
select position, factor_keyword, measure, description, level, source
from incoming_rows
