update users
set password_hash = :password_hash, failed_attempts = 0, locked_until = null
where login = :login
