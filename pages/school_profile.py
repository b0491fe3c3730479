"""Профиль школы: the card, results over the years, social passport, staff, programmes."""

from functools import partial

import pandas as pd
import streamlit as st

from analytics import fmt, labels, risk
from analytics import trends as tr
from radar.handouts import reports
from radar.ui import layout, live, reads
from radar.views import charts, profile

scope = layout.current_scope()
st.title("Профиль школы")

search = st.text_input(
    "Поиск школы по названию или коду",
    key="profile_search",
    placeholder="например, «лицей» или «СОШ № 5»",
)
found = reads.query(
    "pages/school_profile/school_search",
    text=search.strip(),
    municipality=scope.municipality_id,
    limit=300,
)
preselected = st.session_state.get(layout.PROFILE_SCHOOL_KEY)
options = found["school_id"].tolist()
school_labels = dict(
    zip(found["school_id"], found["name"] + " — " + found["municipality"], strict=True)
)
if preselected and preselected not in options and not search.strip():
    # A school opened from another page stays selectable even outside the current filter.
    chosen_card = reads.query(
        "pages/school_profile/school_card", school_id=preselected, year=scope.year
    )
    if len(chosen_card):
        options.insert(0, preselected)
        school_labels[preselected] = (
            f"{chosen_card['name'].iloc[0]} — {chosen_card['municipality'].iloc[0]}"
        )
if not options:
    st.info("Школы не найдены. Измените текст поиска или выберите «Все муниципалитеты».")
    st.stop()
school_id = st.selectbox(
    f"Школа (найдено: {len(found)}{', показаны первые 300' if len(found) == 300 else ''})",
    options,
    index=options.index(preselected) if preselected in options else 0,
    format_func=lambda s: school_labels.get(s, s),
    key="profile_school_select",
)
st.session_state[layout.PROFILE_SCHOOL_KEY] = school_id

card = reads.query("pages/school_profile/school_card", school_id=school_id, year=scope.year).iloc[0]
st.header(card["name"])
st.caption(
    f"{card['municipality']} · {card['settlement_type']} · {card['programme_type']} · "
    f"{card['school_level']} · код {card['school_id']}"
)

cols = st.columns(5)
cols[0].metric(
    "Обучающихся",
    fmt.integer(card["passport_pupils"] if pd.notna(card["passport_pupils"]) else card["pupils"]),
)
cols[1].metric("Малокомплектная", "да" if card["is_small"] else "нет")
cols[2].metric(
    "До центра муниципалитета",
    f"{fmt.num(card['distance_km'])} км" if pd.notna(card["distance_km"]) else fmt.DASH,
)
cols[3].metric(
    f"ИСБШ, {scope.year}",
    fmt.num(card["isbsh"]),
    help="Индекс социального благополучия школы, 0–100 (50 — средний уровень региона). "
    + (
        f"Квартиль: {int(card['quartile'])} из 4 (1 — наименее благополучные)."
        if pd.notna(card["quartile"])
        else ""
    ),
)
cols[4].metric(
    f"Сводный результат, {scope.year}",
    fmt.num(card["result_index"], 2),
    help="Средний по процедурам года результат школы "
    "в стандартных отклонениях от среднего по региону.",
)

place = reads.query("pages/school_profile/school_isbsh_place", school_id=school_id, year=scope.year)
if len(place):
    p = place.iloc[0]
    st.caption(
        f"ИСБШ {fmt.num(p['isbsh'])}: {fmt.integer(p['place'])}-е место по благополучию из "
        f"{fmt.integer(p['schools'])} школ региона, квартиль {int(p['quartile'])} из 4 "
        "(1 — наименее благополучные)."
    )

st.subheader(f"Идентификация, {scope.year}")
status = reads.query(
    "pages/school_profile/school_identification", school_id=school_id, year=scope.year
)
if status.empty:
    st.info("Для этого года идентификация не рассчитана: нет результатов или паспорта.")
else:
    st.markdown(profile.status_line(status.iloc[0]))
    st.dataframe(
        profile.rules_table(status.iloc[0], live.active_settings()),
        hide_index=True,
        key="profile_rules_table",
    )
    partners = reads.query(
        "pages/school_profile/school_partners", school_id=school_id, year=scope.year
    )
    if len(partners):
        st.markdown("**Предлагаемые школы-партнёры**")
        event = st.dataframe(
            layout.style_table(
                partners.rename(
                    columns={
                        "rank": "№",
                        "partner": "Школа",
                        "municipality": "Муниципалитет",
                        "partner_adjusted": "Результат с учётом контекста",
                        "reason": "Почему",
                    }
                )[["№", "Школа", "Муниципалитет", "Результат с учётом контекста", "Почему"]],
                digits={"Результат с учётом контекста": 2},
            ),
            hide_index=True,
            key="profile_partners_table",
            on_select="rerun",
            selection_mode="single-row",
        )
        if event and event.selection.rows:
            layout.open_profile(partners.iloc[event.selection.rows[0]]["partner_id"])
        st.caption("Выберите строку, чтобы открыть профиль школы-партнёра.")

st.subheader("Рисковый профиль")
risks = reads.query("pages/school_profile/school_risk_profile", school_id=school_id)
if risks.empty:
    st.info("Рисковый профиль школы не загружен и не может быть рассчитан из показателей.")
else:
    risk_years = sorted(risks["year"].unique(), reverse=True)
    risk_year = scope.year if scope.year in risk_years else risk_years[0]
    now = risks[risks["year"] == risk_year].assign(
        short=lambda d: d["factor_name"].map(risk.short_name)
    )
    derived = (now["source"] == risk.SOURCE_DERIVED).all()
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.risk_radar(now), key="profile_risk_radar")
        st.caption(
            f"{risk_year} год. "
            + (
                "Профиль рассчитан по показателям школы (анкеты «500+» нет): "
                + "; ".join(sorted(set(now["indicator"].dropna())))
                + ". Сравнение — со средним расчётным профилем региона."
                if derived
                else "Профиль по анкете «500+»; сравнение с центром кластера и средним по "
                "участникам «500+» региона."
            )
        )
    with right:
        cluster = now["cluster_name"].dropna()
        if len(cluster):
            defining = now[now["defining"].fillna(False).astype(bool)]
            st.markdown(f"**Кластер {int(now['cluster_id'].dropna().iloc[0])}: {cluster.iloc[0]}**")
            st.markdown(
                "Кластер выделяют факторы: "
                + ", ".join(
                    f"{r.short} (у школы — {r.risk_level})"
                    for r in defining.itertuples(index=False)
                )
                + "."
                if len(defining)
                else "Риски кластера ниже средних по региону."
            )
        elif derived:
            st.markdown("Школа не участвует в «500+», поэтому не отнесена к кластеру.")
        high = int((now["risk_level"] == "высокий").sum())
        st.metric("Факторов высокого риска", fmt.integer(high))
        history = risks.assign(short=risks["factor_name"].map(risk.short_name)).pivot_table(
            index="short", columns="year", values="risk_level", aggfunc="first"
        )
        if history.shape[1] > 1:
            st.markdown("**Как менялся профиль**")
            history.columns = [str(c) for c in history.columns]
            st.dataframe(history.rename_axis("Фактор").reset_index(), hide_index=True)

st.subheader(f"Динамика показателей на {scope.year} год")
school_trends = reads.query(
    "pages/school_profile/school_trends", school_id=school_id, year=scope.year
)
trend_charts: list = []  # also drawn in the card's HTML and PDF
if school_trends.empty:
    st.info("Для тренда нужны значения хотя бы за два года, включая выбранный.")
else:
    shown_trends = [
        i
        for i in ("result_index", "adjusted", "share_fail", "isbsh")
        if i in set(school_trends["indicator"])
    ]
    cols = st.columns(2)
    for i, indicator in enumerate(shown_trends):
        item = school_trends.set_index("indicator").loc[indicator]
        cuts = tr.DEFAULT_CUTS[indicator]
        percent = indicator == "share_fail"
        with cols[i % 2]:
            st.markdown(
                f"**{cuts.label}**: "
                + (
                    f"{tr.COLOURS[item['colour']][0]} — {item['label']}"
                    if isinstance(item["colour"], str)
                    else "цвет не определён"
                )
            )
            hist = reads.query(
                "pages/school_profile/school_indicator_history",
                school_id=school_id,
                indicator=indicator,
            )
            trend_figure = charts.trend_line(hist, item, cuts.label, percent)
            trend_charts.append((cuts.label, trend_figure))
            st.plotly_chart(trend_figure, key=f"profile_trend_{indicator}")
            k = 100 if percent else 1
            st.caption(
                f"Наклон за {int(item['n_points'])} г.: {fmt.signed(item['slope'] * k, 2)} в год "
                f"(95 %: {fmt.signed(item['slope_low'] * k, 2)} … "
                f"{fmt.signed(item['slope_high'] * k, 2)}); "
                f"Тейл — Сен {fmt.signed(item['theil_slope'] * k, 2)}; "
                f"Манн — Кендалл p = {fmt.num(item['mk_p'], 3)}"
                if item["n_points"] >= 3
                else "Меньше трёх лет данных: наклон не считается, цвет — по изменению к "
                "прошлому году."
            )

stages = reads.query("pages/school_profile/school_stages", school_id=school_id, year=scope.year)
if len(stages):
    st.subheader(f"Мониторинг этапов, {scope.year}")
    st.markdown(f"**{stages['status'].iloc[0]}** — {stages['reason'].iloc[0]}")
    st.dataframe(
        layout.style_table(
            stages.rename(
                columns={
                    "name": "Показатель",
                    "entry": "Входной",
                    "intermediate": "Промежуточный",
                    "final": "Итоговый",
                    "change_final": "Улучшение к итоговому",
                }
            )[["Показатель", "Входной", "Промежуточный", "Итоговый", "Улучшение к итоговому"]],
            digits={"Входной": 2, "Промежуточный": 2, "Итоговый": 2, "Улучшение к итоговому": 2},
        ),
        hide_index=True,
        key="profile_stages_table",
    )

signs = reads.query("pages/school_profile/school_objectivity", school_id=school_id, year=scope.year)
if len(signs):
    st.subheader(f"Объективность ВПР, {scope.year}")
    fired = signs[signs["fired"]]
    if fired.empty:
        st.success("Признаков необъективности ВПР не найдено.")
    else:
        st.warning(
            "Есть признаки, которые стоит проверить (это не вывод о необъективности): "
            + "; ".join(f"{r.name} — {r.evidence}" for r in fired.itertuples(index=False))
        )
    st.dataframe(
        signs.assign(fired=signs["fired"].map({True: "да", False: "нет"}))
        .rename(
            columns={
                "name": "Признак",
                "value": "Значение",
                "threshold": "Порог",
                "fired": "Сработал",
                "evidence": "Основание",
            }
        )
        .style.format({"Значение": lambda v: fmt.num(v, 2), "Порог": lambda v: fmt.num(v, 2)}),
        hide_index=True,
        key="profile_objectivity_table",
    )

st.subheader(f"Результаты с учётом контекста, {scope.year}")
adjusted = reads.query(
    "pages/school_profile/school_adjusted_procedures", school_id=school_id, year=scope.year
)
reliable = adjusted[adjusted["band"].isin(list(charts.BAND_STYLE))]
if reliable.empty:
    st.info(
        "Нет процедур с достаточным числом участников, чтобы оценить результат с учётом контекста."
    )
else:
    overall = reads.query(
        "pages/school_profile/school_adjusted_overall", school_id=school_id, year=scope.year
    )
    cols = st.columns(len(overall) or 1)
    for col, row in zip(cols, overall.itertuples(index=False), strict=False):
        col.metric(
            row.scope[0].upper() + row.scope[1:],
            fmt.signed(row.residual, 2),
            help=f"{row.band}; 95 %-интервал {fmt.signed(row.lower, 2)} … "
            f"{fmt.signed(row.upper, 2)}; участников {fmt.integer(row.participants)}.",
        )
        col.caption(row.band or "")
    procedure_names = [
        labels.procedure_label(e, s, g)
        for e, s, g in zip(reliable["exam"], reliable["subject"], reliable["grade"], strict=True)
    ]
    st.plotly_chart(
        charts.adjusted_intervals(reliable, procedure_names), key="profile_adjusted_chart"
    )
    st.caption(
        "Точка — насколько результат школы выше или ниже ожидаемого для школ с таким же ИСБШ, "
        "типом поселения и размером (в стандартных отклонениях); отрезок — 95 %-интервал. "
        "Процедуры с малым числом участников не показаны."
    )

programmes = reads.query("pages/school_profile/school_programmes", school_id=school_id)
current = programmes[programmes["year"] == scope.year]
if len(current):
    st.warning("В " + str(scope.year) + " году: " + ", ".join(current["programme"]) + ".")
else:
    st.success(f"В {scope.year} году школа не входит в списки ШНОР, ШНСУ и «500+».")

st.subheader("Результаты по годам")
procedures = reads.query("pages/school_profile/school_procedures", school_id=school_id)
if procedures.empty:
    st.info("Результатов оценочных процедур нет.")
else:
    keys = list(zip(procedures["exam"], procedures["subject"], procedures["grade"], strict=True))
    left, right = st.columns([3, 2])
    chosen = left.selectbox(
        "Процедура",
        keys,
        format_func=lambda k: labels.procedure_label(*k),
        key="profile_procedure",
    )
    measure = right.radio(
        "Показатель",
        list(labels.MEASURES),
        format_func=labels.MEASURES.get,
        horizontal=True,
        key="profile_measure",
    )
    history = reads.query(
        "pages/school_profile/school_result_history",
        school_id=school_id,
        exam=chosen[0],
        subject=chosen[1],
        grade=int(chosen[2]),
    )
    small_numbers = live.active_settings().small_numbers
    st.plotly_chart(
        charts.result_history(history, measure, small_numbers),
        key="profile_history_chart",
    )
    procedure_trend = reads.query(
        "pages/school_profile/school_procedure_trend",
        school_id=school_id,
        exam=chosen[0],
        subject=chosen[1],
        grade=int(chosen[2]),
    )
    if len(procedure_trend):
        st.markdown(
            " · ".join(
                f"**{'Стандартизованный балл' if r.indicator == 'z_score' else 'Доля «2»'}** "
                f"на {int(r.as_of)} г.: {tr.COLOURS[r.colour][0]} — {r.label}"
                for r in procedure_trend.itertuples(index=False)
                if isinstance(r.colour, str)
            )
        )
    st.caption(
        f"Значения школы при числе участников меньше {small_numbers.hide_below} скрыты; "
        f"при числе меньше {small_numbers.unreliable_below} отмечены как ненадёжные."
    )
    year_results = reads.query(
        "pages/school_profile/school_year_procedures", school_id=school_id, year=scope.year
    )
    if len(year_results):
        shown = year_results.copy()
        hidden = shown["participants"] < small_numbers.hide_below
        for column in ("mean_score", "mean_mark", "share_fail", "share_81plus", "z_score"):
            shown.loc[hidden, column] = float("nan")
        shown["procedure"] = [
            labels.procedure_label(e, s, g)
            for e, s, g in zip(shown["exam"], shown["subject"], shown["grade"], strict=True)
        ]
        shown = shown.rename(
            columns={
                "procedure": "Процедура",
                "participants": "Участников",
                "mean_score": "Средний балл",
                "region_mean": "Средний балл по региону",
                "mean_mark": "Средняя отметка",
                "share_fail": "Доля «2» / ниже минимума",
                "share_81plus": "Доля 81+",
                "z_score": "Отклонение от региона (z)",
            }
        )[
            [
                "Процедура",
                "Участников",
                "Средний балл",
                "Средний балл по региону",
                "Средняя отметка",
                "Доля «2» / ниже минимума",
                "Доля 81+",
                "Отклонение от региона (z)",
            ]
        ]
        st.markdown(f"**Все процедуры {scope.year} года**")
        st.dataframe(
            layout.style_table(
                shown,
                digits={"Средняя отметка": 2, "Отклонение от региона (z)": 2},
                percent=("Доля «2» / ниже минимума", "Доля 81+"),
            ),
            hide_index=True,
            key="profile_year_table",
        )

left, right = st.columns(2)
with left:
    st.subheader(f"Социальный паспорт, {scope.year}")
    passport = reads.query(
        "pages/school_profile/school_passport_compare", school_id=school_id, year=scope.year
    )
    if passport["school"].notna().any():
        st.plotly_chart(charts.passport_compare(passport), key="profile_passport_chart")
    else:
        st.info(f"Социальный паспорт за {scope.year} год не загружен.")
with right:
    st.subheader("Кадры")
    staff = reads.query("pages/school_profile/school_staff", school_id=school_id)
    if staff.empty:
        st.info("Сведений о кадрах нет.")
    else:
        now = staff[staff["year"] == scope.year]
        last = (now if len(now) else staff).iloc[-1]
        cols = st.columns(4)
        cols[0].metric("Педагогов", fmt.integer(last["teachers"]))
        cols[1].metric("Вакансий", fmt.integer(last["vacancies"]))
        cols[2].metric("Высшая категория", fmt.pct(last["share_highest_category"]))
        cols[3].metric(
            "Высшее пед. обр.",
            fmt.pct(last["share_higher_ped_ed"]),
            help="Доля педагогов с высшим педагогическим образованием",
        )
        st.plotly_chart(charts.staff_age(staff), key="profile_staff_chart")
    outcomes = reads.query("pages/school_profile/school_outcomes", school_id=school_id)
    now = outcomes[outcomes["year"] == scope.year]
    if len(now):
        cols = st.columns(2)
        cols[0].metric(
            "Участники олимпиад (рег. и закл. этапы)", fmt.pct(now.iloc[0]["share_olympiad"])
        )
        cols[1].metric(
            "Продолжили обучение в 10 классе", fmt.pct(now.iloc[0]["share_continue_grade10"])
        )

st.subheader("Участие в программах")
if programmes.empty:
    st.info("Школа не входила в списки ШНОР, ШНСУ и «500+».")
else:
    st.dataframe(
        programmes.rename(
            columns={
                "year": "Год",
                "programme": "Программа",
                "curator": "Куратор",
                "curator_organisation": "Организация куратора",
                "partner": "Школа-партнёр",
            }
        ).style.format({"Год": "{:d}"}, na_rep=fmt.DASH),
        hide_index=True,
        key="profile_programmes_table",
    )

st.divider()
card_sheets = reports.school_card_sheets(
    card,
    scope.year,
    reads.query(
        "pages/school_profile/school_year_procedures", school_id=school_id, year=scope.year
    ),
    profile.rules_table(status.iloc[0], live.active_settings()) if len(status) else None,
    school_trends,
    stages,
    signs,
    programmes,
    live.active_settings().small_numbers.hide_below,
)


def card_html() -> str:
    return reports.school_card_html(card, scope.year, card_sheets, trend_charts)


left, middle, right = st.columns(3)
left.download_button(
    "Скачать карточку школы (Excel)",
    data=partial(reports.school_card_workbook, card, card_sheets),
    file_name=f"Карточка_{school_id}_{scope.year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="profile_card_download",
)
layout.html_and_pdf(
    card_html, (middle, right), "Карточка", f"Карточка_{school_id}_{scope.year}", "profile_card"
)
