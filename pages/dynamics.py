"""Динамика: region and municipality trends per procedure, the 5×5 grid, early warning."""

import streamlit as st

from analytics import fmt, labels, objectivity
from analytics import trends as tr
from analytics.settings import YEARS
from radar.handouts import page_exports
from radar.ui import layout, live, notices, reads
from radar.views import charts

scope = layout.current_scope()
settings = live.session_settings()
st.title("Динамика")
st.caption(scope.label)
notices.scale_warning(scope.year, settings)

st.subheader("Результаты процедуры по годам")
procedures = reads.query("pages/dynamics/dynamics_procedures")
named = {
    labels.procedure_label(e, s, g): (e, s, int(g))
    for e, s, g in zip(procedures["exam"], procedures["subject"], procedures["grade"], strict=True)
}
if not named:
    st.info(
        "Динамика строится по результатам процедур: средним баллам, долям отметок или долям "
        "выше и ниже порогов, а в загруженных данных их нет ни для одной процедуры. Загрузите "
        "результаты на странице «Данные»."
    )
    st.stop()
chosen = st.selectbox("Процедура", list(named), key="dynamics_procedure")
exam, subject, grade = named[chosen]
history = reads.query(
    "pages/dynamics/dynamics_region",
    exam=exam,
    subject=subject,
    grade=grade,
    municipality=scope.municipality_id,
    min_participants=settings.small_numbers.hide_below,
)
st.plotly_chart(
    charts.region_band(history, scope.municipality_id is not None), key="dynamics_region_chart"
)
missing = (
    sorted(
        set(range(int(history["year"].min()), int(history["year"].max()) + 1))
        - set(history["year"].astype(int))
    )
    if len(history)
    else []
)
measure = history["measure"].iloc[0] if len(history) else "score"
what = {
    "score": "средние баллы",
    "mark": "средние отметки (средних баллов в данных нет)",
    "high": "доли выше верхнего порога (средних баллов и отметок в данных нет)",
}[measure]
st.caption(
    f"Серая полоса — {what} половины и 80 % школ региона; школы с числом участников "
    f"меньше {settings.small_numbers.hide_below} не учитываются."
    + (f" Процедура не проводилась в {', '.join(map(str, missing))} г." if missing else "")
)

st.subheader(f"Уровень и изменение, {scope.year}")
indicators = {
    k: v.label
    for k, v in tr.DEFAULT_CUTS.items()
    if k in ("result_index", "adjusted", "share_fail", "isbsh", "high_risks")
}
indicator = st.radio(
    "Показатель",
    list(indicators),
    format_func=indicators.get,
    horizontal=True,
    key="dynamics_indicator",
)
cells = reads.query(
    "pages/dynamics/status_grid",
    year=scope.year,
    indicator=indicator,
    municipality=scope.municipality_id,
)
cuts = tr.cuts_from(settings.trends.cuts)[indicator]
left, right = st.columns([3, 2])
with left:
    event = st.plotly_chart(
        charts.status_grid(cells, *tr.level_names(cuts.higher_is_better), tr.GRID),
        key="dynamics_grid",
        on_select="rerun",
        selection_mode="points",
    )
    st.caption(
        "Цвет — сочетание уровня в этом году и изменения (наклона за последние "
        f"3–{settings.trends.window} лет), как в California School Dashboard: красный, "
        "оранжевый, жёлтый, зелёный, синий. Пороги "
        f"уровня: {', '.join(fmt.num(c, 2) for c in cuts.status)}; изменения в год: "
        f"{', '.join(fmt.num(c, 2) for c in cuts.change)}"
        + ("" if cuts.higher_is_better else " (меньше — лучше)")
        + "."
    )
with right:
    picked = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    default_status, default_change = (
        (int(picked[0]["customdata"][0]), int(picked[0]["customdata"][1])) if picked else (0, 0)
    )
    status = st.selectbox(
        "Уровень",
        range(5),
        index=default_status,
        format_func=lambda i: tr.level_words(i, 0, cuts.higher_is_better)[0],
        key=f"dynamics_status_{default_status}_{default_change}",
    )
    change = st.selectbox(
        "Изменение",
        range(5),
        index=default_change,
        format_func=lambda i: tr.level_words(0, i, cuts.higher_is_better)[1],
        key=f"dynamics_change_{default_status}_{default_change}",
    )
    cell = reads.query(
        "pages/dynamics/status_cell_schools",
        year=scope.year,
        indicator=indicator,
        status=status,
        change=change,
        municipality=scope.municipality_id,
    )
    colour = tr.COLOURS[tr.GRID[status][change]][0]
    level, moved = tr.level_words(status, change, cuts.higher_is_better)
    st.markdown(
        f"**{level.capitalize()} уровень, {moved}** ({colour}): "
        f"{fmt.integer(len(cell))} {fmt.plural(len(cell), fmt.SCHOOLS)}"
    )
    keys = ["name", "municipality", "last_value", "change_last", "slope"]
    chosen_row = layout.show_table(
        labels.table(cell, keys),
        key="dynamics_cell_table",
        **labels.formats(keys),
        on_select="rerun",
        selection_mode="single-row",
    )
    if chosen_row and chosen_row.selection.rows:
        layout.open_profile(cell.iloc[chosen_row.selection.rows[0]]["school_id"])


layout.excel_download(
    st,
    "Скачать сетку 5×5 со школами (Excel)",
    lambda: page_exports.grid_sheets(
        cells,
        reads.query(
            "pages/dynamics/status_grid_schools",
            year=scope.year,
            indicator=indicator,
            municipality=scope.municipality_id,
        ),
        f"{indicators[indicator]}: уровень и изменение, {scope.year} год. {scope.label}",
    ),
    f"Сетка_5x5_{scope.year}",
    "dynamics_grid_download",
    f"Уровень и изменение, {scope.year}",
)

st.subheader("Раннее предупреждение")
horizon = settings.trends.warning_horizon
warning = reads.query(
    "pages/dynamics/early_warning_year", year=scope.year, municipality=scope.municipality_id
)
st.caption(
    "Школы, которые ещё не входят ни в один список, но при сохранении нынешнего тренда "
    f"(наклон Тейла — Сена) через {horizon} {fmt.plural(horizon, YEARS)} "
    f"окажутся среди {fmt.pct(settings.trends.warning_share, 0)} "
    "школ региона с самым низким сводным результатом."
)
if warning.empty:
    st.success("Таких школ нет.")
else:
    keys = ["name", "municipality", "last_value", "theil_slope", "projected", "threshold", "mk_p"]
    headers = {"last_value": "Сводный результат", "threshold": "Граница худших"}
    layout.show_table(
        labels.table(warning, keys, headers),
        key="dynamics_warning_table",
        **labels.formats(keys, headers),
    )

agreement = reads.query("pages/dynamics/objectivity_agreement", municipality=scope.municipality_id)
if len(agreement):
    st.subheader("Объективность ВПР: признаки радара и федеральный перечень ФИС ОКО")
    st.caption(
        "По школам, которые есть и в перечне маркеров ФИС ОКО, и среди школ с признаками, "
        "рассчитанными радаром: сколько отмечено каждым и как часто они согласны."
    )
    keys = ["year", "judged_schools", "official_marked", "radar_marked", "both_marked"]
    keys.append("agreement")
    layout.show_table(
        # A year is a name, not a count: «2025», never «2 025».
        labels.table(agreement.assign(year=agreement["year"].astype(int).astype(str)), keys),
        key="dynamics_objectivity_agreement",
        **labels.formats(keys),
    )
    judged = reads.query(
        "pages/dynamics/objectivity_signs_markers",
        year=scope.year,
        municipality=scope.municipality_id,
    )
    by_sign = objectivity.agreement(judged, judged[["school_id", "year", "marker"]])
    st.markdown(f"**Каждый признак радара и перечень ФИС ОКО, {scope.year} год**")
    st.caption(
        "Сколько школ отмечено и признаком, и маркером, только одним из них и ни тем, ни "
        "другим; согласие — доля совпадений, каппа Коэна — согласие сверх случайного (1 — "
        "полное, 0 — как у случайного совпадения). Признаки — повод проверить, не вывод."
    )
    if by_sign.empty:
        st.info(f"В {scope.year} году нет школ, оценённых и радаром, и перечнем ФИС ОКО.")
    else:
        keys = ["sign", *objectivity.AGREEMENT_COLUMNS[2:]]
        layout.show_table(
            labels.table(by_sign, keys),
            key="dynamics_objectivity_by_sign",
            **labels.formats(keys),
        )
