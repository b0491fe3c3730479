update users set failed_attempts = 0, locked_until = null where login = :login
