"""Данные: the template, a region's own files in (checked, shown, confirmed), import history."""

import pandas as pd
import streamlit as st

from analytics import fmt, labels
from radar.handouts import excel
from radar.ingest import mapping
from radar.ingest.files import FileProblem
from radar.ingest.importer import (
    apply_import,
    database_phrase,
    plan_import,
    read_file,
    record_refusal,
    refusals,
)
from radar.ingest.loader import problems_frame
from radar.ingest.templates import template_bytes
from radar.store.db import DatabaseError
from radar.ui import layout, mapping_step, reads

st.title("Данные")
st.caption(
    "Загрузка данных региона из файлов Excel (.xlsx, лист на таблицу, как в шаблоне) и CSV "
    "(файл на таблицу) или из файлов в другом формате через сопоставление столбцов. Файлы "
    "обновляют базу или заменяют её целиком. Пока в файлах есть хоть одна ошибка, база не "
    "меняется."
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
OTHER = "другой формат: сопоставить столбцы (CSV или Excel, один файл или несколько)"
file_format = st.radio(
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
# Read through the pages' cached connection, not a new one on every rerun.
held = database_phrase(reads.query("store/database_summary")) if reads.database_ready() else None
MODES = {
    "update": "обновить базу: строки с тем же ключом заменяются, остальные остаются",
    "replace": "заменить всю базу данными из файлов",
}
mode = st.radio(
    "Как загрузить",
    list(MODES),
    format_func=MODES.get,
    key="data_mode",
    help="При замене файлы проверяются сами по себе (школы, на которые ссылаются результаты, "
    "должны быть в файлах), а в базе остаются только их строки. Настройки критериев и история "
    "загрузок сохраняются.",
)
if held:
    st.caption(f"Сейчас в базе: {held}.")
demo_held = bool(held) and held.startswith("демонстрационный")


def check_and_load(uploaded) -> None:
    """Read the uploaded files in the chosen format, check them, show what would change and
    write them when the user confirms."""
    try:
        if file_format == OTHER:
            read = mapping_step.step({f.name: f.getvalue() for f in uploaded})
            if read is None:
                return
            files = [read]
        elif file_format in saved:
            uploads = {f.name: f.getvalue() for f in uploaded}
            files = [mapping_step.saved_format(mapping.Mapping.load(saved[file_format]), uploads)]
        else:
            files = [read_file(f.name, f.getvalue()) for f in uploaded]
    except FileProblem as exc:
        st.error(str(exc))
        if file_format not in saved and file_format != OTHER:
            st.info(f"Если файлы в другом формате, выберите выше «{OTHER}».")
        return
    for read in files:
        for note in read.notes:
            st.caption(note)
    # The check runs once per upload and database state, not on every rerun of the page.
    token = (tuple(read.digest for read in files), reads.data_version(), mode)
    cached = st.session_state.get("data_plan")
    if cached and cached[0] == token:
        plan = cached[1]
    else:
        with st.spinner("Проверка данных…"):
            plan = plan_import(files, replace=mode == "replace")
        st.session_state["data_plan"] = (token, plan)
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
        layout.show_table(on_screen, key="data_problems", note="полный список — в отчёте Excel")
        st.download_button(
            "Скачать отчёт об ошибках (Excel)",
            data=excel.workbook_bytes([excel.Sheet("Ошибки", report)], title="Ошибки загрузки"),
            file_name="Ошибки_загрузки.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="data_problems_report",
        )
    if not plan.errors:
        st.subheader("Что изменится")
        layout.show_table(plan.summary.drop(columns=["table"]), key="data_summary")
        if plan.replace and held:
            st.warning(
                f"Всё, что сейчас в базе ({held}), будет заменено данными из файлов. Настройки "
                "критериев и история загрузок сохранятся."
            )
        elif demo_held:
            st.warning(
                "В базе демонстрационный регион: строки из файлов добавятся к нему. Чтобы "
                f"работать только со своими данными, выберите «{MODES['replace']}»."
            )
        if st.button("Загрузить в базу", type="primary", key="data_apply"):
            bar = st.progress(0.0, text="Загрузка")
            try:
                reads.close()  # the file is about to be replaced
                apply_import(plan, progress=lambda m, f: bar.progress(min(f, 1.0), text=m))
            except DatabaseError as exc:
                st.error(str(exc))
            else:
                st.success("Данные загружены, показатели пересчитаны.")


if uploaded:
    check_and_load(uploaded)

st.subheader("История загрузок")
if reads.database_ready():
    history = pd.concat(
        [reads.query("store/import_history"), refusals()], ignore_index=True
    ).sort_values("imported_at", ascending=False)
    if history.empty:
        st.info("Загрузок в эту базу ещё не было.")
    else:
        layout.show_table(
            labels.rename(history),
            key="data_history",
        )
