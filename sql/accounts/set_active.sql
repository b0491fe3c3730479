update users set active = :active where login = :login
