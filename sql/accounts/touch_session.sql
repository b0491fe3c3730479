update sessions set last_seen_at = :at where token_hash = :token_hash
