"""Validate a region's tables and load them all-or-nothing; the demo goes through here too."""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.settings import SmallNumbers
from radar.store import db
from radar.store.refresh import active_settings
from radar.store.spec import LOAD_ORDER, TABLES, Column, Table
from radar.store.write import HistoryRow, write_tables

Progress = Callable[[str, float], None]
MAX_LISTED = 2000  # problems listed one by one; the rest are counted


@dataclass(frozen=True)
class Source:
    """Where a frame came from, so problems point at the file, sheet and spreadsheet row."""

    file: str
    sheet: str = ""
    first_row: int = 2  # spreadsheet row of the frame's first data row
    # The file's row of each frame row when rows were filtered or joined (mapped files).
    rows: tuple[int, ...] | None = None
    # SHA-256 of the file's bytes, when the frame is one whole file (the import history).
    digest: str = ""

    def row(self, position: int) -> int:
        return self.rows[position] if self.rows is not None else self.first_row + position


@dataclass(frozen=True)
class Problem:
    severity: str  # «ошибка» blocks loading, «предупреждение» does not
    table: str
    file: str
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"лист «{self.sheet}»")
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        return f"{self.severity.capitalize()}: {', '.join(where)}: {self.message}"


class ValidationError(ValueError):
    """Raised when errors stand; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "ошибка"]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n… и ещё {len(errors) - 20}" if len(errors) > 20 else ""
        super().__init__(f"Данные не загружены: найдено ошибок — {len(errors)}.\n{shown}{more}")


def source_of(frame: pd.DataFrame, table: Table) -> Source:
    return frame.attrs.get("source") or Source("данные", table.label)


def fmt_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.omitted = 0

    def add_rows(
        self,
        table: Table,
        src: Source,
        mask: np.ndarray,
        column: str,
        message: Callable[[int], str] | str,
        severity: str = "ошибка",
    ) -> None:
        positions = np.flatnonzero(mask)
        room = max(MAX_LISTED - len(self.problems), 0)
        self.omitted += max(len(positions) - room, 0)
        for pos in positions[:room]:
            text = message(pos) if callable(message) else message
            self.problems.append(
                Problem(
                    severity,
                    table.name,
                    src.file,
                    src.sheet,
                    src.row(int(pos)),
                    column,
                    text,
                )
            )

    def add(
        self, table: Table, src: Source, column: str, message: str, severity: str = "ошибка"
    ) -> None:
        self.problems.append(
            Problem(severity, table.name, src.file, src.sheet, None, column, message)
        )


def _to_number(series: pd.Series) -> pd.Series:
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype("string").str.strip().str.replace("\u00a0", "").str.replace(" ", "")
        text = text.str.replace(",", ".", regex=False).str.rstrip("%")
        return pd.to_numeric(text, errors="coerce")
    if pd.api.types.is_bool_dtype(series):
        return series.astype("Int64")
    return pd.to_numeric(series, errors="coerce")


def _to_date(series: pd.Series) -> pd.Series:
    """ISO dates (2025-02-01) and Russian ones (01.02.2025); anything else becomes NaT."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    text = series.astype("string").str.strip()
    iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
    russian = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    return iso.fillna(russian)


_TRUE = {"true", "1", "да", "истина", "yes"}
_FALSE = {"false", "0", "нет", "ложь", "no"}


def _to_bool(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean")
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    return out


def _in_percent(frame: pd.DataFrame, table: Table) -> bool:
    """Whether the frame's shares are written in percent (0..100) rather than as fractions.

    One file uses one unit, so the decision is taken for the whole frame: it is percent when
    some share column has most of its non-zero values above 1 and none above 100.
    """
    for col in table.columns:
        if col.kind == "share" and col.name in frame.columns:
            values = _to_number(frame[col.name]).dropna()
            nonzero = values[values != 0]
            if (
                len(nonzero)
                and values.min() >= 0
                and values.max() <= 100
                and (nonzero > 1).mean() >= 0.5
            ):
                return True
    return False


def _coerce_column(
    table: Table, col: Column, raw: pd.Series, src: Source, out: _Collector, percent: bool = False
) -> pd.Series:
    present = raw.notna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        present &= ~(raw.astype("string").str.strip() == "").fillna(False)
    label = col.label
    if col.kind == "str":
        # «'=…» is how exports defuse a would-be formula: the quote is not part of the text.
        text = raw.astype("string").str.strip().str.replace(r"^'(?=[=+\-\u2212@])", "", regex=True)
        value = text.where(present)
        value = value.astype(object).where(present, None)
    elif col.kind == "bool":
        value = _to_bool(raw)
        bad = (present & value.isna()).to_numpy()
        out.add_rows(
            table, src, bad, label, lambda i: f"ожидается «да» или «нет», получено «{raw.iloc[i]}»"
        )
    elif col.kind == "date":
        value = _to_date(raw)
        bad = (present & value.isna()).to_numpy()
        out.add_rows(table, src, bad, label, lambda i: f"не дата: «{raw.iloc[i]}»")
        value = value.dt.date.astype(object).where(value.notna(), None)
    else:
        value = _to_number(raw)
        bad = (present & value.isna()).to_numpy()
        out.add_rows(table, src, bad, label, lambda i: f"не число: «{raw.iloc[i]}»")
        if col.kind == "share" and percent:
            value = value / 100
        if col.kind == "int":
            frac = (value.notna() & (value != value.round())).to_numpy()
            out.add_rows(
                table,
                src,
                frac,
                label,
                lambda i: f"ожидается целое число, получено {fmt_value(value.iloc[i])}",
            )
            value = value.round().astype("Int64")
        else:
            value = value.astype("Float64").astype(float)
        if col.min is not None:
            low = (value < col.min).fillna(False).to_numpy()
            out.add_rows(
                table,
                src,
                low,
                label,
                lambda i: (
                    f"значение {fmt_value(value.iloc[i])} меньше допустимого {fmt_value(col.min)}"
                ),
            )
        if col.max is not None:
            high = (value > col.max).fillna(False).to_numpy()
            out.add_rows(
                table,
                src,
                high,
                label,
                lambda i: (
                    f"значение {fmt_value(value.iloc[i])} больше допустимого {fmt_value(col.max)}"
                ),
            )
    if col.choices:
        wrong = (present & ~value.isin(col.choices)).to_numpy()
        allowed = ", ".join(map(str, col.choices))
        out.add_rows(
            table,
            src,
            wrong,
            label,
            lambda i: f"недопустимое значение «{raw.iloc[i]}»; допустимо: {allowed}",
        )
    if col.required:
        out.add_rows(table, src, (~present).to_numpy(), label, "обязательное поле не заполнено")
    return value


def coerce_table(table: Table, frame: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """Bring a frame to the table's columns and types, collecting every problem found."""
    src = source_of(frame, table)
    frame = frame.reset_index(drop=True)
    missing = [c for c in table.columns if c.name not in frame.columns]
    for col in missing:
        if col.required:
            out.add(table, src, col.label, "в файле нет обязательного столбца")
    percent = _in_percent(frame, table)
    if percent:
        out.add(
            table,
            src,
            "",
            "доли указаны в процентах (0–100) и пересчитаны в доли (0–1)",
            "предупреждение",
        )
    data = {}
    for col in table.columns:
        raw = (
            frame[col.name]
            if col.name in frame.columns
            else pd.Series(None, index=frame.index, dtype=object)
        )
        data[col.name] = _coerce_column(table, col, raw, src, out, percent)
    typed = pd.DataFrame(data, index=frame.index)
    typed.attrs["source"] = src
    return typed


def _check_keys(table: Table, df: pd.DataFrame, out: _Collector) -> None:
    src = df.attrs["source"]
    key = list(table.key)
    dup = df.duplicated(key, keep="first").to_numpy() & df[key].notna().all(axis=1).to_numpy()
    labels = ", ".join(table.column(k).label for k in key)
    out.add_rows(
        table,
        src,
        dup,
        labels,
        lambda i: (
            "повтор строки с тем же ключом ("
            + ", ".join(fmt_value(df[k].iloc[i]) for k in key)
            + ")"
        ),
    )


def _check_rules(table: Table, df: pd.DataFrame, out: _Collector, hide_below: int) -> None:
    """Rules that involve several columns of one row."""
    src = df.attrs["source"]
    if table.name == "exam_results":
        exam, grade = df["exam"], df["grade"]
        ok = (
            ((exam == "ВПР") & grade.between(4, 11))
            | ((exam == "ОГЭ") & (grade == 9))
            | ((exam == "ЕГЭ") & (grade == 11))
        )
        bad = (exam.notna() & grade.notna() & ~ok.fillna(False)).to_numpy()
        out.add_rows(
            table,
            src,
            bad,
            "Класс",
            lambda i: f"процедура {exam.iloc[i]} не проводится в {grade.iloc[i]} классе",
        )
        marks = df[["share_2", "share_3", "share_4", "share_5"]]
        total = marks.sum(axis=1)
        bad = (marks.notna().all(axis=1) & ((total - 1).abs() > 0.011)).to_numpy()
        out.add_rows(
            table,
            src,
            bad,
            "Доля «2»",
            lambda i: (
                f"доли отметок «2»–«5» в сумме дают {fmt_value(round(total.iloc[i], 3))}, "
                "а должны 1 (100 %)"
            ),
        )
        bad = ((exam == "ЕГЭ") & (df["mean_score"] > 100)).fillna(False).to_numpy()
        out.add_rows(table, src, bad, "Средний балл", "средний балл ЕГЭ больше 100")
        small = (df["participants"] < hide_below).fillna(False).to_numpy()
        if small.any():
            out.add(
                table,
                src,
                "Участников",
                f"строк с числом участников меньше {hide_below}: {int(small.sum())}; "
                "такие показатели будут скрыты",
                "предупреждение",
            )
    elif table.name == "roadmap_events":
        bad = (
            df["period_end"].notna()
            & df["period_start"].notna()
            & (df["period_end"] < df["period_start"])
        ).to_numpy()
        out.add_rows(table, src, bad, "Окончание", "окончание раньше начала")
        bad = ((df["level"] == "муниципалитет") & df["municipality_id"].isna()).to_numpy()
        out.add_rows(
            table,
            src,
            bad,
            "Код муниципалитета",
            "для мероприятия муниципального уровня нужен код муниципалитета",
        )
        bad = ((df["level"] == "школа") & df["school_id"].isna()).to_numpy()
        out.add_rows(table, src, bad, "Код школы", "для мероприятия уровня школы нужен код школы")
    elif table.name == "programme_membership":
        bad = (
            df["partner_school_id"].notna() & (df["partner_school_id"] == df["school_id"])
        ).to_numpy()
        out.add_rows(
            table, src, bad, "Код школы-партнёра", "школа не может быть партнёром самой себе"
        )


def _existing_keys(
    con: duckdb.DuckDBPyConnection | None, table: str, cols: tuple[str, ...]
) -> pd.DataFrame:
    if con is None:
        return pd.DataFrame(columns=list(cols))
    return con.execute(db.statement("store/select_columns", table, cols)).df()


def _check_references(
    table: Table,
    df: pd.DataFrame,
    typed: dict[str, pd.DataFrame],
    con: duckdb.DuckDBPyConnection | None,
    out: _Collector,
) -> None:
    src = df.attrs["source"]
    for cols, parent, parent_cols in table.references:
        local = df[list(cols)]
        filled = local.notna().all(axis=1)
        if not filled.any():
            continue
        known = [_existing_keys(con, parent, parent_cols)]
        if parent in typed:
            known.append(typed[parent][list(parent_cols)])
        keys = pd.concat(known, ignore_index=True).dropna().drop_duplicates()
        keys.columns = list(cols)
        found = (
            local.merge(keys.assign(_found=True), on=list(cols), how="left")["_found"]
            .notna()
            .to_numpy()
        )
        bad = filled.to_numpy() & ~found
        label = TABLES[table.name].column(cols[-1]).label
        parent_label = TABLES[parent].label.lower()
        out.add_rows(
            table,
            src,
            bad,
            label,
            lambda i, local=local, cols=cols, parent_label=parent_label: (
                f"«{', '.join(fmt_value(local.iloc[i][c]) for c in cols)}» "
                f"нет в таблице «{parent_label}»"
            ),
        )


def validate(
    frames: dict[str, pd.DataFrame], con: duckdb.DuckDBPyConnection | None = None
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Type-check and check every rule; return the typed frames and all problems found.

    `con` is the database the frames will be added to (its rows satisfy references too, and
    its active settings say below how many participants a figure is hidden); None when the
    frames make a whole region on their own (then the default of analytics.settings counts).
    """
    hide_below = (
        active_settings(con).small_numbers.hide_below
        if con is not None
        else SmallNumbers.hide_below
    )
    out = _Collector()
    unknown = [name for name in frames if name not in TABLES]
    if unknown:
        raise KeyError(f"Неизвестные таблицы: {', '.join(unknown)}")
    typed: dict[str, pd.DataFrame] = {}
    for name in LOAD_ORDER:
        if name in frames:
            table = TABLES[name]
            typed[name] = coerce_table(table, frames[name], out)
            _check_keys(table, typed[name], out)
            _check_rules(table, typed[name], out, hide_below)
    for name, df in typed.items():
        _check_references(TABLES[name], df, typed, con, out)
    if out.omitted:
        out.problems.append(
            Problem(
                "ошибка",
                "",
                "",
                "",
                None,
                "",
                f"… и ещё проблем, не показанных в списке: {out.omitted}",
            )
        )
    return typed, out.problems


# The import history's outcome for a table loaded whole (the demo build, `radar load`).
LOADED = "загружено, база построена заново"


def load_region(
    frames: dict[str, pd.DataFrame],
    path: Path | str | None = None,
    progress: Progress | None = None,
    after_load: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    user: str | None = None,
) -> list[Problem]:
    """Validate a whole region and make it the database's rows; all or nothing.

    Raises ValidationError (nothing written) while any error stands; returns the warnings.
    The settings presets and the import history stay, and each table's load is added to the
    history. `after_load` runs inside the same write session (e.g. refreshing derived tables),
    so its failure also leaves the old database in place.
    """
    step = progress or (lambda _m, _f: None)
    step("Проверка данных", 0.0)
    typed, problems = validate(frames)
    if any(p.severity == "ошибка" for p in problems):
        raise ValidationError(problems)
    user = user or getpass.getuser()
    history = [_loaded(name, frame, user) for name, frame in typed.items()]
    write_tables(
        typed,
        "replace",
        path,
        history,
        progress=lambda message, fraction: step(message, 0.1 + 0.6 * fraction),
        after_write=after_load,
        verb="Загрузка",
    )
    step("Готово", 1.0)
    return problems


def _loaded(name: str, frame: pd.DataFrame, user: str) -> HistoryRow:
    """The history row of a table loaded whole: its file (or the SHA-256 of its rows)."""
    src = source_of(frame, TABLES[name])
    digest = (
        src.digest
        or hashlib.sha256(
            pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        ).hexdigest()
    )
    n = len(frame)
    return HistoryRow(user, src.file, digest, name, n, n, 0, 0, LOADED)


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table with Russian headers (for the page and the Excel error report)."""
    rows = [
        {
            "Важность": p.severity,
            "Файл": p.file,
            "Лист": p.sheet,
            "Строка": p.row,
            "Столбец": p.column,
            "Описание": p.message,
        }
        for p in problems
    ]
    frame = pd.DataFrame(
        rows, columns=["Важность", "Файл", "Лист", "Строка", "Столбец", "Описание"]
    )
    frame["Строка"] = frame["Строка"].astype("Int64")  # a spreadsheet row, never «3,0»
    return frame
