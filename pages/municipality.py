"""Муниципалитет: one municipality on one screen for a meeting, and its hand-out.

The presentation mode is made for a projector at 1920×1080: no sidebar or controls, key
figures of 56 px under labels of 22 px, chart text of 20 px, the schools that need attention
as a short list in large type, the whole screen without scrolling."""

import html
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from analytics import fmt, labels
from radar.handouts import municipality_report as meeting
from radar.ui import auth, layout, live, reads
from radar.views import charts

scope = layout.current_scope()
municipalities = reads.query("pages/shared/municipality_list")
names = dict(zip(municipalities["municipality_id"], municipalities["name"], strict=True))
municipality = scope.municipality_id or st.selectbox(
    "Муниципалитет", list(names), format_func=names.get, key="municipality_choice"
)
presenting = st.toggle(
    "Режим презентации",
    key="municipality_present",
    help="Скрывает боковую панель и элементы управления, увеличивает шрифт.",
)
# Read from the back of a meeting room: figures larger than their labels, all on one screen.
PROJECTOR_CSS = """<style>
[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], header,
[data-testid='stToolbar'] { display: none !important; }
.block-container, [data-testid='stMainBlockContainer'] { max-width: 100% !important;
  padding: 0.8rem 2.5rem 0 !important; }
[data-testid='stMetricValue'] { font-size: 56px !important; line-height: 1.1 !important; }
[data-testid='stMetricLabel'] p { font-size: 22px !important; }
[data-testid='stMetricDelta'] { font-size: 20px !important; }
h1 { font-size: 44px !important; padding: 0.2rem 0 !important; }
h3 { font-size: 28px !important; padding: 0.4rem 0 0.2rem !important; }
[data-testid='stCaptionContainer'] p { font-size: 20px !important; }
[data-testid='stVerticalBlock'] { gap: 0.6rem !important; }
.present-list { font-size: 22px; line-height: 1.35; border-collapse: collapse; width: 100%; }
.present-list td { padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
.present-list td.why { color: #444; font-size: 20px; }
</style>"""
PRESENTED_SCHOOLS = 7  # schools listed in large type; the rest are counted
if presenting:
    st.html(PROJECTOR_CSS)
st.title(names[municipality])
st.caption(f"{scope.year} год — к заседанию")

card = reads.query(
    "pages/municipality/municipality_card", year=scope.year, municipality=municipality
).iloc[0]


def delta(now, before) -> int | None:
    return None if pd.isna(before) or pd.isna(now) else int(now - before)


def against_region(share) -> str | None:
    """The region's figure under a metric, when the region has one."""
    return None if pd.isna(share) else f"регион {fmt.pct(share)}"


cols = st.columns(5)
cols[0].metric("Школ", fmt.integer(card["schools"]))
cols[1].metric(
    "ШНОР",
    fmt.integer(card["shnor"]),
    delta(card["shnor"], card["shnor_prev"]),
    delta_color="inverse",
)
cols[2].metric(
    "ШНСУ",
    fmt.integer(card["shnsu"]),
    delta(card["shnsu"], card["shnsu_prev"]),
    delta_color="inverse",
)
cols[3].metric(
    "Сводный результат",
    fmt.num(card["result_index"], 2),
    help="В стандартных отклонениях от среднего по региону (0 — как регион).",
)
cols[4].metric(
    "Доля «2»",
    fmt.pct(card["share_fail"]),
    against_region(card["region_share_fail"]),
    delta_color="off",
    delta_arrow="off",
)
cols = st.columns(3)
cols[0].metric(
    "Положительная динамика («500+»)",
    fmt.pct(card["positive_share"]),
    against_region(card["region_positive_share"]),
    delta_color="off",
    delta_arrow="off",
    help=None if pd.notna(card["region_positive_share"]) else "В данных нет этапов мониторинга.",
)

roadmap = reads.query(
    "pages/municipality/municipality_roadmap",
    year=scope.year,
    municipality=municipality,
    as_of=date.today(),
)
done = int((roadmap["status"] == "выполнено").sum())
overdue = int(roadmap["overdue"].sum())
cols[1].metric(
    "Дорожная карта: выполнено",
    f"{fmt.integer(done)} из {fmt.integer(len(roadmap))}" if len(roadmap) else fmt.DASH,
)
cols[2].metric("Просрочено мероприятий", fmt.integer(overdue) if len(roadmap) else fmt.DASH)

left, right = st.columns([3, 2])
with left:
    st.subheader("Школы, которым нужно внимание")
    attention = reads.query(
        "pages/municipality/municipality_attention", year=scope.year, municipality=municipality
    )
    if attention.empty:
        st.success("Таких школ нет.")
    elif presenting:
        shown = meeting.attention_reasons(attention)
        rows = "".join(
            f"<tr><td>{html.escape(str(r.iloc[0]))}</td>"
            f"<td class='why'>{html.escape(str(r.iloc[-1]))}</td></tr>"
            for _, r in shown.head(PRESENTED_SCHOOLS).iterrows()
        )
        more = len(shown) - PRESENTED_SCHOOLS
        st.html(f"<table class='present-list'>{rows}</table>")
        if more > 0:
            st.caption(f"и ещё {fmt.integer(more)} — в раздаточном материале")
    else:
        shown = meeting.attention_reasons(attention)
        event = layout.show_table(
            shown, key="municipality_attention", on_select="rerun", selection_mode="single-row"
        )
        if event and event.selection.rows:
            layout.open_profile(attention.iloc[event.selection.rows[0]]["school_id"])
with right:
    st.subheader("Дорожная карта")
    if roadmap.empty:
        st.info(
            f"Мероприятий дорожной карты на {scope.year} год в данных нет. Их можно загрузить "
            "на странице «Данные» (лист «Мероприятия дорожной карты» шаблона)."
        )
    else:
        figure = charts.roadmap_bars(roadmap)
        st.plotly_chart(
            charts.for_projector(figure) if presenting else figure,
            key="municipality_roadmap_chart",
        )
    late = roadmap[roadmap["overdue"]]
    if len(late) and not presenting:
        st.markdown(
            "**Просрочено:** "
            + "; ".join(
                f"{t} ({s + ', ' if s else ''}до {e:%d.%m.%Y})"
                for t, s, e in zip(
                    late["title"].head(8),
                    late["school"].head(8),
                    late["period_end"].head(8),
                    strict=True,
                )
            )
        )

if not presenting:
    available = meeting.procedures(reads.query)
    chosen = st.multiselect(
        "Процедуры в отчёте HTML и PDF",
        available,
        default=meeting.default_procedures(available),
        format_func=labels.procedure_label,
        key="municipality_report_procedures",
        help="Каждая процедура — график результатов муниципалитета и региона по годам.",
    )

    about = meeting.Meeting(
        reads.query,
        municipality,
        names[municipality],
        scope.year,
        tuple(chosen),
        live.session_settings().small_numbers.hide_below,
        date.today(),
    )
    left, middle, right = st.columns(3)
    layout.html_and_pdf(
        partial(meeting.report_html, about),
        partial(meeting.report_pdf, about),
        (left, middle),
        "Отчёт",
        f"{names[municipality]}_{scope.year}",
        "municipality",
    )
    right.download_button(
        "Скачать раздаточный материал (Excel)",
        data=auth.traced(
            partial(meeting.workbook_bytes, about), f"{names[municipality]}_{scope.year}.xlsx"
        ),
        file_name=f"{names[municipality]}_{scope.year}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="municipality_download",
    )
