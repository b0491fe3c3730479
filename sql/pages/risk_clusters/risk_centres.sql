select cluster_id, factor_code, factor_name, short_name, mean_level, region_mean, z, defining
from risk_cluster_centres
where year = $year
order by cluster_id, factor_code
