select cluster_id, factor_code, factor_name, measure, description, level, source
from risk_cluster_measures
where year = $year
order by cluster_id
