"""The column-mapping step of «Данные»: files in another layout (CSV files, sheets of Excel
workbooks, several joined on a common column) turned into the region's tables.

The page proposes, for every source, the header row and the table it most likely holds, and for
every column of a table the header that most likely holds it; the user corrects any of it, gives
one value for all rows where the files have none (the year, say) and may save the result as a
named format for next time.
"""

from __future__ import annotations

import json

import streamlit as st

from radar.ingest import mapping
from radar.ingest.files import FileProblem
from radar.ingest.importer import ReadFile
from radar.ingest.templates import REGION_TABLES
from radar.store.spec import TABLES

NONE = ""


@st.cache_data(max_entries=64, show_spinner=False)
def _headers(name: str, content: bytes, sheet: str, row: int | None) -> tuple[list[str], int]:
    """The source's headers in row `row` (or the likeliest one) and that row's number."""
    return mapping.headers_of({name: content}, mapping.SourceRef(name, sheet), row)


@st.cache_data(max_entries=64, show_spinner=False)
def _sample(name: str, content: bytes, sheet: str, row: int):
    """The first rows below the headers: what the columns hold."""
    return mapping.preview({name: content}, mapping.SourceRef(name, sheet), row)[2]


@st.cache_data(max_entries=16, show_spinner="Чтение значений столбца…")
def _distinct(name: str, content: bytes, sheet: str, row: int, column: str) -> list[str]:
    """The values of one column of the whole source (up to 500), most frequent first."""
    source = {"file": name, "header_row": row, **({"sheet": sheet} if sheet else {})}
    frame = mapping.read_source({name: content}, source, [""])
    if column not in frame.columns:
        return []
    values = frame[column].dropna().astype(str).str.strip()
    return list(values[values != ""].value_counts().index[:500])


@st.cache_data(max_entries=4, show_spinner="Чтение файлов…")
def _frames(spec_json: str, uploads: dict[str, bytes]) -> dict:
    """The tables read through a mapping, kept while the user looks at the result: a large
    workbook is read once, not on every change of the page."""
    spec = json.loads(spec_json)
    return mapping.apply_to_uploads(mapping.Mapping(spec["name"], spec), uploads)


def _joined_headers(base: list[str], other: list[str], other_key: str, right: str) -> list[str]:
    """The headers after joining: the other source's, bar its join column, get a suffix where
    they repeat a base header (as the join does)."""
    return base + [h if h not in base else f"{h}_{other_key}" for h in other if h != right]


def _index(options: list[str], value: str | None) -> int:
    return options.index(value) if value in options else 0


def step(uploads: dict[str, bytes]) -> ReadFile | None:
    """Draw the step for the uploaded files (name → content); the tables read through it, or
    None while a required column has neither a header nor a value (nothing is checked yet)."""
    st.markdown("**Сопоставление столбцов**")
    refs = {ref.key: ref for ref in mapping.sources_in(uploads)}
    if not refs:
        raise FileProblem("в загруженных файлах нет ни одной таблицы")
    headers: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    with st.expander("Строка заголовков в файлах", expanded=False):
        st.caption("Найдена сама: первая строка, где заполнено больше всего ячеек.")
        for key, ref in refs.items():
            _, detected = _headers(ref.file, uploads[ref.file], ref.sheet, None)
            rows[key] = int(
                st.number_input(
                    ref.label, min_value=1, value=detected, step=1, key=f"map_row_{key}"
                )
            )
            headers[key], _ = _headers(ref.file, uploads[ref.file], ref.sheet, rows[key])
    samples = {
        key: _sample(ref.file, uploads[ref.file], ref.sheet, rows[key]) for key, ref in refs.items()
    }
    keep = _row_filters(refs, uploads, headers, rows)
    labels = {key: ref.label for key, ref in refs.items()}
    best = {key: mapping.best_table(h, samples[key]) for key, h in headers.items()}
    proposed_tables = [t for t in REGION_TABLES if t in best.values()]
    tables = st.multiselect(
        "Какие данные в файлах",
        list(REGION_TABLES),
        default=proposed_tables[:1] if len(refs) == 1 else proposed_tables,
        format_func=lambda t: TABLES[t].label,
        key="map_tables",
        help="Предложено по заголовкам столбцов; исправьте, если нужно.",
    )
    choices: dict[str, dict] = {}
    for table in tables:
        with st.container(border=True):
            choices[table] = _table_block(table, refs, headers, best, labels, samples)
    marks = st.text_input(
        "Пометки пропуска в файлах (через запятую)",
        value=", ".join(m for m in mapping.MISSING if m),
        key="map_missing",
        help="Ячейки с такими пометками считаются пустыми, например «нет данных» или «SUPP».",
    )
    identify = st.checkbox(
        "Искать школы файлов в базе по названию и муниципалитету, если их кода в базе нет",
        value=True,
        key="map_identify",
        help="Логин ФИС ОКО, ОГРН и ИНН сверяются всегда. По названию сравниваются без учёта "
        "регистра, кавычек и формы учреждения (МБОУ, «средняя общеобразовательная школа» — "
        "СОШ); неоднозначные школы будут названы.",
    )
    name = st.text_input("Запомнить сопоставление под именем (необязательно)", key="map_name")
    sources = {
        key: {
            "file": ref.file,
            **({"sheet": ref.sheet} if ref.sheet else {}),
            "header_row": rows[key],
            **({"keep": keep[key]} if key in keep else {}),
        }
        for key, ref in refs.items()
    }
    missing = tuple(m.strip() for m in marks.split(",") if m.strip())
    chosen = mapping.compose(
        name.strip() or ", ".join(uploads), sources, choices, missing, identify
    )
    if name.strip() and st.button("Сохранить сопоставление", key="map_save"):
        chosen.save(mapping.MAPPINGS / f"{mapping.slug(name)}.json")
        st.success(f"Сопоставление «{name.strip()}» сохранено: оно появится среди форматов.")
    if not choices:
        st.info("Выберите, какие данные в файлах.")
        return None
    unresolved = [
        f"{TABLES[t].label} — {TABLES[t].column(c).label}"
        for t, choice in choices.items()
        for c in TABLES[t].names
        if TABLES[t].column(c).required
        and not choice["columns"].get(c)
        and not str(choice["constants"].get(c, "")).strip()
    ]
    if unresolved:
        st.info(
            "Чтобы проверить файлы, укажите столбец или одно значение для всех строк: "
            + "; ".join(unresolved)
            + "."
        )
        return None
    frames = _frames(json.dumps(chosen.spec, ensure_ascii=False, sort_keys=True), uploads)
    return ReadFile(
        ", ".join(uploads),
        mapping.digest(chosen, uploads),
        frames,
        [f"{TABLES[t].label}: строк {len(frames[t])}" for t in frames],
    )


def _row_filters(refs: dict, uploads: dict[str, bytes], headers: dict, rows: dict) -> dict:
    """Per source, the rows to keep: a column and its allowed values (e.g. «Category» =
    «All Students»); sources without a filter are left out."""
    keep = {}
    with st.expander("Отбор строк", expanded=False):
        st.caption(
            "Если в файле строки для разных групп (все обучающиеся, мальчики, девочки…), "
            "оставьте только нужные."
        )
        for key, ref in refs.items():
            left, right = st.columns([1, 2])
            column = left.selectbox(
                f"{ref.label}: столбец",
                [NONE, *headers[key]],
                format_func=lambda h: h or "— все строки —",
                key=f"map_keep_column_{key}",
            )
            if not column:
                continue
            values = _distinct(ref.file, uploads[ref.file], ref.sheet, rows[key], column)
            allowed = right.multiselect(
                f"Оставить строки, где «{column}» равно", values, key=f"map_keep_{key}_{column}"
            )
            if allowed:
                keep[key] = {column: allowed}
    return keep


SHARE_AS = {
    "share": "доля или процент",
    "ratio": "число: разделить на столбец…",
}


def _column_rule(cell, table: str, base: str, column, header: str, options: list[str]):
    """The rule for one column: its header as it is or, for a share, a count divided by
    another column (counts → shares)."""
    if column.kind != "share" or not header:
        return header
    how = cell.selectbox(
        f"{column.label}: как читать",
        list(SHARE_AS),
        format_func=SHARE_AS.get,
        key=f"map_how_{table}_{base}_{column.name}",
    )
    if how != "ratio":
        return header
    total = cell.selectbox(
        f"{column.label}: разделить на",
        options,
        index=_index(options, next((h for h in options if "участ" in h.lower()), None)),
        key=f"map_total_{table}_{base}_{column.name}",
    )
    return {"ratio": [header, total]}


def _table_block(
    table: str,
    refs: dict,
    headers: dict[str, list[str]],
    best: dict[str, str | None],
    labels: dict[str, str],
    samples: dict | None = None,
) -> dict:
    """One table's choices: its source, an optional joined source, a header or a constant per
    column."""
    spec = TABLES[table]
    st.markdown(f"**{spec.label}**")
    keys = list(refs)
    samples = samples or {}
    found = {k: mapping.propose(table, headers[k], samples.get(k)) for k in keys}
    default_base = next(
        (k for k in keys if best[k] == table), max(keys, key=lambda k: len(found[k]))
    )
    left, middle, right = st.columns(3)
    base = left.selectbox(
        "Из файла",
        keys,
        index=keys.index(default_base),
        format_func=labels.get,
        key=f"map_from_{table}",
    )
    options = list(headers[base])
    required = [c.name for c in spec.columns if c.required]
    lacking = [c for c in required if c not in found[base]]
    others = [k for k in keys if k != base]
    # Propose joining the source that brings most of what the base lacks, if any does.
    gain = {k: sum(c in found[k] for c in lacking) for k in others if "school_id" in found[k]}
    default_other = max(gain, key=gain.get) if gain and max(gain.values()) > 0 else NONE
    join: dict[str, dict] = {}
    if others:
        other = middle.selectbox(
            "Добавить столбцы из",
            [NONE, *others],
            index=_index([NONE, *others], default_other),
            format_func=lambda k: labels.get(k, "— не добавлять —"),
            key=f"map_join_{table}_{base}",
        )
        if other:
            left_key = right.selectbox(
                "Связать по столбцу",
                headers[base],
                index=_index(headers[base], found[base].get("school_id")),
                key=f"map_left_{table}_{base}_{other}",
            )
            right_key = right.selectbox(
                f"…и столбцу файла {labels[other]}",
                headers[other],
                index=_index(headers[other], found[other].get("school_id")),
                key=f"map_right_{table}_{base}_{other}",
            )
            join[other] = {"left": left_key, "right": right_key}
            options = _joined_headers(options, headers[other], other, right_key)
    proposed = mapping.propose(table, options, samples.get(base))
    # A table made from a column of a file that holds other things (municipalities from the
    # schools file's district column): one row per distinct value, a repeat is no error.
    distinct = st.checkbox(
        "Одна строка на каждое значение (таблица из столбца другого файла)",
        value=best.get(base) not in (table, None) and table == "municipalities",
        key=f"map_distinct_{table}_{base}",
        help="Например, муниципалитеты из столбца «Район» файла школ: повторы не ошибка.",
    )
    columns, constants = {}, {}
    grid = st.columns(3)
    for i, column in enumerate(spec.columns):
        cell = grid[i % 3]
        choices = [NONE, *options]
        header = cell.selectbox(
            column.label + (" *" if column.required else ""),
            choices,
            index=_index(choices, proposed.get(column.name)),
            format_func=lambda h: h or "— нет в файле —",
            key=f"map_{table}_{base}_{column.name}",
        )
        columns[column.name] = _column_rule(cell, table, base, column, header, options)
        if not columns[column.name] and column.required:
            constants[column.name] = cell.text_input(
                f"{column.label}: одно значение для всех строк",
                key=f"map_const_{table}_{column.name}",
            )
    return {
        "from": base,
        "join": join,
        "columns": columns,
        "constants": constants,
        "distinct": distinct,
    }


def saved_format(chosen: mapping.Mapping, uploads: dict[str, bytes]) -> ReadFile:
    """The uploads read through a saved format; its one-value-for-all-rows columns (the year,
    say) are shown for the user to change for this upload."""
    found = mapping.constants(chosen)
    values = {}
    if found:
        with st.expander("Одно значение для всех строк (проверьте год)", expanded=True):
            grid = st.columns(3)
            for i, (table, column, value) in enumerate(found):
                label = TABLES[table].label + ": " + TABLES[table].column(column).label
                values[(table, column)] = grid[i % 3].text_input(
                    label, value=value, key=f"data_const_{chosen.name}_{table}_{column}"
                )
    chosen = mapping.with_constants(chosen, values)
    frames = _frames(json.dumps(chosen.spec, ensure_ascii=False, sort_keys=True), uploads)
    return ReadFile(
        f"{', '.join(uploads)} ({chosen.name})",
        mapping.digest(chosen, uploads),
        frames,
        [f"{TABLES[t].label}: строк {len(v)}" for t, v in frames.items()],
    )
