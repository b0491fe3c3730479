select login, full_name, password_hash, email, active, failed_attempts, locked_until
from users
where login = :login
