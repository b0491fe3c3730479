"""The shared system's people: accounts, roles, sign-in with a lockout, and the audit log.

Kept in a small SQLite file beside the region's database (`accounts_path`), not in it: the
region's database is replaced whole by every import, and a sign-in, a failed attempt or an
audit entry is a small write many sessions and the command line make at once, which SQLite
serialises safely between processes. Passwords are stored only as argon2id hashes.

Roles (a person may hold several):
- methodologist — the region's methodologist: every school, imports, criteria, accounts;
- head — head of a municipal education authority: her municipality;
- curator — a curator of ШНОР: the schools the region's programme lists assign to her;
- observer — read only, the whole region or one municipality.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from radar.store import db
from radar.store.access import REGION, Access

ROLES = ("methodologist", "head", "curator", "observer")
ROLE_LABELS = {
    "methodologist": "методист региона",
    "head": "руководитель МОУО",
    "curator": "куратор",
    "observer": "наблюдатель",
}

# What a role may do beyond reading its part of the region.
IMPORT = "import"  # load files, undo an import, edit the region's tables
CRITERIA = "criteria"  # save criteria and make them the region's active ones
ACCOUNTS = "accounts"  # create accounts, reset passwords, assign roles
AUDIT = "audit"  # read and export the audit log
ENTER = "enter"  # record monitoring values and roadmap statuses for one's schools
PERMISSIONS = {
    "methodologist": frozenset({IMPORT, CRITERIA, ACCOUNTS, AUDIT, ENTER}),
    "head": frozenset(),
    "curator": frozenset({ENTER}),
    "observer": frozenset(),
}

MAX_FAILED = 5  # failed attempts in a row before the account is locked
SESSION_HOURS = 12  # a signed-in browser stays signed in at most this long
IDLE_HOURS = 2  # … and this long without opening a page
LOCK_MINUTES = 15
MIN_PASSWORD = 10

ACTION_LABELS = {
    "sign_in": "вход",
    "sign_in_failed": "неудачный вход",
    "locked": "учётная запись заблокирована",
    "sign_out": "выход",
    "user_added": "создана учётная запись",
    "password_set": "задан пароль",
    "roles_set": "изменены роли",
    "user_disabled": "учётная запись отключена",
    "user_enabled": "учётная запись включена",
    "import": "загрузка данных",
    "undo": "возврат базы",
    "edit": "правка таблицы",
    "criteria": "критерии",
    "entry": "запись куратора",
    "export": "выгрузка",
}


class AccountError(ValueError):
    """A refused account operation or sign-in, in Russian for the person."""


@dataclass(frozen=True)
class Role:
    kind: str
    municipality_id: str | None = None
    curator_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ROLES:
            raise AccountError(
                f"Неизвестная роль «{self.kind}». Допустимые: "
                + ", ".join(f"{k} ({v})" for k, v in ROLE_LABELS.items())
                + "."
            )
        if self.kind == "head" and not self.municipality_id:
            raise AccountError("Для роли «руководитель МОУО» нужен код муниципалитета.")
        if self.kind == "curator" and not self.curator_id:
            raise AccountError("Для роли «куратор» нужен код куратора из списка кураторов.")

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from the command line: methodologist, head:M001, curator:C001, observer,
        observer:M001."""
        kind, _, rest = text.strip().partition(":")
        kind = kind.strip()
        if kind == "curator":
            return cls(kind, curator_id=rest or None)
        return cls(kind, municipality_id=rest or None)

    @property
    def label(self) -> str:
        where = self.municipality_id or self.curator_id
        return ROLE_LABELS[self.kind] + (f" ({where})" if where else "")


@dataclass(frozen=True)
class User:
    login: str
    full_name: str
    roles: tuple[Role, ...] = field(default_factory=tuple)

    def can(self, permission: str) -> bool:
        return any(permission in PERMISSIONS[r.kind] for r in self.roles)

    def has(self, kind: str) -> bool:
        return any(r.kind == kind for r in self.roles)

    @property
    def access(self) -> Access:
        """What this person may read: the union of her roles' parts of the region."""
        if any(r.kind == "methodologist" for r in self.roles) or any(
            r.kind == "observer" and not r.municipality_id for r in self.roles
        ):
            return REGION
        return Access(
            municipalities=frozenset(
                r.municipality_id for r in self.roles if r.kind in ("head", "observer")
            ),
            curators=frozenset(r.curator_id for r in self.roles if r.kind == "curator"),
        )

    @property
    def roles_label(self) -> str:
        return ", ".join(r.label for r in self.roles) or "без роли"


# `make run` on one's own computer: one local user who may do everything, no sign-in.
LOCAL_USER = User("local", "Локальный пользователь", (Role("methodologist"),))


def accounts_path(database: Path | str | None = None) -> Path:
    """$RADAR_ACCOUNTS, else NAME.accounts.sqlite beside the region's database."""
    if os.environ.get("RADAR_ACCOUNTS"):
        return Path(os.environ["RADAR_ACCOUNTS"])
    path = Path(database) if database is not None else db.db_path()
    return path.with_name(f"{path.stem}.accounts.sqlite")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


class Accounts:
    """The accounts file. Each operation opens it, does its work in one transaction and
    closes it, so the server's sessions and the command line can use it at once."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else accounts_path()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise db.DatabaseError(
                f"Не удаётся открыть файл учётных записей {self.path}: {exc}"
            ) from exc
        try:
            con.row_factory = sqlite3.Row
            con.execute("pragma foreign_keys = on")
            con.execute("pragma journal_mode = wal")
            con.executescript(db.sql("accounts/schema"))
            con.execute("begin immediate")
            try:
                yield con
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        finally:
            con.close()

    # --- accounts -------------------------------------------------------------------------

    def add_user(
        self,
        login: str,
        full_name: str,
        password: str | None,
        roles: Iterable[Role],
        email: str | None = None,
        by: str | None = None,
    ) -> User:
        login = _check_login(login)
        if not full_name.strip():
            raise AccountError("Укажите фамилию, имя и отчество.")
        roles = tuple(roles)
        if not roles:
            raise AccountError("Укажите хотя бы одну роль.")
        if password is None and not email:
            raise AccountError("Нужен пароль или адрес почты для входа через систему региона.")
        hashed = _hasher().hash(_check_password(password)) if password is not None else None
        with self._connect() as con:
            if con.execute(db.sql("accounts/user"), {"login": login}).fetchone():
                raise AccountError(f"Учётная запись «{login}» уже есть.")
            try:
                con.execute(
                    db.sql("accounts/add_user"),
                    {
                        "login": login,
                        "full_name": full_name.strip(),
                        "password_hash": hashed,
                        "email": email or None,
                        "at": _now().isoformat(sep=" "),
                    },
                )
            except sqlite3.IntegrityError as exc:
                raise AccountError(f"Адрес почты {email} уже занят другой записью.") from exc
            self._write_roles(con, login, roles)
            self._record(con, by or login, "user_added", f"{login}: {_roles_text(roles)}")
        return User(login, full_name.strip(), roles)

    def set_password(self, login: str, password: str, by: str | None = None) -> None:
        hashed = _hasher().hash(_check_password(password))
        with self._connect() as con:
            self._existing(con, login)
            con.execute(db.sql("accounts/set_password"), {"login": login, "password_hash": hashed})
            # Browsers signed in with the old password sign in again.
            con.execute(db.sql("accounts/close_sessions_of"), {"login": login})
            self._record(con, by or login, "password_set", login)

    def set_roles(self, login: str, roles: Iterable[Role], by: str | None = None) -> None:
        roles = tuple(roles)
        if not roles:
            raise AccountError("Укажите хотя бы одну роль.")
        with self._connect() as con:
            self._existing(con, login)
            con.execute(db.sql("accounts/clear_roles"), {"login": login})
            self._write_roles(con, login, roles)
            self._record(con, by or login, "roles_set", f"{login}: {_roles_text(roles)}")

    def set_active(self, login: str, active: bool, by: str | None = None) -> None:
        with self._connect() as con:
            self._existing(con, login)
            con.execute(db.sql("accounts/set_active"), {"login": login, "active": int(active)})
            self._record(con, by or login, "user_enabled" if active else "user_disabled", login)

    def user(self, login: str) -> User | None:
        with self._connect() as con:
            row = con.execute(db.sql("accounts/user"), {"login": login}).fetchone()
            return None if row is None else self._user(con, row)

    def users(self) -> pd.DataFrame:
        with self._connect() as con:
            rows = con.execute(db.sql("accounts/users")).fetchall()
        columns = ["login", "full_name", "email", "active", "locked_until", "has_password", "roles"]
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    # --- signing in -----------------------------------------------------------------------

    def sign_in(self, login: str, password: str, now: datetime | None = None) -> User:
        """The person, if the password is hers and her account is open; else an AccountError
        that says no more than needed. Every attempt is in the audit log; after MAX_FAILED
        failures in a row the account is locked for LOCK_MINUTES minutes."""

        now = now or _now()
        refused = AccountError("Неверное имя пользователя или пароль.")
        login = login.strip()
        # The refusal is raised after the transaction: what it records (the attempt, the
        # lock, the audit entry) must be committed, not rolled back with it.
        failure: AccountError | None = None
        with self._connect() as con:
            row = con.execute(db.sql("accounts/user"), {"login": login}).fetchone()
            if row is None or not row["active"] or not row["password_hash"]:
                self._record(con, login or None, "sign_in_failed", "нет такой открытой записи")
                _hasher().hash(password)  # as long as a real check: the time tells nothing
                failure = refused
            elif row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
                self._record(con, login, "sign_in_failed", "запись заблокирована")
                failure = AccountError(
                    "Учётная запись временно заблокирована после нескольких неудачных попыток "
                    f"входа. Повторите после {row['locked_until'][11:16]} или попросите "
                    "методиста региона сбросить пароль."
                )
            else:
                failure = self._check(con, row, password, now)
                if failure is None:
                    con.execute(db.sql("accounts/signed_in"), {"login": login})
                    self._record(con, login, "sign_in", "пароль")
                    user = self._user(con, row)
        if failure is not None:
            raise failure
        return user

    def _check(
        self, con: sqlite3.Connection, row: sqlite3.Row, password: str, now: datetime
    ) -> AccountError | None:
        """None when the password is the account's (its hash renewed if the library's
        parameters have grown since); else the failure counted, and the refusal."""
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        hasher = _hasher()
        login = row["login"]
        try:
            hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            until = (now + timedelta(minutes=LOCK_MINUTES)).isoformat(sep=" ")
            count, locked = con.execute(
                db.sql("accounts/failed_attempt"),
                {"login": login, "limit": MAX_FAILED, "until": until},
            ).fetchone()
            self._record(con, login, "sign_in_failed", f"попытка {count}")
            if locked == until:
                self._record(con, login, "locked", f"на {LOCK_MINUTES} минут")
            return AccountError("Неверное имя пользователя или пароль.")
        if hasher.check_needs_rehash(row["password_hash"]):
            con.execute(
                db.sql("accounts/set_password"),
                {"login": login, "password_hash": hasher.hash(password)},
            )
        return None

    def sign_in_by_email(self, email: str) -> User:
        """The person the region's identity provider vouched for, matched by e-mail: she
        must have an open account here (the provider says who, the accounts say what)."""
        with self._connect() as con:
            found = con.execute(db.sql("accounts/user_by_email"), {"email": email}).fetchone()
            if found is None:
                self._record(con, None, "sign_in_failed", f"нет записи для {email}")
            else:
                row = con.execute(db.sql("accounts/user"), {"login": found["login"]}).fetchone()
                self._record(con, row["login"], "sign_in", "система входа региона")
                return self._user(con, row)
        raise AccountError(
            f"Для адреса {email} нет учётной записи в «Школьном радаре». Попросите методиста "
            "региона создать её."
        )

    # --- a signed-in browser ---------------------------------------------------------------

    def open_session(self, login: str, now: datetime | None = None) -> str:
        """A new random token for the browser's cookie; only its hash is kept."""
        import secrets

        now = now or _now()
        token = secrets.token_urlsafe(32)
        with self._connect() as con:
            con.execute(
                db.sql("accounts/open_session"),
                {
                    "token_hash": _token_hash(token),
                    "login": login,
                    "at": now.isoformat(sep=" "),
                    "expires_at": (now + timedelta(hours=SESSION_HOURS)).isoformat(sep=" "),
                },
            )
        return token

    def resume(self, token: str | None, now: datetime | None = None) -> User | None:
        """The person whose open, unexpired sign-in the token is, else None."""
        if not token:
            return None
        now = now or _now()
        with self._connect() as con:
            row = con.execute(
                db.sql("accounts/session"), {"token_hash": _token_hash(token)}
            ).fetchone()
            if row is None:
                return None
            idle = now - datetime.fromisoformat(row["last_seen_at"])
            if datetime.fromisoformat(row["expires_at"]) < now or idle > timedelta(
                hours=IDLE_HOURS
            ):
                return None
            con.execute(
                db.sql("accounts/touch_session"),
                {"token_hash": _token_hash(token), "at": now.isoformat(sep=" ")},
            )
            user = con.execute(db.sql("accounts/user"), {"login": row["login"]}).fetchone()
            return self._user(con, user)

    def close_session(self, token: str | None, now: datetime | None = None) -> None:
        """Forget the token (signing out), and every expired one."""
        now = now or _now()
        with self._connect() as con:
            con.execute(
                db.sql("accounts/close_session"),
                {"token_hash": _token_hash(token or ""), "at": now.isoformat(sep=" ")},
            )

    # --- audit ----------------------------------------------------------------------------

    def record(self, login: str | None, action: str, details: str = "") -> None:
        with self._connect() as con:
            self._record(con, login, action, details)

    def log(self, since: datetime | None = None, limit: int = 10_000) -> pd.DataFrame:
        """The audit log from `since`, newest first."""
        start = (since or datetime(2000, 1, 1)).isoformat(sep=" ")
        with self._connect() as con:
            rows = con.execute(db.sql("accounts/log"), {"since": start, "limit": limit}).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["at", "login", "action", "details"])

    def record_entries(self, login: str, changes: Iterable[Change], action: str = "entry") -> None:
        """The values a person changed, old → new, and one audit entry for them."""
        changes = list(changes)
        if not changes:
            return
        at = _now().isoformat(sep=" ")
        with self._connect() as con:
            for change in changes:
                con.execute(
                    db.sql("accounts/record_entry"),
                    {
                        "at": at,
                        "login": login,
                        "table_name": change.table,
                        "record": change.record,
                        "field": change.field,
                        "old_value": _text(change.old),
                        "new_value": _text(change.new),
                    },
                )
            records = sorted({c.record for c in changes})
            shown = ", ".join(records[:20]) + (" …" if len(records) > 20 else "")
            what = _table_label(changes[0].table)
            self._record(con, login, action, f"{what}: {shown}, значений {len(changes)}")

    def last_entry(self, table: str, record: str, field: str) -> tuple[str, str] | None:
        """(login, when) of the last change of this field in the app, if any."""
        with self._connect() as con:
            row = con.execute(
                db.sql("accounts/last_entry"),
                {"table_name": table, "record": record, "field": field},
            ).fetchone()
        return None if row is None else (row["login"], row["at"])

    def entries(self, table: str, record_prefix: str = "", limit: int = 200) -> pd.DataFrame:
        """The history of changes made in the app to a table's records, newest first."""
        with self._connect() as con:
            rows = con.execute(
                db.sql("accounts/entries"),
                {"table_name": table, "record": f"{record_prefix}%", "limit": limit},
            ).fetchall()
        columns = ["at", "login", "table_name", "record", "field", "old_value", "new_value"]
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    # --- inside ---------------------------------------------------------------------------

    @staticmethod
    def _record(con: sqlite3.Connection, login: str | None, action: str, details: str) -> None:
        if action not in ACTION_LABELS:
            raise ValueError(f"Unknown audit action: {action}")
        con.execute(
            db.sql("accounts/record"),
            {"at": _now().isoformat(sep=" "), "login": login, "action": action, "details": details},
        )

    @staticmethod
    def _existing(con: sqlite3.Connection, login: str) -> sqlite3.Row:
        row = con.execute(db.sql("accounts/user"), {"login": login}).fetchone()
        if row is None:
            raise AccountError(f"Учётной записи «{login}» нет.")
        return row

    @staticmethod
    def _write_roles(con: sqlite3.Connection, login: str, roles: tuple[Role, ...]) -> None:
        for role in dict.fromkeys(roles):
            con.execute(
                db.sql("accounts/add_role"),
                {
                    "login": login,
                    "role": role.kind,
                    "municipality_id": role.municipality_id,
                    "curator_id": role.curator_id,
                },
            )

    @staticmethod
    def _user(con: sqlite3.Connection, row: sqlite3.Row) -> User:
        roles = con.execute(db.sql("accounts/roles_of"), {"login": row["login"]}).fetchall()
        return User(
            row["login"],
            row["full_name"],
            tuple(Role(r["role"], r["municipality_id"], r["curator_id"]) for r in roles),
        )


@dataclass(frozen=True)
class Change:
    """One value changed in the app: table, the record's key as text, field, old → new."""

    table: str
    record: str
    field: str
    old: object
    new: object


def _text(value: object) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _table_label(name: str) -> str:
    """A table's name in the log, as people call it."""
    from radar.store.spec import TABLES

    if name in TABLES:
        return TABLES[name].label
    return {"support_measures": "Каталог мер поддержки"}.get(name, name)


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def _roles_text(roles: Iterable[Role]) -> str:
    return ", ".join(r.label for r in roles)


def _check_login(login: str) -> str:
    login = login.strip()
    if not login or len(login) > 64 or any(c.isspace() for c in login):
        raise AccountError("Имя пользователя: от 1 до 64 знаков, без пробелов.")
    return login


def _check_password(password: str | None) -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise AccountError(f"Пароль должен быть не короче {MIN_PASSWORD} знаков.")
    if password.strip() != password:
        raise AccountError("Пароль не должен начинаться или заканчиваться пробелом.")
    return password
