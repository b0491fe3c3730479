"""Cached, read-only data access for the pages: one connection, results keyed by parameters."""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import streamlit as st

from radar.store import access, db
from radar.ui import auth

T = TypeVar("T")


def current_version() -> str:
    """Changes whenever the database file is replaced (demo rebuilt, data imported)."""
    path = db.db_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


# Every read of one run of a page's script is of one data version, the one current when the
# run began (pin): an import finishing midway does not give a page half old, half new rows.
PIN_KEY = "_pinned_data_version"


def _in_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx() is not None


def pin() -> str:
    """Fix the data version this run reads (app.py calls it first on every run)."""
    version = current_version()
    if version not in _open:  # a file not read yet: one of an older version is upgraded first
        with contextlib.suppress(db.DatabaseError):
            if db.upgrade():  # it gets the tables added since (a new file)
                version = current_version()
    st.session_state[PIN_KEY] = version
    return version


def data_version() -> str:
    """The data version this run reads: the pinned one, else (outside a run) the current."""
    if _in_run():
        pinned = st.session_state.get(PIN_KEY)
        if pinned is not None:
            return pinned
    return current_version()


# DuckDB keeps one database instance per path in a process: connecting to a replaced file by
# its own name while a connection to the old one is open would read the old one. So each
# version is opened through a hard link of its own (removed once connected): a session still
# reading the old version keeps its connection, and the new one opens beside it. A version
# nobody has read for a while is closed.
_open: dict[str, duckdb.DuckDBPyConnection] = {}
_used: dict[str, float] = {}
_opening = threading.Lock()
IDLE_SECONDS = 120


def _connection(version: str) -> duckdb.DuckDBPyConnection:
    with _opening:
        con = _open.get(version)
        if con is None:
            con = _open_version()
            _open[version] = con
        _used[version] = time.monotonic()
        _close_idle(keep=version)
        return con


def _open_version() -> duckdb.DuckDBPyConnection:
    import hashlib
    import os

    path = db.db_path()
    if not path.exists():
        return db.connect(path, read_only=True)  # says in Russian that there is no database
    link = path.with_name(
        f"{db.TMP_PREFIX}{path.name}.{hashlib.sha1(os.urandom(8)).hexdigest()[:12]}.read"
    )
    try:
        os.link(path, link)
    except OSError:  # no hard links here: the file itself, once the old version is closed
        for version in list(_open):
            _open.pop(version).close()
        return db.connect(path, read_only=True)
    try:
        return db.connect(link, read_only=True)
    finally:
        link.unlink(missing_ok=True)


def _close_idle(keep: str) -> None:
    now = time.monotonic()
    for version in list(_open):
        if version != keep and now - _used.get(version, 0) > IDLE_SECONDS:
            _open.pop(version).close()
            _used.pop(version, None)


def close() -> None:
    """After this session changed the database: its next reads are of the new version (other
    sessions' runs keep reading the version they began with)."""
    if _in_run():
        st.session_state.pop(PIN_KEY, None)


def close_all() -> None:
    """Close every connection of this process (tests, the end of a benchmark)."""
    with _opening:
        for version in list(_open):
            _open.pop(version).close()
        _used.clear()
    for cached in (_visible, _guarded, _all_schools):
        cached.cache_clear()


@functools.lru_cache(maxsize=64)
def _visible(version: str, shown: access.Access) -> access.Visible:
    cursor = _connection(version).cursor()
    try:
        return access.visible(cursor, shown)
    finally:
        cursor.close()


@functools.lru_cache(maxsize=4)
def _guarded(version: str) -> dict[str, access.Guarded]:
    cursor = _connection(version).cursor()
    try:
        return access.guarded_tables(cursor)
    finally:
        cursor.close()


def _execute(
    name: str,
    params: tuple,
    version: str,
    shown: access.Access,
    tables: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """sql/NAME.sql on a fresh cursor that reads only what `shown` opens, with `tables`
    standing in for the stored tables of their names."""
    text = db.sql(name)
    cursor = _connection(version).cursor()
    try:
        if not shown.region:
            guarded = _guarded(version)
            access.restrict(
                cursor,
                _visible(version, shown),
                guarded,
                tables=access.reads(text, guarded),
                frames=tables,
            )
        else:
            for table, frame in (tables or {}).items():  # stands in for the stored table
                cursor.register(table, frame)
        return cursor.execute(text, dict(params)).df()
    finally:
        cursor.close()


@st.cache_data(max_entries=512, show_spinner=False)
def _query(name: str, params: tuple, version: str, scope: str, _shown: access.Access):
    return _execute(name, params, version, _shown)


# Benchmarks set this to a list to learn which queries a page runs.
recorder: list[tuple[str, dict]] | None = None

# A session's own versions of derived tables: (token, {table: frame}). While a user tries
# criteria of her own, the lists computed with them stand in for the stored `identification`
# and `partner_suggestions` in every page's and hand-out's query (see live.apply_criteria).
SESSION_TABLES_KEY = "session_tables"
# Only what the pages and hand-outs read; the analysis that computes the lists reads the
# stored tables.
OVERRIDDEN = ("pages/", "handouts/")


def session_tables(token: str | None = None, tables: dict[str, pd.DataFrame] | None = None):
    """Set (or, with no token, drop) the session's own tables."""
    if token is None:
        st.session_state.pop(SESSION_TABLES_KEY, None)
    else:
        st.session_state[SESSION_TABLES_KEY] = (token, tables)


def _session_tables() -> tuple[str, dict[str, pd.DataFrame]] | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:  # a command line run or a thread: no session
        return None
    return st.session_state.get(SESSION_TABLES_KEY)


@functools.lru_cache(maxsize=1024)
def _reads(name: str, tables: tuple[str, ...]) -> tuple[str, ...]:
    """The tables among `tables` that sql/NAME.sql reads."""
    text = db.sql(name)
    return tuple(t for t in tables if re.search(rf"\b{t}\b", text))


@st.cache_data(max_entries=256, show_spinner=False)
def _query_over(
    name: str,
    params: tuple,
    version: str,
    token: str,
    scope: str,
    _shown: access.Access,
    _tables: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    return _execute(name, params, version, _shown, _tables)


def query(name: str, **params) -> pd.DataFrame:
    """Run sql/NAME.sql with named parameters; cached until the data changes. A page's or a
    hand-out's query reads the session's own tables where it has them."""
    if recorder is not None:
        recorder.append((name, params))
    key = tuple(sorted(params.items()))
    shown = auth.session_access()
    own = _session_tables() if name.startswith(OVERRIDDEN) else None
    if own is not None:
        token, tables = own
        used = _reads(name, tuple(tables))
        if used:
            chosen = {t: tables[t] for t in used}
            return _query_over(
                name, key, data_version(), f"{token}:{','.join(used)}", shown.token, shown, chosen
            )
    return _query(name, key, data_version(), shown.token, shown)


def region_query(name: str, **params) -> pd.DataFrame:
    """sql/NAME.sql over the whole region, whoever the session's person is: only for analysis
    that needs every school to be right (a decile of the region, a what-if list), whose
    school rows then go through `keep_visible` before a page shows them."""
    if recorder is not None:
        recorder.append((name, params))
    return _query(name, tuple(sorted(params.items())), data_version(), "region", access.REGION)


def visible() -> access.Visible:
    """The schools and municipalities this session's person may see."""
    shown = auth.session_access()
    if shown.region:
        return access.Visible(schools=_all_schools(data_version()), municipalities=())
    return _visible(data_version(), shown)


@functools.lru_cache(maxsize=2)
def _all_schools(version: str) -> tuple[str, ...]:
    cursor = _connection(version).cursor()
    try:
        return tuple(r[0] for r in cursor.execute(db.sql("access/all_schools")).fetchall())
    finally:
        cursor.close()


def keep_visible(frame: pd.DataFrame, column: str = "school_id") -> pd.DataFrame:
    """Only the rows of schools this session may see (nothing to drop for the region)."""
    if auth.session_access().region:
        return frame
    return access.keep_visible(frame, visible(), column)


def run(read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """`read` (a function of radar.store taking a connection) on a cursor of the pages'
    connection to the current data version."""
    version = data_version()
    cursor = _connection(version).cursor()
    try:
        shown = auth.session_access()
        if not shown.region:
            access.restrict(cursor, _visible(version, shown), _guarded(version))
        return read(cursor)
    finally:
        cursor.close()


def database_ready() -> bool:
    return Path(db.db_path()).exists()
