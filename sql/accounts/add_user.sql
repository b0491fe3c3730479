insert into users (login, full_name, password_hash, email, created_at)
values (:login, :full_name, :password_hash, :email, :at)
