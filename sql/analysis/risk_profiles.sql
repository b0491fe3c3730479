select school_id, year, factor_code, risk_level
from risk_profiles
order by school_id, year, factor_code
