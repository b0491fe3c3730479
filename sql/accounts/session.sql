select s.login, s.last_seen_at, s.expires_at
from sessions as s
join users as u on u.login = s.login
where s.token_hash = :token_hash and u.active = 1
