delete from sessions where login = :login
