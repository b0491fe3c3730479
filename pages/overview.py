"""Обзор региона: key figures, schools by municipality, context against results, municipalities."""

import pandas as pd
import streamlit as st

from analytics import fmt, labels
from radar.handouts import excel
from radar.ui import layout, live, reads
from radar.views import charts

scope = layout.current_scope()
st.title("Обзор региона")
st.caption(scope.label)

kpi = reads.query(
    "pages/overview/overview_kpis", year=scope.year, municipality=scope.municipality_id
).iloc[0]


def delta(now, before) -> int | None:
    """Change since last year as a number: Streamlit picks the arrow from its sign."""
    return None if pd.isna(before) or pd.isna(now) else int(now - before)


row = st.columns(4)
row[0].metric("Школ", fmt.integer(kpi["schools"]))
row[1].metric("Обучающихся", fmt.integer(kpi["pupils"]))
row[2].metric("Малокомплектных школ", fmt.integer(kpi["small_schools"]))
row[3].metric(
    "ОГЭ, математика: доля «2»",
    fmt.pct(kpi["oge_math_share_2"]),
    help="Доля участников ОГЭ по математике с отметкой «2» (взвешено по числу участников).",
)


def approved(count) -> str:
    """Where the count of a list comes from, and the approved list's size beside it."""
    tried = live.trying()
    where = (
        f"По пробным критериям отбора ({tried}). "
        if tried
        else "По действующим критериям отбора (страница «Идентификация ШНОР и ШНСУ»). "
    )
    if pd.isna(count):
        return where + "Утверждённого списка за этот год в данных нет."
    return where + f"В утверждённом списке — {fmt.integer(count)}."


row = st.columns(4)
row[0].metric(
    "ШНОР",
    fmt.integer(kpi["shnor"]),
    delta(kpi["shnor"], kpi["shnor_prev"]),
    delta_color="inverse",
    help=approved(kpi["shnor_official"]),
)
row[1].metric(
    "ШНСУ",
    fmt.integer(kpi["shnsu"]),
    delta(kpi["shnsu"], kpi["shnsu_prev"]),
    delta_color="inverse",
    help=approved(kpi["shnsu_official"]),
)
row[2].metric(
    "Участники «500+»",
    fmt.integer(kpi["p500"]),
    delta(kpi["p500"], kpi["p500_prev"]),
    delta_color="off",
)
row[3].metric("ЕГЭ, русский язык: средний балл", fmt.num(kpi["ege_rus_mean"]))

summary = reads.query(
    "pages/overview/municipality_summary", year=scope.year, municipality=scope.municipality_id
)
points = reads.query(
    "pages/overview/school_points", year=scope.year, municipality=scope.municipality_id
)

left, right = st.columns([2, 3])
with left:
    st.subheader("Школы по муниципалитетам")
    st.plotly_chart(charts.municipality_status_bars(summary), key="overview_municipality_bars")
with right:
    st.subheader("Социальный контекст и результаты")
    st.caption(
        "Каждая точка — школа: по горизонтали ИСБШ (выше — благополучнее), по вертикали сводный "
        "результат оценочных процедур года в стандартных отклонениях от среднего по региону. "
        "Выберите точку, чтобы открыть профиль школы."
    )
    event = st.plotly_chart(
        charts.context_scatter(points),
        key="overview_scatter",
        on_select="rerun",
        selection_mode="points",
    )
    chosen = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    if chosen:
        layout.open_profile(chosen[0]["customdata"][0])

st.subheader("Муниципалитеты")
keys = [
    "name",
    "kind",
    "schools",
    "pupils",
    "small_schools",
    "isbsh",
    "result_index",
    "share_fail",
    "shnor",
    "shnsu",
    "p500",
]
headers = {"name": labels.header("municipality")}
municipalities = labels.table(summary, keys, headers)
st.dataframe(
    layout.style_table(municipalities, **labels.formats(keys, headers)),
    hide_index=True,
    key="overview_municipality_table",
    placeholder=fmt.DASH,
)
layout.excel_download(
    st,
    "Скачать таблицу муниципалитетов (Excel)",
    lambda: [
        excel.Sheet(
            "Муниципалитеты",
            municipalities,
            note=f"Муниципалитеты региона, {scope.year} год",
            numbered=True,
            **labels.formats(keys, headers),
        )
    ],
    f"Муниципалитеты_{scope.year}",
    "overview_download",
    f"Муниципалитеты, {scope.year}",
)
st.caption(
    "ИСБШ и сводный результат — средние по школам муниципалитета, взвешенные по числу "
    "обучающихся и участников; доля «2» — по всем процедурам года (для ЕГЭ — ниже минимума). "
    "ШНОР и ШНСУ — по действующим критериям отбора; «500+» — по спискам программ региона."
)
