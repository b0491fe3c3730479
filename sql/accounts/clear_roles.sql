delete from user_roles where login = :login
