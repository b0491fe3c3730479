"""A region's own files into the database: read, check, show what changes, then write all or none.

Files are Excel workbooks (a sheet per table, named by the table's Russian name or code, as in
the template) or CSV files (one table each, named by the file). Rows replace the rows with the
same key; everything else stays. The write goes to a private copy of the database that replaces
the working one only after the rows, the import history and the derived tables are all written.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics import fmt
from radar.ingest.files import FileProblem, check_workbook, header_map, read_csv_table
from radar.ingest.identity import Identity, resolve
from radar.ingest.loader import (
    Problem,
    Problems,
    Source,
    ValidationError,
    fmt_value,
    source_of,
    validate,
)
from radar.ingest.templates import INSTRUCTIONS, example
from radar.store import db, versions
from radar.store.spec import LOAD_ORDER, TABLES, Table
from radar.store.write import HistoryRow, write_tables

Progress = Callable[[str, float], None]


def table_for(name: str) -> str | None:
    """A sheet or file name → table code: the code itself or the Russian name, any case."""
    wanted = name.strip().lower()
    for table in TABLES.values():
        # Excel cuts sheet names to 31 characters.
        if wanted in (table.name.lower(), table.label.lower(), table.label[:31].lower()):
            return table.name
    return None


@dataclass
class ReadFile:
    """What was read from one file: frames per table and notes for the user."""

    name: str
    digest: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_file(name: str, content: bytes) -> ReadFile:
    """Read an uploaded or given file (.xlsx or .csv) into text frames per table."""
    if not content.strip():
        raise FileProblem(f"{name}: файл пуст")
    out = ReadFile(name, hashlib.sha256(content).hexdigest())
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        stem = table_for(Path(name).stem)
        if stem is None:
            raise FileProblem(
                f"{name}: не понятно, какая это таблица; назовите файл кодом или названием "
                "таблицы, например exam_results.csv или «Результаты оценочных процедур.csv»"
            )
        tmp = Path(name)
        table, frame, note = _read_csv_bytes(tmp, content, stem)
        out.frames[table] = frame
        out.notes.append(note)
        return out
    if suffix not in (".xlsx", ".xlsm"):
        raise FileProblem(f"{name}: поддерживаются файлы .xlsx и .csv")
    check_workbook(name, content)
    try:
        sheets = pd.read_excel(
            io.BytesIO(content), sheet_name=None, dtype=str, engine="calamine", header=0
        )
    except Exception as exc:  # calamine's own words are English: the user gets Russian ones
        raise FileProblem(f"{name}: файл повреждён или это не книга Excel (.xlsx)") from exc
    unknown, skipped = [], []
    for sheet, frame in sheets.items():
        if sheet.strip().lower() == INSTRUCTIONS.lower():
            continue
        table = table_for(sheet)
        if table is None:
            unknown.append(sheet)
            continue
        frame = frame.dropna(how="all")
        # Spreadsheet rows: the header is row 1, and empty rows are dropped but still counted.
        rows = [int(i) + 2 for i in frame.index]
        frame.columns = [str(c).strip().rstrip("*").strip() for c in frame.columns]
        frame = frame.rename(columns=header_map(TABLES[table], list(frame.columns)))
        frame = frame.astype(object).where(frame.notna(), None)
        # The template's example row, left in place, is not data.
        sample = {c.name: str(example(c)) for c in TABLES[table].columns}
        is_example = pd.Series(True, index=frame.index)
        for column in frame.columns:
            if column in sample:
                is_example &= frame[column].map(
                    lambda v, s=sample[column]: v is None or str(v).strip() in (s, s + ".0")
                )
        if len(frame) and rows[0] == 2 and is_example.iloc[0]:
            frame, rows = frame.iloc[1:], rows[1:]
        if frame.empty:
            skipped.append(sheet)
            continue
        frame = frame.reset_index(drop=True)
        frame.attrs["source"] = Source(name, sheet, rows=tuple(rows))
        out.frames[table] = frame
        out.notes.append(f"{name}, лист «{sheet}»: строк {len(frame)}")
    if skipped:
        out.notes.append(
            f"{name}: листы без данных пропущены — " + ", ".join(f"«{s}»" for s in skipped)
        )
    if unknown:
        known = ", ".join(f"«{t.label}»" for t in TABLES.values())
        raise FileProblem(
            f"{name}: листы {', '.join(f'«{s}»' for s in unknown)} не соответствуют ни одной "
            f"таблице; назовите листы так: {known}"
        )
    if not out.frames:
        raise FileProblem(f"{name}: в книге нет листов с данными (только пример из шаблона)")
    return out


def _read_csv_bytes(path: Path, content: bytes, table: str):
    """read_csv_table works on a path: give it a temporary one with the same name."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / path.name
        target.write_bytes(content)
        return read_csv_table(target, table)


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    both_missing = a.isna() & b.isna()
    numeric = [
        pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x) for x in (a, b)
    ]
    if any(numeric):
        close = (pd.to_numeric(a, errors="coerce") - pd.to_numeric(b, errors="coerce")).abs()
        return (both_missing | (close < 1e-9)).fillna(False).astype(bool)
    text = a.astype("string") == b.astype("string")
    return (both_missing | text.fillna(False)).astype(bool)


def _shown(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "пусто"
    return fmt_value(value)


EXAMPLES = 3  # old → new examples per column in «Что изменится»


@dataclass
class Comparison:
    """An incoming table against the stored rows with the same keys.

    Columns the file does not carry keep their stored values. Cells the file leaves empty where
    a value is stored are «blanks»: they are written only when the user accepts them.
    """

    table: Table
    incoming: pd.DataFrame
    carried: tuple[str, ...]
    stored: pd.DataFrame | None  # the stored row of each incoming row (NaN where new)
    found: pd.Series  # whether each incoming row's key is stored
    _masked: dict = field(default_factory=dict, repr=False)

    @property
    def values(self) -> list[str]:
        return [c for c in self.table.names if c not in self.table.key]

    def _masks(self, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Rows where the stored value changes, where an empty one is filled, and where a
        stored value would be blanked (computed once per column)."""
        if column not in self._masked:
            self._masked[column] = self._compare(column)
        return self._masked[column]

    def _compare(self, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
        new = self.incoming[column]
        if self.stored is None or column not in self.carried:
            none = pd.Series(False, index=new.index)
            return none, none, none
        old = self.stored[column]
        found = self.found
        changed = found & new.notna() & old.notna() & ~_same(new, old)
        filled = found & new.notna() & old.isna()
        blanked = found & new.isna() & old.notna()
        return changed, filled, blanked

    def resolved(self, blank: bool = False) -> pd.DataFrame:
        """The rows to write: the file's values where it carries them, the stored ones
        elsewhere (and, unless `blank`, where the file leaves a stored value empty)."""
        out = self.incoming[self.table.names].copy()
        if self.stored is None:
            return out
        for column in self.values:
            old = self.stored[column]
            if column not in self.carried:
                keep = self.found
            elif blank:
                continue
            else:
                keep = self._masks(column)[2]
            if keep.any():
                out.loc[keep, column] = old[keep].to_numpy()
        return out

    def _differs(self, blank: bool) -> pd.Series:
        """Stored rows the incoming ones change."""
        differs = pd.Series(False, index=self.incoming.index)
        for column in self.values:
            changed, filled, blanked = self._masks(column)
            differs |= changed | filled | (blanked if blank else False)
        return differs

    def touched(self, blank: bool = False) -> frozenset[int] | None:
        """The years of the rows that are new or change a stored row (None: the table has no
        year, and some row changes): what the refresh after the import recomputes."""
        if self.stored is None:
            rows = pd.Series(True, index=self.incoming.index)
        else:
            rows = ~self.found | (self.found & self._differs(blank))
        if not rows.any():
            return frozenset()
        if "year" not in self.incoming:
            return None
        return frozenset(int(y) for y in self.incoming.loc[rows, "year"].dropna().unique())

    def counts(self, blank: bool = False) -> tuple[int, int, int]:
        """How many incoming rows are new, change a stored row, or equal it."""
        if self.stored is None:
            return len(self.incoming), 0, 0
        differs = self._differs(blank)
        added = int((~self.found).sum())
        changed = int((self.found & differs).sum())
        return added, changed, int(self.found.sum()) - changed

    def column_changes(self) -> list[dict]:
        """Per column: how many values change, are filled, would be blanked, with examples."""
        if self.stored is None:
            return []
        rows = []
        key = list(self.table.key)
        for column in self.values:
            changed, filled, blanked = self._masks(column)
            if not (changed.any() or filled.any() or blanked.any()):
                continue
            examples = []
            for mask in (changed, filled, blanked):
                for i in np.flatnonzero(mask.to_numpy())[:EXAMPLES]:
                    who = ", ".join(_shown(self.incoming[k].iloc[i]) for k in key)
                    old = _shown(self.stored[column].iloc[i])
                    new = _shown(self.incoming[column].iloc[i])
                    examples.append(f"{who}: {old} → {new}")
            rows.append(
                {
                    "table": self.table.name,
                    "column": column,
                    "Таблица": self.table.label,
                    "Столбец": self.table.column(column).label,
                    "Изменится значений": int(changed.sum()),
                    "Заполнится пустых": int(filled.sum()),
                    "Будет стёрто": int(blanked.sum()),
                    "Примеры (было → станет)": "; ".join(examples[: EXAMPLES * 2]),
                }
            )
        return rows

    @property
    def blanks(self) -> int:
        return sum(int(self._masks(c)[2].sum()) for c in self.values)


def compare(
    con: duckdb.DuckDBPyConnection | None, table: Table, incoming: pd.DataFrame
) -> Comparison:
    """Match the incoming rows to the stored rows with the same keys."""
    carried = tuple(incoming.attrs.get("carried", table.names))
    incoming = incoming.reset_index(drop=True)
    none = pd.Series(False, index=incoming.index)
    if con is None or incoming.empty:
        return Comparison(table, incoming, carried, None, none)
    keys = incoming[list(table.key)].drop_duplicates()
    con.register("incoming_keys", keys)
    try:
        existing = con.execute(
            db.statement("store/existing_rows", table.name, table.names, table.key)
        ).df()
    finally:
        con.unregister("incoming_keys")
    if existing.empty:
        return Comparison(table, incoming, carried, None, none)
    key = list(table.key)
    # Keys compare as the stored types: a year read as Int64 meets a stored int32.
    probe = incoming[key].copy()
    for k in key:
        if pd.api.types.is_numeric_dtype(existing[k]):
            probe[k] = pd.to_numeric(probe[k]).astype("Int64")
            existing[k] = existing[k].astype("Int64")
        else:
            probe[k] = probe[k].astype(object)
            existing[k] = existing[k].astype(object)
    merged = probe.merge(existing, on=key, how="left", indicator=True)
    found = pd.Series((merged["_merge"] == "both").to_numpy(), index=incoming.index)
    stored = merged.drop(columns="_merge")
    stored.index = incoming.index
    return Comparison(table, incoming, carried, stored, found)


def changes(
    con: duckdb.DuckDBPyConnection | None, table: Table, incoming: pd.DataFrame
) -> tuple[int, int, int]:
    """How many incoming rows are new, change a row, or equal the row already there."""
    return compare(con, table, incoming).counts()


@dataclass
class Plan:
    """A checked import: typed rows, problems and what would change, per table."""

    files: list[ReadFile]
    typed: dict[str, pd.DataFrame]
    problems: Problems
    summary: pd.DataFrame
    # The files replace everything in the database (the demo region, say) instead of updating
    # it: checked on their own, and only their rows are kept. Settings presets and the import
    # history stay.
    replace: bool = False
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    # File rows left out because they had errors («Загрузить без строк с ошибками»), per table.
    skipped: dict[str, list[int]] = field(default_factory=dict)
    # How the files' schools were found among the stored ones (radar/ingest/identity.py).
    identity: Identity = field(default_factory=Identity)

    @property
    def skippable(self) -> bool:
        """Whether leaving out the rows with errors would leave a loadable file."""
        return bool(self.problems.errors) and not self.problems.unskippable

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "ошибка"]

    @property
    def blanks(self) -> int:
        """Stored values the files leave empty: blanked only if the user accepts."""
        return sum(c.blanks for c in self.comparisons.values())

    def column_changes(self) -> pd.DataFrame:
        """What changes, per table and column, with a few old → new examples."""
        rows = [row for c in self.comparisons.values() for row in c.column_changes()]
        columns = [
            "table",
            "column",
            "Таблица",
            "Столбец",
            "Изменится значений",
            "Заполнится пустых",
            "Будет стёрто",
            "Примеры (было → станет)",
        ]
        return pd.DataFrame(rows, columns=columns)

    def rows_to_write(self, blank: bool = False) -> dict[str, pd.DataFrame]:
        return {name: c.resolved(blank) for name, c in self.comparisons.items()}

    def touched(self, blank: bool = False) -> dict[str, frozenset[int] | None]:
        """Per table, the years of the rows the import adds or changes (None: a table without
        years), for a refresh of those years only."""
        out = {}
        for name, comparison in self.comparisons.items():
            years = comparison.touched(blank)
            if years is None or years:
                out[name] = years
        return out

    def writes_anything(self, blank: bool = False) -> bool:
        return any(sum(c.counts(blank)[:2]) for c in self.comparisons.values())


def summary_of(comparisons: dict[str, Comparison], blank: bool = False) -> pd.DataFrame:
    rows = []
    for name, comparison in comparisons.items():
        added, changed, unchanged = comparison.counts(blank)
        rows.append(
            {
                "table": name,
                "Таблица": TABLES[name].label,
                "Строк в файле": len(comparison.incoming),
                "Новых": added,
                "Изменённых": changed,
                "Без изменений": unchanged,
            }
        )
    columns = ["table", "Таблица", "Строк в файле", "Новых", "Изменённых", "Без изменений"]
    return pd.DataFrame(rows, columns=columns)


def plan_import(
    files: list[ReadFile],
    path: Path | str | None = None,
    replace: bool = False,
    skip_bad_rows: bool = False,
) -> Plan:
    """Check every file against the rules and the database (or, to replace the database, on
    their own); nothing is written. With `skip_bad_rows` the rows with errors are left out
    (when every error belongs to a row) and listed in plan.skipped."""
    frames: dict[str, pd.DataFrame] = {}
    problems = Problems()
    for read in files:
        for table, frame in read.frames.items():
            if table in frames:
                problems.append(
                    Problem(
                        "ошибка",
                        table,
                        read.name,
                        "",
                        None,
                        "",
                        f"таблица «{TABLES[table].label}» пришла в нескольких файлах или "
                        "листах; объедините их в один",
                    )
                )
                continue
            frames[table] = frame
    if frames and not any(len(f) for f in frames.values()):
        problems.append(
            Problem(
                "ошибка",
                "",
                ", ".join(read.name for read in files),
                "",
                None,
                "",
                "в файлах нет ни одной строки данных (только заголовки)",
            )
        )
    path = Path(path) if path is not None else db.db_path()
    con = db.connect(path, read_only=True) if path.exists() and not replace else None
    skipped: dict[str, list[int]] = {}
    try:
        typed, found, identity = _check(frames, con)
        if skip_bad_rows and found.errors and not found.unskippable:
            typed, found, skipped = _without_bad_rows(frames, found, con)
        problems += found
        comparisons = {
            name: compare(con, TABLES[name], typed[name]) for name in LOAD_ORDER if name in typed
        }
    finally:
        if con is not None:
            con.close()
    return Plan(
        files, typed, problems, summary_of(comparisons), replace, comparisons, skipped, identity
    )


def _check(
    frames: dict[str, pd.DataFrame], con: duckdb.DuckDBPyConnection | None
) -> tuple[dict[str, pd.DataFrame], Problems, Identity]:
    """Find the files' schools among the stored ones (identity.resolve), then validate."""
    identity = Identity()
    found = []
    if con is not None:
        by_name = any(frame.attrs.get("identify") for frame in frames.values())
        frames, identity, found = resolve(frames, con, by_name)
    typed, problems = validate(frames, con)
    problems.extend(found)
    return typed, problems, identity


def _file_rows(frame: pd.DataFrame, name: str) -> np.ndarray:
    src = source_of(frame, TABLES[name])
    if src.rows is not None:
        return np.asarray(src.rows)
    return src.first_row + np.arange(len(frame))


def _without_bad_rows(
    frames: dict[str, pd.DataFrame], found: Problems, con
) -> tuple[dict[str, pd.DataFrame], Problems, dict[str, list[int]]]:
    """Validate again without the rows that have errors, until no error is left (dropping a
    school's row can leave its results without a school). The skipped rows' errors stay in the
    list as warnings «строка пропущена», so the report names every one."""
    skipped: dict[str, set[int]] = {}
    kept = Problems()
    for _ in range(5):
        errors = [p for p in found if p.severity == "ошибка"]
        for problem in errors:
            kept.append(
                dataclasses.replace(
                    problem,
                    severity="предупреждение",
                    kind="строка пропущена: " + (problem.kind or problem.message),
                )
            )
        for table, rows in found.bad_rows.items():
            skipped.setdefault(table, set()).update(rows)
        cut = {}
        for name, frame in frames.items():
            rows = _file_rows(frame, name)
            keep = ~np.isin(rows, list(skipped.get(name, ())))
            part = frame[keep].reset_index(drop=True)
            part.attrs.update(frame.attrs)
            part.attrs["source"] = dataclasses.replace(
                source_of(frame, TABLES[name]), rows=tuple(int(r) for r in rows[keep])
            )
            cut[name] = part
        typed, found, _ = _check(cut, con)
        if not found.errors or found.unskippable:
            break
    kept.extend(found)
    return typed, kept, {t: sorted(r) for t, r in skipped.items()}


def apply_import(
    plan: Plan,
    path: Path | str | None = None,
    progress: Progress | None = None,
    user: str | None = None,
    blank: bool = False,
) -> None:
    """Write a plan without errors: rows, history and derived tables, all or nothing.

    Columns the files do not carry keep their stored values; so do stored values the files
    leave empty, unless `blank` (the user accepted blanking them).
    """

    if plan.errors:
        raise ValidationError(plan.problems)
    step = progress or (lambda _m, _f: None)
    user = user or getpass.getuser()
    summary = summary_of(plan.comparisons, blank).set_index("table")
    owner = {t: read for read in plan.files for t in read.frames}
    changed = plan.replace or plan.writes_anything(blank)
    outcome = "загружено, база заменена" if plan.replace else "загружено"
    if not changed:
        outcome = "загружено, без изменений"

    def told(name: str) -> str:
        rows = plan.skipped.get(name)
        if not rows:
            return outcome
        listed = ", ".join(map(str, rows[:50])) + (" …" if len(rows) > 50 else "")
        return f"{outcome}; пропущено строк с ошибками: {len(rows)} ({listed})"

    history = [
        HistoryRow(
            user,
            owner[name].name,
            owner[name].digest,
            name,
            int(summary.loc[name, "Строк в файле"]),
            int(summary.loc[name, "Новых"]),
            int(summary.loc[name, "Изменённых"]),
            int(summary.loc[name, "Без изменений"]),
            told(name),
        )
        for name in LOAD_ORDER
        if name in plan.typed
    ]
    if plan.replace:
        step("Замена базы строками из файлов", 0.0)
    rows = plan.rows_to_write(blank) if changed else {}
    with db.writer_lock(path):  # the copy for undo and the write: no other writer between
        _write_plan(plan, rows, changed, history, path, step, user, blank)
    step("Данные загружены" if changed else "Ничего не изменилось: пересчёт не нужен", 1.0)


def _write_plan(plan, rows, changed, history, path, step, user, blank) -> None:
    from radar.store.refresh import refresh_derived

    saved = None
    if changed:
        step("Сохранение копии базы для отмены загрузки", 0.0)
        saved = versions.save(path, [read.name for read in plan.files], user)
    try:
        write_tables(
            rows,
            "replace" if plan.replace else "update",
            path,
            history,
            progress=lambda message, fraction: step(message, 0.6 * fraction),
            after_write=(
                (
                    lambda con: refresh_derived(
                        con,
                        lambda message, fraction: step(message, 0.6 + 0.4 * fraction),
                        touched=None if plan.replace else plan.touched(blank),
                    )
                )
                if changed
                else None
            ),
        )
    except Exception as exc:
        if saved is not None:  # the database is as it was: no state to go back to
            versions.discard(saved.name, path)
        if isinstance(exc, db.DatabaseError):
            record_refusal(plan, path, user, reason=f"не записано: {exc}")
            raise
        # A check that passed must not end in a traceback.
        record_refusal(plan, path, user, reason="не записано: непредвиденная ошибка")
        raise db.DatabaseError(db.report_failure(exc, "Загрузка данных", path)) from exc


def scale_notice(plan: Plan, path: Path | str | None = None) -> str | None:
    """After an import: the changes of scale (analytics.scale) in the years of the files'
    results, said as the pages say them; None when there are none."""
    from analytics import scale
    from analytics.settings import SmallNumbers

    results = plan.typed.get("exam_results")
    if results is None or results.empty:
        return None
    years = set(int(y) for y in results["year"].dropna().unique())
    with db.connect(path) as con:
        table = con.execute(
            db.sql("analysis/scale_years"), {"min_participants": SmallNumbers.hide_below}
        ).df()
    shifts = scale.scale_shifts(table)
    return scale.warning(shifts[shifts["year"].isin(years)])


def database_phrase(summary: pd.DataFrame) -> str:
    """The database_summary row as a phrase for the user: «демонстрационный регион «…»,
    1 100 школ» or «данные региона, 3 школы»."""
    row = summary.iloc[0]
    schools = int(row["schools"])
    counted = f"{fmt.integer(schools)} {fmt.plural(schools, fmt.SCHOOLS)}"
    if pd.notna(row["generator"]):
        return f"демонстрационный регион «{row['region'] or ''}», {counted}"
    return f"данные региона, {counted}"


def describe_database(path: Path | str | None = None) -> str | None:
    """What the database at `path` holds (database_phrase), or None when there is none."""
    path = Path(path) if path is not None else db.db_path()
    if not path.exists():
        return None
    con = db.connect(path, read_only=True)
    try:
        return database_phrase(con.execute(db.sql("store/database_summary")).df())
    finally:
        con.close()


def failure_log(path: Path | str | None = None) -> Path:
    """Refused imports are listed beside the database, which a refused import must not touch."""
    path = Path(path) if path is not None else db.db_path()
    return path.with_name(path.name + ".refused.jsonl")


def record_refusal(
    plan: Plan,
    path: Path | str | None = None,
    user: str | None = None,
    reason: str | None = None,
) -> None:
    """Note a refused import (who, when, file, hash, number of errors) in the side log."""
    outcome = reason or f"отклонено: ошибок {plan.problems.errors}"
    entries = [
        (read.name, read.digest, ", ".join(read.frames), sum(len(f) for f in read.frames.values()))
        for read in plan.files
    ]
    _log_refused(entries, outcome, path, user)


def record_unreadable(
    uploads: dict[str, bytes], message: str, path: Path | str | None = None, user: str | None = None
) -> None:
    """Note files refused while being read (not a workbook, no table recognised…)."""
    entries = [(name, hashlib.sha256(data).hexdigest(), "", 0) for name, data in uploads.items()]
    _log_refused(entries, f"отклонено при чтении: {message}", path, user)


def _log_refused(entries, outcome: str, path, user) -> None:
    import json
    from datetime import datetime

    try:
        with failure_log(path).open("a", encoding="utf-8") as log:
            for name, digest, tables, rows in entries:
                log.write(
                    json.dumps(
                        {
                            "imported_at": datetime.now().isoformat(timespec="seconds"),
                            "user_name": user or getpass.getuser(),
                            "file_name": name,
                            "file_hash": digest,
                            "table_name": tables,
                            "rows_in_file": int(rows),
                            "outcome": outcome,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    except OSError:
        pass  # the log is a courtesy: a read-only folder must not turn a refusal into a crash


def refusals(path: Path | str | None = None) -> pd.DataFrame:
    """The refused imports, newest first."""
    log = failure_log(path)
    columns = [
        "imported_at",
        "user_name",
        "file_name",
        "file_hash",
        "table_name",
        "rows_in_file",
        "outcome",
    ]
    if not log.exists():
        return pd.DataFrame(columns=columns)
    frame = pd.read_json(log, lines=True, dtype=False)
    frame["imported_at"] = pd.to_datetime(frame["imported_at"])
    return frame[columns].sort_values("imported_at", ascending=False).reset_index(drop=True)
