insert into sessions (token_hash, login, created_at, last_seen_at, expires_at)
values (:token_hash, :login, :at, :at, :expires_at)
