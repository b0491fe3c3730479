select
    u.login,
    u.full_name,
    u.email,
    u.active,
    u.locked_until,
    u.password_hash is not null as has_password,
    coalesce(group_concat(r.role || coalesce(':' || r.municipality_id, '')
        || coalesce(':' || r.curator_id, ''), ' '), '') as roles
from users as u
left join user_roles as r on r.login = u.login
group by u.login
order by u.login
