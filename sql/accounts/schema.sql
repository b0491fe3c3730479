-- The shared system's own records (SQLite, beside the region's database): who may sign in,
-- with which roles, and what each person did. Nothing about pupils is kept here.

create table if not exists users (
    login text primary key,
    full_name text not null,
    -- argon2id hash; empty for a person who signs in only through the region's identity
    -- provider (matched by e-mail).
    password_hash text,
    email text unique,
    active integer not null default 1 check (active in (0, 1)),
    failed_attempts integer not null default 0,
    locked_until text,
    created_at text not null
);

-- A person may hold several roles; a head's or an observer's municipality, a curator's own
-- record in the region's list of curators.
create table if not exists user_roles (
    login text not null references users (login) on delete cascade,
    role text not null check (role in ('methodologist', 'head', 'curator', 'observer')),
    municipality_id text,
    curator_id text,
    check (role <> 'head' or municipality_id is not null),
    check (role <> 'curator' or curator_id is not null),
    unique (login, role, municipality_id, curator_id)
);

create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,
    login text,
    action text not null,
    details text not null default ''
);

create index if not exists audit_log_at on audit_log (at);

-- Every value a person changed in the app: which record, which field, what it was and is.
create table if not exists entry_history (
    id integer primary key autoincrement,
    at text not null,
    login text not null,
    table_name text not null,
    record text not null,
    field text not null,
    old_value text,
    new_value text
);

create index if not exists entry_history_record on entry_history (table_name, record, field);

-- A signed-in browser: the hash of the token its cookie holds (the token itself is never
-- stored), so a reload or a new tab continues the sign-in until it expires or she signs out.
create table if not exists sessions (
    token_hash text primary key,
    login text not null references users (login) on delete cascade,
    created_at text not null,
    last_seen_at text not null,
    expires_at text not null
);
