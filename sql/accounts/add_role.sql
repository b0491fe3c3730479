insert into user_roles (login, role, municipality_id, curator_id)
values (:login, :role, :municipality_id, :curator_id)
