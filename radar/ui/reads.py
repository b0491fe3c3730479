"""Cached, read-only data access for the pages: one connection, results keyed by parameters."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import streamlit as st

from radar.store import db

T = TypeVar("T")


def data_version() -> str:
    """Changes whenever the database file is replaced (demo rebuilt, data imported)."""
    path = db.db_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


# DuckDB keeps one database instance per open path in a process: while an old connection
# stays open, connecting to a replaced file would still read the old one. So the connection of
# the previous data version is closed before the new one opens.
_open: dict[str, duckdb.DuckDBPyConnection] = {}


@st.cache_resource(max_entries=1, show_spinner=False)
def _connection(version: str) -> duckdb.DuckDBPyConnection:
    close()
    with contextlib.suppress(db.DatabaseError):
        db.upgrade()  # a database of an older version gets the tables added since
    con = db.connect(db.db_path(), read_only=True)
    _open[version] = con
    return con


def close() -> None:
    """Close the pages' connection (before the file is replaced in this process, or after)."""
    for version in list(_open):
        _open.pop(version).close()
    _connection.clear()


@st.cache_data(max_entries=512, show_spinner=False)
def _query(name: str, params: tuple, version: str) -> pd.DataFrame:
    cursor = _connection(version).cursor()
    try:
        return cursor.execute(db.sql(name), dict(params)).df()
    finally:
        cursor.close()


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
    name: str, params: tuple, version: str, token: str, _tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    cursor = _connection(version).cursor()
    try:
        for table, frame in _tables.items():  # stands in for the stored table on this cursor
            cursor.register(table, frame)
        return cursor.execute(db.sql(name), dict(params)).df()
    finally:
        cursor.close()


def query(name: str, **params) -> pd.DataFrame:
    """Run sql/NAME.sql with named parameters; cached until the data changes. A page's or a
    hand-out's query reads the session's own tables where it has them."""
    if recorder is not None:
        recorder.append((name, params))
    key = tuple(sorted(params.items()))
    own = _session_tables() if name.startswith(OVERRIDDEN) else None
    if own is not None:
        token, tables = own
        used = _reads(name, tuple(tables))
        if used:
            chosen = {t: tables[t] for t in used}
            return _query_over(name, key, data_version(), f"{token}:{','.join(used)}", chosen)
    return _query(name, key, data_version())


def run(read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """`read` (a function of radar.store taking a connection) on a cursor of the pages'
    connection to the current data version."""
    cursor = _connection(data_version()).cursor()
    try:
        return read(cursor)
    finally:
        cursor.close()


def database_ready() -> bool:
    return Path(db.db_path()).exists()
