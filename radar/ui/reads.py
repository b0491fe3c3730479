"""Cached, read-only data access for the pages: one connection, results keyed by parameters."""

from __future__ import annotations

import contextlib
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


def query(name: str, **params) -> pd.DataFrame:
    """Run sql/NAME.sql with named parameters; cached until the data changes."""
    if recorder is not None:
        recorder.append((name, params))
    return _query(name, tuple(sorted(params.items())), data_version())


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
