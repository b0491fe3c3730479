"""DuckDB access: where the database lives, the `sql()` helper and safe write sessions."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
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


# Frames (or queries) the code registers on a connection before a statement reads them.
FRAMES = frozenset({"incoming_rows", "incoming_keys", "computed_frame"})
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_CREATED = re.compile(
    r"create\s+(?:or\s+replace\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z][a-z0-9_]*)"
)


def _created(name: str) -> list[str]:
    """The tables sql/NAME.sql creates, in its order."""
    return _CREATED.findall(sql(name).lower())


@cache
def known_tables() -> frozenset[str]:
    """Every table sql/schema/ declares: the base tables and the derived ones."""
    names = set()
    for path in (SQL_DIR / "schema").glob("*.sql"):
        names.update(_created(f"schema/{path.stem}"))
    return frozenset(names)


@cache
def derived_tables() -> tuple[str, ...]:
    """The derived tables sql/schema/derived.sql declares, in its order."""
    return tuple(_created("schema/derived"))


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

    __TABLE__ is `table` (one of `tables`, by default the tables sql/schema/ declares),
    __COLUMNS__ the `columns`, __SET__ «column = i.column» for the columns outside `key`,
    __MATCH__ «t.k = i.k» for the key columns, __FRAME__ a registered frame or query (FRAMES).
    Every name is checked and quoted.
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


def restricted_view(
    view: str, catalog: str | None, source: str, visible: Sequence[tuple[str, str, str]]
) -> str:
    """sql/access/restricted_view.sql filled in: a temporary view `view` of the table `source`
    (in the database `catalog`, or a registered frame when None) keeping a row when each
    (column, visible table, its column) of `visible` is empty or among the visible ones.
    Every name is checked and quoted; a catalog (a file's stem) is quoted as it is."""
    if catalog is None:
        origin = quote(source)
    else:
        origin = '"' + catalog.replace('"', '""') + '".main.' + quote(source)
    conditions = ["true"] + [
        f"({quote(c)} is null or {quote(c)} in (select {quote(k)} from {quote(t)}))"
        for c, t, k in visible
    ]
    text = sql("access/restricted_view")
    for placeholder, value in (
        ("__VIEW__", quote(view)),
        ("__SOURCE__", origin),
        ("__WHERE__", " and ".join(conditions)),
    ):
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


def _columns(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'main'"
    ).fetchall()
    wanted = set(tables)
    return {(t, c) for t, c in rows if t in wanted}


def upgrade(path: Path | str | None = None) -> bool:
    """Bring a database made by an older version to the current schema, so the pages can read
    it; True when it did. Base tables it lacks are added (empty); when a base table lacks
    columns added since, the region is rewritten into the current schema and its derived
    tables are recalculated. Either way through a write session, all or nothing."""
    path = Path(path) if path is not None else db_path()
    if not path.exists():
        return False
    base = _created("schema/base")
    con = connect(path, read_only=True)
    try:
        present = {r[0] for r in con.execute(sql("store/table_names")).fetchall()}
        columns = _columns(con, base)
    finally:
        con.close()
    if not present:
        return False
    fresh = memory()
    try:
        missing = {(t, c) for t, c in _columns(fresh, base) if t in present} - columns
    finally:
        fresh.close()
    if missing:
        from radar.store import refresh, write  # they build on this module

        write.write_tables({}, "update", path, after_write=refresh.refresh_derived)
        return True
    if set(base) <= present:
        return False
    with write_session(path):
        pass  # the session creates what sql/schema/base.sql declares and the file lacks
    return True


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Column names of a table in their declared order."""
    rows = con.execute(
        "select column_name from duckdb_columns() where table_name = $t order by column_index",
        {"t": table},
    ).fetchall()
    return [r[0] for r in rows]


def disk_message(exc: OSError, place: Path) -> str:
    """A disk error in Russian, naming the file or folder."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"На диске не хватает места для записи в папку {place}. Освободите место и повторите."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"Нет прав на запись в папку {place}: попросите администратора открыть её для записи."
        )
    return f"Не удаётся записать в папку {place}: {exc.strerror or exc}."


def error_log(path: Path | str | None = None) -> Path:
    """Where unexpected failures are written in full for the developers, beside the database."""
    path = Path(path) if path is not None else db_path()
    return path.with_name(path.name + ".errors.log")


def report_failure(exc: BaseException, doing: str, path: Path | str | None = None) -> str:
    """An unexpected failure: its traceback goes to error_log(); the user gets Russian words.

    `doing` says what failed, e.g. «Загрузка данных»."""
    import traceback
    from datetime import datetime

    log = error_log(path)
    try:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"--- {datetime.now().isoformat(timespec='seconds')} {doing}\n")
            out.write("".join(traceback.format_exception(exc)))
        where = f" Подробности для разработчиков записаны в файл {log}."
    except OSError:
        where = ""
    return f"{doing}: непредвиденная ошибка программы. База данных не изменилась.{where}"


TMP_PREFIX = "."  # a write session's private copy: .NAME.XXXX.tmp beside the database


# A private copy untouched for this long belongs to no running write (a write touches its copy
# and WAL all the time).
STALE_SECONDS = 15 * 60


def remove_leftovers(path: Path | str | None = None, stale: float = STALE_SECONDS) -> list[Path]:
    """Private copies left by a write that was killed midway (the database itself is intact):
    removed, and returned. Runs at the start of the dashboard and of each CLI command; a copy
    changed within `stale` seconds may belong to a write still running and is kept."""
    path = Path(path) if path is not None else db_path()
    if not path.parent.exists():
        return []
    removed = []
    now = time.time()
    for leftover in path.parent.glob(f"{TMP_PREFIX}{path.name}.*.tmp*"):
        try:
            if now - leftover.stat().st_mtime < stale:
                continue
            leftover.unlink()
            removed.append(leftover)
        except OSError:
            continue
    return removed


# One writer at a time per database, across the server's sessions and the command line: a
# write copies the file, writes the copy and swaps it in, so two at once would each start from
# the same file and the second swap would drop the first's rows. Held by a thread for the whole
# write (re-entered by the same thread: write_tables holds it around its session).
WRITE_WAIT_SECONDS = 20 * 60
_writer = threading.local()


@contextlib.contextmanager
def writer_lock(path: Path | str | None = None, wait: float | None = None) -> Iterator[None]:
    """Hold the database's write lock (a lock file beside it); wait for another writer to
    finish, up to `wait` seconds, then say in Russian that the database is busy."""
    import fcntl

    path = Path(path) if path is not None else db_path()
    key = str(path.resolve())
    held = getattr(_writer, "held", None)
    if held is None:
        held = _writer.held = {}
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    lock_file = path.with_name(f"{TMP_PREFIX}{path.name}.write.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_file, "a+")
    except OSError as exc:
        raise DatabaseError(disk_message(exc, path.parent)) from exc
    deadline = time.monotonic() + (WRITE_WAIT_SECONDS if wait is None else wait)
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseError(
                        f"База данных {path.name} занята другой записью (загрузкой, правкой или "
                        "пересчётом). Повторите, когда она закончится; ваши данные не записаны."
                    ) from None
                time.sleep(0.1)
        held[key] = 1
        try:
            yield
        finally:
            held.pop(key, None)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


@contextlib.contextmanager
def write_session(
    path: Path | str | None = None, fresh: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write to a private copy of the database and swap it in only if everything succeeds.

    Readers (the running dashboard) keep working on the old file meanwhile, and a failure or a
    kill midway leaves the original untouched: all or nothing, whatever the writer does. Disk
    errors (full, read-only) become a DatabaseError in Russian.
    """
    path = Path(path) if path is not None else db_path()
    with writer_lock(path):
        yield from _write_session(path, fresh)


def _write_session(path: Path, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise DatabaseError(disk_message(exc, path.parent)) from exc
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
    except OSError as exc:
        raise DatabaseError(disk_message(exc, path.parent)) from exc
    except duckdb.IOException as exc:
        raise DatabaseError(
            f"Не удаётся записать базу данных в папку {path.parent}: нет места на диске или прав "
            "на запись. База не изменилась."
        ) from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table in the database, by name."""
    names = [r[0] for r in con.execute(sql("store/table_names")).fetchall()]
    return {
        n: con.execute(statement("store/count_rows", n, tables=names)).fetchone()[0] for n in names
    }


def _text_dtype() -> pd.StringDtype:
    """The dtype DuckDB's `.df()` gives a text column with a value (pandas' «str»)."""
    return pd.StringDtype("pyarrow", na_value=float("nan"))


# warnings.catch_warnings changes the process's filters: two threads reading at once (the
# refresh does) would each put back the other's, and DuckDB's warning would show. One at a time.
_QUIET = threading.Lock()


def frame(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> pd.DataFrame:
    """The rows of `query` as `con.execute(query, params).df()` gives them, column types
    included, several times faster: DuckDB's `.df()` builds a Python string per text cell
    (pandas then packs them back into Arrow) and converts numbers slowly, while here the
    result comes as Arrow and goes to pandas column by column without copying them into
    blocks. Text becomes pandas' «str» (object where no row has a value), whole numbers and
    booleans with a missing value their nullable types, as `.df()` gives them; columns of
    other types (dates, decimals, lists) take `.df()`'s own conversion."""
    import pyarrow as pa

    with _QUIET, warnings.catch_warnings():
        # Through execute(), as `.df()` (a result left unfetched on the connection is
        # replaced, not an error); the copy DuckDB warns of costs nothing measurable here.
        warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
        table = con.execute(query, params or {}).to_arrow_table()
    names = table.column_names
    if len(set(names)) < len(names):
        return con.execute(query, params or {}).df()  # repeated names: .df() decides
    own, nullable, rest = [], {}, []
    for name, kind in zip(names, table.schema.types, strict=True):
        column = table.column(name)
        missing = column.null_count
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            (own if missing < table.num_rows else rest).append(name)
        elif pa.types.is_integer(kind) or pa.types.is_boolean(kind):
            own.append(name)
            if missing:
                nullable[name] = _NULLABLE[str(kind)]
        elif pa.types.is_float64(kind):
            own.append(name)
        else:
            rest.append(name)
    parts = []
    if own:
        text = _text_dtype()
        converted = table.select(own).to_pandas(
            split_blocks=True,
            types_mapper=lambda kind: (
                text if pa.types.is_string(kind) or pa.types.is_large_string(kind) else None
            ),
        )
        for name, dtype in nullable.items():
            converted[name] = table.column(name).to_pandas(types_mapper=lambda _k, d=dtype: d)
        parts.append(converted)
    if rest:
        parts.append(duckdb.from_arrow(table.select(rest), connection=con).df())
    out = pd.concat(parts, axis=1) if len(parts) > 1 else parts[0]
    return out if list(out.columns) == names else out[names]


# The pandas type `.df()` gives a column of whole numbers or booleans with a missing value.
_NULLABLE = {
    "int8": pd.Int8Dtype(),
    "int16": pd.Int16Dtype(),
    "int32": pd.Int32Dtype(),
    "int64": pd.Int64Dtype(),
    "uint8": pd.UInt8Dtype(),
    "uint16": pd.UInt16Dtype(),
    "uint32": pd.UInt32Dtype(),
    "uint64": pd.UInt64Dtype(),
    "bool": pd.BooleanDtype(),
}


def register_frame(con: duckdb.DuckDBPyConnection, name: str, rows: pd.DataFrame) -> None:
    """Register a frame for a statement to read, as Arrow where pandas converts it (DuckDB
    then reads text columns without a Python string per cell), else as it is."""
    import pyarrow as pa

    try:
        plain = rows.copy(deep=False)
        plain.attrs = {}  # what the frame says of its source is not data
        rows = pa.Table.from_pandas(plain, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError):
        pass
    con.register(name, rows)


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A whole base table (its name from radar/store/spec.py) in key order."""
    return con.execute(statement("store/select_table", table)).df()
