"""Данные: the template, a region's own files in (checked, shown, confirmed), import history."""

import pandas as pd
import streamlit as st

from analytics import fmt, labels
from analytics.labels import EXAMS
from radar.handouts import excel
from radar.ingest import catalogue, mapping, table_edit
from radar.ingest.boundaries import removed_count, save_boundaries
from radar.ingest.files import FileProblem
from radar.ingest.importer import (
    apply_import,
    database_phrase,
    plan_import,
    read_file,
    record_refusal,
    record_unreadable,
    refusals,
    scale_notice,
)
from radar.ingest.loader import ValidationError, problem_groups_frame, problems_summary
from radar.ingest.templates import template_bytes
from radar.store import accounts, versions
from radar.store.db import DatabaseError
from radar.store.spec import TABLES
from radar.ui import auth, layout, live, mapping_step, reads

auth.require(accounts.IMPORT, "Загрузка и правка данных региона")
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
    uploads = {f.name: f.getvalue() for f in uploaded}
    try:
        if file_format == OTHER:
            read = mapping_step.step(uploads)
            if read is None:
                return
            files = [read]
        elif file_format in saved:
            files = [mapping_step.saved_format(mapping.Mapping.load(saved[file_format]), uploads)]
        else:
            files = [read_file(name, content) for name, content in uploads.items()]
    except FileProblem as exc:
        message = str(exc)
        st.error(message)
        if file_format != OTHER:
            _log_once(("read", *sorted(uploads)), lambda: record_unreadable(uploads, message))
            if file_format not in saved:
                st.info(f"Если файлы в другом формате, выберите выше «{OTHER}».")
        return
    for read in files:
        for note in read.notes:
            st.caption(note)
    # The check runs once per upload and database state, not on every rerun of the page.
    digests = tuple(read.digest for read in files)
    skip = st.session_state.get("data_skip") == digests
    token = (digests, reads.data_version(), mode, skip)
    cached = st.session_state.get("data_plan")
    if cached and cached[0] == token:
        plan = cached[1]
    else:
        with st.spinner("Проверка данных…"):
            plan = plan_import(files, replace=mode == "replace", skip_bad_rows=skip)
        st.session_state["data_plan"] = (token, plan)
    # A refused upload is logged once per session; the mapping step's checks are drafts.
    if plan.errors and file_format != OTHER:
        digests = tuple(sorted(read.digest for read in plan.files))
        _log_once(digests, lambda: record_refusal(plan))
    if plan.problems:
        show_problems(plan)
    if plan.skippable:
        st.button(
            "Загрузить без строк с ошибками",
            key="data_skip_rows",
            help="Строки с ошибками будут пропущены, а остальные проверены снова; пропущенные "
            "строки перечислены в отчёте и в истории загрузок.",
            on_click=lambda: st.session_state.update(data_skip=digests),
        )
    for line in plan.identity.lines():
        st.info(line)
    if plan.skipped:
        skipped = sum(len(rows) for rows in plan.skipped.values())
        st.warning(
            f"Строки с ошибками будут пропущены: {fmt.integer(skipped)}. Они перечислены в "
            "отчёте о проблемах и будут записаны в историю загрузок."
        )
    if not plan.errors:
        show_changes(plan)


def _log_once(token: tuple, record) -> None:
    seen = st.session_state.setdefault("data_refused", set())
    if token not in seen:
        record()
        seen.add(token)


def show_problems(plan) -> None:
    """Every problem counted once per kind, with its first rows; every row in the report."""
    problems = plan.problems
    (st.error if problems.errors else st.warning)(
        problems_summary(problems)
        + (" Исправьте файлы и загрузите их снова — база не изменилась." if problems.errors else "")
    )
    layout.show_table(
        problem_groups_frame(problems),
        key="data_problems",
        note="все строки — в отчёте Excel",
    )
    st.download_button(
        "Скачать отчёт о проблемах (Excel)",
        data=excel.problems_report(problems),
        file_name="Проблемы_загрузки.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="data_problems_report",
    )


def show_changes(plan) -> None:
    """What the import changes, per table and per column, then the confirmation."""
    st.subheader("Что изменится")
    layout.show_table(plan.summary.drop(columns=["table"]), key="data_summary")
    columns = plan.column_changes()
    if not columns.empty:
        st.caption("По столбцам (несколько примеров «было → станет» для каждого):")
        layout.show_table(columns.drop(columns=["table", "column"]), key="data_columns")
    blank = False
    if plan.blanks:
        blank = st.checkbox(
            f"Стереть заполненные значения, которые в файлах пусты ({fmt.integer(plan.blanks)})",
            key="data_blank",
            help="Без отметки пустые ячейки файла оставляют в базе прежние значения.",
        )
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
    if not plan.replace and not plan.writes_anything(blank):
        st.info(
            "Файлы не меняют ни одного значения в базе: загрузка будет только записана в историю."
        )
    if st.button("Загрузить в базу", type="primary", key="data_apply"):
        bar = st.progress(0.0, text="Загрузка")
        try:
            reads.close()  # the file is about to be replaced
            apply_import(
                plan,
                progress=lambda m, f: bar.progress(min(f, 1.0), text=m),
                user=auth.current_user().login,
                blank=blank,
            )
        except DatabaseError as exc:
            st.error(str(exc))
        else:
            files = ", ".join(read.name for read in plan.files)
            auth.record("import", f"{'замена базы' if plan.replace else 'загрузка'}: {files}")
            st.success("Данные загружены, показатели пересчитаны.")
            notice = scale_notice(plan)
            if notice:
                st.warning(notice, icon=":material/straighten:")


if uploaded:
    check_and_load(uploaded)

st.subheader("Границы отметок")
st.caption(
    "Наименьший первичный балл на «3», «4» и «5» по каждой процедуре: по ним ищется скопление "
    "баллов сразу над границами отметок. Границы года действуют и в следующие годы, пока не "
    "внесены новые. Вначале внесены те рекомендации ФИОКО по переводу баллов в отметки, "
    "которые удалось найти; добавьте строки своего года или удалите ненужные (отметьте строку "
    "слева и нажмите значок корзины над таблицей) и нажмите «Сохранить границы». Их можно "
    "загрузить и листом «Границы отметок» шаблона."
)
if reads.database_ready():
    stored = reads.query("pages/data/mark_boundaries")
    keys = ["year", "exam", "subject", "grade", "max_score", "min_3", "min_4", "min_5"]
    shown = labels.table(stored.assign(year=stored["year"].astype("Int64")), keys)
    edited = st.data_editor(
        shown,
        num_rows="dynamic",
        hide_index=True,
        key="data_boundaries_editor",
        column_config={
            labels.header("year"): st.column_config.NumberColumn(format="%d", step=1),
            labels.header("exam"): st.column_config.SelectboxColumn(options=list(EXAMS)),
        },
    )
    if st.button("Сохранить границы", key="data_boundaries_save"):
        back = edited.rename(columns={labels.header(k): k for k in keys})
        deleted = removed_count(stored, back)
        try:
            reads.close()  # the file is about to be replaced
            saved_rows = save_boundaries(back)
        except ValidationError as exc:
            st.error(
                "Границы не сохранены: исправьте ошибки.\n\n"
                + "\n\n".join(str(p) for p in exc.problems if p.severity == "ошибка")
            )
        except DatabaseError as exc:
            st.error(str(exc))
        else:
            auth.record("edit", f"границы отметок: строк {saved_rows}, удалено {deleted}")
            removed = f", удалено: {fmt.integer(deleted)}" if deleted else ""
            st.success(
                f"Границы сохранены (строк: {fmt.integer(saved_rows)}{removed}), показатели "
                "пересчитаны."
            )


def saved(save, failed: str, seen_key: str):
    """Run an editor's `save(progress)` with a progress bar: the result, or None with the
    refusal said (every error with its row and column); on success the session reads the new
    data and the editor starts again from the stored rows."""
    bar = st.progress(0.0, text="Сохранение")
    try:
        result = save(lambda m, f: bar.progress(min(f, 1.0), text=m))
    except ValidationError as exc:
        st.error(
            f"{failed}: исправьте ошибки.\n\n"
            + "\n\n".join(str(p) for p in exc.problems if p.severity == "ошибка")
        )
        return None
    except DatabaseError as exc:
        st.error(str(exc))
        return None
    finally:
        bar.empty()
    reads.close()
    st.session_state.pop(seen_key, None)
    return result


st.subheader("Списки программ: кураторы и школы-партнёры")
st.caption(
    "Кто входит в списки ШНОР, ШНСУ и «500+» выбранного года, кто куратор школы и какая школа — "
    "её партнёр. Куратор видит в панели только школы, которые ему назначены здесь (по спискам "
    "последнего года). Добавьте строку внизу таблицы или удалите ненужную и нажмите «Сохранить "
    "списки». Если таблицу тем временем изменил кто-то другой, ничего не запишется."
)
if reads.database_ready():
    have = reads.query("pages/data/programme_years")["year"].astype(int).tolist()
    choices = sorted(set(have) | ({max(have) + 1} if have else set()), reverse=True)
    if choices:
        year = st.selectbox(
            "Год списков",
            choices,
            index=choices.index(have[0]) if have else 0,
            key="data_programme_year",
        )
        seen_key = f"data_programme_seen:{year}"
        if seen_key not in st.session_state:
            st.session_state[seen_key] = reads.query("pages/data/programme_year", year=year)
        seen = st.session_state[seen_key]
        named = reads.query("pages/data/programme_names")
        schools_named = named[named["kind"] == "school"]
        school_names = dict(zip(schools_named["code"], schools_named["name"], strict=True))
        curators = named[named["kind"] == "curator"]
        curator_label = {
            c: f"{c} — {n}" for c, n in zip(curators["code"], curators["name"], strict=True)
        }
        label_curator = {v: k for k, v in curator_label.items()}
        shown = pd.DataFrame(
            {
                "Код школы": seen["school_id"],
                "Школа": seen["school_id"].map(school_names),
                "Программа": seen["programme"],
                "Куратор": seen["curator_id"].map(curator_label),
                "Код школы-партнёра": seen["partner_school_id"],
                "Школа-партнёр": seen["partner_school_id"].map(school_names),
            }
        ).fillna("")  # an empty cell, not «None»
        edited = st.data_editor(
            shown,
            num_rows="dynamic",
            hide_index=True,
            disabled=["Школа", "Школа-партнёр"],
            key=f"data_programme_editor:{year}",
            column_config={
                "Программа": st.column_config.SelectboxColumn(options=["ШНОР", "ШНСУ", "500+"]),
                "Куратор": st.column_config.SelectboxColumn(options=list(label_curator)),
            },
        )
        if st.button("Сохранить списки", key="data_programme_save"):
            back = pd.DataFrame(
                {
                    "school_id": edited["Код школы"],
                    "year": year,
                    "programme": edited["Программа"],
                    "curator_id": edited["Куратор"].map(label_curator),
                    "partner_school_id": edited["Код школы-партнёра"],
                }
            ).replace({"": None})
            done = saved(
                lambda progress: table_edit.save_slice(
                    auth.current_user(),
                    "programme_membership",
                    back,
                    seen,
                    "pages/data/programme_year",
                    {"year": year},
                    {year},
                    progress=progress,
                ),
                "Списки не сохранены",
                seen_key,
            )
            if done is not None:
                if done.changes:
                    st.success(
                        f"Списки {year} года сохранены: изменено значений — "
                        f"{fmt.integer(len(done.changes))}, удалено строк — "
                        f"{fmt.integer(done.deleted)}; показатели пересчитаны."
                    )
                else:
                    st.info("Списки не изменились.")

st.subheader("Каталог мер поддержки")
st.caption(
    "Меры, которые панель предлагает кластерам рисков: мера подходит факторам риска, в "
    "названии которых есть ключевое слово (например, «кадр» — «Высокая доля педагогов без "
    "квалификационной категории» и «Дефицит педагогических кадров»). Пока регион не правил "
    "каталог, действует каталог из поставки. После сохранения меры кластеров пересчитываются."
)
if reads.database_ready():
    if "data_catalogue_seen" not in st.session_state:
        st.session_state["data_catalogue_seen"] = live.catalogue()
    catalogue_seen = st.session_state["data_catalogue_seen"]
    catalogue_edited = st.data_editor(
        catalogue_seen.rename(columns=catalogue.HEADERS).fillna(""),
        num_rows="dynamic",
        hide_index=True,
        key="data_catalogue_editor",
        column_config={
            catalogue.HEADERS["level"]: st.column_config.SelectboxColumn(
                options=list(catalogue.LEVELS)
            ),
        },
    )
    if st.button("Сохранить каталог", key="data_catalogue_save"):
        changed = saved(
            lambda progress: catalogue.save_catalogue(
                auth.current_user(),
                catalogue_edited.rename(columns={v: k for k, v in catalogue.HEADERS.items()}),
                catalogue_seen,
                progress=progress,
            ),
            "Каталог не сохранён",
            "data_catalogue_seen",
        )
        if changed is not None:
            if changed:
                st.success(
                    f"Каталог сохранён: изменений — {fmt.integer(len(changed))}; меры "
                    "кластеров пересчитаны."
                )
            else:
                st.info("Каталог не изменился.")

st.subheader("История загрузок")
if reads.database_ready():
    history = pd.concat(
        [reads.query("store/import_history"), refusals()], ignore_index=True
    ).sort_values("imported_at", ascending=False)
    if history.empty:
        st.info("Загрузок в эту базу ещё не было.")
    else:
        names = {t.name: t.label for t in TABLES.values()}
        counts = ["rows_in_file", "added", "changed", "unchanged"]  # whole, «—» where unknown
        history[counts] = history[counts].apply(pd.to_numeric).astype("Int64")
        history = history.assign(
            imported_at=pd.to_datetime(history["imported_at"]).dt.strftime("%d.%m.%Y %H:%M:%S"),
            table_name=history["table_name"].map(
                lambda v: (
                    ", ".join(names.get(t.strip(), t.strip()) for t in str(v).split(","))
                    if isinstance(v, str) and v
                    else fmt.DASH
                )
            ),
        )
        # What happened first; the checksum, for checking a file later, last.
        order = ["imported_at", "user_name", "file_name", "table_name", "outcome"]
        order += ["rows_in_file", "added", "changed", "unchanged", "file_hash"]
        layout.show_table(labels.rename(history[order]), key="data_history")

kept = versions.versions()
if reads.database_ready() and kept:
    st.subheader("Отмена загрузки")
    megabytes = versions.disk_used() / 1024**2
    st.caption(
        f"Перед каждой загрузкой сохраняется копия базы. Сейчас сохранено состояний: "
        f"{fmt.integer(len(kept))} (хранится не больше {fmt.integer(versions.keep())}), на "
        f"диске они занимают {fmt.num(megabytes)} МБ."
    )
    choices = {
        v.name: f"до загрузки «{v.files}» {v.saved_at:%d.%m.%Y %H:%M:%S}"
        + (f" ({v.user_name})" if v.user_name else "")
        for v in kept
    }
    chosen = st.selectbox(
        "Вернуть базу к состоянию", list(choices), format_func=choices.get, key="data_undo"
    )
    agreed = st.checkbox(
        "Отменить эту загрузку и все, что были после неё (настройки и история сохранятся)",
        key="data_undo_agree",
    )
    if st.button("Вернуть базу", disabled=not agreed, key="data_undo_apply"):
        bar = st.progress(0.0, text="Восстановление")
        try:
            reads.close()  # the file is about to be replaced
            versions.restore(
                chosen,
                user=auth.current_user().login,
                progress=lambda m, f: bar.progress(min(f, 1.0), text=m),
            )
        except DatabaseError as exc:
            st.error(str(exc))
        else:
            auth.record("undo", f"база возвращена к состоянию {choices.get(chosen, chosen)}")
            st.success("База возвращена к состоянию до этой загрузки, показатели пересчитаны.")
