"""Accounts: argon2 hashes, the lockout, roles and their access, and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from radar.store import accounts
from radar.store.access import REGION, Access
from radar.store.accounts import AccountError, Accounts, Role

PASSWORD = "длинный-пароль-1"


@pytest.fixture
def store(tmp_path) -> Accounts:
    return Accounts(tmp_path / "people.sqlite")


def test_a_password_is_kept_only_as_an_argon2id_hash(store):
    import sqlite3

    store.add_user("anna", "Анна Петрова", PASSWORD, [Role("methodologist")])
    con = sqlite3.connect(store.path)
    stored = con.execute("select password_hash from users where login = 'anna'").fetchone()[0]
    con.close()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert store.sign_in("anna", PASSWORD).login == "anna"


def test_short_passwords_unknown_roles_and_doubles_are_refused_in_russian(store):
    with pytest.raises(AccountError, match="не короче"):
        store.add_user("anna", "Анна", "коротко", [Role("methodologist")])
    with pytest.raises(AccountError, match="Неизвестная роль"):
        Role("admin")
    with pytest.raises(AccountError, match="код муниципалитета"):
        Role("head")
    store.add_user("anna", "Анна", PASSWORD, [Role("methodologist")])
    with pytest.raises(AccountError, match="уже есть"):
        store.add_user("anna", "Анна", PASSWORD, [Role("methodologist")])


def test_five_failures_lock_the_account_and_a_new_password_opens_it(store):
    store.add_user("ivan", "Иван", PASSWORD, [Role("head", municipality_id="M001")])
    now = datetime(2026, 12, 7, 10, 0)
    for attempt in range(accounts.MAX_FAILED):
        with pytest.raises(AccountError, match="Неверное имя пользователя или пароль"):
            store.sign_in("ivan", f"не тот пароль {attempt}", now=now)
    # Locked: even the right password is refused until the lock ends.
    with pytest.raises(AccountError, match="временно заблокирована"):
        store.sign_in("ivan", PASSWORD, now=now + timedelta(minutes=1))
    later = now + timedelta(minutes=accounts.LOCK_MINUTES + 1)
    assert store.sign_in("ivan", PASSWORD, now=later).login == "ivan"
    # A methodologist's new password opens a locked account at once.
    for attempt in range(accounts.MAX_FAILED):
        with pytest.raises(AccountError):
            store.sign_in("ivan", f"снова не тот {attempt}", now=later)
    store.set_password("ivan", "новый-длинный-пароль", by="anna")
    assert store.sign_in("ivan", "новый-длинный-пароль", now=later).login == "ivan"
    log = store.log()
    assert (log["action"] == "locked").sum() == 2
    assert (log["action"] == "sign_in_failed").sum() == 2 * accounts.MAX_FAILED + 1
    assert (log["action"] == "sign_in").sum() == 2
    assert ((log["action"] == "password_set") & (log["login"] == "anna")).sum() == 1


def test_an_unknown_or_disabled_person_is_refused_with_the_same_words(store):
    store.add_user("olga", "Ольга", PASSWORD, [Role("curator", curator_id="C001")])
    store.set_active("olga", False, by="anna")
    for login in ("olga", "nobody"):
        with pytest.raises(AccountError, match="Неверное имя пользователя или пароль"):
            store.sign_in(login, PASSWORD)


def test_the_identity_providers_person_needs_an_account_here(store):
    store.add_user("petr", "Пётр", None, [Role("observer")], email="Petr@Region.ru", by="anna")
    assert store.sign_in_by_email("petr@region.ru").login == "petr"
    with pytest.raises(AccountError, match="нет учётной записи"):
        store.sign_in_by_email("stranger@region.ru")
    # No password: the built-in sign-in is closed to her.
    with pytest.raises(AccountError):
        store.sign_in("petr", "")


def test_roles_give_the_union_of_their_parts_and_permissions():
    head = accounts.User("h", "Г", (Role("head", municipality_id="M001"),))
    both = accounts.User(
        "b", "Б", (Role("head", municipality_id="M001"), Role("curator", curator_id="C007"))
    )
    region = accounts.User("o", "Н", (Role("observer"),))
    assert head.access == Access(municipalities=frozenset({"M001"}))
    assert both.access == Access(municipalities=frozenset({"M001"}), curators=frozenset({"C007"}))
    assert region.access == REGION and not region.can(accounts.IMPORT)
    assert both.can(accounts.ENTER) and not both.can(accounts.CRITERIA)
    assert accounts.LOCAL_USER.can(accounts.IMPORT) and accounts.LOCAL_USER.access == REGION


def test_roles_are_replaced_and_recorded(store):
    store.add_user("ivan", "Иван", PASSWORD, [Role("head", municipality_id="M001")])
    store.set_roles("ivan", [Role("observer", municipality_id="M002")], by="anna")
    assert store.user("ivan").roles == (Role("observer", municipality_id="M002"),)
    entry = store.log().iloc[0]
    assert (entry["login"], entry["action"]) == ("anna", "roles_set")
    assert "M002" in entry["details"]


def test_a_signed_in_browser_continues_until_it_expires_idles_or_signs_out(store):
    store.add_user("ivan", "Иван", PASSWORD, [Role("head", municipality_id="M001")])
    start = datetime(2026, 12, 7, 9, 0)
    token = store.open_session("ivan", now=start)
    import sqlite3

    con = sqlite3.connect(store.path)
    kept = [r[0] for r in con.execute("select token_hash from sessions").fetchall()]
    con.close()
    assert token not in kept  # only its hash is kept
    assert store.resume(token, now=start + timedelta(hours=1)).login == "ivan"
    assert store.resume(token, now=start + timedelta(hours=2, minutes=30)).login == "ivan"
    assert store.resume(token, now=start + timedelta(hours=5)) is None  # idle too long
    assert store.resume("a forged token", now=start) is None
    fresh = store.open_session("ivan", now=start)
    store.set_password("ivan", "новый-длинный-пароль", by="anna")
    assert store.resume(fresh, now=start) is None  # a new password signs every browser out
    last = store.open_session("ivan", now=start)
    store.close_session(last, now=start)
    assert store.resume(last, now=start) is None
    late = store.open_session("ivan", now=start)
    assert store.resume(late, now=start + timedelta(hours=accounts.SESSION_HOURS + 1)) is None
