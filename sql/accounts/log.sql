select at, login, action, details
from audit_log
where at >= :since
order by id desc
limit :limit
