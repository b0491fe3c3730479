"""Профиль школы: the card, results over the years, social passport, staff, programmes.

A composition of the sections of radar/views/profile.py: each is read there and drawn here; the
school card (Excel, HTML, PDF) is built from the same sections."""

import streamlit as st

from analytics import fmt, labels
from radar.handouts import reports
from radar.ui import layout, live, notices, reads
from radar.views import charts, profile

# Schools offered in the picker at once; more are found by typing part of a name or a code.
PICKER_LIMIT = 2000
LINKED_KEY = "profile_linked_school"


def linked_school(scope: layout.Scope) -> str | None:
    """The school the address names (?school=S0001), once per new address: the picker
    then opens on it."""
    wanted = st.query_params.get(layout.SCHOOL_PARAM)
    if not wanted or wanted == st.session_state.get(LINKED_KEY):
        return None
    st.session_state[LINKED_KEY] = wanted
    if profile.school_card(reads.query, wanted, scope.year) is None:
        st.warning(f"Школа с кодом «{wanted}» из адреса не найдена в базе.")
        return None
    st.session_state[layout.PROFILE_SCHOOL_KEY] = wanted
    st.session_state.pop("profile_school_select", None)  # the picker opens on it
    return wanted


def choose_school(scope: layout.Scope) -> str:
    """The search box and the school list; a school opened from another page or from a
    link stays chosen, and the address names the chosen school."""
    linked = linked_school(scope)
    search = st.text_input(
        "Поиск школы по названию или коду",
        key="profile_search",
        placeholder="например, «лицей», «СОШ № 5» или код S0480",
    )
    found = reads.query(
        "pages/school_profile/school_search",
        text=search.strip(),
        municipality=scope.municipality_id,
        limit=PICKER_LIMIT,
    )
    preselected = st.session_state.get(layout.PROFILE_SCHOOL_KEY)
    options = found["school_id"].tolist()
    names = dict(
        zip(found["school_id"], found["name"] + " — " + found["municipality"], strict=True)
    )
    if preselected and preselected not in options and (linked or not search.strip()):
        # A school opened from another page stays selectable even outside the current filter.
        card = profile.school_card(reads.query, preselected, scope.year)
        if card is not None:
            options.insert(0, preselected)
            names[preselected] = f"{card['name']} — {card['municipality']}"
    if not options:
        st.info("Школы не найдены. Измените текст поиска или выберите «Все муниципалитеты».")
        st.stop()
    total = int(found["found"].iloc[0]) if len(found) else 0
    school_id = st.selectbox(
        f"Школа (найдено: {fmt.integer(total)})",
        options,
        index=options.index(preselected) if preselected in options else 0,
        format_func=lambda s: names.get(s, s),
        key="profile_school_select",
    )
    if total > len(found):
        st.caption(
            f"В списке первые {fmt.integer(len(found))} из {fmt.integer(total)} по алфавиту: "
            "введите часть названия или код, чтобы найти остальные."
        )
    st.session_state[layout.PROFILE_SCHOOL_KEY] = school_id
    st.query_params[layout.SCHOOL_PARAM] = school_id  # the address follows the choice
    st.session_state[LINKED_KEY] = school_id
    return school_id


def draw_card(card, year: int, place: str | None) -> None:
    st.header(card["name"])
    st.caption(profile.card_caption(card))
    layout.metrics(profile.card_metrics(card, year))
    if place:
        st.caption(place)


def draw_identification(ident: profile.Identification, year: int, official: list[str]) -> None:
    st.subheader(f"Идентификация, {year}")
    # What the radar computes and what the official order lists, side by side and named.
    (st.warning if official else st.success)(profile.official_line(official, year))
    if ident.status is None:
        st.info("Для этого года идентификация не рассчитана: нет результатов или паспорта.")
        return
    st.markdown(ident.status)
    st.dataframe(ident.rules, hide_index=True, key="profile_rules_table", placeholder=fmt.DASH)
    if len(ident.partners):
        st.markdown("**Предлагаемые школы-партнёры**")
        event = st.dataframe(
            layout.style_table(
                ident.partners,
                **labels.formats(profile.PARTNER_COLUMNS, profile.PARTNER_HEADERS),
            ),
            hide_index=True,
            key="profile_partners_table",
            on_select="rerun",
            selection_mode="single-row",
            placeholder=fmt.DASH,
        )
        if event and event.selection.rows:
            layout.open_profile(ident.partner_ids[event.selection.rows[0]])
        st.caption("Выберите строку, чтобы открыть профиль школы-партнёра.")


def draw_risks(risks: profile.RiskProfile | None) -> None:
    st.subheader("Рисковый профиль")
    if risks is None:
        st.info("Рисковый профиль школы не загружен и не может быть рассчитан из показателей.")
        return
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.risk_radar(risks.now), key="profile_risk_radar")
        st.caption(risks.caption)
    with right:
        if risks.cluster:
            st.markdown(risks.cluster)
        if risks.cluster_text:
            st.markdown(risks.cluster_text)
        st.metric("Факторов высокого риска", fmt.integer(risks.high))
        if risks.history is not None:
            st.markdown("**Как менялся профиль**")
            st.dataframe(
                layout.style_table(risks.history),
                hide_index=True,
                key="profile_risk_history",
                placeholder=fmt.DASH,
            )


def draw_trends(trends: profile.Trends, year: int) -> None:
    st.subheader(f"Динамика показателей на {year} год")
    if not trends.items:
        st.info("Для тренда нужны значения хотя бы за два года, включая выбранный.")
        return
    cols = st.columns(2)
    for i, trend in enumerate(trends.items):
        with cols[i % 2]:
            st.markdown(trend.headline)
            st.plotly_chart(trend.figure, key=f"profile_trend_{trend.indicator}")
            st.caption(trend.caption)


def draw_stages_and_signs(stages, signs, year: int) -> None:
    if stages:
        st.subheader(f"Мониторинг этапов, {year}")
        st.markdown(stages.verdict)
        st.dataframe(
            layout.style_table(stages.table),
            hide_index=True,
            key="profile_stages_table",
            placeholder=fmt.DASH,
        )
    if signs:
        st.subheader(f"Объективность ВПР, {year}")
        if signs.warning:
            st.warning(signs.warning)
        elif len(signs.table):
            st.success("Признаков необъективности ВПР не найдено.")
        if len(signs.table):
            st.dataframe(
                layout.style_table(signs.table),
                hide_index=True,
                key="profile_objectivity_table",
                placeholder=fmt.DASH,
            )
        if signs.official:
            st.info(signs.official)
            st.dataframe(
                signs.official_table,
                hide_index=True,
                key="profile_official_markers_table",
                placeholder=fmt.DASH,
            )


def draw_adjusted(adjusted: profile.Adjusted | None, year: int) -> None:
    st.subheader(f"Результаты с учётом контекста, {year}")
    if adjusted is None:
        st.info(
            "Нет процедур с достаточным числом участников, чтобы оценить результат с учётом "
            "контекста."
        )
        return
    for col, (scope, value, help_, band) in zip(
        st.columns(len(adjusted.overall) or 1), adjusted.overall, strict=False
    ):
        col.metric(scope, value, help=help_)
        col.caption(band)
    st.plotly_chart(adjusted.figure, key="profile_adjusted_chart")
    st.caption(profile.ADJUSTED_NOTE)


def draw_similar(group: profile.Similar | None, year: int) -> None:
    st.subheader(f"Среди похожих школ, {year}")
    if group is None:
        st.info("Нет ИСБШ школы за этот год: группу похожих школ подобрать не по чему.")
        return
    st.caption(group.about)
    st.dataframe(
        group.comparison,
        hide_index=True,
        key="profile_similar_comparison",
        placeholder=fmt.DASH,
        column_config={labels.header("indicator"): st.column_config.TextColumn(width="medium")},
    )
    if group.figure is not None:
        st.plotly_chart(group.figure, key="profile_similar_chart")
    with st.expander("Похожие школы"):
        event = layout.show_table(
            group.peers,
            key="profile_similar_table",
            on_select="rerun",
            selection_mode="single-row",
            **labels.formats(profile.SIMILAR_COLUMNS),
        )
        if event and event.selection.rows:
            layout.open_profile(group.peer_ids[event.selection.rows[0]])
        st.caption(
            "Самые похожие — первыми. Выберите строку, чтобы открыть профиль школы; "
            "«место» считается среди школы и её похожих, 1 — лучший результат."
        )


def draw_cohorts(cohorts: profile.Cohorts, year: int) -> None:
    st.subheader(f"Прирост когорт, по {year} год")
    if cohorts.figure is None:
        st.info(cohorts.line)
    else:
        st.markdown(cohorts.line)
        st.plotly_chart(cohorts.figure, key="profile_cohort_chart")
        st.caption(profile.COHORT_NOTE)
    if cohorts.table is not None:
        st.dataframe(
            layout.style_table(cohorts.table, **labels.formats(profile.COHORT_COLUMNS)),
            hide_index=True,
            key="profile_cohort_table",
            placeholder=fmt.DASH,
        )


def draw_results(school_id: str, year: int, small_numbers) -> None:
    st.subheader("По годам")
    keys = profile.procedures(reads.query, school_id)
    if not keys:
        st.info("Результатов оценочных процедур нет.")
        return
    left, right = st.columns([3, 2])
    chosen = left.selectbox(
        "Процедура", keys, format_func=labels.procedure_label, key="profile_procedure"
    )
    measure = right.radio(
        "Показатель",
        profile.measures(reads.query, school_id, chosen) or list(labels.MEASURES),
        format_func=labels.MEASURES.get,
        horizontal=True,
        key="profile_measure",
    )
    history = profile.result_history(reads.query, school_id, chosen, measure, small_numbers)
    st.plotly_chart(history.figure, key="profile_history_chart")
    if history.trend:
        st.markdown(history.trend)
    st.caption(profile.small_numbers_note(small_numbers))
    table = profile.year_results(reads.query, school_id, year, small_numbers.hide_below)
    if len(table):
        st.markdown(f"**Все процедуры {year} года**")
        st.dataframe(
            layout.style_table(table, **labels.formats(profile.YEAR_COLUMNS)),
            hide_index=True,
            key="profile_year_table",
            placeholder=fmt.DASH,
        )


def draw_passport_and_staff(school_id: str, year: int) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader(f"Социальный паспорт, {year}")
        passport = profile.passport(reads.query, school_id, year)
        if passport is None:
            st.info(f"Социальный паспорт за {year} год не загружен.")
        else:
            st.plotly_chart(passport, key="profile_passport_chart")
    with right:
        st.subheader("Кадры")
        staff = profile.staff(reads.query, school_id, year)
        if staff is None:
            st.info("Сведений о кадрах нет.")
        else:
            layout.metrics(staff.metrics)
            st.plotly_chart(staff.figure, key="profile_staff_chart")
        outcomes = profile.outcomes(reads.query, school_id, year)
        if outcomes:
            layout.metrics(outcomes)


def draw_programmes(programmes: profile.Programmes, year: int) -> None:
    st.subheader("Участие в программах")
    if programmes.table.empty:
        st.info("Школа не входила в списки ШНОР, ШНСУ и «500+».")
        return
    st.dataframe(
        programmes.table.style.format({labels.header("year"): "{:d}"}, na_rep=fmt.DASH),
        hide_index=True,
        key="profile_programmes_table",
        placeholder=fmt.DASH,
    )


def draw_downloads(card: reports.SchoolCard, school_id: str, year: int) -> None:
    st.divider()
    left, middle, right = st.columns(3)
    left.download_button(
        "Скачать карточку школы (Excel)",
        data=card.workbook,
        file_name=f"Карточка_{school_id}_{year}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="profile_card_download",
    )
    layout.html_and_pdf(
        card.html,
        card.pdf,
        (middle, right),
        "Карточка",
        f"Карточка_{school_id}_{year}",
        "profile_card",
    )


# The profile's sections, by tab: only the open tab's sections are built and sent.
TABS = [
    "Главное",
    "Динамика и этапы",
    "Контекст",
    "По годам",
    "Паспорт и кадры",
]


def main() -> None:
    scope = layout.current_scope()
    st.title("Профиль школы")
    school_id = choose_school(scope)
    year, settings, q = scope.year, live.session_settings(), reads.query
    notices.scale_warning(year, settings)

    draw_card(
        profile.school_card(q, school_id, year), year, profile.isbsh_place(q, school_id, year)
    )
    programmes = profile.programmes(q, school_id, year)
    trends = profile.trends(q, school_id, year)
    main_tab, dynamics_tab, context_tab, results_tab, passport_tab = layout.lazy_tabs(
        TABS, "school_profile_tab"
    )
    if main_tab.open:
        with main_tab:
            draw_identification(
                profile.identification(q, school_id, year, settings, live.trying()),
                year,
                programmes.this_year,
            )
            draw_risks(profile.risk_profile(q, school_id, year))
    if dynamics_tab.open:
        with dynamics_tab:
            draw_trends(trends, year)
            draw_stages_and_signs(
                profile.stages(q, school_id, year), profile.objectivity(q, school_id, year), year
            )
    if context_tab.open:
        with context_tab:
            draw_adjusted(profile.adjusted(q, school_id, year, settings), year)
            draw_similar(profile.similar(q, school_id, year, settings), year)
            draw_cohorts(
                profile.cohorts(q, school_id, year, settings.small_numbers.hide_below), year
            )
    if results_tab.open:
        with results_tab:
            draw_results(school_id, year, settings.small_numbers)
    if passport_tab.open:
        with passport_tab:
            draw_passport_and_staff(school_id, year)
            draw_programmes(programmes, year)
    draw_downloads(reports.school_card(q, school_id, year, settings, trends), school_id, year)


main()
