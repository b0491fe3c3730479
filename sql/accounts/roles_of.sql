select role, municipality_id, curator_id
from user_roles
where login = :login
order by role, municipality_id, curator_id
