"""DuckDB access: where the database lives, the `sql()` helper and safe write sessions."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "sql"
DEFAULT_DB = ROOT / "radar.duckdb"


class DatabaseError(RuntimeError):
    """A database problem explained in Russian for the user."""


def db_path() -> Path:
    """The database file: $RADAR_DB if set, else radar.duckdb in the project root."""
    return Path(os.environ.get("RADAR_DB", DEFAULT_DB))


@cache
def sql(name: str) -> str:
    """The text of sql/NAME.sql (NAME may contain a subfolder, e.g. 'derived/x')."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


# Frames the code registers on a connection before a statement reads them.
FRAMES = frozenset({"incoming_rows", "incoming_keys", "computed_frame", "computed_social_index"})
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_CREATED = re.compile(
    r"create\s+(?:or\s+replace\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z][a-z0-9_]*)"
)


@cache
def known_tables() -> frozenset[str]:
    """Every table an SQL file creates by name: the base tables of sql/schema/ and the tables the
    derived steps build (the tables Python stores are checked by their own list)."""
    names = set()
    for folder in ("schema", "derived", "writes"):
        for path in (SQL_DIR / folder).glob("*.sql"):
            names.update(_CREATED.findall(path.read_text(encoding="utf-8").lower()))
    return frozenset(names)


def quote(name: str, allowed: Iterable[str] | None = None) -> str:
    """An identifier for splicing into SQL: checked (and against `allowed`), then quoted.

    >>> quote("exam_results")
    '"exam_results"'
    """
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"Недопустимое имя в запросе SQL: {name!r}")
    if allowed is not None and name not in set(allowed):
        raise ValueError(f"Неизвестная таблица или набор строк в запросе SQL: {name!r}")
    return f'"{name}"'


def statement(
    name: str,
    table: str,
    columns: Sequence[str] = (),
    key: Sequence[str] = (),
    frame: str | None = None,
    tables: Iterable[str] | None = None,
) -> str:
    """The text of sql/NAME.sql with its identifiers filled in: the only place SQL is spliced.

    __TABLE__ is `table` (one of `tables`, by default the tables sql/ creates), __COLUMNS__ the
    `columns`, __SET__ «column = i.column» for the columns outside `key`, __MATCH__ «t.k = i.k»
    for the key columns, __FRAME__ a registered frame (FRAMES). Every name is checked and quoted.
    """
    cols = [quote(c) for c in columns]
    keys = [quote(k) for k in key]
    values = [quote(c) for c in columns if c not in set(key)]
    parts = {
        "__TABLE__": quote(table, known_tables() if tables is None else tables),
        "__COLUMNS__": ", ".join(cols),
        "__SET__": ", ".join(f"{c} = i.{c}" for c in values) or "1 = 1",
        "__MATCH__": " and ".join(f"t.{k} = i.{k}" for k in keys),
        "__FRAME__": quote(frame, FRAMES) if frame is not None else "",
    }
    text = sql(name)
    for placeholder, value in parts.items():
        if placeholder in text:
            if not value:
                raise ValueError(f"Для sql/{name}.sql не задано {placeholder}")
            text = text.replace(placeholder, value)
    return text


def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("set enable_progress_bar = false")
    return con


def connect(path: Path | str | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database; a busy or missing file gives a Russian explanation."""
    path = Path(path) if path is not None else db_path()
    if read_only and not path.exists():
        raise DatabaseError(
            f"База данных не найдена: {path}. Постройте демонстрационную базу командой "
            "«radar demo» или загрузите данные региона."
        )
    try:
        return _configure(duckdb.connect(str(path), read_only=read_only))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseError(
                f"База данных {path} занята другим процессом, который её изменяет. "
                "Дождитесь окончания его работы и повторите."
            ) from exc
        raise


def memory() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database with the schema (tests, validation)."""
    con = _configure(duckdb.connect(":memory:"))
    create_schema(con)
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every base table of sql/schema/base.sql that does not exist yet."""
    con.execute(sql("schema/base"))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Column names of a table in their declared order."""
    rows = con.execute(
        "select column_name from duckdb_columns() where table_name = $t order by column_index",
        {"t": table},
    ).fetchall()
    return [r[0] for r in rows]


@contextlib.contextmanager
def write_session(
    path: Path | str | None = None, fresh: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write to a private copy of the database and swap it in only if everything succeeds.

    Readers (the running dashboard) keep working on the old file meanwhile, and a failure or a
    kill midway leaves the original untouched: all or nothing, whatever the writer does.
    """
    path = Path(path) if path is not None else db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        if path.exists() and not fresh:
            shutil.copyfile(path, tmp)
        con = _configure(duckdb.connect(str(tmp)))
        try:
            create_schema(con)
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table in the database, by name."""
    names = [r[0] for r in con.execute(sql("store/table_names")).fetchall()]
    return {
        n: con.execute(statement("store/count_rows", n, tables=names)).fetchone()[0] for n in names
    }


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A whole base table (its name from radar/store/spec.py) in key order."""
    return con.execute(statement("store/select_table", table)).df()
