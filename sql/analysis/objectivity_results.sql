select school_id, year, vpr_index, oge_index, ege_index
from school_year_results
order by school_id, year
