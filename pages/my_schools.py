"""Мои школы: a curator's schools at a glance, each card printable for a visit.

Each indicator shows its colour as a swatch with its name and what it means, in words true to
the quantity (where lower is better, «низкий уровень» of «2» is the good one and «снижение»
the good change), and a small chart of the school's years. The sidebar's municipality limits
the curators and their schools."""

import html

import streamlit as st

from analytics import fmt
from analytics import trends as tr
from radar.ui import layout, reads
from radar.views import charts

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
curator = st.selectbox(
    "Куратор",
    list(names),
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
print_mode = st.toggle(
    "Версия для печати",
    key="my_print",
    help="Оставляет только карточки школ; напечатайте страницу (Ctrl+P).",
)
if print_mode:
    st.html(
        "<style>@media print {"
        "[data-testid='stSidebar'], header, [data-testid='stToolbar'], "
        "[data-testid='stElementToolbar'], button { display: none !important; }"
        ".block-container { padding: 0 !important; }"
        "div[data-testid='stVerticalBlockBorderWrapper'] { break-inside: avoid; }"
        "}</style>"
    )

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

# The quantity's own direction: 0 falls a lot … 4 grows a lot.
ARROWS = {0: "⬇⬇", 1: "⬇", 2: "➡", 3: "⬆", 4: "⬆⬆"}
INDICATORS = (
    ("result_index", "Сводный результат", 2, False),
    ("share_fail", "Доля «2»", 1, True),
    ("adjusted", "С учётом контекста", 2, False),
    ("high_risks", "Высоких рисков", 0, False),
)
CUTS = tr.cuts_from(None)


def swatch(colour: str) -> str:
    """The colour itself, its name and the meaning, as one line of HTML."""
    name, hex_, _ = tr.COLOURS[colour]
    return (
        f"<span style='display:inline-block;width:0.95em;height:0.95em;background:{hex_};"
        f"border:1px solid #666;border-radius:2px;vertical-align:-0.1em'></span> "
        f"<b>{html.escape(name)}</b>"
    )


def meaning(indicator: str, item) -> str:
    """«⬇ очень низкий уровень, снижение» in the quantity's own words."""
    higher = CUTS[indicator].higher_is_better if indicator in CUTS else True
    if item["status"] != item["status"] or item["change"] != item["change"]:  # unknown
        return ""
    status, change = int(item["status"]), int(item["change"])
    level, moved = tr.level_words(status, change, higher)
    return f"{ARROWS[tr.direction(change, higher)]} {level} уровень, {moved}"


for row in schools.itertuples(index=False):
    with st.container(border=True, key=f"card_{row.school_id}"):
        head, button = st.columns([5, 1])
        head.markdown(f"### {row.name}")
        head.caption(
            f"{row.municipality} · {row.programmes}"
            + (f" · кластер «{row.cluster_name}»" if isinstance(row.cluster_name, str) else "")
        )
        if not print_mode and button.button("Профиль", key=f"open_{row.school_id}"):
            layout.open_profile(row.school_id)
        mine = colours[colours["school_id"] == row.school_id].set_index("indicator")
        c = st.columns(4)
        for col, (indicator, title, digits, percent) in zip(c, INDICATORS, strict=True):
            if indicator not in mine.index:
                col.metric(title, fmt.DASH)
                continue
            item = mine.loc[indicator]
            value = fmt.pct(item["last_value"]) if percent else fmt.num(item["last_value"], digits)
            col.metric(title, value)
            if isinstance(item["colour"], str):
                col.html(f"{swatch(item['colour'])}: {html.escape(meaning(indicator, item))}")
        school_history = history[history["school_id"] == row.school_id]
        if len(school_history) >= 2:
            left, right = st.columns(2)
            for place, (column, title, percent) in zip(
                (left, right),
                (
                    ("result_index", "Сводный результат по годам", False),
                    ("share_fail", "Доля «2» по годам", True),
                ),
                strict=True,
            ):
                known = school_history.dropna(subset=[column])
                if len(known) >= 2:
                    place.plotly_chart(
                        charts.small_trend(known["year"], known[column], title, percent),
                        key=f"trend_{row.school_id}_{column}",
                        config={"displayModeBar": False},
                    )
        stage = row.stage_status if isinstance(row.stage_status, str) else "нет данных мониторинга"
        st.markdown(
            f"**Мониторинг этапов:** {stage}"
            + (
                f" — {row.stage_reason}"
                if isinstance(row.stage_reason, str) and row.stage_reason != stage
                else ""
            )
        )
        if row.flags:
            st.markdown(f"**Признаки необъективности ВПР:** {row.flag_names} (проверить, не вывод)")
