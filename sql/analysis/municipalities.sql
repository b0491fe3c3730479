select municipality_id, name, center_lat, center_lon
from municipalities
order by municipality_id
