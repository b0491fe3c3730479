delete from sessions where token_hash = :token_hash or expires_at < :at
