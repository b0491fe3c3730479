"""Кластеры рисков: groups of «500+» schools with similar risk profiles and what to do for each."""

from functools import partial

import streamlit as st

from analytics import fmt, labels, risk
from radar.handouts import reports
from radar.ui import auth, layout, live, reads
from radar.views import charts

scope = layout.current_scope()
st.title("Кластеры рисков")

year = layout.year_with_data(
    reads.query("pages/risk_clusters/risk_years")["year"].astype(int).tolist(),
    scope,
    "профилей нет",
    "В базе нет рисковых профилей «500+»: загрузите перечень факторов риска и профили школ.",
)

stored = live.active_settings().clusters.context_features
extra = st.multiselect(
    "Добавить к уровням рисков показатели контекста",
    list(labels.CONTEXT_FEATURES),
    default=list(stored),
    placeholder="Выберите…",
    format_func=labels.CONTEXT_FEATURES.get,
    key="risk_context_features",
    help="По умолчанию школы группируются только по уровням факторов риска. Показатели "
    "контекста (стандартизованные, больше — хуже) добавляются к ним как признаки.",
)
members = reads.query("pages/risk_clusters/risk_cluster_members", year=year)
if sorted(extra) != sorted(stored):
    # The same analysis with other features, computed for this page (the tables keep the
    # active settings').
    computed = live.clusters(tuple(extra))
    membership = computed["risk_clusters"].query("year == @year")
    members = membership.merge(
        members.drop(columns=["cluster_id", "cluster_name", "distance", "ward_cluster"]),
        on="school_id",
    )
    centres = computed["risk_cluster_centres"].query("year == @year")
    quality = computed["risk_cluster_quality"].query("year == @year")
    measures = computed["risk_cluster_measures"].query("year == @year")
else:
    centres = reads.query("pages/risk_clusters/risk_centres", year=year)
    quality = reads.query("pages/risk_clusters/risk_quality", year=year)
    measures = reads.query("pages/risk_clusters/risk_measures", year=year)
names = dict(zip(members["cluster_id"], members["cluster_name"], strict=False))

programme = st.radio(
    "Школы",
    ["все участники «500+»", "только ШНОР", "только ШНСУ"],
    horizontal=True,
    key="risk_programme",
)
shown = members
if scope.municipality_id:
    shown = shown[shown["municipality_id"] == scope.municipality_id]
if programme == "только ШНОР":
    shown = shown[shown["shnor"]]
elif programme == "только ШНСУ":
    shown = shown[shown["shnsu"]]

chosen = quality[quality["chosen"]]
cols = st.columns(4)
cols[0].metric("Школ с рисковым профилем", fmt.integer(len(shown)))
cols[1].metric("Кластеров", fmt.integer(members["cluster_id"].nunique()))


def in_words(value, strong: float, fair: float, words: tuple[str, str, str]) -> str:
    """A quality figure as a word a methodologist can say at a meeting."""
    if len(chosen) == 0 or value != value:
        return fmt.DASH
    return words[0] if value >= strong else words[1] if value >= fair else words[2]


silhouette = chosen["silhouette"].iloc[0] if len(chosen) else float("nan")
agreement = chosen["ari_ward"].iloc[0] if len(chosen) else float("nan")
cols[2].metric(
    "Группы различаются",
    in_words(silhouette, 0.5, 0.25, ("чётко", "заметно", "слабо")),
    help="Насколько школы похожи на свою группу больше, чем на соседнюю (силуэт "
    f"{fmt.num(silhouette, 2)}; от −1 до 1, выше 0,5 — чётко, 0,25–0,5 — заметно).",
)
cols[3].metric(
    "Группировка устойчива",
    in_words(agreement, 0.8, 0.5, ("да", "в основном", "слабо")),
    help="Совпадают ли группы, если школы сгруппировать другим способом (иерархически, по "
    f"Уорду): согласие {fmt.num(agreement, 2)}, где 1 — те же группы, 0 — случайное совпадение.",
)
st.caption(
    "Кластеры построены по всем участникам «500+» региона этого года (k-средние по "
    "стандартизованным уровням рисков, число кластеров выбрано по силуэту); фильтры "
    "муниципалитета и программы лишь сужают показанные школы. Номер кластера сохраняется из "
    "года в год: кластеры сопоставляются с прошлогодними по центрам."
)
if shown.empty:
    st.info("Нет школ с рисковым профилем для выбранных фильтров.")
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader("Карта школ")
    matrix = risk.profile_matrix(
        reads.query("pages/risk_clusters/risk_year_profiles", year=year), year
    )
    coords = risk.map_coordinates(matrix)
    points = coords.merge(shown, on="school_id")
    event = st.plotly_chart(
        charts.cluster_map(points, coords.attrs.get("explained", [])),
        key="risk_map",
        on_select="rerun",
        selection_mode="points",
    )
    picked = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    if picked:
        layout.open_profile(picked[0]["customdata"][0])
    st.caption(
        "Школы с похожими профилями рисков рядом, далёкие — непохожи. Оси — два направления, "
        "по которым профили различаются больше всего. Выберите точку, чтобы открыть профиль "
        "школы."
    )
with right:
    st.subheader("Сколько групп")
    st.caption(
        "Число групп выбрано так, чтобы школы внутри группы были как можно больше похожи "
        "друг на друга и меньше — на школы других групп (по силуэту: чем выше точка, тем "
        "лучше разделение)."
    )
    st.plotly_chart(charts.silhouette_curve(quality), key="risk_silhouette")

st.subheader("Центры кластеров по факторам риска")
st.plotly_chart(charts.cluster_heatmap(centres, names), key="risk_heatmap")

st.subheader("Карточки кластеров")
cards = reports.cluster_cards(shown, centres, measures)
for start in range(0, len(cards), 2):
    row = st.columns(2)
    for col, card in zip(row, cards.iloc[start : start + 2].itertuples(index=False), strict=False):
        cluster = card[0]
        with col.container(border=True):
            st.markdown(f"#### {cluster}. {card[1]}")
            c = st.columns(3)
            c[0].metric("Школ", fmt.integer(card[2]))
            c[1].metric("Доля ШНОР", fmt.pct(card[3]))
            c[2].metric("Сводный результат", fmt.num(card[4], 2))
            st.markdown(f"**Характерные риски:** {card[6]}")
            fits = measures[measures["cluster_id"] == cluster]
            if len(fits):
                st.markdown("**Что делать в первую очередь:**")
                st.markdown(
                    "\n".join(
                        f"- **{m.measure}** ({m.level}) — {m.description}"
                        for m in fits.drop_duplicates("measure").itertuples(index=False)
                    )
                )
            with st.expander(f"Школы кластера ({fmt.integer(card[2])})"):
                st.markdown("\n".join(f"- {n}" for n in card[8].split("; ")))

st.download_button(
    "Скачать кластеры (Excel)",
    data=auth.traced(
        partial(
            reports.cluster_workbook,
            shown,
            cards,
            measures,
            quality,
            year,
            f"{scope.municipality_name}, {year} год",
        ),
        f"Кластеры_рисков_{year}.xlsx",
    ),
    file_name=f"Кластеры_рисков_{year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="risk_download",
)
