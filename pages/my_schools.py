"""Мои школы: a curator's schools at a glance, each card printable for a visit."""

import streamlit as st

from analytics import fmt
from analytics import trends as tr
from radar.ui import layout, reads

scope = layout.current_scope()
st.title("Мои школы")

curators = reads.query("pages/my_schools/curator_list")
if curators.empty:
    st.info("В базе нет кураторов: загрузите списки программ с кураторами.")
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
schools = reads.query("pages/my_schools/curator_schools", curator_id=curator, year=year)
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
cols[3].metric("С признаками необъективности ВПР", fmt.integer((schools["flags"] > 0).sum()))

ARROWS = {0: "⬇⬇", 1: "⬇", 2: "➡", 3: "⬆", 4: "⬆⬆"}
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
        for col, (indicator, title, digits, percent) in zip(
            c,
            (
                ("result_index", "Сводный результат", 2, False),
                ("share_fail", "Доля «2»", 1, True),
                ("adjusted", "С учётом контекста", 2, False),
                ("high_risks", "Высоких рисков", 0, False),
            ),
            strict=True,
        ):
            if indicator not in mine.index:
                col.metric(title, fmt.DASH)
                continue
            item = mine.loc[indicator]
            value = fmt.pct(item["last_value"]) if percent else fmt.num(item["last_value"], digits)
            col.metric(title, value)
            if isinstance(item["colour"], str):
                name = tr.COLOURS[item["colour"]][0]
                col.markdown(f"{ARROWS.get(int(item['change']), '')} **{name}**: {item['label']}")
        school_history = history[history["school_id"] == row.school_id]
        if len(school_history) >= 2:
            st.caption(
                "Сводный результат по годам: "
                + "; ".join(
                    f"{int(y)} — {fmt.num(v, 2)}"
                    for y, v in zip(
                        school_history["year"], school_history["result_index"], strict=True
                    )
                )
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
