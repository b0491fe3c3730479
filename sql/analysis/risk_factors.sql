select year, factor_code, factor_name
from risk_factors
order by year, factor_code
