"""Идентификация ШНОР и ШНСУ: the criteria, the lists with the rules that fired, the hand-out."""

from functools import partial

import streamlit as st

from analytics import fmt, labels
from analytics import identification as idn
from analytics.settings import RESILIENT_DEFINITIONS, RULE_NAMES
from radar.handouts import html_report, reports
from radar.store import presets
from radar.store.db import DatabaseError
from radar.ui import layout, live, notices, reads
from radar.ui.settings_form import settings_form

DEFAULT_PRESET = "Действующие настройки базы"
LAST_PRESET_KEY = "identification_preset_last"

scope = layout.current_scope()
st.title("Идентификация ШНОР и ШНСУ")
st.caption(scope.label)

saved = live.presets()
choices = [DEFAULT_PRESET, *saved]
last = st.session_state.get(LAST_PRESET_KEY)
with st.expander("Критерии идентификации", expanded=False, icon=":material/tune:"):
    preset = st.selectbox(
        "Начать с набора настроек",
        choices,
        index=choices.index(last) if last in choices else 0,
        key="identification_preset",
    )
    base = live.active_settings() if preset == DEFAULT_PRESET else saved[preset]
    ege_subjects = reads.query("pages/identification/ege_subjects")["subject"].tolist()
    monitoring = reads.query("pages/monitoring/monitoring_indicator_list")
    try:
        changed = settings_form(
            base,
            f"set_{choices.index(preset)}",
            ege_subjects,
            dict(zip(monitoring["indicator"], monitoring["name"], strict=True)),
        )
    except ValueError as exc:
        st.error(str(exc))
        changed = None
    st.session_state[LAST_PRESET_KEY] = preset
    # The criteria tried here are the session's on every page until they are reset.
    if changed is not None or (last is not None and last != preset):
        tried = changed if changed is not None else base
        name = "действующие" if preset == DEFAULT_PRESET else f"«{preset}»"
        live.try_settings(tried, name + (" с изменениями" if tried != base else ""))
        st.rerun()  # the sidebar names them from the start of the run

settings = live.session_settings()
notices.scale_warning(scope.year, settings)

with st.spinner("Составление списков по выбранным критериям…"):
    ident, partners = live.identification(scope.year, settings)
    previous, _ = live.identification(scope.year - 1, settings)
names = reads.query("pages/identification/school_names")
membership = reads.query("pages/identification/analysis_membership")
if scope.municipality_id:
    mine = set(names.loc[names["municipality_id"] == scope.municipality_id, "school_id"])
    ident = ident[ident["school_id"].isin(mine)]
    previous = previous[previous["school_id"].isin(mine)]
    membership = membership[membership["school_id"].isin(mine)]


def delta(flag: str) -> int | None:
    """Change since last year as a number: Streamlit picks the arrow from its sign."""
    if previous.empty:
        return None
    return int(ident[flag].sum()) - int(previous[flag].sum())


cols = st.columns(4)
cols[0].metric("ШНОР", fmt.integer(ident["shnor"].sum()), delta("shnor"), delta_color="inverse")
cols[1].metric("ШНСУ", fmt.integer(ident["shnsu"].sum()), delta("shnsu"), delta_color="inverse")
cols[2].metric("ШНОР и ШНСУ одновременно", fmt.integer((ident["shnor"] & ident["shnsu"]).sum()))
cols[3].metric(
    "Резильентных школ",
    fmt.integer(ident["resilient"].sum()),
    help="Определение: " + RESILIENT_DEFINITIONS[settings.resilient_definition] + ".",
)
st.caption(
    "Школа попадает в ШНОР, если сработало не меньше "
    f"{settings.shnor_min_rules} из правил: "
    + ", ".join(RULE_NAMES[r] for r in settings.shnor_rules)
    + ". Изменить правила и пороги можно в блоке «Критерии идентификации» выше."
)

tabs = layout.lazy_tabs(
    ["ШНОР", "ШНСУ", "Изменения к прошлому году", "Официальные списки", "Партнёры"],
    "identification_tab",
)
for tab, flag in zip(tabs[:2], ("shnor", "shnsu"), strict=True):
    if not tab.open:
        continue
    with tab:
        table = reports.rule_table(ident, names, flag)
        if table.empty:
            st.info("По выбранным критериям в список не попала ни одна школа.")
        else:
            layout.show_table(
                table,
                key=f"identification_{flag}_table",
                percent=reports.PERCENT,
                on_select="rerun",
                selection_mode="single-row",
            )
            selected = st.session_state.get(f"identification_{flag}_table")
            rows = selected.selection.rows if selected else []
            if rows:
                layout.open_profile(table.iloc[rows[0]][labels.header("school_id")])
            st.caption("Выберите строку, чтобы открыть профиль школы.")

if tabs[2].open:
    with tabs[2]:
        for flag, title in (("shnor", "ШНОР"), ("shnsu", "ШНСУ")):
            changes = reports.changes_table(ident, previous, names, flag)
            counts = changes[labels.header("change")].value_counts()
            st.markdown(
                f"**{title}: {scope.year} против {scope.year - 1}** — "
                + ", ".join(
                    f"{status}: {fmt.integer(counts.get(status, 0))}"
                    for status in (idn.STATUS_ENTERED, idn.STATUS_STAYED, idn.STATUS_LEFT)
                )
            )
            layout.show_table(changes, key=f"identification_{flag}_changes")

if tabs[3].open:
    with tabs[3]:
        for flag, title in (("shnor", "ШНОР"), ("shnsu", "ШНСУ")):
            compared = reports.official_table(ident, membership, names, flag, scope.year)
            counts = compared[labels.header("official_status")].value_counts()
            st.markdown(
                f"**{title}** — "
                + ", ".join(
                    f"{status}: {fmt.integer(counts.get(status, 0))}"
                    for status in (
                        idn.OFFICIAL_BOTH,
                        idn.OFFICIAL_ONLY_COMPUTED,
                        idn.OFFICIAL_ONLY_LIST,
                    )
                )
            )
            layout.show_table(compared, key=f"identification_{flag}_official")

if tabs[4].open:
    with tabs[4]:
        if partners.empty:
            if not ident["shnor"].any():
                st.info("Партнёров не подбираем: в этом году нет ШНОР.")
            else:
                st.info(
                    "Партнёров нет: ни одна школа, кроме ШНОР, не показала результат с учётом "
                    "контекста выше ожидаемого (за годы и по процедурам, по которым судят о "
                    "резильентности; см. «Методику»)."
                )
        else:
            shown = partners[partners["school_id"].isin(ident["school_id"])]
            school_names = names.set_index("school_id")["name"]
            keys = ["school", "rank", "partner", "partner_adjusted", "reason"]
            headers = {
                "school": "ШНОР",
                "partner": "Предлагаемый партнёр",
                "partner_adjusted": "Результат партнёра с учётом контекста",
            }
            table = shown.assign(
                school=shown["school_id"].map(school_names),
                partner=shown["partner_id"].map(school_names),
            )
            layout.show_table(
                labels.table(table, keys, headers),
                key="identification_partners",
                **labels.formats(keys, headers),
            )
            st.caption(
                "Партнёры — школы со схожим контекстом, чьи результаты с учётом контекста "
                "выше ожидаемого: сначала из группы похожих школ, затем остальные; в каждой "
                "части — сначала из того же муниципалитета, затем из соседних."
            )

st.divider()
left, right = st.columns([1, 2])
left.download_button(
    "Скачать списки (Excel)",
    # Built only when clicked: the callable gets the frames, not the session.
    data=partial(
        reports.identification_workbook,
        ident,
        previous,
        membership,
        names,
        settings,
        scope.year,
        scope.label,
        layout.indicator_names(),
        html_report.print_setup(reads.query),
    ),
    file_name=f"ШНОР_ШНСУ_{scope.year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="identification_download",
)
with right.popover("Сохранить набор настроек", icon=":material/save:"):
    name = st.text_input("Название набора", key="preset_name")
    make_active = st.checkbox(
        "Сделать действующим: пересчитать таблицы базы по этим настройкам",
        key="preset_active",
    )
    if st.button("Сохранить", key="preset_save"):
        bar = st.progress(0.0, text="Сохранение")
        try:
            presets.save_preset(
                name, settings, make_active, progress=lambda m, f: bar.progress(f, text=m)
            )
        except (ValueError, DatabaseError) as exc:
            st.error(str(exc))
        else:
            reads.close()  # the next query opens the new file
            st.success(f"Набор «{name.strip()}» сохранён.")
