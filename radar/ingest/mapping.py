"""Files in another layout: a saved mapping turns them into the tables the loader checks.

A mapping (JSON, kept in data/mappings/ or saved by the user) is data, in the way a data
pipeline keeps its spreadsheet column maps. It names:
- the source files, with their header row, other names of their headers (`aliases`: a format
  that covers several years whose headers differ) and which rows to keep (`keep`: column →
  allowed values, e.g. «Category» = «All Students»);
- per table: its source, sources joined to it, rows required to be filled, whether repeated
  rows collapse into one (`distinct`: true, or the columns whose values make a row: the
  municipalities made from a column of the schools file),
  and for each column a rule: a source column, a constant (`const`), a percentage (`percent`:
  «62.2%» or 62.2 → 0.622), a sum of percentages (`percent_sum`), a sum of numbers (`sum`), or a
  count divided by another (`ratio`: [count, total] → share).
Values marked as missing (NA, SUPP …) become empty. The result goes through the same checks as any
region's files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from radar.ingest.files import FileProblem, check_workbook, decode, detect_separator
from radar.ingest.loader import Source
from radar.ingest.templates import INSTRUCTIONS, REGION_TABLES
from radar.store.spec import LOAD_ORDER, TABLES

MAPPINGS = Path(__file__).resolve().parents[2] / "data" / "mappings"
ROW = "__file_row__"

# Common header variants for the columns a region's file must have (lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "school_id": (
        "urn",
        "код оо",
        "код",
        "код организации",
        "код образовательной организации",
        "id школы",
        "огрн",
        "логин",
        "логин оо",
        "инн",
    ),
    "name": ("schname", "наименование", "название", "наименование оо", "school name"),
    "municipality_id": ("lea", "la", "код муниципалитета", "мо", "код мо", "октмо"),
    "year": ("год", "учебный год", "year"),
    "participants": (
        "tpup",
        "участников",
        "количество участников",
        "число участников",
        "кол во участников",
        "количество сдававших",
        "сдававших",
    ),
    "mean_score": ("att8scr", "средний балл", "ср. балл", "средний первичный балл"),
    "pupil_sd": ("стандартное отклонение", "ско", "станд. отклонение"),
    "pupils": ("nor", "численность", "количество обучающихся", "контингент"),
    "share_low_income": ("pnumfsmever", "малоимущие", "доля малоимущих", "малоимущих"),
    "share_non_native": ("pnumeal", "неродной русский", "русский не родной", "неродной"),
    "share_disabled": ("овз", "доля овз", "с овз"),
    "share_2": ("доля 2", "доля двоек", "двойки", "2"),
    "share_3": ("доля 3", "тройки", "3"),
    "share_4": ("доля 4", "четверки", "4"),
    "share_5": ("доля 5", "пятерки", "5"),
    "exam": ("процедура", "вид оценочной процедуры", "оценочная процедура"),
    "subject": ("предмет", "учебный предмет"),
    "grade": ("класс", "параллель"),
}


@dataclass(frozen=True)
class Mapping:
    name: str
    spec: dict

    @classmethod
    def load(cls, path: Path | str) -> Mapping:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data.get("name", Path(path).stem), data)

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.spec, ensure_ascii=False, indent=2), encoding="utf-8")


def _plain(text: str) -> str:
    """A header reduced for comparison: lower case, ё as е, no punctuation or per cent sign.

    >>> _plain("Доля малоимущих семей, %")
    'доля малоимущих семей'
    """
    kept = "".join(" " if ch in "%(),.:;«»\"'№*-–/" else ch for ch in text.lower())
    return " ".join(kept.replace("ё", "е").split())


def looks_like_row_numbers(values: pd.Series) -> bool:
    """Whether a column's first values count rows (1, 2, 3 … or 0, 1, 2 …): an open-data row
    number is never a school's code.

    >>> looks_like_row_numbers(pd.Series(["1", "2", "3", "4"]))
    True
    >>> looks_like_row_numbers(pd.Series(["1001", "1007", "1010"]))
    False
    """
    numbers = pd.to_numeric(values.astype("string").str.strip(), errors="coerce").dropna()
    if len(numbers) < 3 or len(numbers) < 0.8 * len(values):
        return False
    steps = numbers.diff().dropna()
    return bool((steps == 1).all() and numbers.iloc[0] in (0, 1))


KEYS = ("school_id", "municipality_id", "curator_id", "event_id")


def propose(table: str, headers: list[str], sample: pd.DataFrame | None = None) -> dict[str, str]:
    """For each column of `table`, the header that most likely holds it: the code, the Russian
    name or a common variant, any case and punctuation; failing that, the one header that
    contains such a name as words (e.g. «Доля малоимущих семей, %»). Columns without a likely
    header are left out, and so is, for a code, a header whose values in `sample` (the first
    rows) count rows."""
    if sample is not None:
        counting = {h for h in headers if h in sample.columns and looks_like_row_numbers(sample[h])}
    else:
        counting = set()
    plain = {h: _plain(h) for h in headers}
    found: dict[str, str] = {}
    candidates = {
        c.name: [_plain(x) for x in (c.name, c.label, *SYNONYMS.get(c.name, ()))]
        for c in TABLES[table].columns
    }
    for column, names in candidates.items():
        for header, text in plain.items():
            if column in KEYS and header in counting:
                continue
            if text in names and header not in found.values():
                found[column] = header
                break
    for column, names in candidates.items():
        if column in found:
            continue
        free = [
            h for h in headers if h not in found.values() and not (column in KEYS and h in counting)
        ]
        hits = [h for h in free if any(len(n) >= 4 and f" {n} " in f" {plain[h]} " for n in names)]
        if len(hits) == 1:
            found[column] = hits[0]
    return found


@dataclass(frozen=True)
class SourceRef:
    """One table of data in the uploads: a CSV file, or one sheet of an Excel workbook."""

    file: str
    sheet: str = ""

    @property
    def key(self) -> str:
        return slug(f"{Path(self.file).stem} {self.sheet}")

    @property
    def label(self) -> str:
        return f"{self.file}, лист «{self.sheet}»" if self.sheet else self.file


def _is_excel(name: str) -> bool:
    return Path(name).suffix.lower() in (".xlsx", ".xlsm")


def _grid(name: str, content: bytes, sheet: str = "", nrows: int | None = None) -> pd.DataFrame:
    """The cells of a CSV file or of one sheet as text (the first `nrows` rows, or all),
    without a header: index i is the file's row i + 1."""
    if not content.strip():
        raise FileProblem(f"{name}: файл пуст")
    if _is_excel(name):
        check_workbook(name, content)
        try:
            grid = pd.read_excel(
                io.BytesIO(content),
                sheet_name=sheet or 0,
                header=None,
                dtype=str,
                engine="calamine",
                nrows=nrows,
            )
        except Exception as exc:  # calamine's own words are English: the user gets Russian ones
            raise FileProblem(
                f"{name}: не удаётся прочитать лист «{sheet}»: файл повреждён"
            ) from exc
        return grid.astype(object).where(grid.notna(), "")
    if Path(name).suffix.lower() != ".csv":
        raise FileProblem(f"{name}: поддерживаются файлы .xlsx и .csv")
    text, _ = decode(name, content)
    sep = detect_separator(text)
    options = dict(
        sep=sep,
        header=None,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        nrows=nrows,
    )
    try:
        return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:
        # Title lines above the table have fewer cells than the rows below: name every column.
        width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=sep)), default=1)
        return pd.read_csv(io.StringIO(text), names=range(width), **options)


def sources_in(uploads: dict[str, bytes]) -> list[SourceRef]:
    """Every CSV file and every sheet with cells in every workbook among the uploads."""
    found = []
    for name, content in uploads.items():
        if not _is_excel(name):
            found.append(SourceRef(name))
            continue
        check_workbook(name, content)
        try:
            sheets = CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
        except Exception as exc:  # calamine's own words are English
            raise FileProblem(f"{name}: файл повреждён или это не книга Excel (.xlsx)") from exc
        for sheet in sheets:
            if sheet.strip().lower() != INSTRUCTIONS.lower():
                found.append(SourceRef(name, sheet))
    return found


def header_row(grid: pd.DataFrame) -> int:
    """The row (from 1) that most likely holds the headers: the first among the top 30 with
    the most filled cells; title lines above a table have fewer.

    >>> header_row(pd.DataFrame([["Отчёт", ""], ["", ""], ["Код", "Балл"], ["S1", "4"]]))
    3
    """
    top = grid.head(30).astype(str).apply(lambda c: c.str.strip() != "")
    if top.empty:
        return 1
    filled = top.sum(axis=1)
    return int(filled.idxmax()) + 1


def _table(grid: pd.DataFrame, row: int, missing: list[str]) -> pd.DataFrame:
    """The rows below header row `row` as a frame with the file's row numbers in ROW."""
    if row > len(grid):
        return pd.DataFrame(columns=[ROW])
    headers = [str(h).strip() for h in grid.iloc[row - 1]]
    body = grid.iloc[row:].copy()
    body.columns = headers
    body = body.loc[:, [h != "" for h in headers]]
    body = body.loc[:, ~body.columns.duplicated()]
    body = body[body.astype(str).apply(lambda c: c.str.strip() != "").any(axis=1)]
    body[ROW] = body.index + 1
    body = body.reset_index(drop=True)
    return body.replace({m: None for m in missing})


def headers_of(
    uploads: dict[str, bytes], ref: SourceRef, row: int | None = None
) -> tuple[list[str], int]:
    """The source's headers in row `row` (from 1; by default the likeliest header row), and
    that row's number."""
    headers, row, _ = preview(uploads, ref, row)
    return headers, row


def preview(
    uploads: dict[str, bytes], ref: SourceRef, row: int | None = None, rows: int = 30
) -> tuple[list[str], int, pd.DataFrame]:
    """headers_of, and the first `rows` rows below the headers (to judge what columns hold)."""
    # The header is near the top: the first rows are enough (a large sheet is read once, later).
    grid = _grid(ref.file, uploads[ref.file], ref.sheet, nrows=max(30, row or 0) + rows + 1)
    row = row or header_row(grid)
    body = _table(grid, row, [""])
    return [c for c in body.columns if c != ROW], row, body.drop(columns=ROW).head(rows)


def read_source(contents: dict[str, bytes], source: dict, missing: list[str]) -> pd.DataFrame:
    grid = _grid(source["file"], contents[source["file"]], source.get("sheet", ""))
    frame = _table(grid, int(source.get("header_row", 1)), missing)
    return frame.rename(columns=aliases(source, list(frame.columns)))


def aliases(source: dict, headers: list[str]) -> dict[str, str]:
    """Headers of this file → the names the mapping uses, from the source's `aliases`
    (name → other names it has had, compared without case and punctuation).

    >>> aliases({"aliases": {"Участников": ["Кол-во участников"]}}, ["КОЛ-ВО участников"])
    {'КОЛ-ВО участников': 'Участников'}
    """
    found = {}
    plain = {_plain(h): h for h in headers}
    for name, others in source.get("aliases", {}).items():
        if name in headers:
            continue
        for other in others:
            if _plain(other) in plain:
                found[plain[_plain(other)]] = name
                break
    return found


def _percent(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace("%", "", regex=False).str.replace(",", ".")
    return pd.to_numeric(text, errors="coerce") / 100


def _number(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace("\u00a0", "").str.replace(" ", "")
    return pd.to_numeric(text.str.replace(",", "."), errors="coerce")


def _source_column(frame: pd.DataFrame, header: str) -> pd.Series:
    if header not in frame.columns:
        raise FileProblem(f"в файле нет столбца «{header}», указанного в сопоставлении")
    return frame[header]


def _column(frame: pd.DataFrame, rule) -> pd.Series:
    if isinstance(rule, str):
        return _source_column(frame, rule)
    if "const" in rule:
        return pd.Series(str(rule["const"]), index=frame.index, dtype=object)
    if "ratio" in rule:
        count, total = (_number(_source_column(frame, h)) for h in rule["ratio"])
        # A share of nobody is no share: empty, not a division by zero.
        return (count / total.where(total > 0)).astype(object).where(total > 0, None)
    if "sum" in rule:
        parts = pd.concat([_number(_source_column(frame, h)) for h in rule["sum"]], axis=1)
        return parts.sum(axis=1, min_count=1)
    if "percent" in rule:
        return _percent(_source_column(frame, rule["percent"]))
    if "percent_sum" in rule:
        parts = [_percent(frame[c]) for c in rule["percent_sum"]]
        total = parts[0]
        for part in parts[1:]:
            total = total.add(part, fill_value=0)
        # Rounded percentages of parts can add up to a little over 100 %.
        return total.clip(upper=1.0).where(pd.concat(parts, axis=1).notna().any(axis=1))
    raise FileProblem(f"непонятное правило сопоставления: {rule}")


def melt(frame: pd.DataFrame, rule: dict) -> pd.DataFrame:
    r"""Wide → long: the headers matching `rule["headers"]` (a regular expression whose named
    groups become columns, e.g. «(?P<grade>\d+) (?P<code>РУ|МА)» for «4 РУ», or
    «(?P<score>\d+)» for primary scores «0»…«N») turn into one row each, their cell in the
    column `rule["value"]`; `rule["values"]` renames group values (РУ → Русский язык). Rows
    whose cell is empty are left out; each keeps its file row.

    >>> wide = pd.DataFrame({"Логин": ["e1"], "4 РУ": ["1"], "5 МА": ["0"], ROW: [2]})
    >>> rule = {"headers": r"(?P<grade>\d+) (?P<subject>\w+)", "value": "marker",
    ...         "values": {"subject": {"РУ": "Русский язык", "МА": "Математика"}}}
    >>> melt(wide, rule)[["Логин", "grade", "subject", "marker"]].values.tolist()
    [['e1', '4', 'Русский язык', '1'], ['e1', '5', 'Математика', '0']]
    """
    pattern = re.compile(rule["headers"])
    wide = [h for h in frame.columns if h != ROW and pattern.fullmatch(str(h).strip())]
    if not wide:
        raise FileProblem(
            f"в файле нет столбцов вида «{rule['headers']}», которые нужно развернуть в строки"
        )
    keep = [c for c in frame.columns if c not in wide]
    value = rule.get("value", "value")
    long = frame.melt(id_vars=keep, value_vars=wide, var_name="__header__", value_name=value)
    long = long[long[value].notna() & (long[value].astype(str).str.strip() != "")]
    parts = long["__header__"].astype(str).str.strip().str.extract(pattern)
    for group in parts.columns:
        names = rule.get("values", {}).get(group, {})
        long[group] = parts[group].map(lambda v, names=names: names.get(v, v))
    return long.drop(columns="__header__").sort_values([ROW], kind="stable")


def _join(base: pd.DataFrame, other: pd.DataFrame, key: str, on) -> pd.DataFrame:
    """Add the other source's columns to the rows with the same value of the join column(s);
    `on` is a header both share, a list of them, or {"left": header, "right": header}."""
    other = other.drop(columns=ROW)
    if isinstance(on, dict):
        left, right = on["left"], on["right"]
        for frame, column, where in ((base, left, "основном"), (other, right, "присоединяемом")):
            if column not in frame.columns:
                raise FileProblem(f"в {where} файле нет столбца «{column}» для связи файлов")
        other = other.rename(columns={right: left})
        on = left
    return base.merge(other, on=on, how="inner", suffixes=("", f"_{key}"))


def build(mapping: Mapping, contents: dict[str, bytes]) -> dict[str, pd.DataFrame]:
    """The tables described by `mapping`, built from the files' contents (name → bytes)."""
    spec = mapping.spec
    missing = list(spec.get("missing", [""]))
    sources = {}
    for key, source in spec["sources"].items():
        frame = read_source(contents, source, missing)
        for column, allowed in source.get("keep", {}).items():
            values = _source_column(frame, column).astype("string").str.strip()
            frame = frame[values.isin([str(a).strip() for a in allowed]).fillna(False)]
        sources[key] = frame.reset_index(drop=True)
    frames: dict[str, pd.DataFrame] = {}
    for table in LOAD_ORDER:
        rule = spec["tables"].get(table)
        if rule is None:
            continue
        base = sources[rule["from"]]
        for other, on in rule.get("join", {}).items():
            base = _join(base, sources[other], other, on)
        if rule.get("melt"):
            base = melt(base, rule["melt"])
        for column in rule.get("require", []):
            base = base[_source_column(base, column).notna()]
        base = base.reset_index(drop=True)
        out = pd.DataFrame({c: _column(base, r) for c, r in rule["columns"].items()})
        out = out.astype(object).where(out.notna(), None)
        rows = base[ROW].astype(int)
        if rule.get("distinct"):
            # One row per distinct value (of the listed columns, or of all): a column of another
            # file made into a table; the first row of each value is kept.
            by = rule["distinct"] if isinstance(rule["distinct"], list) else list(out.columns)
            first = ~out[by].astype(str).duplicated()
            out, rows = out[first.to_numpy()].reset_index(drop=True), rows[first.to_numpy()]
        source = spec["sources"][rule["from"]]
        out.attrs["source"] = Source(
            source["file"], source.get("sheet", ""), rows=tuple(int(r) for r in rows)
        )
        # The files name schools their own way: find them in the database by name too.
        out.attrs["identify"] = bool(spec.get("identify"))
        frames[table] = out
    return frames


def needed_files(mapping: Mapping) -> list[str]:
    return sorted({s["file"] for s in mapping.spec["sources"].values()})


def folder_contents(mapping: Mapping, folder: Path | str) -> dict[str, bytes]:
    """The files the mapping needs, read from `folder` (name → content)."""
    folder = Path(folder)
    contents = {}
    for name in needed_files(mapping):
        # A saved format names files of its own folder, never a path out of it.
        if not (folder / name).resolve().is_relative_to(folder.resolve()):
            raise FileProblem(f"{name}: файл сопоставления указывает на файл вне папки {folder}")
        if not (folder / name).exists():
            raise FileProblem(f"{name}: файл не найден в папке {folder}")
        contents[name] = (folder / name).read_bytes()
    return contents


def apply_mapping(mapping: Mapping, folder: Path | str) -> dict[str, pd.DataFrame]:
    """The tables described by `mapping`, built from the files in `folder`, ready for checks."""
    return build(mapping, folder_contents(mapping, folder))


def saved_mappings() -> dict[str, Path]:
    """Saved mappings (data/mappings/*.json) by their Russian name."""
    found = {}
    for path in sorted(MAPPINGS.glob("*.json")):
        try:
            found[Mapping.load(path).name] = path
        except (ValueError, OSError):
            continue
    return found


def apply_to_uploads(mapping: Mapping, uploads: dict[str, bytes]) -> dict[str, pd.DataFrame]:
    """apply_mapping on uploaded files (name → content). A file named differently from the
    mapping's (next year's file, say) is taken for it when it is the only one left over."""
    needed = needed_files(mapping)
    contents = {name: uploads[name] for name in needed if name in uploads}
    absent = [name for name in needed if name not in contents]
    spare = [name for name in uploads if name not in needed]
    if len(absent) == 1 and len(spare) == 1 and _is_excel(absent[0]) == _is_excel(spare[0]):
        contents[absent[0]] = uploads[spare[0]]
        absent = []
    if absent:
        raise FileProblem(
            "для сопоставления «" + mapping.name + "» не хватает файлов: " + ", ".join(absent)
        )
    return build(mapping, contents)


def digest(mapping: Mapping, uploads: dict[str, bytes]) -> str:
    """SHA-256 of the files and the mapping together: what the tables read through it depend on."""
    out = hashlib.sha256()
    for name in sorted(uploads):
        out.update(uploads[name])
    out.update(json.dumps(mapping.spec, sort_keys=True, ensure_ascii=False).encode())
    return out.hexdigest()


MISSING = ("", "-", "—", "нет данных", "н/д")


def compose(
    name: str,
    sources: dict[str, dict],
    tables: dict[str, dict],
    missing: tuple[str, ...] = MISSING,
    identify: bool = False,
) -> Mapping:
    """A mapping from what the user picked on the page: the sources (key → file, sheet, header
    row) and, per table, its source, an optional joined source, and a header or a constant per
    column; `identify`: the files' schools are looked up in the database by name too."""
    rules = {}
    for table, choice in tables.items():
        columns: dict[str, object] = {c: h for c, h in choice["columns"].items() if h}
        columns.update(
            {
                c: {"const": v.strip()}
                for c, v in choice.get("constants", {}).items()
                if str(v).strip() and c not in columns
            }
        )
        rule: dict[str, object] = {"from": choice["from"], "columns": columns}
        if choice.get("join"):
            rule["join"] = choice["join"]
        if choice.get("distinct"):
            rule["distinct"] = True
        rules[table] = rule
    used = {r["from"] for r in rules.values()} | {
        k for r in rules.values() for k in r.get("join", {})
    }
    spec = {
        "name": name,
        "missing": list(dict.fromkeys(["", *missing])),
        **({"identify": True} if identify else {}),
        "sources": {k: v for k, v in sources.items() if k in used},
        "tables": rules,
    }
    return Mapping(name, spec)


def constants(mapping: Mapping) -> list[tuple[str, str, str]]:
    """The mapping's one-value-for-all-rows columns (table, column, value), such as the year,
    which a saved mapping may need changed for next year's files."""
    return [
        (table, column, str(rule["const"]))
        for table, spec in mapping.spec["tables"].items()
        for column, rule in spec["columns"].items()
        if isinstance(rule, dict) and "const" in rule
    ]


def with_constants(mapping: Mapping, values: dict[tuple[str, str], str]) -> Mapping:
    """The mapping with some constants replaced."""
    spec = json.loads(json.dumps(mapping.spec))
    for (table, column), value in values.items():
        spec["tables"][table]["columns"][column] = {"const": value}
    return Mapping(mapping.name, spec)


def constant_choices(mapping: Mapping, settings: list[str]) -> dict[tuple[str, str], str]:
    """«column=value» or «table.column=value» settings → the mapping's constants to replace;
    a Russian message for one that names no constant of the mapping.

    >>> m = from_choices("x", "exam_results", "f.csv", {}, {"year": "2019"})
    >>> constant_choices(m, ["year=2020"])
    {('exam_results', 'year'): '2020'}
    """
    found = {}
    known = constants(mapping)
    for setting in settings:
        target, sep, value = setting.partition("=")
        if not sep:
            raise FileProblem(f"«{setting}»: укажите значение так: столбец=значение")
        table, _, column = target.strip().rpartition(".")
        hits = [(t, c) for t, c, _ in known if c == column and table in ("", t)]
        if not hits:
            names = ", ".join(sorted({f"{t}.{c}" for t, c, _ in known})) or "нет"
            raise FileProblem(
                f"«{setting}»: в сопоставлении нет такого значения для всех строк; есть: {names}"
            )
        found.update(dict.fromkeys(hits, value.strip()))
    return found


# Columns that name what a row is about, in many tables alike: they show which table a file
# can be, not which it is.
IDENTIFYING = frozenset(
    {"school_id", "name", "short_name", "municipality_id", "year", "fis_login", "ogrn", "inn"}
)
# Headers whose form says what the file holds: primary scores «0»…«N» as columns; ВПР markers
# per grade and subject («4 РУ», «5 МА»); words of exam results.
_SCORE_HEADER = re.compile(r"\d{1,3}")
_MARKER_HEADER = re.compile(r"\d{1,2}\s*[а-яa-z]{2,4}", re.IGNORECASE)
_EXAM_WORDS = ("егэ", "огэ", "впр", "балл", "экзамен")


def _signals(headers: list[str], explained: set[str]) -> dict[str, float]:
    """Evidence for a table from the headers' form (see _SCORE_HEADER and the others); words
    of exams count in the headers no table's column `explained`."""
    plain = [_plain(h) for h in headers]
    unexplained = [_plain(h) for h in headers if h not in explained]
    numbers = {int(h) for h in plain if _SCORE_HEADER.fullmatch(h)}
    found: dict[str, float] = {}
    if {0, 1, 2} <= numbers:
        found["score_distributions"] = float(len(numbers))
    markers = sum(1 for h in plain if _MARKER_HEADER.fullmatch(h)) + sum(
        1 for h in plain if "маркер" in h
    )
    if markers:
        found["official_objectivity_markers"] = float(markers)
    exam = sum(
        1 for h in unexplained if any(w in h.split() or h.startswith(w) for w in _EXAM_WORDS)
    )
    if exam:
        found["exam_results"] = float(exam)
    return found


def best_table(headers: list[str], sample: pd.DataFrame | None = None) -> str | None:
    """The region table the headers most likely hold, judged from the columns as a whole.

    A table is possible only when the column its rows are about (the school's or the
    municipality's code, the first of its key) is found. Each column found counts 1, shared
    with the other tables where the same header fits (a participants column fits every table
    of results); columns that only say what a row is about (code, name, year) count little;
    the headers' form adds its evidence (primary scores «0»…«N», markers «4 РУ», ЕГЭ and
    баллы). None when no table is possible.

    >>> best_table(["Код ОО", "Численность", "Малоимущие, %"])
    'social_passport'
    >>> best_table(["Логин", "Год", "Класс", "Предмет", "0", "1", "2", "3", "4", "5"])
    'score_distributions'
    """
    proposals = {name: propose(name, headers, sample) for name in REGION_TABLES}
    fits: dict[str, int] = {}
    for found in proposals.values():
        for header in set(found.values()):
            fits[header] = fits.get(header, 0) + 1
    signals = _signals(headers, set(fits))
    scores = {}
    for name, found in proposals.items():
        table = TABLES[name]
        if table.key and table.key[0] not in found:
            continue
        score = sum(
            (0.1 if column in IDENTIFYING else 1.0) / fits[header]
            for column, header in found.items()
        )
        required = [c.name for c in table.columns if c.required]
        share_required = sum(c in found for c in required) / len(required)
        scores[name] = (score + signals.get(name, 0.0), share_required)
    return max(scores, key=scores.get) if scores else None


def from_choices(
    name: str,
    table: str,
    file_name: str,
    columns: dict[str, str],
    constants: dict[str, str],
) -> Mapping:
    """A one-file mapping from what the user picked: a header per column, or a constant."""
    return compose(
        name,
        {"file": {"file": file_name}},
        {table: {"from": "file", "columns": columns, "constants": constants}},
    )


def slug(name: str) -> str:
    """A file name for a mapping's Russian name."""
    kept = "".join(ch if ch.isalnum() else "_" for ch in name.strip().lower())
    return "_".join(part for part in kept.split("_") if part) or "сопоставление"
