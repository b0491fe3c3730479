"""Мониторинг этапов: входной → промежуточный → итоговый for the programme schools of a year."""

from functools import partial

import pandas as pd
import streamlit as st

from analytics import fmt, labels
from analytics import monitoring as mon
from radar.handouts import note
from radar.ui import layout, live, reads
from radar.views import charts

scope = layout.current_scope()
st.title("Мониторинг этапов")

year = layout.year_with_data(
    reads.query("pages/monitoring/monitoring_years")["year"].astype(int).tolist(),
    scope,
    "данных нет",
    "В базе нет данных мониторинга этапов: загрузите значения входного, "
    "промежуточного и итогового этапов.",
)

schools = reads.query(
    "pages/monitoring/monitoring_schools", year=year, municipality=scope.municipality_id
)
if schools.empty:
    st.info("Нет школ в мониторинге для выбранного муниципалитета.")
    st.stop()
indicators = reads.query("pages/monitoring/monitoring_indicator_list")
names = dict(zip(indicators["indicator"], indicators["name"], strict=True))
active = live.session_settings().monitoring
stored = live.active_settings().monitoring  # what the tables of the base were judged with
chosen = st.multiselect(
    "Показатели, по которым судят о положительной динамике",
    [i for i in names if i != mon.RISK_INDICATOR],
    default=[i for i in active.indicators if i in names],
    format_func=names.get,
    placeholder="Выберите…",
    key="monitoring_chosen",
)
settings = active.replace(indicators=tuple(chosen) or active.indicators)
if settings != stored:
    # Judged again here with the chosen indicators or the criteria being tried.
    changes_all = reads.query(
        "pages/monitoring/monitoring_changes_all", year=year, municipality=scope.municipality_id
    )
    judged_again = mon.progress(changes_all, settings)[
        ["school_id", "positive", "status", "reason"]
    ]
    schools = schools.drop(columns=["positive", "status", "reason"]).merge(
        judged_again, on="school_id", how="left"
    )
judged = schools["positive"].notna()
cols = st.columns(4)
cols[0].metric("Школ в мониторинге", fmt.integer(len(schools)))
cols[1].metric(
    "С положительной динамикой",
    fmt.pct(schools.loc[judged, "positive"].astype(bool).mean() if judged.any() else None),
    help="Доля среди школ с итоговыми данными.",
)
cols[2].metric("Без итоговых данных", fmt.integer((~judged).sum()))
cols[3].metric(
    "Высоких рисков: вход → итог",
    f"{fmt.integer(schools['high_risks_entry'].sum())} → "
    f"{fmt.integer(schools['high_risks_final'].sum())}",
)
st.caption(
    "Положительная динамика — от входного к итоговому этапу улучшились не меньше "
    f"{fmt.pct(settings.min_improved_share, 0)} выбранных показателей и уменьшилось число "
    "факторов высокого риска (если они были)."
)

indicator = st.selectbox(
    "Показатель",
    indicators["indicator"].tolist(),
    format_func=names.get,
    key="monitoring_indicator",
)
changes = reads.query(
    "pages/monitoring/monitoring_changes_year",
    year=year,
    indicator=indicator,
    municipality=scope.municipality_id,
)
positive = {
    s: (None if pd.isna(p) else bool(p))
    for s, p in zip(schools["school_id"], schools["positive"].astype(object), strict=True)
}
st.plotly_chart(charts.stage_slopes(changes, positive), key="monitoring_slopes")

st.subheader("Доля школ с положительной динамикой")
progress = schools[["school_id", "positive"]].assign(year=year)
tabs = layout.lazy_tabs(
    ["По муниципалитетам", "По кластерам рисков", "По кураторам"], "monitoring_tab"
)
for tab, (column, key) in zip(
    tabs,
    (
        ("municipality", "monitoring_by_municipality"),
        ("cluster", "monitoring_by_cluster"),
        ("curator", "monitoring_by_curator"),
    ),
    strict=True,
):
    if not tab.open:
        continue
    with tab:
        shares = mon.positive_shares(progress, schools[["school_id", column]], column)
        st.plotly_chart(charts.share_bars(shares, column), key=key)

st.subheader("Аналитическая справка")
present = reads.query(
    "pages/monitoring/monitoring_stages_present", year=year, municipality=scope.municipality_id
).iloc[0]
stages = [k for k in note.STAGE_WORDS if present[k] > 0] or ["entry"]
stage = (
    st.segmented_control(
        "По итогам этапа",
        stages,
        default=stages[-1],
        format_func=lambda k: note.STAGE_WORDS[k][0],
        key="monitoring_note_stage",
    )
    or stages[-1]
)
# Built only when a button is clicked: tables, charts and conclusions of this stage, year
# and scope, judged with the indicators chosen above.
written = partial(
    note.analytical_note,
    reads.query,
    year,
    stage,
    scope.municipality_id,
    scope.municipality_name if scope.municipality_id else None,
    settings,
)
about = (
    "Цель и источники, участники, результаты по этапам, положительная динамика по "
    "муниципалитетам, кластерам и кураторам, школы, которым нужно внимание, выводы и "
    "рекомендации из каталога мер."
)
stem = note.file_stem_of(year, stage, scope.municipality_name if scope.municipality_id else None)
word, pdf = st.columns(2)
word.download_button(
    "Аналитическая справка (Word)",
    data=lambda: written().docx(),
    file_name=f"{stem}.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    icon=":material/description:",
    key="monitoring_note",
    help=about + " Редактируется в Word и LibreOffice.",
)
layout.pdf_download(
    pdf,
    "Аналитическая справка (PDF)",
    lambda: written().pdf(),
    f"{stem}.pdf",
    "monitoring_note_pdf",
    "PDF недоступен: на сервере нет Chromium. Скачайте справку в Word.",
    help=about + " Готова к печати на А4.",
)

st.subheader("Школы")
table = labels.table(schools, ["name", "municipality", "curator", "cluster", "status", "reason"])
event = layout.show_table(
    table, key="monitoring_table", on_select="rerun", selection_mode="single-row"
)
if event and event.selection.rows:
    layout.open_profile(schools.iloc[event.selection.rows[0]]["school_id"])
missing = schools[~judged]
if len(missing):
    st.warning(
        "Нет итоговых данных: "
        + ", ".join(missing["name"].head(30))
        + (" и другие" if len(missing) > 30 else "")
        + "."
    )
