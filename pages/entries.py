"""Записи куратора: a curator records, for her schools, the monitoring stage values and the
roadmap events' statuses with their evidence, as she collects them on visits."""

from datetime import date

import pandas as pd
import streamlit as st

from analytics import fmt
from radar.ingest import entries
from radar.ingest.loader import ValidationError
from radar.store import accounts
from radar.store.db import DatabaseError
from radar.ui import auth, layout, reads

auth.require(accounts.ENTER, "Записи по школам")
scope = layout.current_scope()
st.title("Записи куратора")
st.caption(
    "Значения этапов мониторинга и статусы мероприятий дорожной карты по вашим школам. "
    "Каждая запись проверяется так же, как загрузка файла, сохраняется целиком или не "
    "сохраняется вовсе и остаётся в истории: кто, когда, что было и что стало."
)
user = auth.current_user()

found = reads.query(
    "pages/school_profile/school_search",
    text="",
    municipality=scope.municipality_id,
    limit=2000,
)
if found.empty:
    st.info("Нет школ, по которым вы можете делать записи.")
    st.stop()
names = dict(zip(found["school_id"], found["name"] + " — " + found["municipality"], strict=True))
school = st.selectbox("Школа", list(names), format_func=names.get, key="entries_school")


def done(saved: entries.Saved, what: str) -> None:
    reads.close()  # this session reads the new data from now on
    if not saved.changes:
        st.info("Ничего не изменилось: значения те же, что в базе.")
        return
    st.success(f"{what}: изменено значений — {fmt.integer(len(saved.changes))}.")


def refused(exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        st.error(
            "Не записано: исправьте значения.\n\n"
            + "\n\n".join(f"{p.sheet}: {p.message}" for p in exc.problems if p.severity == "ошибка")
        )
    else:
        st.error(str(exc))


stages_tab, events_tab, history_tab = layout.lazy_tabs(
    ["Этапы мониторинга", "Дорожная карта", "История записей"], "entries_tab"
)

if stages_tab.open:
    with stages_tab:
        recorded = reads.query("pages/entries/stage_years")["year"].astype(int).tolist()
        years = sorted(set(recorded) | {date.today().year}, reverse=True)
        left, middle, right = st.columns([1, 2, 1])
        latest = years.index(recorded[0]) if recorded else 0  # the newest year with stages
        year = left.selectbox("Год", years, index=latest, key="entries_year")
        stage = middle.segmented_control(
            "Этап",
            ["входной", "промежуточный", "итоговый"],
            default="входной",
            key="entries_stage",
        )
        stage = stage or "входной"
        stored = reads.query(
            "pages/entries/stage_values", school_id=school, year=int(year), stage=stage
        )
        shares = stored["unit"].eq("доля")
        # What she saw when she began: kept until she saves or takes the new values.
        seen_key = f"entries_seen:{school}:{year}:{stage}"
        if seen_key not in st.session_state:
            st.session_state[seen_key] = {
                i: (None if pd.isna(v) else float(v))
                for i, v in zip(stored["indicator"], stored["value"], strict=True)
            }
        seen = st.session_state[seen_key]
        known_dates = stored["stage_date"].dropna()
        stage_date = right.date_input(
            "Дата этапа",
            value=pd.Timestamp(known_dates.iloc[0]).date() if len(known_dates) else date.today(),
            format="DD.MM.YYYY",
            key=f"entries_date:{school}:{year}:{stage}",
        )
        st.caption(
            "Доли — в процентах, дробная часть через запятую. Пустое поле удаляет значение этапа."
        )
        with st.form(f"entries_stage_form:{school}:{year}:{stage}"):
            typed = {}
            columns = st.columns(min(len(stored), 3) or 1)
            for n, (indicator, name, unit, share) in enumerate(
                zip(stored["indicator"], stored["name"], stored["unit"], shares, strict=True)
            ):
                value = seen.get(indicator)
                digits = 0 if unit == "шт." else 2  # a count is whole
                shown = "" if value is None else fmt.num(value * 100 if share else value, digits)
                typed[indicator] = columns[n % len(columns)].text_input(
                    f"{name}, {'%' if share else unit}",
                    shown,
                    key=f"entries_value:{school}:{year}:{stage}:{indicator}",
                )
            sent = st.form_submit_button("Записать значения этапа", type="primary")
        if sent:
            problems, values = [], {}
            for indicator, name, share in zip(
                stored["indicator"], stored["name"], shares, strict=True
            ):
                text = typed[indicator].strip().replace(" ", "").replace("\u202f", "")
                if not text:
                    values[indicator] = None
                    continue
                try:
                    number = float(text.replace(",", ".").replace(fmt.MINUS, "-"))
                except ValueError:
                    problems.append(f"{name}: «{typed[indicator]}» — не число")
                    continue
                values[indicator] = number / 100 if share else number
            if problems:
                st.error("Не записано: исправьте значения.\n\n" + "\n\n".join(problems))
            else:
                bar = st.progress(0.0, text="Запись")
                try:
                    saved = entries.record_stage(
                        user,
                        school,
                        int(year),
                        stage,
                        stage_date,
                        values,
                        seen,
                        names=dict(zip(stored["indicator"], stored["name"], strict=True)),
                        progress=lambda m, f: bar.progress(min(f, 1.0), text=m),
                    )
                except (ValidationError, DatabaseError) as exc:
                    bar.empty()
                    refused(exc)
                    if isinstance(exc, entries.ConflictError):
                        prefix = f"entries_value:{school}:{year}:{stage}:"

                        def take_new() -> None:
                            for key in [k for k in st.session_state if str(k).startswith(prefix)]:
                                del st.session_state[key]
                            st.session_state.pop(seen_key, None)

                        st.button(
                            "Показать новые значения", key="entries_take_new", on_click=take_new
                        )
                else:
                    bar.empty()
                    st.session_state.pop(seen_key, None)
                    done(saved, "Значения этапа записаны, показатели пересчитаны")

if events_tab.open:
    with events_tab:
        events = reads.query("pages/entries/school_events", school_id=school)
        if events.empty:
            st.info("У школы нет мероприятий дорожной карты: их загружает методист региона.")
        else:
            labels = {
                r.event_id: f"{r.year}: {r.title} ({r.status})"
                for r in events.itertuples(index=False)
            }
            event_id = st.selectbox(
                "Мероприятие", list(labels), format_func=labels.get, key="entries_event"
            )
            event = events.set_index("event_id").loc[event_id]
            st.caption(
                f"{pd.Timestamp(event['period_start']):%d.%m.%Y} — "
                f"{pd.Timestamp(event['period_end']):%d.%m.%Y}; ответственный: "
                f"{event['responsible'] or fmt.DASH}; ожидаемый результат: "
                f"{event['expected_result'] or fmt.DASH}"
            )
            evidence = None if pd.isna(event["evidence"]) else event["evidence"]
            if evidence:
                st.markdown(f"Подтверждение сейчас: {evidence}")
                if "файл: " in evidence:
                    kept = entries.evidence_folder() / evidence.split("файл: ")[1].split(";")[0]
                    if kept.exists():
                        st.download_button(
                            "Скачать файл подтверждения",
                            data=auth.traced(kept.read_bytes, kept.name),
                            file_name=kept.name,
                            key="entries_evidence_file",
                            icon=":material/attach_file:",
                        )
            seen_key = f"entries_event_seen:{event_id}"
            if seen_key not in st.session_state:
                st.session_state[seen_key] = (event["status"], evidence)
            seen_status, seen_evidence = st.session_state[seen_key]
            with st.form(f"entries_event_form:{event_id}", clear_on_submit=True):
                statuses = ["запланировано", "выполняется", "выполнено", "не выполнено"]
                status = st.selectbox(
                    "Статус", statuses, index=statuses.index(event["status"]), key="entries_status"
                )
                note = st.text_input(
                    "Что подтверждает (приказ, протокол, отчёт…)", key="entries_note"
                )
                link = st.text_input("Ссылка на документ (необязательно)", key="entries_link")
                upload = st.file_uploader(
                    "Файл подтверждения (необязательно, до 20 МБ)", key="entries_file"
                )
                sent = st.form_submit_button("Записать", type="primary")
            if sent:
                try:
                    saved = entries.record_event(
                        user,
                        event_id,
                        status,
                        note,
                        link,
                        seen_status,
                        seen_evidence,
                        file=(upload.name, upload.getvalue()) if upload is not None else None,
                    )
                except (ValidationError, DatabaseError) as exc:
                    refused(exc)
                else:
                    st.session_state.pop(seen_key, None)
                    done(saved, "Мероприятие записано")

if history_tab.open:
    with history_tab:
        indicators = reads.query("pages/monitoring/monitoring_indicator_list")
        unit = dict(zip(indicators["indicator"], indicators["unit"], strict=True))
        field_names = {
            **dict(zip(indicators["indicator"], indicators["name"], strict=True)),
            "stage_date": "Дата этапа",
            "status": "Статус",
            "evidence": "Подтверждение",
        }
        titles = reads.query("pages/entries/school_events", school_id=school)
        titles = dict(zip(titles["event_id"], titles["title"], strict=True))
        store = accounts.Accounts()
        events_history = store.entries("roadmap_events")
        history = pd.concat(
            [
                store.entries("monitoring_stages", f"{school}/"),
                events_history[events_history["record"].isin(titles)],
            ],
            ignore_index=True,
        ).sort_values("at", ascending=False)

        def value_text(field: str, text: object) -> str:
            """A stored value as people read it: per cent for shares, a decimal comma, a date."""
            if text is None or pd.isna(text):
                return fmt.DASH
            if field in unit:
                number = float(text)
                if unit[field] == "доля":
                    return fmt.pct(number, 1)
                return fmt.num(number, 0 if unit[field] == "шт." else 2)
            if field == "stage_date":
                return f"{pd.Timestamp(text):%d.%m.%Y}"
            return str(text)

        if history.empty:
            st.info("По этой школе в панели ещё ничего не записывали.")
        else:

            def record_text(table: str, record: str) -> str:
                if table == "roadmap_events":
                    return titles.get(record, record)
                _school, year, stage = record.split("/")
                return f"этап «{stage}» {year} года"

            fields = history["field"].tolist()
            table = pd.DataFrame(
                {
                    "Когда": history["at"].str.slice(0, 16),
                    "Кто": history["login"],
                    "Запись": [
                        record_text(t, r)
                        for t, r in zip(history["table_name"], history["record"], strict=True)
                    ],
                    "Поле": [field_names.get(f, f) for f in fields],
                    "Было": [
                        value_text(f, v) for f, v in zip(fields, history["old_value"], strict=True)
                    ],
                    "Стало": [
                        value_text(f, v) for f, v in zip(fields, history["new_value"], strict=True)
                    ],
                }
            )
            layout.show_table(table, key="entries_history")
