-- One more failed attempt; the account is locked for a while once they reach the limit.
update users
set failed_attempts = failed_attempts + 1,
    locked_until = case when failed_attempts + 1 >= :limit then :until else locked_until end
where login = :login
returning failed_attempts, locked_until
