"""Контекст и результаты: ИСБШ against results, the funnel of adjusted results."""

import streamlit as st

from analytics import context as cx
from analytics import fmt, labels, resilience
from radar.handouts import page_exports
from radar.ui import layout, live, reads
from radar.views import charts

scope = layout.current_scope()
settings = live.session_settings()
st.title("Контекст и результаты")
st.caption(scope.label)

POOLED = {
    "Все процедуры": ["ВПР", "ОГЭ", "ЕГЭ"],
    "ОГЭ и ЕГЭ": ["ОГЭ", "ЕГЭ"],
    "ВПР": ["ВПР"],
    "ОГЭ": ["ОГЭ"],
    "ЕГЭ": ["ЕГЭ"],
}
procedures = reads.query("pages/context/context_procedures", year=scope.year)
single = {
    labels.procedure_label(e, s, g): (e, s, int(g))
    for e, s, g in zip(procedures["exam"], procedures["subject"], procedures["grade"], strict=True)
}
choice = st.selectbox(
    "Процедура",
    [f"{name} (сводно)" for name in POOLED] + list(single),
    key="context_procedure",
)
if choice in single:
    exam, subject, grade = single[choice]
    params = {"exams": [], "exam": exam, "subject": subject, "grade": grade}
else:
    params = {"exams": POOLED[choice.removesuffix(" (сводно)")], "exam": None}
    params |= {"subject": None, "grade": None}
points = reads.query(
    "pages/context/context_points",
    year=scope.year,
    municipality=scope.municipality_id,
    min_participants=settings.small_numbers.hide_below,
    **params,
)
if points.empty:
    st.info("Нет результатов с учётом контекста для выбранного года и процедуры.")
    st.stop()
points["band"] = cx.judged_band(points, settings.band_magnitude, settings.band_shrunken)

counts = points["band"].value_counts()
cols = st.columns(5)
for col, band in zip(cols, cx.BANDS, strict=True):
    col.metric(band.capitalize(), fmt.integer(counts.get(band, 0)))
st.caption(
    f"Школ: {fmt.integer(len(points))}. Учтены результаты с числом участников не меньше "
    f"{settings.small_numbers.hide_below}. «Значительно» — интервал не включает ожидаемое "
    "значение и "
    f"отклонение не меньше {fmt.num(settings.band_magnitude)} ст. откл."
    + (
        " Оценка дана с поправкой на надёжность: отклонение школы с малым числом участников "
        "приближено к ожидаемому настолько, насколько велик его случайный разброс."
        if settings.band_shrunken
        else " Оценка дана по отклонению без поправки на надёжность."
    )
)


def school_points(figure, key: str) -> None:
    """A chart of schools; choosing a point opens that school's profile."""
    event = st.plotly_chart(figure, key=key, on_select="rerun", selection_mode="points")
    chosen = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    if chosen:
        layout.open_profile(chosen[0]["customdata"][0])


rows = reads.query(
    "pages/context/resilience_rows", year=scope.year, municipality=scope.municipality_id
)
present = reads.query(
    "pages/context/exams_in_window",
    year=scope.year,
    window=settings.years_window,
    min_participants=settings.small_numbers.hide_below,
)
judged = resilience.judged_exams(set(present["exam"]), tuple(settings.resilient_exams))
cohorts = reads.query(
    "pages/context/cohort_summary", year=scope.year, municipality=scope.municipality_id
)
scatter_tab, funnel_tab, resilient_tab, schools_tab, cohort_tab = layout.lazy_tabs(
    ["Контекст и результат", "Воронка", "Резильентные школы", "Все школы", "Прирост когорт"],
    "context_tab",
)

if scatter_tab.open:
    with scatter_tab:
        st.subheader("Социальный контекст и результат")
        st.caption(
            "Точка — школа; форма и цвет — оценка результата с учётом контекста, звёздочка — "
            "резильентная школа. Линия регрессии показывает, каких результатов регион ждёт при "
            "данном ИСБШ. Выберите точку, чтобы открыть профиль школы."
        )
        school_points(charts.adjusted_scatter(points), "context_scatter")

if funnel_tab.open:
    with funnel_tab:
        st.subheader("Воронка: отклонение от ожидаемого и число участников")
        st.caption(
            "Чем меньше участников, тем шире допустимый разброс. Школы за пунктирной границей "
            "отличаются от ожидаемого с вероятностью 95 %, за точечной — 99,8 %. Чёрная черта "
            "рядом с точкой — отклонение с поправкой на надёжность: у малых школ оно ближе к "
            "нулю."
        )
        school_points(charts.funnel(points), "context_funnel")

if resilient_tab.open:
    with resilient_tab:
        st.subheader("Резильентные школы")
        st.caption(
            page_exports.resilient_about(settings, judged)
            + ". Список не зависит от выбранной выше процедуры; критерии меняются в «Методике»."
        )
        resilient = page_exports.resilient_table(rows, settings.resilient_definition)
        if resilient.empty:
            steps = resilience.resilience_conditions(rows, settings)
            said = "; ".join(f"{name} — {fmt.integer(n)}" for name, n in steps)
            nobody = next((name for name, n in steps if n == 0), steps[-1][0])
            st.info(
                f"Резильентных школ нет: ни одна школа не выполнила условие «{nobody}». "
                f"Выполнили условия по порядку: {said}."
            )
        else:
            layout.show_table(
                resilient,
                key="resilient_table",
                **labels.formats(page_exports.RESILIENT_COLUMNS),
                note="резильентные школы, наибольший результат с учётом контекста первым",
            )

if schools_tab.open:
    with schools_tab:
        st.subheader("Школы")
        layout.show_table(
            page_exports.context_table(points),
            key="context_table",
            **labels.formats(page_exports.CONTEXT_COLUMNS),
            note="школы упорядочены по отклонению от ожидаемого",
        )

if cohort_tab.open:
    with cohort_tab:
        st.subheader(f"Прирост когорт, {scope.year}")
        if cohorts.empty:
            st.info(
                f"Прирост когорт за {scope.year} год оценить нельзя: нет результатов того же "
                "класса годом раньше (ВПР в соседних классах) или ОГЭ двумя годами раньше ЕГЭ."
            )
        else:
            st.caption(
                "Сколько школ довели класс до результата выше, в пределах или ниже ожидаемого "
                "у школ региона, начинавших с того же результата (ВПР — годом раньше в "
                "предыдущем классе, ОГЭ — за два года до ЕГЭ); решает 95 %-интервал. Наклон — "
                "насколько итог в среднем следует за началом (1 — полностью). Оценка каждой "
                "школы — в её профиле."
            )
            layout.show_table(
                page_exports.cohort_summary_table(cohorts),
                key="cohort_summary_table",
                **labels.formats(page_exports.COHORT_SUMMARY_COLUMNS),
                note="когорты по классам",
            )

layout.excel_download(
    st,
    "Скачать резильентные школы и таблицу (Excel)",
    lambda: page_exports.resilient_sheets(
        rows, points, settings, f"{choice}, {scope.label}", judged, cohorts
    ),
    f"Резильентные_школы_{scope.year}",
    "context_download",
    f"Резильентные школы, {scope.year}",
)
