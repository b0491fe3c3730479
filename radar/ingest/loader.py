"""Validate a region's tables and load them all-or-nothing; the demo goes through here too."""

from __future__ import annotations

import dataclasses
import difflib
import getpass
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics import fmt, grouping
from analytics.settings import SmallNumbers
from radar.ingest.limits import Limits
from radar.store import db
from radar.store.refresh import active_settings
from radar.store.spec import LOAD_ORDER, TABLES, Column, Table
from radar.store.write import HistoryRow, write_tables

Progress = Callable[[str, float], None]
# Problems kept row by row for the page and the Excel report; every one is counted by kind.
LISTED = 200_000
# The largest value a column of whole numbers holds (DuckDB's INTEGER).
INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class Source:
    """Where a frame came from, so problems point at the file, sheet and spreadsheet row."""

    file: str
    sheet: str = ""
    first_row: int = 2  # spreadsheet row of the frame's first data row
    # The file's row of each frame row when rows were filtered, dropped or joined.
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
    # What kind of problem, the same for every row that has it («не число»); the message
    # names this row's value.
    kind: str = ""

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"лист «{self.sheet}»")
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        return f"{self.severity.capitalize()}: {', '.join(where)}: {self.message}"

    @property
    def group(self) -> tuple[str, str, str, str, str, str]:
        return (
            self.severity,
            self.file,
            self.sheet,
            self.table,
            self.column,
            self.kind or self.message,
        )


@dataclass
class ProblemGroup:
    """One kind of problem in one column of one file: how many rows have it, and the first."""

    severity: str
    file: str
    sheet: str
    table: str
    column: str
    kind: str
    count: int = 0
    rows: list[int] = field(default_factory=list)
    example: str = ""

    FIRST = 10  # rows named in the summary


class Problems(list):
    """Every problem found: the rows (up to LISTED) and, for each kind, the true count.

    It is a list of Problem, so code that only lists problems needs nothing else; `groups`,
    `count` and `unlisted` say how many there really are.
    """

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        super().__init__()
        self._groups: dict[tuple, ProblemGroup] = {}
        self.unlisted = 0
        # The file rows (per table) that have an error, and whether some error belongs to no
        # row (a missing column, say): only row errors can be skipped.
        self.bad_rows: dict[str, set[int]] = {}
        self.unskippable = False
        self.extend(problems)

    def _group(self, problem: Problem) -> ProblemGroup:
        key = problem.group
        if key not in self._groups:
            self._groups[key] = ProblemGroup(*key, example=problem.message)
        return self._groups[key]

    def append(self, problem: Problem) -> None:
        self.add(problem, 1, [problem.row] if problem.row is not None else [])
        self._list([problem])
        if problem.severity == "ошибка":
            if problem.row is None or not problem.table:
                self.unskippable = True
            else:
                self.bad_rows.setdefault(problem.table, set()).add(problem.row)

    def add(self, first: Problem, count: int, rows: Sequence[int]) -> None:
        """Count `count` rows with the problem of `first` (rows: the first of their numbers)."""
        group = self._group(first)
        group.count += count
        room = ProblemGroup.FIRST - len(group.rows)
        group.rows.extend(list(rows)[: max(room, 0)])

    def _list(self, problems: Sequence[Problem], more: int = 0) -> None:
        room = max(LISTED - len(self), 0)
        super().extend(problems[:room])
        self.unlisted += max(len(problems) - room, 0) + more

    def extend(self, problems: Iterable[Problem]) -> None:
        if isinstance(problems, Problems):
            for key, group in problems._groups.items():
                mine = self._group(
                    Problem(key[0], key[3], key[1], key[2], None, key[4], group.example, key[5])
                )
                mine.count += group.count
                mine.rows.extend(group.rows[: max(ProblemGroup.FIRST - len(mine.rows), 0)])
            self._list(list(problems), problems.unlisted)
            for table, rows in problems.bad_rows.items():
                self.bad_rows.setdefault(table, set()).update(rows)
            self.unskippable |= problems.unskippable
            return
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> Problems:
        self.extend(problems)
        return self

    @property
    def groups(self) -> list[ProblemGroup]:
        """Errors first, then warnings; in the order found within each."""
        return sorted(self._groups.values(), key=lambda g: g.severity != "ошибка")

    def count(self, severity: str | None = None) -> int:  # type: ignore[override]
        """How many rows have a problem (of the given severity): every one, listed or not."""
        return sum(g.count for g in self._groups.values() if severity in (None, g.severity))

    @property
    def errors(self) -> int:
        return self.count("ошибка")

    @property
    def warnings(self) -> int:
        return self.count("предупреждение")


class ValidationError(ValueError):
    """Raised when errors stand; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems if isinstance(problems, Problems) else Problems(problems)
        errors = [p for p in self.problems if p.severity == "ошибка"]
        shown = "\n".join(str(p) for p in errors[:20])
        total = self.problems.errors
        more = f"\n… и ещё {fmt.integer(total - 20)}" if total > 20 else ""
        super().__init__(
            f"Данные не загружены: найдено ошибок — {fmt.integer(total)}.\n{shown}{more}"
        )


def source_of(frame: pd.DataFrame, table: Table) -> Source:
    return frame.attrs.get("source") or Source("данные", table.label)


def fmt_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


class _Collector:
    """Collects the problems of one validation into a Problems list."""

    def __init__(self) -> None:
        self.problems = Problems()

    def add_rows(
        self,
        table: Table,
        src: Source,
        mask: np.ndarray,
        column: str,
        message: Callable[[int], str] | str,
        severity: str = "ошибка",
        kind: str | None = None,
    ) -> None:
        """A problem in every row where `mask` holds; `kind` names it for all of them (by
        default the message, which must then be a string)."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        if kind is None:
            if callable(message):
                raise TypeError("a per-row message needs a kind")
            kind = message
        room = max(LISTED - len(self.problems), 0)
        listed = [
            Problem(
                severity,
                table.name,
                src.file,
                src.sheet,
                src.row(int(pos)),
                column,
                message(pos) if callable(message) else message,
                kind,
            )
            for pos in positions[: max(room, 1)]
        ]
        first = [src.row(int(pos)) for pos in positions[: ProblemGroup.FIRST]]
        self.problems.add(listed[0], len(positions), first)
        self.problems._list(listed[:room], len(positions) - min(room, len(positions)))
        if severity == "ошибка":
            rows = (
                np.asarray(src.rows)[positions]
                if src.rows is not None
                else src.first_row + positions
            )
            self.problems.bad_rows.setdefault(table.name, set()).update(int(r) for r in rows)

    def add(
        self, table: Table, src: Source, column: str, message: str, severity: str = "ошибка"
    ) -> None:
        self.problems.append(
            Problem(severity, table.name, src.file, src.sheet, None, column, message)
        )


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def _to_number(series: pd.Series) -> pd.Series:
    """Numbers written the Russian or the English way («1 234,5», «1234.5», «62,2%»); text,
    «nan» and ±infinity become missing (and so are reported as not numbers)."""
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = _text(series).str.replace("\u00a0", "").str.replace(" ", "")
        text = text.str.replace(",", ".", regex=False).str.rstrip("%")
        value = pd.to_numeric(text, errors="coerce")
    elif pd.api.types.is_bool_dtype(series):
        return series.astype("Int64")
    else:
        value = pd.to_numeric(series, errors="coerce")
    value = value.astype("Float64")
    finite = pd.Series(np.isfinite(value.to_numpy(dtype=float, na_value=np.nan)), value.index)
    return value.where(finite)


def _objects(text: pd.Series) -> pd.Series:
    """Text as Python strings (object dtype, None where missing), one string object per
    distinct value: a column of millions of cells holds a few thousand names, and later
    comparisons of the same object are quick."""
    codes, uniques = pd.factorize(text)
    values = np.append(np.asarray(uniques, dtype=object), None)
    return pd.Series(values[codes], index=text.index, dtype=object)


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


def _marked_percent(series: pd.Series) -> pd.Series:
    """Cells written with a per cent sign («0,5%»): per cent whatever the rest of the file."""
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        return _text(series).str.endswith("%").fillna(False).astype(bool)
    return pd.Series(False, index=series.index)


_ACADEMIC = r"^\s*(\d{4})\s*[-–—/]\s*(\d{2}|\d{4})\s*(?:уч\.?\s*(?:г\.?|год)?)?\s*$"


def _years(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Years, reading academic years («2015-2016», «2015/16», «2015/2016 уч. год») as the
    spring year of their exams. Returns the numbers, which cells were academic years, and
    which were academic years whose two halves do not follow each other."""
    text = _text(raw) if raw.dtype == object or pd.api.types.is_string_dtype(raw) else None
    value = _to_number(raw)
    none = pd.Series(False, index=raw.index)
    if text is None:
        return value, none, none
    parts = text.str.extract(_ACADEMIC, flags=re.IGNORECASE)
    academic = parts[0].notna()
    if not academic.any():
        return value, none, none
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    second = second.where(parts[1].str.len() == 4, first // 100 * 100 + second)
    wrong = academic & (second != first + 1)
    value = value.where(~academic, second.astype("Float64"))
    return value.where(~wrong), academic, wrong


def _share_unit(values: pd.Series) -> str | None:
    """«percent» when most non-zero values are above 1 and none above 100, «fraction» when
    none is above 1, None when the column says nothing (empty, zeros, or values that will
    fail the range check)."""
    values = values.dropna()
    nonzero = values[values != 0]
    if not len(nonzero) or values.min() < 0:
        return None
    if values.max() <= 1:
        return "fraction"
    if values.max() <= 100 and (nonzero > 1).mean() >= 0.5:
        return "percent"
    return None


def share_units(frame: pd.DataFrame, table: Table) -> dict[str, str]:
    """The unit of each share column that shows one (cells marked «%» aside)."""
    units = {}
    for col in table.columns:
        if col.kind == "share" and col.name in frame.columns:
            raw = frame[col.name]
            unit = _share_unit(_to_number(raw)[~_marked_percent(raw)])
            if unit is not None:
                units[col.name] = unit
    return units


def _in_percent(frame: pd.DataFrame, table: Table) -> bool:
    """Whether the frame's shares are written in per cent (0..100) rather than as fractions:
    some share column looks like per cent. (A frame that mixes the two is refused.)"""
    return "percent" in share_units(frame, table).values()


def _coerce_column(
    table: Table, col: Column, raw: pd.Series, src: Source, out: _Collector, percent: bool = False
) -> pd.Series:
    present = raw.notna()
    textual = raw.dtype == object or pd.api.types.is_string_dtype(raw)
    stripped = _text(raw) if textual or col.kind == "str" else None
    if textual:
        present &= ~(stripped == "").fillna(False)
    label = col.label
    if col.kind == "str":
        # «'=…» is how exports defuse a would-be formula: the quote is not part of the text.
        # The pattern's look-ahead runs in Python, cell by cell: only on cells that start with
        # a quote (there are none in most files of millions of rows).
        text = stripped
        quoted = text.str.startswith("'").fillna(False).to_numpy(bool)
        if quoted.any():
            defused = text[quoted].str.replace(r"^'(?=[=+\-\u2212@])", "", regex=True)
            text = text.copy()
            text[quoted] = defused
        longest = Limits.current().cell_chars
        out.add_rows(
            table,
            src,
            (text.str.len() > longest).fillna(False).to_numpy(),
            label,
            f"текст длиннее {fmt.integer(longest)} знаков",
        )
        value = _objects(text.where(present))
    elif col.kind == "bool":
        value = _to_bool(raw)
        bad = (present & value.isna()).to_numpy()
        out.add_rows(
            table,
            src,
            bad,
            label,
            lambda i: f"ожидается «да» или «нет», получено «{raw.iloc[i]}»",
            kind="ожидается «да» или «нет»",
        )
    elif col.kind == "date":
        value = _to_date(raw)
        bad = (present & value.isna()).to_numpy()
        out.add_rows(table, src, bad, label, lambda i: f"не дата: «{raw.iloc[i]}»", kind="не дата")
        value = value.dt.date.astype(object).where(value.notna(), None)
    else:
        if col.name == "year":
            value, academic, wrong = _years(raw)
            if academic.any():
                example = raw[academic].iloc[0]
                spring = (
                    int(value[academic].dropna().iloc[0]) if value[academic].notna().any() else ""
                )
                out.add(
                    table,
                    src,
                    label,
                    f"учебные годы (например, «{example}») прочитаны как год экзаменов — "
                    f"весенний ({spring}); строк: {int(academic.sum())}",
                    "предупреждение",
                )
            out.add_rows(
                table,
                src,
                wrong.to_numpy(),
                label,
                lambda i: f"«{raw.iloc[i]}»: годы учебного года должны идти подряд",
                kind="неверный учебный год",
            )
            present &= ~wrong
        else:
            value = _to_number(raw)
        bad = (present & value.isna()).to_numpy()
        out.add_rows(
            table, src, bad, label, lambda i: f"не число: «{raw.iloc[i]}»", kind="не число"
        )
        if col.kind == "share":
            marked = _marked_percent(raw)
            value = value.where(~(marked | percent), value / 100)
        if col.kind == "int":
            frac = (value.notna() & (value != value.round())).to_numpy()
            out.add_rows(
                table,
                src,
                frac,
                label,
                lambda i: f"ожидается целое число, получено {fmt_value(float(value.iloc[i]))}",
                kind="ожидается целое число",
            )
            huge = (value.abs() > INT_MAX).fillna(False).to_numpy()
            out.add_rows(
                table,
                src,
                huge,
                label,
                lambda i: f"значение {fmt_value(float(value.iloc[i]))} слишком велико",
                kind="значение слишком велико",
            )
            value = value.where(~huge).round().astype("Int64")
        else:
            value = value.astype(float)
        if col.min is not None:
            low = (value < col.min).fillna(False).to_numpy()
            out.add_rows(
                table,
                src,
                low,
                label,
                lambda i: (
                    f"значение {fmt_value(float(value.iloc[i]))} меньше допустимого "
                    f"{fmt_value(col.min)}"
                ),
                kind=f"значение меньше допустимого {fmt_value(col.min)}",
            )
        if col.max is not None:
            high = (value > col.max).fillna(False).to_numpy()
            out.add_rows(
                table,
                src,
                high,
                label,
                lambda i: (
                    f"значение {fmt_value(float(value.iloc[i]))} больше допустимого "
                    f"{fmt_value(col.max)}"
                ),
                kind=f"значение больше допустимого {fmt_value(col.max)}",
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
            kind=f"недопустимое значение; допустимо: {allowed}",
        )
    if col.required:
        out.add_rows(table, src, (~present).to_numpy(), label, "обязательное поле не заполнено")
    return value


def _guess(table: Table, header: str) -> str:
    """« (возможно, «Средний балл»)» for a header close to one of the table's, else ""."""
    labels = {c.label.lower(): c.label for c in table.columns}
    labels.update({c.name.lower(): c.label for c in table.columns})
    close = difflib.get_close_matches(str(header).strip().lower(), list(labels), n=1, cutoff=0.7)
    return f"; возможно, это «{labels[close[0]]}»" if close else ""


INTERNAL = "__"  # frame columns the readers add for themselves (the file's row numbers)


def coerce_table(table: Table, frame: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """Bring a frame to the table's columns and types, collecting every problem found.

    The typed frame's attrs["carried"] names the table's columns the file has: an update
    writes those and leaves every other column as stored.
    """
    src = source_of(frame, table)
    frame = frame.reset_index(drop=True)
    carried = tuple(c.name for c in table.columns if c.name in frame.columns)
    for header in frame.columns:
        if header not in table.names and not str(header).startswith(INTERNAL):
            out.add(
                table,
                src,
                str(header),
                "столбец не распознан и не будет загружен" + _guess(table, header),
                "предупреждение",
            )
    for col in table.columns:
        if col.required and col.name not in frame.columns:
            out.add(table, src, col.label, "в файле нет обязательного столбца")
    if len(table.names) > len(table.key) and all(c in table.key for c in carried):
        keys = ", ".join(f"«{table.column(k).label}»" for k in table.key)
        out.add(
            table,
            src,
            "",
            f"в файле распознаны только ключевые столбцы ({keys}), значений нет: проверьте "
            "заголовки",
        )
    units = share_units(frame, table)
    percent = "percent" in units.values()
    if percent and "fraction" in units.values():
        fractions = [table.column(c).label for c, u in units.items() if u == "fraction"]
        percents = [table.column(c).label for c, u in units.items() if u == "percent"]
        out.add(
            table,
            src,
            ", ".join(fractions),
            "доли записаны в разных единицах: здесь от 0 до 1, а в столбцах "
            + ", ".join(f"«{c}»" for c in percents)
            + " — в процентах (0–100); запишите все доли одинаково или проценты со знаком «%»",
        )
    elif percent:
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
    typed.attrs["carried"] = carried
    return typed


def _drop_repeats(table: Table, df: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """Rows that repeat an earlier row exactly say nothing new: dropped, with a warning."""
    src = df.attrs["source"]
    carried = df.attrs.get("carried", tuple(table.names))
    # A row that repeats another repeats its key: where no key repeats (a file as it should
    # be), no row does, and the rows' every column need not be compared.
    if set(table.key) <= set(carried) and not _duplicated(df, table.key).any():
        return df
    repeat = df.duplicated(list(carried), keep="first").to_numpy()
    if not repeat.any():
        return df
    out.add_rows(
        table,
        src,
        repeat,
        "",
        "строка в точности повторяет одну из строк выше и пропущена",
        "предупреждение",
    )
    kept = np.flatnonzero(~repeat)
    rows = tuple(src.row(int(i)) for i in kept)
    attrs = dict(df.attrs)
    df = df.iloc[kept].reset_index(drop=True)
    df.attrs.update(attrs)
    df.attrs["source"] = dataclasses.replace(src, rows=rows)
    return df


def _duplicated(df: pd.DataFrame, columns) -> np.ndarray:
    """df.duplicated(columns, keep="first"), by integer codes of the columns' values (in
    their order: rows sorted by the columns, as files and the demo usually are, have rising
    codes and no repeat to look for)."""
    key = grouping.combined(df, list(columns), sort=True)
    if key is None:  # a missing value: pandas' own comparison
        return df.duplicated(list(columns), keep="first").to_numpy(copy=True)
    if len(key) < 2 or bool((key[1:] > key[:-1]).all()):
        return np.zeros(len(key), dtype=bool)
    return pd.Series(key).duplicated(keep="first").to_numpy(copy=True)


def _complete(df: pd.DataFrame, columns) -> np.ndarray:
    """Whether each row has a value in every one of `columns`."""
    return df[list(columns)].notna().all(axis=1).to_numpy()


def _check_keys(table: Table, df: pd.DataFrame, out: _Collector) -> None:
    src = df.attrs["source"]
    key = list(table.key)
    dup = _duplicated(df, key)
    if dup.any():
        dup &= _complete(df, key)
    labels = ", ".join(table.column(k).label for k in key)
    out.add_rows(
        table,
        src,
        dup,
        labels,
        lambda i: (
            "повтор строки с тем же ключом ("
            + ", ".join(fmt_value(df[k].iloc[i]) for k in key)
            + ") и другими значениями"
        ),
        kind="повтор строки с тем же ключом и другими значениями",
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
            kind="процедура не проводится в этом классе",
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
            kind="доли отметок «2»–«5» в сумме не дают 1 (100 %)",
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
    elif table.name == "mark_boundaries":
        cols = ["min_3", "min_4", "min_5", "max_score"]
        values = df[cols]
        ordered = (values["min_3"] < values["min_4"]) & (values["min_4"] < values["min_5"])
        ordered &= values["min_5"] <= values["max_score"]
        bad = (values.notna().all(axis=1) & ~ordered.fillna(False)).to_numpy()
        out.add_rows(
            table,
            src,
            bad,
            "Балл на «3» от",
            lambda i: (
                "границы отметок должны расти и не превышать максимальный балл: «3» от "
                f"{fmt_value(values['min_3'].iloc[i])}, «4» от "
                f"{fmt_value(values['min_4'].iloc[i])}, "
                f"«5» от {fmt_value(values['min_5'].iloc[i])}, максимум "
                f"{fmt_value(values['max_score'].iloc[i])}"
            ),
            kind="границы отметок не растут или превышают максимальный балл",
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
        # Each filled row's key among the parent's, by integer codes (no merge of text).
        rows = np.flatnonzero(filled.to_numpy())
        found = np.zeros(len(local), dtype=bool)
        found[rows] = grouping.rows_in(local.iloc[rows].reset_index(drop=True), keys)
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
            kind=f"нет в таблице «{parent_label}»",
        )


def validate(
    frames: dict[str, pd.DataFrame], con: duckdb.DuckDBPyConnection | None = None
) -> tuple[dict[str, pd.DataFrame], Problems]:
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
            typed[name] = _drop_repeats(table, coerce_table(table, frames[name], out), out)
            _check_keys(table, typed[name], out)
            _check_rules(table, typed[name], out, hide_below)
    for name, df in typed.items():
        _check_references(TABLES[name], df, typed, con, out)
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

    Neither the frames nor their typed rows are kept once written: a caller that hands over
    its only reference to `frames` (a generated region of 40 000 schools is gigabytes) has
    them freed before `after_load` runs.
    """
    step = progress or (lambda _m, _f: None)
    step("Проверка данных", 0.0)
    typed, problems = validate(frames)
    del frames
    if any(p.severity == "ошибка" for p in problems):
        raise ValidationError(problems)
    user = user or getpass.getuser()
    history = [_loaded(name, frame, user) for name, frame in typed.items()]
    handed = [typed]
    del typed  # write_tables holds the only reference and lets it go before after_load
    write_tables(
        handed.pop(),
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


def problem_groups_frame(problems: Problems) -> pd.DataFrame:
    """Problems counted once per file, sheet, column and kind, with the first rows that have
    them: what the page shows and the report's summary sheet."""
    rows = [
        {
            "Важность": g.severity,
            "Файл": g.file,
            "Лист": g.sheet,
            "Столбец": g.column,
            "Проблема": g.kind,
            "Строк": g.count,
            "Первые строки": ", ".join(str(r) for r in g.rows)
            + (" …" if g.count > len(g.rows) and g.rows else ""),
            "Пример": g.example if g.example != g.kind else "",
        }
        for g in problems.groups
    ]
    columns = [
        "Важность",
        "Файл",
        "Лист",
        "Столбец",
        "Проблема",
        "Строк",
        "Первые строки",
        "Пример",
    ]
    return pd.DataFrame(rows, columns=columns)


def problems_summary(problems: Problems) -> str:
    """«Найдено ошибок: 6 512 (3 вида), предупреждений: 2 (2 вида).» — the same on the page
    and in the CLI."""
    parts = []
    for severity, word in (("ошибка", "ошибок"), ("предупреждение", "предупреждений")):
        kinds = sum(1 for g in problems.groups if g.severity == severity)
        count = problems.count(severity)
        parts.append(f"{word}: {fmt.integer(count)}" + (f" (видов: {kinds})" if count else ""))
    return "Найдено " + ", ".join(parts) + "."
