"""Every page through Streamlit's AppTest on the demo region, each with its own check."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import fmt
from radar.handouts import html_report
from radar.store import db

APP = Path(__file__).resolve().parents[2] / "app.py"

pytestmark = pytest.mark.usefixtures("demo_env")


def run_app(page: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at: AppTest, label: str, key: str = "school_profile_tab") -> AppTest:
    """The page with another of its tabs open (radar.ui.layout.lazy_tabs build only that)."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def figure(at: AppTest, key: str) -> dict:
    element = next(
        e for e in at.get("plotly_chart") if e.proto.id.endswith(key) or key in e.proto.id
    )
    return json.loads(element.proto.spec)


def values(array) -> list:
    """Plotly may ship arrays as typed binary ({"dtype", "bdata"}): decode either form."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(
            base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])
        ).tolist()
    return list(array)


def table_with(at: AppTest, column: str):
    """The first table on the page that has `column` (tables without selection have no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def scalar(demo_db, statement: str, **params):
    con = db.connect(demo_db)
    try:
        return con.execute(statement, params).fetchone()[0]
    finally:
        con.close()


def scalar_frame(demo_db, statement: str, **params) -> pd.DataFrame:
    con = db.connect(demo_db)
    try:
        return con.execute(statement, params).df()
    finally:
        con.close()


def test_overview_metrics_match_the_database(demo_db):
    at = run_app()
    assert at.title[0].value == "Обзор региона"
    schools = scalar(demo_db, "select count(*) from schools")
    assert metric(at, "Школ") == fmt.integer(schools)
    year = scalar(demo_db, "select max(year) from exam_results")
    shnor = scalar(demo_db, "select count(*) from identification where shnor and year = $y", y=year)
    assert metric(at, "ШНОР") == fmt.integer(shnor)  # as on «Идентификация» and «Муниципалитет»
    approved = scalar(
        demo_db,
        "select count(distinct school_id) from programme_membership where programme = 'ШНОР' and year = $y",
        y=year,
    )
    shnor_metric = next(m for m in at.metric if m.label == "ШНОР")
    assert f"В утверждённом списке — {fmt.integer(approved)}" in shnor_metric.help


def test_overview_charts_show_every_school_and_status(demo_db):
    at = run_app()
    scatter = figure(at, "overview_scatter")
    settlement_types = scalar(demo_db, "select count(distinct settlement_type) from schools")
    assert len(scatter["data"]) == settlement_types + 1  # one trace per type and the trend line
    year = scalar(demo_db, "select max(year) from exam_results")
    plotted = sum(len(values(t["x"])) for t in scatter["data"] if t["mode"] == "markers")
    with_both = scalar(
        demo_db,
        "select count(*) from social_index i join school_year_results r using (school_id, year)"
        " where year = $y and i.isbsh is not null",
        y=year,
    )
    assert plotted == with_both
    assert scatter["layout"]["separators"] == ", "
    bars = figure(at, "overview_municipality_bars")
    assert [t["name"] for t in bars["data"]] == ["ШНОР и ШНСУ", "ШНОР", "ШНСУ", "Прочие школы"]
    assert sum(sum(values(t["x"])) for t in bars["data"]) == scalar(
        demo_db, "select count(*) from schools"
    )


def test_municipality_filter_narrows_the_overview(demo_db):
    municipality = scalar(demo_db, "select min(municipality_id) from municipalities")
    at = run_app(municipality=municipality)
    schools = scalar(
        demo_db, "select count(*) from schools where municipality_id = $m", m=municipality
    )
    assert metric(at, "Школ") == fmt.integer(schools)
    assert len(at.dataframe[0].value) == 1


def test_year_filter_changes_the_programme_counts(demo_db):
    at = run_app(year=2021)
    count = scalar(
        demo_db,
        "select count(distinct school_id) from programme_membership where programme = '500+' and year = 2021",
    )
    assert metric(at, "Участники «500+»") == fmt.integer(count)


def test_school_profile_shows_the_chosen_school(demo_db):
    school = scalar(
        demo_db,
        "select school_id from programme_membership where programme = '500+' order by year desc, school_id limit 1",
    )
    at = run_app("pages/school_profile.py", profile_school_id=school)
    name = scalar(demo_db, "select name from schools where school_id = $s", s=school)
    assert at.header[0].value == name
    year = scalar(demo_db, "select max(year) from exam_results")
    isbsh = scalar(
        demo_db,
        "select isbsh from social_index where school_id = $s and year = $y",
        s=school,
        y=year,
    )
    assert metric(at, f"ИСБШ, {year}") == fmt.num(isbsh)
    open_tab(at, "По годам")
    history = figure(at, "profile_history_chart")
    assert [t["name"] for t in history["data"]][:3] == ["Регион", "Муниципалитет", "Школа"]
    assert history["layout"]["xaxis"]["tickformat"] == "d"
    open_tab(at, "Паспорт и кадры")
    passport = figure(at, "profile_passport_chart")
    assert len(passport["data"]) == 3
    programmes = at.dataframe[-1].value
    assert "500+" in set(programmes["Программа"])
    labels = {b.label for b in at.get("download_button")}
    assert {
        "Скачать карточку школы (Excel)",
        "Карточка HTML (работает без интернета)",
        "Карточка PDF",  # Chromium is installed here
    } <= labels


def test_school_profile_search_finds_lyceums():
    at = run_app("pages/school_profile.py")
    at.text_input(key="profile_search").input("лицей").run()
    assert not at.exception
    options = at.selectbox(key="profile_school_select").options
    assert options and all("лицей" in o.lower() for o in options)


def test_identification_lists_match_the_stored_identification(demo_db):
    at = run_app("pages/identification.py")
    assert at.title[0].value == "Идентификация ШНОР и ШНСУ"
    year = scalar(demo_db, "select max(year) from exam_results")
    shnor = scalar(demo_db, "select count(*) from identification where year = $y and shnor", y=year)
    shnsu = scalar(demo_db, "select count(*) from identification where year = $y and shnsu", y=year)
    assert metric(at, "ШНОР") == fmt.integer(shnor)
    assert metric(at, "ШНСУ") == fmt.integer(shnsu)
    table = at.dataframe(key="identification_shnor_table").value
    assert len(table) == shnor
    assert table["Сработавшие правила"].str.len().min() > 0
    # Every listed school fired at least the required number of rules.
    fired = table[
        [
            "В числе худших по сводному результату",
            "Доля «2» выше порога",
            "Отставание от региона в баллах",
        ]
    ]
    assert (fired.sum(axis=1) >= 2).all()


def test_changing_a_threshold_on_the_page_changes_the_list(demo_db):
    at = run_app("pages/identification.py")
    before = int(metric(at, "ШНОР").replace("\u202f", ""))
    at.number_input(key="set_0_shnor_min_rules").set_value(1)
    next(b for b in at.button if b.label == "Применить").click().run()
    assert not at.exception
    after = int(metric(at, "ШНОР").replace("\u202f", ""))
    assert after > before
    assert len(at.dataframe(key="identification_shnor_table").value) == after
    at.number_input(key="set_0_shnor_min_rules").set_value(3)
    next(b for b in at.button if b.label == "Применить").click().run()
    assert int(metric(at, "ШНОР").replace("\u202f", "")) < before


def test_criteria_tried_on_identification_are_the_sessions_on_every_page(demo_db):
    """One truth: after the methodologist tries her own criteria, the overview counts her
    lists, a school they gained says so in its profile, and resetting brings back the
    stored lists everywhere."""
    at = run_app("pages/identification.py")
    year = scalar(demo_db, "select max(year) from identification")
    stored = set(
        scalar_frame(
            demo_db, "select school_id from identification where year = $y and shnor", y=year
        )["school_id"]
    )
    at.switch_page("pages/overview.py").run()
    before = metric(at, "ШНОР")
    at.switch_page("pages/identification.py").run()
    at.number_input(key="set_0_shnor_min_rules").set_value(1)
    next(b for b in at.button if b.label == "Применить").click().run()
    assert not at.exception
    tried = metric(at, "ШНОР")
    assert tried != before
    assert any("Пробные критерии: действующие с изменениями" in w.value for w in at.sidebar.warning)
    listed = at.dataframe(key="identification_shnor_table").value["Школа"]
    names = scalar_frame(demo_db, "select school_id, name from schools")
    gained = names[names["name"].isin(listed) & ~names["school_id"].isin(stored)]
    assert len(gained)

    at.switch_page("pages/overview.py").run()
    assert metric(at, "ШНОР") == tried  # the overview counts the same lists
    at.session_state["profile_school_id"] = gained["school_id"].iloc[0]
    at.switch_page("pages/school_profile.py").run()
    assert not at.exception
    status = [m.value for m in at.markdown if m.value.startswith("**По расчёту**")]
    assert len(status) == 1 and "**ШНОР**" in status[0]
    assert status[0].startswith("**По расчёту** (пробные критерии: действующие с изменениями)")
    assert any("В утверждённых списках" in e.value for e in [*at.warning, *at.success])

    at.button(key="criteria_reset").click().run()
    assert not at.sidebar.warning
    at.switch_page("pages/overview.py").run()
    assert metric(at, "ШНОР") == before


def test_identification_for_one_municipality(demo_db):
    municipality = scalar(demo_db, "select min(municipality_id) from municipalities")
    at = run_app("pages/identification.py", municipality=municipality)
    year = scalar(demo_db, "select max(year) from exam_results")
    shnsu = scalar(
        demo_db,
        "select count(*) from identification join schools using (school_id) "
        "where year = $y and shnsu and municipality_id = $m",
        y=year,
        m=municipality,
    )
    assert metric(at, "ШНСУ") == fmt.integer(shnsu)


def test_context_page_plots_every_school_with_its_band(demo_db):
    at = run_app("pages/context.py")
    assert at.title[0].value == "Контекст и результаты"
    year = scalar(demo_db, "select max(year) from exam_results")
    schools = scalar(
        demo_db,
        "select count(distinct c.school_id) from context_adjusted c join social_index s "
        "using (school_id, year) where c.year = $y and c.residual is not null "
        "and c.participants >= 10 and s.isbsh is not null",
        y=year,
    )
    scatter = figure(at, "context_scatter")
    banded = [
        t for t in scatter["data"] if t["mode"] == "markers" and t["name"] != "Резильентные школы"
    ]
    assert sum(len(values(t["x"])) for t in banded) == schools
    names = [t["name"] for t in scatter["data"]]
    assert "Линия регрессии" in names and "Резильентные школы" in names
    resilient = next(t for t in scatter["data"] if t["name"] == "Резильентные школы")
    stored = scalar(
        demo_db,
        "select count(*) from identification where year = $y and resilient",
        y=year,
    )
    assert len(values(resilient["x"])) == stored
    assert len(scatter["layout"]["annotations"]) == 4  # the quadrant labels
    open_tab(at, "Воронка", "context_tab")
    funnel = figure(at, "context_funnel")
    assert funnel["layout"]["xaxis"]["type"] == "log"
    assert sum(1 for t in funnel["data"] if t["mode"] == "lines") == 4
    open_tab(at, "Все школы", "context_tab")
    assert len(table_with(at, "Оценка")) >= schools


def test_school_profile_compares_the_school_with_its_similar_schools(demo_db):
    """«Среди похожих школ»: the group's 20 schools, the school's place among them on each
    indicator, a chart with the school, its group and the group's median."""
    from analytics import similar

    year = scalar(demo_db, "select max(year) from exam_results")
    school = scalar(
        demo_db,
        "select school_id from identification where year = $y and shnor order by school_id limit 1",
        y=year,
    )
    at = open_tab(run_app("pages/school_profile.py", profile_school_id=school), "Контекст")
    assert f"Среди похожих школ, {year}" in [h.value for h in at.subheader]
    assert any(c.value.startswith("20 школ региона, самых похожих") for c in at.caption)
    peers = at.dataframe(key="profile_similar_table").value
    assert len(peers) == similar.GROUP_SIZE
    context = scalar_frame(
        demo_db,
        "select * from social_index join schools using (school_id) where year = $y",
        y=year,
    )
    names = context.set_index("school_id")["name"]
    expected = similar.similar_groups(
        scalar_frame(
            demo_db,
            "select i.school_id, i.isbsh, s.settlement_type, "
            "coalesce(p.pupils, s.pupils) as pupils, s.distance_km from social_index i "
            "join schools s using (school_id) "
            "left join social_passport p using (school_id, year) where i.year = $y",
            y=year,
        ),
        [school],
    )
    assert peers["Школа"].tolist() == names.loc[expected["peer_id"]].tolist()
    comparison = table_with(at, "Место среди похожих (1 — лучшее)")
    assert "Сводный результат" in comparison["Показатель"].tolist()
    assert comparison["Место среди похожих (1 — лучшее)"].str.fullmatch(r"\d+ из \d+").all()
    result = scalar(
        demo_db,
        "select result_index from school_year_results where school_id = $s and year = $y",
        s=school,
        y=year,
    )
    row = comparison[comparison["Показатель"] == "Сводный результат"].iloc[0]
    assert row["Школа"] == fmt.signed(result, 2)
    chart = figure(at, "profile_similar_chart")
    assert [t["name"] for t in chart["data"]] == [
        "Похожие школы",
        "Медиана похожих школ",
        "Эта школа",
    ]


def test_context_page_judges_the_shrunken_figure_unless_the_setting_says_raw(demo_db):
    """By default the bands judge the estimate with its reliability correction, drawn on the
    funnel beside each point; with the setting off they judge the raw residual."""
    import dataclasses

    from analytics import context as cx
    from analytics.settings import Settings
    from radar.ui import live

    at = open_tab(run_app("pages/context.py"), "Воронка", "context_tab")
    funnel = figure(at, "context_funnel")
    marks = [t for t in funnel["data"] if t["name"] == "С поправкой на надёжность"]
    assert len(marks) == 1 and len(values(marks[0]["y"])) > 0
    assert any("с поправкой на надёжность" in c.value for c in at.caption)
    shrunk_well_above = int(metric(at, "Значительно выше ожидаемого").replace("\u00a0", ""))

    raw = dataclasses.replace(Settings(), band_shrunken=False)
    at = run_app("pages/context.py", **{live.SESSION_KEY: (raw.to_json(), "без поправки")})
    open_tab(at, "Все школы", "context_tab")
    table = table_with(at, "Оценка")
    raw_well_above = int(metric(at, "Значительно выше ожидаемого").replace("\u00a0", ""))
    lower, upper = table["Нижняя граница"], table["Верхняя граница"]
    expected = cx.band(table["С учётом контекста"], lower, upper, raw.band_magnitude)
    assert (expected == cx.BAND_WELL_ABOVE).sum() == raw_well_above
    assert shrunk_well_above < raw_well_above
    assert any("без поправки на надёжность" in c.value for c in at.caption)


def test_context_page_lists_the_resilient_schools_with_their_reasons(demo_db):
    """The resilient schools as a list with why each one is; when the session's criteria
    leave none, the page says which condition nobody met."""
    import dataclasses

    from analytics.settings import Settings
    from radar.ui import live

    at = open_tab(run_app("pages/context.py"), "Резильентные школы", "context_tab")
    year = scalar(demo_db, "select max(year) from identification")
    stored = scalar_frame(
        demo_db,
        "select s.name from identification join schools s using (school_id) "
        "where year = $y and resilient",
        y=year,
    )
    shown = table_with(at, "Почему")
    assert len(shown) == len(stored) > 0
    assert set(shown["Школа"]) == set(stored["name"])
    assert shown["Почему"].str.startswith("ИСБШ").all()
    assert shown["Почему"].str.contains("; результат ").all()
    assert any(
        c.value.startswith(
            "ИСБШ в нижнем квартиле и результат значительно выше ожидаемого; "
            "результаты ОГЭ, ЕГЭ за 3 года"
        )
        for c in at.caption
    )

    strict = dataclasses.replace(Settings(), band_magnitude=5.0)
    at = run_app("pages/context.py", **{live.SESSION_KEY: (strict.to_json(), "строгие")})
    open_tab(at, "Резильентные школы", "context_tab")
    said = [i.value for i in at.info]
    assert any(
        "ни одна школа не выполнила условие «результат значительно выше ожидаемого»" in s
        for s in said
    ), said


def test_context_page_for_one_procedure(demo_db):
    at = run_app("pages/context.py")
    options = at.selectbox(key="context_procedure").options
    index = next(i for i, o in enumerate(options) if o.startswith("ОГЭ, Математика, 9"))
    at.selectbox(key="context_procedure").select_index(index).run()
    assert not at.exception
    open_tab(at, "Все школы", "context_tab")
    year = scalar(demo_db, "select max(year) from exam_results")
    rows = scalar(
        demo_db,
        "select count(*) from context_adjusted where year = $y and exam = 'ОГЭ' "
        "and subject = 'Математика' and residual is not null and participants >= 10",
        y=year,
    )
    assert len(table_with(at, "Оценка")) == rows


def test_methodology_shows_the_active_settings():
    at = run_app("pages/methodology.py")
    assert at.title[0].value == "Методика"
    settings = table_with(at, "Параметр")
    assert "Доля худших школ региона по сводному результату ВПР, ОГЭ или ЕГЭ" in set(
        settings["Параметр"]
    )
    assert "10 %" in set(settings["Значение"])
    assert any("ИСБШ" in h.value for h in at.header)
    # Clusters, derived risk profiles and the attention rule are explained in words.
    headers = {h.value for h in at.header}
    assert {"Кластеры рисков", "Школы, которым нужно внимание"} <= headers
    text = " ".join(m.value for m in at.markdown)
    assert "Расчётный рисковый профиль" in text and "силуэт" in text


def test_school_profile_shows_identification_and_adjusted_results(demo_db):
    year = scalar(demo_db, "select max(year) from exam_results")
    school = scalar(
        demo_db,
        "select school_id from identification where year = $y and shnor order by school_id limit 1",
        y=year,
    )
    at = run_app("pages/school_profile.py", profile_school_id=school)
    rules = table_with(at, "Правило")
    assert len(rules) == 7
    fired = scalar(
        demo_db,
        "select shnor_rules_fired from identification where school_id = $s and year = $y",
        s=school,
        y=year,
    )
    counted = rules[(rules["Список"] == "ШНОР") & ~rules["Правило"].str.contains("не учитывается")]
    assert (counted["Сработало"] == "да").sum() == fired
    partners = at.dataframe(key="profile_partners_table").value
    stored = scalar(
        demo_db,
        "select count(*) from partner_suggestions where school_id = $s and year = $y",
        s=school,
        y=year,
    )
    assert len(partners) == stored > 0
    open_tab(at, "Контекст")
    chart = figure(at, "profile_adjusted_chart")
    points = [t for t in chart["data"] if t["name"] != "С поправкой на надёжность"]
    shown = sum(len(values(t["x"])) for t in points)
    shrunk = next(t for t in chart["data"] if t["name"] == "С поправкой на надёжность")
    assert len(values(shrunk["x"])) == shown  # every point with its shrunken estimate
    reliable = scalar(
        demo_db,
        "select count(*) from context_adjusted where school_id = $s and year = $y "
        "and band is not null and band <> 'мало участников'",
        s=school,
        y=year,
    )
    assert shown == reliable
    overall, raw = scalar_frame(
        demo_db,
        "select shrunk, residual from school_adjusted where school_id = $s and year = $y "
        "and scope = 'все процедуры'",
        s=school,
        y=year,
    ).iloc[0]
    # The figure the band judges (with the reliability correction), the raw one in the help.
    shown_metric = next(m for m in at.metric if m.label == "Все процедуры")
    assert shown_metric.value == fmt.signed(overall, 2)
    assert f"без поправки {fmt.signed(raw, 2)}" in shown_metric.proto.help


def test_a_preset_saved_on_the_page_becomes_the_database_settings(demo_db, tmp_path, monkeypatch):
    import shutil

    import streamlit as st

    copy = tmp_path / "radar.duckdb"
    shutil.copyfile(demo_db, copy)
    monkeypatch.setenv("RADAR_DB", str(copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_app("pages/identification.py")
    at.number_input(key="set_0_shnor_min_rules").set_value(1)
    next(b for b in at.button if b.label == "Применить").click().run()
    shown = metric(at, "ШНОР")
    at.text_input(key="preset_name").input("Мягкие критерии")
    at.checkbox(key="preset_active").check()
    at.button(key="preset_save").click().run()
    assert not at.exception
    assert any("сохранён" in s.value for s in at.success), [e.value for e in at.error]
    con = db.connect(copy)
    try:
        name, active = con.execute("select name, is_active from settings_presets").fetchone()
        year = con.execute("select max(year) from exam_results").fetchone()[0]
        stored = con.execute(
            "select count(*) from identification where year = $y and shnor", {"y": year}
        ).fetchone()[0]
    finally:
        con.close()
    assert (name, active) == ("Мягкие критерии", True)
    assert fmt.integer(stored) == shown
    # A fresh visit starts from the saved settings.
    st.cache_data.clear()
    st.cache_resource.clear()
    again = run_app("pages/identification.py")
    assert metric(again, "ШНОР") == shown
    assert again.number_input(key="set_0_shnor_min_rules").value == 1


def test_risk_clusters_page_matches_the_stored_clusters(demo_db):
    at = run_app("pages/risk_clusters.py")
    assert at.title[0].value == "Кластеры рисков"
    year = scalar(demo_db, "select max(year) from risk_clusters")
    schools = scalar(demo_db, "select count(*) from risk_clusters where year = $y", y=year)
    clusters = scalar(
        demo_db, "select count(distinct cluster_id) from risk_clusters where year = $y", y=year
    )
    assert metric(at, "Школ с рисковым профилем") == fmt.integer(schools)
    assert metric(at, "Кластеров") == fmt.integer(clusters)
    themap = figure(at, "risk_map")
    assert len(themap["data"]) == clusters
    assert sum(len(values(t["x"])) for t in themap["data"]) == schools
    heat = figure(at, "risk_heatmap")["data"][0]
    factors = scalar(demo_db, "select count(*) from risk_factors where year = $y", y=year)
    assert len(heat["x"]) == factors and len(heat["y"]) == clusters
    curve = figure(at, "risk_silhouette")
    assert values(curve["data"][1]["x"]) == [
        scalar(demo_db, "select k from risk_cluster_quality where year = $y and chosen", y=year)
    ]
    name = scalar(
        demo_db,
        "select cluster_name from risk_clusters where year = $y order by cluster_id limit 1",
        y=year,
    )
    assert any(name in m.value for m in at.markdown)


def test_risk_clusters_filter_by_programme(demo_db):
    at = run_app("pages/risk_clusters.py")
    at.radio(key="risk_programme").set_value("только ШНОР").run()
    year = scalar(demo_db, "select max(year) from risk_clusters")
    shnor = scalar(
        demo_db,
        "select count(*) from risk_clusters c join identification i using (school_id, year) "
        "where c.year = $y and i.shnor",
        y=year,
    )
    assert metric(at, "Школ с рисковым профилем") == fmt.integer(shnor)


def test_school_profile_shows_the_risk_radar_and_cluster(demo_db):
    year = scalar(demo_db, "select max(year) from risk_clusters")
    school, cluster = (
        db.connect(demo_db)
        .execute(
            "select school_id, cluster_name from risk_clusters where year = $y "
            "order by school_id limit 1",
            {"y": year},
        )
        .fetchone()
    )
    at = run_app("pages/school_profile.py", profile_school_id=school, year=year)
    radar = figure(at, "profile_risk_radar")
    assert [t["name"] for t in radar["data"]] == ["Регион", "Кластер", "Школа"]
    factors = scalar(demo_db, "select count(*) from risk_factors where year = $y", y=year)
    assert len(radar["data"][2]["r"]) == factors + 1  # the polygon is closed
    assert any(cluster in m.value for m in at.markdown)
    # A school outside «500+» gets a derived profile, marked as such.
    other = scalar(
        demo_db,
        "select min(school_id) from risk_profiles_derived where year = $y and source = 'расчёт'",
        y=year,
    )
    at = run_app("pages/school_profile.py", profile_school_id=other, year=year)
    assert any("рассчитан по показателям" in c.value for c in at.caption)


PAGES = [
    None,
    "pages/school_profile.py",
    "pages/identification.py",
    "pages/context.py",
    "pages/risk_clusters.py",
    "pages/monitoring.py",
    "pages/dynamics.py",
    "pages/my_schools.py",
    "pages/data.py",
    "pages/municipality.py",
    "pages/methodology.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_works_on_a_tiny_imported_region(page, tmp_path, monkeypatch):
    """Three schools loaded through the import path, no «500+» profiles: nothing breaks."""
    import streamlit as st

    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived
    from tests.conftest import tiny_frames

    path = tmp_path / "tiny.duckdb"
    load_region(tiny_frames(), path, after_load=refresh_derived)
    monkeypatch.setenv("RADAR_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_app(page)
    assert at.title
    if page == "pages/risk_clusters.py":
        assert any("нет рисковых профилей" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_works_on_a_real_region_in_a_foreign_layout(page, england_db, monkeypatch):
    """4 000 real schools, one year, one procedure, no staff, roadmap or stages: every page
    opens without an error and says what is missing instead of drawing nothing."""
    import streamlit as st

    monkeypatch.setenv("RADAR_DB", str(england_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_app(page)
    assert at.title or at.header
    if page == "pages/municipality.py":
        # No roadmap in England's files: said in words, not drawn as an empty chart.
        assert any("Мероприятий дорожной карты" in i.value for i in at.info)
        assert not any("roadmap_chart" in e.proto.id for e in at.get("plotly_chart"))


def test_risk_clusters_with_a_context_indicator_added(demo_db):
    at = run_app("pages/risk_clusters.py")
    before = figure(at, "risk_heatmap")["data"][0]["y"]
    at.multiselect(key="risk_context_features").set_value(["isbsh_risk", "result_risk"]).run()
    assert not at.exception
    year = scalar(demo_db, "select max(year) from risk_clusters")
    schools = scalar(demo_db, "select count(*) from risk_clusters where year = $y", y=year)
    assert metric(at, "Школ с рисковым профилем") == fmt.integer(schools)
    themap = figure(at, "risk_map")
    assert sum(len(values(t["x"])) for t in themap["data"]) == schools
    after = figure(at, "risk_heatmap")["data"][0]
    assert len(after["x"]) == scalar(
        demo_db, "select count(*) from risk_factors where year = $y", y=year
    )
    assert after["y"] and before  # both views drew their clusters


def test_monitoring_page_matches_the_progress_table(demo_db):
    at = run_app("pages/monitoring.py")
    assert at.title[0].value == "Мониторинг этапов"
    year = scalar(demo_db, "select max(year) from monitoring_progress")
    schools = scalar(demo_db, "select count(*) from monitoring_progress where year = $y", y=year)
    share = scalar(
        demo_db,
        "select avg(positive::int) from monitoring_progress where year = $y and positive is not null",
        y=year,
    )
    assert metric(at, "Школ в мониторинге") == fmt.integer(schools)
    assert metric(at, "С положительной динамикой") == fmt.pct(share)
    slopes = figure(at, "monitoring_slopes")
    with_data = scalar(
        demo_db,
        "select count(*) from monitoring_changes where year = $y and indicator = $i",
        y=year,
        i=at.selectbox(key="monitoring_indicator").value,
    )
    lines = [t for t in slopes["data"] if t["name"] != "Медиана"]
    assert len(lines) <= 3  # one trace per kind of dynamics, not one per school
    # Each school is a run of three stages ended by a gap.
    assert sum(len(values(t["x"])) for t in lines) == 4 * with_data
    assert sum(len(set(values(t["customdata"])) - {None}) for t in lines) <= with_data
    assert not [e for e in at.get("plotly_chart") if "monitoring_by_curator" in e.proto.id]
    at.session_state["monitoring_tab"] = "По кураторам"  # a closed tab is not built
    at.run()
    bars = figure(at, "monitoring_by_curator")
    assert len(bars["data"][0]["y"]) == len(set(table_with(at, "Куратор")["Куратор"]))


def test_monitoring_page_for_another_indicator_and_municipality(demo_db):
    municipality = scalar(
        demo_db,
        "select min(s.municipality_id) from monitoring_progress p join schools s using (school_id)",
    )
    at = run_app("pages/monitoring.py", municipality=municipality)
    at.selectbox(key="monitoring_indicator").set_value("high_risks").run()
    assert not at.exception
    year = scalar(demo_db, "select max(year) from monitoring_progress")
    schools = scalar(
        demo_db,
        "select count(*) from monitoring_progress p join schools s using (school_id) "
        "where p.year = $y and s.municipality_id = $m",
        y=year,
        m=municipality,
    )
    assert metric(at, "Школ в мониторинге") == fmt.integer(schools)


def test_dynamics_page_grid_and_cell_list_match_the_tables(demo_db):
    at = run_app("pages/dynamics.py")
    assert at.title[0].value == "Динамика"
    year = scalar(demo_db, "select max(year) from exam_results")
    grid = figure(at, "dynamics_grid")["data"][0]
    counts = [c[2] for c in grid["customdata"]]
    total = scalar(
        demo_db,
        "select count(*) from status_change where as_of = $y and indicator = 'result_index' "
        "and colour is not null",
        y=year,
    )
    assert len(counts) == 25 and sum(counts) == total
    red = scalar(
        demo_db,
        "select count(*) from status_change where as_of = $y and indicator = 'result_index' "
        "and status = 0 and change = 0",
        y=year,
    )
    assert len(table_with(at, "Наклон в год")) == min(red, 2000)
    band = figure(at, "dynamics_region_chart")
    assert [t["name"] for t in band["data"] if t.get("showlegend") is not False] == [
        "80 % школ региона",
        "Половина школ региона",
        "Регион",
    ]


def test_dynamics_cell_choice_lists_its_schools(demo_db):
    at = run_app("pages/dynamics.py")
    at.radio(key="dynamics_indicator").set_value("share_fail").run()
    at.selectbox(key="dynamics_status_0_0").set_value(4).run()
    assert not at.exception
    year = scalar(demo_db, "select max(year) from exam_results")
    cell = scalar(
        demo_db,
        "select count(*) from status_change where as_of = $y and indicator = 'share_fail' "
        "and status = 4 and change = 0",
        y=year,
    )
    assert any(
        f": {fmt.integer(cell)} {fmt.plural(cell, fmt.SCHOOLS)}" in m.value for m in at.markdown
    )


def test_my_schools_shows_the_curators_schools(demo_db):
    at = run_app("pages/my_schools.py")
    assert at.title[0].value == "Мои школы"
    curator = at.selectbox(key="my_curator").value
    year = scalar(
        demo_db, "select max(year) from programme_membership where curator_id = $c", c=curator
    )
    schools = scalar(
        demo_db,
        "select count(distinct school_id) from programme_membership "
        "where curator_id = $c and year = $y",
        c=curator,
        y=year,
    )
    assert metric(at, "Школ") == fmt.integer(schools)
    buttons = [b for b in at.button if b.label == "Профиль"]
    assert len(buttons) == schools
    if html_report.chromium_path():
        labels = {b.label for b in at.get("download_button")}
        assert "Карточки школ PDF (по школе на листе А4)" in labels


def test_my_schools_shows_colours_trends_and_keeps_to_the_sidebar_municipality(demo_db):
    """Each colour as a swatch with its name, in the quantity's own words, a small chart of
    the years; with a municipality in the sidebar, only its curators and schools."""
    municipality, name = scalar_frame(
        demo_db,
        "select m.municipality_id, m.name from programme_membership p "
        "join schools s using (school_id) join municipalities m using (municipality_id) "
        "where p.curator_id is not null group by all order by count(*) desc limit 1",
    ).iloc[0]
    at = run_app("pages/my_schools.py", municipality=municipality)
    assert not at.exception
    places = {c.value.split(" · ")[0] for c in at.caption if " · " in c.value}
    assert places == {name}
    swatches = [h.proto.body for h in at.get("html") if "background:#" in h.proto.body]
    assert swatches and all(
        any(colour in body for colour in ("красный", "оранжевый", "жёлтый", "зелёный", "синий"))
        for body in swatches
    )
    assert any(
        e.proto.id.endswith("_share_fail") or "trend_" in e.proto.id for e in at.get("plotly_chart")
    )


def test_school_profile_shows_trends_stages_and_objectivity(demo_db):
    year = scalar(demo_db, "select max(year) from monitoring_progress")
    school = scalar(
        demo_db,
        "select min(f.school_id) from objectivity_flags f join monitoring_progress p "
        "using (school_id, year) where f.year = $y and f.fired",
        y=year,
    )
    at = run_app("pages/school_profile.py", profile_school_id=school, year=year)
    open_tab(at, "Динамика и этапы")
    trend = figure(at, "profile_trend_result_index")
    colour = scalar(
        demo_db,
        "select colour_hex from status_change where school_id = $s and as_of = $y "
        "and indicator = 'result_index'",
        s=school,
        y=year,
    )
    assert trend["data"][1]["line"]["color"] == colour
    stages = table_with(at, "Промежуточный")
    assert len(stages) == scalar(
        demo_db,
        "select count(*) from monitoring_changes where school_id = $s and year = $y",
        s=school,
        y=year,
    )
    signs = table_with(at, "Признак")
    assert (signs["Сработал"] == "да").sum() == scalar(
        demo_db,
        "select count(*) from objectivity_flags where school_id = $s and year = $y and fired",
        s=school,
        y=year,
    )
    assert any("не вывод" in w.value for w in at.warning)
    open_tab(at, "По годам")
    procedure = at.selectbox(key="profile_procedure").value
    labels = (
        db.connect(demo_db)
        .execute(
            "select label from procedure_trends where school_id = $s and exam = $e and subject = $j "
            "and grade = $g and colour is not null",
            {"s": school, "e": procedure[0], "j": procedure[1], "g": int(procedure[2])},
        )
        .fetchall()
    )
    assert labels
    for (label,) in labels:
        assert any(label in m.value for m in at.markdown)


def test_monitoring_judged_by_other_indicators_on_the_page(demo_db):
    from analytics import monitoring as mon
    from analytics.settings import Monitoring

    at = run_app("pages/monitoring.py")
    at.multiselect(key="monitoring_chosen").set_value(["math_share_2"]).run()
    assert not at.exception
    year = scalar(demo_db, "select max(year) from monitoring_progress")
    con = db.connect(demo_db)
    changes = con.execute("select * from monitoring_changes where year = $y", {"y": year}).df()
    con.close()
    expected = mon.progress(changes, Monitoring(indicators=("math_share_2",)))
    share = expected["positive"].dropna().astype(bool).mean()
    assert metric(at, "С положительной динамикой") == fmt.pct(share)
    stored = scalar(
        demo_db,
        "select avg(positive::int) from monitoring_progress where year = $y and positive is not null",
        y=year,
    )
    assert fmt.pct(share) != fmt.pct(stored)  # another choice, another answer


def test_data_page_offers_the_template_and_shows_the_import_history(demo_db, tmp_path, monkeypatch):
    import shutil

    import streamlit as st

    from radar.ingest.importer import apply_import, plan_import, read_file
    from tests.ingest.test_import import filled_template

    copy = tmp_path / "radar.duckdb"
    shutil.copyfile(demo_db, copy)
    con = db.connect(copy)
    schools = db.read_table(con, "schools").head(3).assign(pupils=lambda d: d["pupils"] + 1)
    con.close()
    plan = plan_import([read_file("школы.xlsx", filled_template({"schools": schools}))], copy)
    apply_import(plan, copy, user="методист")
    monkeypatch.setenv("RADAR_DB", str(copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_app("pages/data.py")
    assert at.title[0].value == "Данные"
    history = table_with(at, "Контрольная сумма (SHA-256)")
    # Newest first: the import, then the demo build's own rows (one per table), never dropped.
    imported = history[history["Файл"] == "школы.xlsx"]
    assert history["Файл"].iloc[0] == "школы.xlsx"
    assert set(history["Файл"].iloc[1:]) == {"демо-генератор"}
    assert imported["Изменённых"].tolist() == [3] and imported["Кто"].tolist() == ["методист"]
    assert imported["Таблица"].tolist() == ["Школы"]  # the table's name, not its code
    assert all(len(w) == 19 and w[2] == "." for w in history["Когда"])  # 02.12.2026 18:22:30
    assert at.radio(key="data_mode").value == "update"  # replacing is asked for, never assumed
    assert any(c.value.startswith("Сейчас в базе: демонстрационный регион") for c in at.caption)
    # The import can be undone from the page: the three schools get their pupils back.
    assert "школы.xlsx" in at.selectbox(key="data_undo").format_func(
        at.selectbox(key="data_undo").value
    )
    at.checkbox(key="data_undo_agree").check().run()
    at.button(key="data_undo_apply").click().run()
    assert not at.exception and any("возвращена" in s.value for s in at.success)
    con = db.connect(copy)
    restored = db.read_table(con, "schools").head(3)
    con.close()
    assert (restored["pupils"] == schools["pupils"] - 1).all()


def test_municipality_page_for_a_meeting(demo_db):
    # The municipality with the most overdue roadmap events of the last year: its chart has
    # both parts.
    municipality = scalar(
        demo_db,
        "select coalesce(e.municipality_id, s.municipality_id) as m from roadmap_events e "
        "left join schools s using (school_id) "
        "where e.year = (select max(year) from exam_results) "
        "and e.status <> 'выполнено' and e.period_end < current_date "
        "group by m order by count(*) desc, m limit 1",
    )
    at = run_app("pages/municipality.py", municipality=municipality)
    name = scalar(
        demo_db, "select name from municipalities where municipality_id = $m", m=municipality
    )
    assert at.title[0].value == name
    year = scalar(demo_db, "select max(year) from exam_results")
    shnor = scalar(
        demo_db,
        "select count(*) from identification join schools using (school_id) "
        "where year = $y and shnor and municipality_id = $m",
        y=year,
        m=municipality,
    )
    assert metric(at, "ШНОР") == fmt.integer(shnor)
    events = scalar(
        demo_db,
        "select count(*) from roadmap_events e left join schools s using (school_id) "
        "where e.year = $y and (e.municipality_id = $m or s.municipality_id = $m)",
        y=year,
        m=municipality,
    )
    assert metric(at, "Дорожная карта: выполнено").endswith(f"из {fmt.integer(events)}")
    # A roadmap event has one status: the bars add up to the events, the overdue ones are a
    # part of their status's bar, not a bar of their own.
    traces = figure(at, "municipality_roadmap_chart")["data"]
    bars = [t for t in traces if t["type"] == "bar"]
    assert sum(sum(values(b["x"])) for b in bars) == events
    assert "Просрочено" not in bars[0]["y"]
    assert [b["name"] for b in bars] == ["в срок", "из них просрочено"]
    labels = {b.label for b in at.get("download_button")}
    assert {"Скачать раздаточный материал (Excel)", "Отчёт HTML (работает без интернета)"} <= labels
    assert "Отчёт PDF" in labels  # Chromium is installed here
    assert at.multiselect(key="municipality_report_procedures").value == [
        ("ОГЭ", "Математика", 9),
        ("ОГЭ", "Русский язык", 9),
    ]
    at.toggle(key="municipality_present").set_value(True).run()
    assert not at.exception
    assert not any(
        b.label == "Скачать раздаточный материал (Excel)" for b in at.get("download_button")
    )


def test_municipality_page_asks_for_a_municipality_when_none_is_chosen(demo_db):
    at = run_app("pages/municipality.py")
    choice = at.selectbox(key="municipality_choice").value
    name = scalar(demo_db, "select name from municipalities where municipality_id = $m", m=choice)
    assert at.title[0].value == name


def _vpr_only():
    from tests.conftest import tiny_frames

    frames = tiny_frames()
    frames["exam_results"] = frames["exam_results"].assign(exam="ВПР", grade=5)
    return frames


def _ege_counts_only():
    from tests.conftest import tiny_frames

    frames = tiny_frames()
    marks = ["mean_score", "share_2", "share_3", "share_4", "share_5"]
    frames["exam_results"] = frames["exam_results"].assign(
        exam="ЕГЭ", grade=11, subject="Три предмета", share_below_min=0.1, share_81plus=0.2
    )
    frames["exam_results"][marks] = None
    frames["procedure_thresholds"] = pd.DataFrame(
        {
            "exam": ["ЕГЭ"],
            "subject": ["Три предмета"],
            "grade": [11],
            "low_label": ["160 баллов и менее по трём предметам"],
            "high_label": ["более 220 баллов по трём предметам"],
        }
    )
    return frames


def _no_passport():
    from tests.conftest import tiny_frames

    frames = tiny_frames()
    frames.pop("social_passport")
    return frames


def _schools_named_only():
    """As from a ФИС ОКО export: schools with a code, a name and a municipality, nothing else."""
    frames = _vpr_only()
    frames.pop("social_passport")
    unknown = ["settlement_type", "school_level", "programme_type", "pupils", "is_small"]
    frames["schools"][[*unknown, "distance_km", "lat", "lon", "short_name"]] = None
    frames["municipalities"][["kind", "center_lat", "center_lon"]] = None
    frames["exam_results"]["mean_score"] = None  # ФИС ОКО gives the marks' shares, no scores
    return frames


PARTIAL = {
    "ВПР only": _vpr_only,
    "ЕГЭ counts only": _ege_counts_only,
    "no passport": _no_passport,
    "schools named only": _schools_named_only,
}


@pytest.fixture(scope="module", params=list(PARTIAL))
def partial_db(request, tmp_path_factory):
    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived

    path = tmp_path_factory.mktemp("partial") / "partial.duckdb"
    load_region(PARTIAL[request.param](), path, after_load=refresh_derived)
    return request.param, path


@pytest.mark.parametrize("page", PAGES)
def test_every_page_works_on_a_region_with_partial_data(page, partial_db, monkeypatch):
    """Only ВПР, only ЕГЭ counts without scores or marks, or no social passport: every page
    opens without an exception and shows its title."""
    import streamlit as st

    kind, path = partial_db
    monkeypatch.setenv("RADAR_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_app(page)
    assert at.title or at.header, kind
    if kind == "ЕГЭ counts only" and page == "pages/context.py":
        assert at.info or at.warning, "the page must say what it cannot show"
    if kind == "ЕГЭ counts only" and page == "pages/dynamics.py":
        # No scores and no marks: the band shows the share above the upper threshold, and says so.
        assert any("доли выше верхнего порога" in c.value for c in at.caption)
        band = figure(at, "dynamics_region_chart")
        assert band["layout"]["yaxis"]["title"]["text"] == "Доля выше верхнего порога"
    if kind == "ЕГЭ counts only" and page == "pages/school_profile.py":
        open_tab(at, "По годам")
        # Only the share above the upper threshold can be drawn, and the table names it.
        measure = next(r for r in at.radio if r.key == "profile_measure")
        assert measure.options == ["Доля выше верхнего порога"]
        chart = figure(at, "profile_history_chart")
        assert chart["layout"]["yaxis"]["title"]["text"] == "Доля выше верхнего порога, %"
        table = next(d.value for d in at.dataframe if "Пороги" in d.value.columns)
        assert table["Пороги"].iloc[0] == (
            "ниже: 160 баллов и менее по трём предметам; выше: более 220 баллов по трём предметам"
        )
    if kind == "schools named only" and page == "pages/dynamics.py":
        band = figure(at, "dynamics_region_chart")
        assert band["layout"]["yaxis"]["title"]["text"] == "Средняя отметка"
        assert any(y is not None for y in band["data"][-1]["y"])


def test_dynamics_compares_the_radars_signs_with_the_federal_list(demo_db):
    at = run_app("pages/dynamics.py")
    table = next(
        d.value for d in at.dataframe if "С маркерами ФИС ОКО" in getattr(d.value, "columns", [])
    )
    years = scalar(demo_db, "select count(distinct year) from official_objectivity_markers")
    assert len(table) == years and table["Год"].iloc[-1] == "2025"
    marked = scalar(
        demo_db,
        "select count(distinct school_id) from official_objectivity_markers "
        "where marker and year = 2025",
    )
    assert int(table["С маркерами ФИС ОКО"].iloc[-1]) <= marked


def test_monitoring_offers_the_analytical_note_after_each_stage_in_word_and_pdf(demo_env):
    at = run_app("pages/monitoring.py")
    assert not at.exception
    labels = {b.label for b in at.get("download_button")}
    assert "Аналитическая справка (Word)" in labels
    if html_report.chromium_path():
        assert "Аналитическая справка (PDF)" in labels
    stage = next(w for w in at.get("button_group") if w.label == "По итогам этапа")
    assert stage.value == "final"  # the newest stage with data
    stage.set_value("intermediate").run()
    assert not at.exception
    assert "Аналитическая справка (Word)" in {b.label for b in at.get("download_button")}


@pytest.mark.parametrize(
    ("page", "label"),
    [
        ("pages/context.py", "Скачать резильентные школы и таблицу (Excel)"),
        ("pages/dynamics.py", "Скачать сетку 5×5 со школами (Excel)"),
        (None, "Скачать таблицу муниципалитетов (Excel)"),
    ],
)
def test_analytical_pages_offer_their_tables_in_excel(demo_env, page, label):
    at = run_app(page)
    assert not at.exception
    assert label in {b.label for b in at.get("download_button")}


def test_a_schools_address_opens_its_profile_and_follows_the_choice(demo_env, demo_db):
    """?school=… opens that school; choosing another one changes the address; the picker
    offers every school of the region and finds one by part of its code."""
    schools = scalar_frame(demo_db, "select school_id, name from schools order by school_id")
    wanted = schools["school_id"].iloc[-1]
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("pages/school_profile.py")
    at.query_params["school"] = wanted
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="profile_school_select")
    assert picker.value == wanted
    assert at.header[0].value == schools["name"].iloc[-1]
    assert len(picker.options) == len(schools)  # no silent cap
    assert picker.label == f"Школа (найдено: {fmt.integer(len(schools))})"
    other = schools["school_id"].iloc[0]
    picker.set_value(other).run()
    assert at.query_params["school"] in (other, [other])
    at.text_input(key="profile_search").input(wanted[-3:]).run()
    found = at.selectbox(key="profile_school_select").options
    assert any(o.startswith(schools["name"].iloc[-1] + " — ") for o in found)


def test_an_unknown_school_in_the_address_is_said_in_russian(demo_env):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("pages/school_profile.py")
    at.query_params["school"] = "НЕТ-ТАКОЙ"
    at.run()
    assert not at.exception
    assert any("«НЕТ-ТАКОЙ» из адреса не найдена" in w.value for w in at.warning)


def test_a_region_with_only_vpr_gets_resilient_schools_and_partners(tmp_path, monkeypatch):
    """A region whose files hold ВПР only is judged on ВПР: it has resilient schools and
    partners, and «Контекст и результаты» says which procedures were used and why."""
    import streamlit as st

    from data.generator import generate_region
    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived

    frames = generate_region(n_schools=300)
    frames["exam_results"] = frames["exam_results"][frames["exam_results"]["exam"] == "ВПР"]
    path = tmp_path / "vpr.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    con = db.connect(path)
    year = con.execute("select max(year) from identification").fetchone()[0]
    resilient, partners = con.execute(
        "select (select count(*) from identification where year = $y and resilient), "
        "(select count(*) from partner_suggestions where year = $y)",
        {"y": year},
    ).fetchone()
    con.close()
    assert resilient > 0 and partners > 0
    monkeypatch.setenv("RADAR_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_tab(run_app("pages/context.py"), "Резильентные школы", "context_tab")
    assert any("результаты ВПР (результатов ОГЭ, ЕГЭ в регионе нет)" in c.value for c in at.caption)
    assert len(table_with(at, "Почему")) == resilient


@pytest.fixture(scope="module")
def new_scale_db(tmp_path_factory):
    """A generated region whose ВПР in mathematics, 5th grade, got higher cut scores in its
    last year: part of every school's «3» became «2», «4» became «3», «5» became «4»."""
    from data.generator import generate_region
    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived

    frames = generate_region(n_schools=300)
    results = frames["exam_results"].copy()
    last = int(results["year"].max())
    hit = (
        (results["year"] == last)
        & (results["exam"] == "ВПР")
        & (results["subject"] == "Математика")
        & (results["grade"] == 5)
    )
    s2, s3, s4, s5 = (results.loc[hit, f"share_{m}"] for m in (2, 3, 4, 5))
    results.loc[hit, "share_2"] = s2 + 0.6 * s3
    results.loc[hit, "share_3"] = 0.4 * s3 + 0.5 * s4
    results.loc[hit, "share_4"] = 0.5 * s4 + 0.5 * s5
    results.loc[hit, "share_5"] = 0.5 * s5
    results.loc[hit, "mean_score"] = results.loc[hit, "mean_score"] * 0.8
    frames["exam_results"] = results
    path = tmp_path_factory.mktemp("scale") / "scale.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    return path, last


def test_a_change_of_cut_scores_is_named_and_the_relative_rule_holds(new_scale_db, monkeypatch):
    """The simulated new cut scores are found as a change of scale; the raw 30 % threshold
    fires for many more schools in that procedure, the relative one does not; the pages
    that read raw shares warn."""
    import dataclasses

    import streamlit as st

    from analytics import identification as idn
    from analytics import scale
    from analytics.settings import Settings

    path, last = new_scale_db
    con = db.connect(path)
    table = con.execute(db.sql("analysis/scale_years"), {"min_participants": 10}).df()
    rows = con.execute(
        "select * from procedure_results where exam = 'ВПР' and subject = 'Математика' "
        "and grade = 5 and participants >= 10 and year >= $y",
        {"y": last - 1},
    ).df()
    con.close()
    found = scale.scale_shifts(table)
    hit = found[(found["year"] == last) & (found["subject"] == "Математика")]
    assert set(hit["measure"]) >= {"share_fail"} and (hit["grade"] == 5).all()
    assert len(found[found["year"] != last]) == 0  # nothing else is taken for one
    relative = dataclasses.replace(Settings(), fail_relative=True)

    def failing(settings, year):
        part = rows[rows["year"] == year]
        return int((part["share_fail"] >= idn.fail_threshold(part, settings)).sum())

    assert failing(Settings(), last) >= 3 * max(failing(Settings(), last - 1), 1)
    assert failing(relative, last) <= 1.5 * failing(relative, last - 1) + 3

    monkeypatch.setenv("RADAR_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    for page in ("pages/identification.py", "pages/dynamics.py"):
        at = run_app(page)
        assert any(
            w.value.startswith("Похоже на изменение шкалы") and "Математика, 5 кл." in w.value
            for w in at.warning
        ), page


def test_school_profile_shows_its_cohort_value_added(demo_db):
    year = scalar(demo_db, "select max(year) from cohort_value_added")
    school = scalar(
        demo_db,
        "select school_id from cohort_value_added where year = $y and band = 'выше ожидаемого' "
        "order by school_id limit 1",
        y=year,
    )
    at = open_tab(run_app("pages/school_profile.py", profile_school_id=school), "Контекст")
    assert f"Прирост когорт, по {year} год" in [h.value for h in at.subheader]
    chart = figure(at, "profile_cohort_chart")
    shown = sum(len(values(t["y"])) for t in chart["data"] if t.get("error_y"))
    stored = scalar(
        demo_db,
        "select count(*) from cohort_value_added where school_id = $s and year <= $y "
        "and residual is not null",
        s=school,
        y=year,
    )
    assert shown == stored > 0
    table = table_with(at, "Когорта")
    assert {"Когорта", "Выше или ниже ожидаемого (z)", "Оценка"} <= set(table.columns)
    assert "выше ожидаемого" in set(table["Оценка"])
    assert any(m.value.startswith("Оценок когорт:") for m in at.markdown)


def test_a_region_with_one_procedure_year_says_cohorts_cannot_be_judged(tmp_path, monkeypatch):
    import streamlit as st

    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived
    from radar.views import profile
    from tests.conftest import tiny_frames

    frames = tiny_frames()
    frames["exam_results"] = frames["exam_results"][frames["exam_results"]["year"] == 2025]
    path = tmp_path / "one_year.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    monkeypatch.setenv("RADAR_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_tab(run_app("pages/school_profile.py", profile_school_id="S2"), "Контекст")
    assert profile.NO_COHORTS in [i.value for i in at.info]
    assert not any("profile_cohort_chart" in e.proto.id for e in at.get("plotly_chart"))
    at = run_app("pages/context.py")  # says what is missing in a line, draws no empty table
    open_tab(at, "Прирост когорт", "context_tab")
    assert at.info and not any("Когорта" in d.value.columns for d in at.dataframe)


def test_context_page_counts_the_cohorts_of_the_year(demo_db):
    year = scalar(demo_db, "select max(year) from cohort_value_added")
    at = open_tab(run_app("pages/context.py"), "Прирост когорт", "context_tab")
    table = table_with(at, "Когорта")
    above = scalar(
        demo_db,
        "select count(*) from cohort_value_added where year = $y and band = 'выше ожидаемого'",
        y=year,
    )
    assert table["Выше ожидаемого"].sum() == above
    assert "ОГЭ 9 кл. → ЕГЭ 11 кл." in set(table["Когорта"])
