"""Who is using this session, and the sign-in that decides it.

Two ways to run the dashboard:
- on one's own computer (`make run`): no sign-in, one local user who may do everything, and
  the server listens on 127.0.0.1 only (radar.serve sees to that);
- as the region's shared server (`radar serve --auth`, which sets RADAR_AUTH=1): nobody sees
  any page with data before signing in, with a built-in account (radar.store.accounts) or
  through the region's identity provider (OpenID Connect, Streamlit's st.login) when
  .streamlit/secrets.toml configures one; a person known to the provider also needs an
  account here, matched by e-mail, which gives her roles.

The signed-in person lives in the session's state under a key no widget uses, so nothing the
browser sends (widget values, the address's query parameters) can set or change it.
"""

from __future__ import annotations

import contextvars
import os

import streamlit as st

from radar.store import accounts
from radar.store.access import NOTHING, REGION, Access

AUTH_ENV = "RADAR_AUTH"
USER_KEY = "_radar_signed_in_user"  # never a widget key
# The browser's cookie that continues a sign-in after a reload or in a new tab (its token's
# hash is in the accounts file), and the token this session has yet to put in it.
COOKIE = "radar_session"
TOKEN_KEY = "_radar_session_token"
NEW_COOKIE_KEY = "_radar_session_cookie_pending"
# The person a download is made for: its data is built when clicked, outside the run of her
# session's script, so `traced` carries her here for the reads it makes.
_ACTING: contextvars.ContextVar[accounts.User | None] = contextvars.ContextVar(
    "acting_user", default=None
)


def server_mode() -> bool:
    """True when the dashboard runs as a shared server that requires sign-in."""
    return os.environ.get(AUTH_ENV, "") == "1"


def _in_session() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx() is not None


def current_user() -> accounts.User | None:
    """The person of this session: the local user without sign-in, else whoever signed in
    (None before that)."""
    if not server_mode():
        return accounts.LOCAL_USER
    acting = _ACTING.get()
    if acting is not None:
        return acting
    if not _in_session():
        return None
    return st.session_state.get(USER_KEY)


def session_access() -> Access:
    """What this session may read: nothing before sign-in in server mode."""
    user = current_user()
    if user is None:
        return NOTHING if server_mode() else REGION
    return user.access


def can(permission: str) -> bool:
    user = current_user()
    return user is not None and user.can(permission)


def require(permission: str, what: str) -> None:
    """Stop the page, saying why, unless this session's person may do `what`."""
    if not can(permission):
        st.error(f"{what}: недостаточно прав. Это доступно методисту региона; обратитесь к нему.")
        st.stop()


def record(action: str, details: str = "") -> None:
    """An entry in the audit log on behalf of this session's person (server mode and local
    alike: the local user's actions are traced too)."""
    user = current_user()
    try:
        accounts.Accounts().record(user.login if user else None, action, details)
    except Exception as exc:
        from radar.store import db

        db.report_failure(exc, "Запись в журнал действий")


def _provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def gate() -> accounts.User:
    """The session's person; in server mode before sign-in, the sign-in form and a stop."""
    user = current_user()
    if user is not None:
        return user
    token = _cookie()
    user = accounts.Accounts().resume(token)
    if user is not None:  # a reload or a new tab of a signed-in browser
        st.session_state[USER_KEY] = user
        st.session_state[TOKEN_KEY] = token
        return user
    if _provider_configured() and getattr(st.user, "is_logged_in", False):
        try:
            user = accounts.Accounts().sign_in_by_email(str(st.user.get("email", "")))
        except accounts.AccountError as exc:
            st.error(str(exc))
            if st.button("Выйти из системы входа региона"):
                st.logout()
            st.stop()
        _signed_in(user)
        return user
    if NEW_COOKIE_KEY in st.session_state:  # just signed out: the browser forgets the token
        _set_cookie(st.session_state.pop(NEW_COOKIE_KEY))
    _sign_in_form()
    st.stop()


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser (the command line)
        return None
    return value if isinstance(value, str) and value else None  # a test run has none


def _signed_in(user: accounts.User) -> None:
    """The person in this session, and a token for the browser's cookie (set on the next
    run: this one ends in a rerun)."""
    st.session_state[USER_KEY] = user
    token = accounts.Accounts().open_session(user.login)
    st.session_state[TOKEN_KEY] = token
    st.session_state[NEW_COOKIE_KEY] = token


def _set_cookie(token: str | None) -> None:
    """Put the token in the browser's cookie (None: remove it). Only this site's pages
    send it (SameSite=Strict); it ends with the sign-in's time limit."""
    import json

    if token is None:
        value, age = "", 0
    else:
        value, age = token, accounts.SESSION_HOURS * 3600
    secure = "; Secure" if _https() else ""
    cookie = f"{COOKIE}={value}; Path=/; Max-Age={age}; SameSite=Strict{secure}"
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True
    )


def _https() -> bool:
    try:
        return str(st.context.url).startswith("https://")
    except Exception:
        return False


def _sign_in_form() -> None:
    from analytics import labels

    st.title(labels.APP_TITLE)
    st.write("Панель региона открыта только для сотрудников. Войдите, чтобы продолжить.")
    if _provider_configured():
        if st.button("Войти через систему входа региона", type="primary"):
            st.login()
        st.caption("Или войдите по учётной записи «Школьного радара»:")
    with st.form("sign_in", clear_on_submit=False, enter_to_submit=True):
        login = st.text_input("Имя пользователя", key="sign_in_login")
        password = st.text_input("Пароль", type="password", key="sign_in_password")
        sent = st.form_submit_button("Войти", type="primary")
    if sent:
        try:
            user = accounts.Accounts().sign_in(login, password)
        except accounts.AccountError as exc:
            st.error(str(exc))
            return
        _signed_in(user)
        st.session_state.pop("sign_in_password", None)
        st.rerun()


def sign_out() -> None:
    user = current_user()
    if user is not None:
        record("sign_out", user.login)
    accounts.Accounts().close_session(st.session_state.pop(TOKEN_KEY, None))
    st.session_state.pop(USER_KEY, None)
    st.session_state[NEW_COOKIE_KEY] = None  # the next run clears the browser's cookie
    if _provider_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
    st.rerun()


def sidebar_user(user: accounts.User) -> None:
    """Who is signed in, and the way out; in local mode, that nobody needs to sign in."""
    if NEW_COOKIE_KEY in st.session_state:
        _set_cookie(st.session_state.pop(NEW_COOKIE_KEY))
    with st.sidebar:
        if server_mode():
            st.caption(f"Вы вошли как {user.full_name} ({user.roles_label}).")
            if st.button("Выйти", key="sign_out", icon=":material/logout:"):
                sign_out()
        else:
            st.caption(
                "Локальный режим: вход не нужен, панель открыта только на этом компьютере. "
                "Для работы нескольких сотрудников администратор запускает сервер региона "
                "со входом по учётным записям."
            )


def traced(build, what: str):
    """`build` (a download's data, made when clicked) that first writes the export in the
    audit log and then reads as the person who saw the button: the click is served outside
    her session's run, where no session says who she is."""
    user = current_user()

    def made():
        try:
            accounts.Accounts().record(user.login if user else None, "export", what)
        except Exception as exc:
            from radar.store import db

            db.report_failure(exc, "Запись в журнал действий")
        acting = _ACTING.set(user)
        try:
            return build()
        finally:
            _ACTING.reset(acting)

    return made
