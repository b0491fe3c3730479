"""Мои школы: a curator's schools at a glance, and on paper one school to an A4 page.

Each card (radar.views.curator_card) shows the indicators with their colour as a swatch, its
name and what it means in words true to the quantity, and small charts of the school's
years. The sidebar's municipality limits the curators and their schools."""

import html

import streamlit as st

from analytics import fmt
from analytics import trends as tr
from radar.handouts import curator_sheets, file_stem, html_report
from radar.ui import auth, layout, live, notices, reads
from radar.views import curator_card

scope = layout.current_scope()
st.title("Мои школы")

curators = reads.query("pages/my_schools/curator_list", municipality=scope.municipality_id)
if curators.empty:
    st.info(
        "В базе нет кураторов"
        + (f" школ муниципалитета «{scope.municipality_name}»" if scope.municipality_id else "")
        + ": загрузите списки программ с кураторами."
    )
    st.stop()
in_year = curators[curators["year"] == scope.year]
pool = in_year if len(in_year) else curators[curators["year"] == curators["year"].max()]
year = int(pool["year"].iloc[0])
names = dict(
    zip(
        pool["curator_id"], pool["full_name"] + " — " + pool["organisation"].fillna(""), strict=True
    )
)
# A curator opens her own page: her own record first (the list holds the curators whose
# schools she may see).
user = auth.current_user()
own = [r.curator_id for r in user.roles if r.kind == "curator" and r.curator_id in names]
order = own + [c for c in names if c not in own]
curator = st.selectbox(
    "Куратор",
    order,
    format_func=names.get,
    key="my_curator",
    help="Куратор и его школы по спискам программ выбранного года.",
)
st.caption(f"{year} год" + ("" if year == scope.year else f" (в {scope.year} году кураторов нет)"))
schools = reads.query(
    "pages/my_schools/curator_schools",
    curator_id=curator,
    year=year,
    municipality=scope.municipality_id,
)
history = reads.query("pages/my_schools/curator_history", curator_id=curator, year=year)
colours = reads.query("pages/my_schools/curator_colours", curator_id=curator, year=year)
cols = st.columns(4)
cols[0].metric("Школ", fmt.integer(len(schools)))
cols[1].metric("ШНОР по расчёту", fmt.integer(schools["shnor"].sum()))
cols[2].metric(
    "С положительной динамикой",
    fmt.integer((schools["stage_status"] == "положительная динамика").sum()),
)
cols[3].metric(
    "Необъективность ВПР",
    fmt.integer((schools["flags"] > 0).sum()),
    help="Школ с признаками необъективности результатов ВПР.",
)

settings = live.session_settings()
notices.scale_warning(year, settings)
cards = curator_card.cards(schools, colours, history, tr.cuts_from(settings.trends.cuts))
full_name = dict(zip(pool["curator_id"], pool["full_name"], strict=True))[curator]
layout.pdf_download(
    st,
    "Карточки школ PDF (по школе на листе А4)",
    lambda: curator_sheets.sheets_pdf(
        cards, full_name, year, html_report.print_setup(reads.query, chart_columns=2)
    ),
    f"{file_stem('Школы куратора', full_name, year)}.pdf",
    "my_schools_pdf",
    "PDF недоступен: на сервере нет Chromium.",
    help="Для посещений: показатели с цветами, графики по годам, мониторинг и место для заметок.",
)


def swatch(item: curator_card.Indicator) -> str:
    """The colour itself, its name and the meaning, as one line of HTML."""
    return (
        f"<span style='display:inline-block;width:0.95em;height:0.95em;background:{item.hue};"
        f"border:1px solid #666;border-radius:2px;vertical-align:-0.1em'></span> "
        f"<b>{html.escape(item.colour)}</b>: {html.escape(item.meaning)}"
    )


for card in cards:
    with st.container(border=True, key=f"card_{card.school_id}"):
        head, button = st.columns([5, 1])
        head.markdown(f"### {card.name}")
        head.caption(card.caption)
        if button.button("Профиль", key=f"open_{card.school_id}"):
            layout.open_profile(card.school_id)
        for col, item in zip(st.columns(4), card.indicators, strict=True):
            col.metric(item.title, item.value)
            if item.colour:
                col.html(swatch(item))
        if card.trends:
            for place, (column, figure) in zip(st.columns(2), card.trends, strict=False):
                place.plotly_chart(
                    figure,
                    key=f"trend_{card.school_id}_{column}",
                    config={"displayModeBar": False},
                )
        st.markdown(f"**Мониторинг этапов:** {card.stage}")
        if card.flags:
            st.markdown(f"**Признаки необъективности ВПР:** {card.flags} (проверить, не вывод)")
