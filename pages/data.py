"""Данные: the template, a region's own files in (checked, shown, confirmed), import history."""

import hashlib

import pandas as pd
import streamlit as st

from radar import excel, fmt, mapping, store, ui
from radar.db import DatabaseError
from radar.files import FileProblem, detect_encoding, detect_separator
from radar.importer import (
    ReadFile,
    apply_import,
    plan_import,
    read_file,
    record_refusal,
    refusals,
)
from radar.loader import problems_frame
from radar.spec import TABLES
from radar.templates import template_bytes


def map_columns(upload) -> ReadFile:
    """The column-mapping step: propose a header for each column, let the user correct it,
    remember the mapping under a name for next time."""
    if not upload.name.lower().endswith(".csv"):
        raise FileProblem(f"{upload.name}: сопоставление столбцов пока работает для файлов CSV")
    raw = upload.getvalue()
    text = raw.decode(detect_encoding(raw))
    headers = [h.strip() for h in text.splitlines()[0].split(detect_separator(text))]
    st.markdown("**Сопоставление столбцов**")
    table = st.selectbox(
        "Какие это данные",
        list(TABLES),
        format_func=lambda t: TABLES[t].label,
        key="map_table",
    )
    proposed = mapping.propose(table, headers)
    columns, constants = {}, {}
    grid = st.columns(3)
    for i, column in enumerate(TABLES[table].columns):
        options = ["", *headers]
        default = proposed.get(column.name, "")
        cell = grid[i % 3]
        columns[column.name] = cell.selectbox(
            column.label + (" *" if column.required else ""),
            options,
            index=options.index(default) if default in options else 0,
            format_func=lambda h: h or "— нет в файле —",
            key=f"map_{table}_{column.name}",
        )
        if not columns[column.name] and column.required:
            constants[column.name] = cell.text_input(
                f"{column.label}: одно значение для всех строк",
                key=f"map_const_{table}_{column.name}",
            )
    name = st.text_input("Запомнить сопоставление под именем (необязательно)", key="map_name")
    chosen = mapping.from_choices(name or upload.name, table, upload.name, columns, constants)
    if name.strip() and st.button("Сохранить сопоставление", key="map_save"):
        chosen.save(mapping.MAPPINGS / f"{mapping.slug(name)}.json")
        st.success(f"Сопоставление «{name.strip()}» сохранено: оно появится среди форматов.")
    frames = mapping.apply_to_uploads(chosen, {upload.name: raw})
    digest = hashlib.sha256(raw).hexdigest()
    return ReadFile(
        upload.name, digest, frames, [f"{TABLES[table].label}: строк {len(frames[table])}"]
    )


st.title("Данные")
st.caption(
    "Загрузка данных региона из файлов Excel (.xlsx, лист на таблицу, как в шаблоне) и CSV "
    "(файл на таблицу). Строки с тем же ключом заменяют строки в базе, остальное сохраняется. "
    "Пока в файлах есть хоть одна ошибка, база не меняется."
)
st.download_button(
    "Скачать шаблон Excel",
    data=template_bytes,
    file_name="Шаблон_Школьный_радар.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="data_template",
)

saved = mapping.saved_mappings()
OTHER = "другой формат: сопоставить столбцы файла CSV"
layout = st.radio(
    "Формат файлов",
    ["как в шаблоне «Школьного радара»", *saved, OTHER],
    key="data_layout",
    help="Файлы в другом формате загружаются по сохранённому сопоставлению столбцов.",
)
uploaded = st.file_uploader(
    "Файлы данных",
    type=["xlsx", "csv"],
    accept_multiple_files=True,
    key="data_files",
    help="Можно выбрать несколько файлов сразу.",
)
if uploaded:
    try:
        if layout == OTHER:
            files = [map_columns(uploaded[0])]
        elif layout in saved:
            chosen = mapping.Mapping.load(saved[layout])
            frames = mapping.apply_to_uploads(chosen, {f.name: f.getvalue() for f in uploaded})
            digest = hashlib.sha256(saved[layout].read_bytes()).hexdigest()
            files = [
                ReadFile(
                    f"{', '.join(f.name for f in uploaded)} ({chosen.name})",
                    digest,
                    frames,
                    [f"{TABLES[t].label}: строк {len(v)}" for t, v in frames.items()],
                )
            ]
        else:
            files = [read_file(f.name, f.getvalue()) for f in uploaded]
    except FileProblem as exc:
        st.error(str(exc))
        st.stop()
    for read in files:
        for note in read.notes:
            st.caption(note)
    with st.spinner("Проверка данных…"):
        plan = plan_import(files)
    if plan.errors:
        # Each refused upload once per session, not on every rerun of the page.
        seen = st.session_state.setdefault("data_refused", set())
        token = tuple(sorted(read.digest for read in plan.files))
        if token not in seen:
            record_refusal(plan)
            seen.add(token)
    if plan.problems:
        report = problems_frame(plan.problems)
        errors = len(plan.errors)
        (st.error if errors else st.warning)(
            f"Найдено ошибок: {fmt.integer(errors)}, предупреждений: "
            f"{fmt.integer(len(plan.problems) - errors)}."
            + (" Исправьте файлы и загрузите их снова — база не изменилась." if errors else "")
        )
        on_screen = report.assign(
            Строка=report["Строка"].astype(object).where(report["Строка"].notna(), fmt.DASH)
        )
        ui.show_table(on_screen, key="data_problems", note="полный список — в отчёте Excel")
        st.download_button(
            "Скачать отчёт об ошибках (Excel)",
            data=excel.workbook_bytes([excel.Sheet("Ошибки", report)], title="Ошибки загрузки"),
            file_name="Ошибки_загрузки.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="data_problems_report",
        )
    if not plan.errors:
        st.subheader("Что изменится")
        ui.show_table(plan.summary.drop(columns=["table"]), key="data_summary")
        if st.button("Загрузить в базу", type="primary", key="data_apply"):
            bar = st.progress(0.0, text="Загрузка")
            try:
                store.close()  # the file is about to be replaced
                apply_import(plan, progress=lambda m, f: bar.progress(min(f, 1.0), text=m))
            except DatabaseError as exc:
                st.error(str(exc))
            else:
                st.success("Данные загружены, показатели пересчитаны.")

st.subheader("История загрузок")
if store.database_ready():
    history = pd.concat([store.query("import_history"), refusals()], ignore_index=True).sort_values(
        "imported_at", ascending=False
    )
    if history.empty:
        st.info("Загрузок через эту страницу или команду «radar import» ещё не было.")
    else:
        ui.show_table(
            history.rename(
                columns={
                    "imported_at": "Когда",
                    "user_name": "Кто",
                    "file_name": "Файл",
                    "file_hash": "Контрольная сумма (SHA-256)",
                    "table_name": "Таблица",
                    "rows_in_file": "Строк",
                    "added": "Новых",
                    "changed": "Изменённых",
                    "unchanged": "Без изменений",
                    "outcome": "Итог",
                }
            ),
            key="data_history",
        )
