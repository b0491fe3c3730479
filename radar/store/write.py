"""The one write path of the region's base tables: the demo build, `radar load`, imports.

Rows go into a private copy of the database (db.write_session) that replaces the working one only
when the rows, the import history and the `after_write` step (the derived tables) are all
written. The settings presets and the import history of the database being replaced or updated
are always kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from radar.store import db
from radar.store.spec import LOAD_ORDER, TABLES, Table

Progress = Callable[[str, float], None]
Mode = Literal["update", "replace"]
# Tables outside the region's rows that a new database inherits from the one it replaces.
KEPT = ("settings_presets", "import_history")
# Tables other tables refer to. DuckDB cannot update a row a foreign key refers to, so rows of
# these tables whose keys are already stored are written by rewriting the whole region.
REFERENCED = frozenset(ref[1] for table in TABLES.values() for ref in table.references)


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    """One row of import_history (sql/writes/record_import.sql stamps the time)."""

    user_name: str
    file_name: str
    file_hash: str
    table_name: str
    rows_in_file: int
    added: int
    changed: int
    unchanged: int
    outcome: str


def write_tables(
    rows: Mapping[str, pd.DataFrame],
    mode: Mode,
    path: Path | str | None = None,
    history: Sequence[HistoryRow] = (),
    progress: Progress | None = None,
    after_write: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    verb: str = "Запись",
    removed: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write validated rows per base table; all or nothing.

    "update" adds the rows and replaces stored rows with the same key, leaving everything else;
    "replace" makes the rows the whole region. Either way the presets and the import history
    stay, `history` is recorded, and `after_write(con)` runs in the same session, so its failure
    also leaves the old database as it was. `progress` gets «{verb}: таблица» and the fraction
    of the tables written (0..1). `removed` holds, per table, the keys of stored rows to delete
    first (only for tables no other table refers to: an editor's deleted rows).
    """
    path = Path(path) if path is not None else db.db_path()
    step = progress or (lambda _m, _f: None)
    removed = dict(removed or {})
    unknown = [name for name in [*rows, *removed] if name not in TABLES]
    if unknown:
        raise KeyError(f"Неизвестные таблицы: {', '.join(unknown)}")
    with _stored(path) as old:
        in_place = mode == "update" and (
            old is None or not (_rewrites_referenced(old, rows) or _schema_outdated(old))
        )
        start = {} if in_place or old is None else _rows_to_keep(old, mode == "update")
    for name, keys in removed.items():
        if name in start:
            start[name] = without_keys(TABLES[name], start[name], keys)
    if mode == "update" and not in_place:
        step("Перезапись базы", 0.0)
    incoming = [name for name in LOAD_ORDER if name in rows]
    with db.write_session(path, fresh=not in_place) as con:
        con.execute("begin transaction")
        for name in KEPT:
            if name in start:
                _insert(con, name, start[name])
        for name in LOAD_ORDER:
            table = TABLES[name]
            if name in rows:
                step(f"{verb}: {table.label.lower()}", incoming.index(name) / len(incoming))
            if in_place:
                if name in removed:
                    _delete(con, table, removed[name])
                if name in rows:
                    _upsert(con, table, rows[name])
            else:
                _insert(con, name, _overlay(table, start.get(name), rows.get(name)))
        for row in history:
            con.execute(db.sql("writes/record_import"), dataclasses.asdict(row))
        con.execute("commit")
        # The rows are written: this function's references go before after_write (the
        # refresh needs the memory; a caller that handed its rows over has them freed).
        del rows, start, removed
        if after_write is not None:
            after_write(con)


@contextlib.contextmanager
def _stored(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The database being written over, read-only, or None when there is none yet."""
    if not path.exists():
        yield None
        return
    con = db.connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


def _table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(db.sql("store/table_names")).fetchall()}


def _nullability(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, bool]]:
    return {
        (table, column, bool(nullable))
        for table, column, nullable in con.execute(
            "select table_name, column_name, is_nullable from duckdb_columns() "
            "where schema_name = 'main'"
        ).fetchall()
        if table in TABLES
    }


def _schema_outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the stored base tables were made by an older schema (a column since made
    optional, say): then the region is rewritten into the current schema, not updated."""
    fresh = db.memory()
    try:
        # A column made optional, or one added since (fresh has it, the stored tables not).
        return _nullability(con) != _nullability(fresh)
    finally:
        fresh.close()


def _rewrites_referenced(con: duckdb.DuckDBPyConnection, rows: Mapping[str, pd.DataFrame]) -> bool:
    """Whether some incoming row of a referenced table has a key already stored."""
    present = _table_names(con)
    for name in sorted(REFERENCED & set(rows) & present):
        table = TABLES[name]
        con.register("incoming_keys", rows[name][list(table.key)].drop_duplicates())
        try:
            statement = db.statement("store/existing_rows", name, table.names, table.key)
            if con.execute(statement).fetchall():
                return True
        finally:
            con.unregister("incoming_keys")
    return False


def _rows_to_keep(con: duckdb.DuckDBPyConnection, base: bool) -> dict[str, pd.DataFrame]:
    """The presets and the history of the stored database and, with `base`, its base tables."""
    present = _table_names(con)
    kept = {}
    if "settings_presets" in present:
        kept["settings_presets"] = con.execute(db.sql("store/settings_presets")).df()
    if "import_history" in present:
        kept["import_history"] = con.execute(db.sql("store/import_history")).df()
    if base:
        kept.update({name: db.read_table(con, name) for name in TABLES if name in present})
    return kept


def _overlay(table: Table, old: pd.DataFrame | None, new: pd.DataFrame | None):
    """Old rows whose key is not in the new ones, then the new rows."""
    if new is None:
        return old
    new = new[table.names]
    if old is None or old.empty:
        return new
    return pd.concat([without_keys(table, old, new)[table.names], new], ignore_index=True)


def without_keys(table: Table, rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """The rows whose key (the table's key columns) is not among the keys of `keys`."""
    key = list(table.key)
    marked = rows.merge(keys[key].drop_duplicates(), on=key, how="left", indicator=True)
    return marked[marked["_merge"] == "left_only"].drop(columns="_merge")[rows.columns]


def _delete(con: duckdb.DuckDBPyConnection, table: Table, keys: pd.DataFrame) -> None:
    """Delete the stored rows whose key is among `keys`."""
    if keys.empty:
        return
    con.register("removed_keys", keys[list(table.key)])
    try:
        con.execute(db.statement("writes/delete_keys", table.name, table.key, table.key))
    finally:
        con.unregister("removed_keys")


def _insert(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame | None) -> None:
    """Insert a frame's rows into the table of the same columns."""
    if frame is None or frame.empty:
        return
    db.register_frame(con, "incoming_rows", frame)
    try:
        con.execute(db.statement("writes/insert_rows", name, list(frame.columns)))
    finally:
        con.unregister("incoming_rows")


def _upsert(con: duckdb.DuckDBPyConnection, table: Table, frame: pd.DataFrame) -> None:
    """Rows replace the stored rows with the same key; rows with a new key are added."""
    db.register_frame(con, "incoming_rows", frame[table.names])
    try:
        if len(table.names) > len(table.key):
            con.execute(db.statement("writes/upsert_update", table.name, table.names, table.key))
        con.execute(db.statement("writes/upsert_insert", table.name, table.names, table.key))
    finally:
        con.unregister("incoming_rows")
