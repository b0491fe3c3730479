insert into audit_log (at, login, action, details) values (:at, :login, :action, :details)
