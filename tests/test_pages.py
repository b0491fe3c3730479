"""Every page through Streamlit's AppTest on the demo region, each with its own check."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from radar import db, fmt

APP = Path(__file__).resolve().parent.parent / "app.py"

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


def scalar(demo_db, statement: str, **params):
    con = db.connect(demo_db)
    try:
        return con.execute(statement, params).fetchone()[0]
    finally:
        con.close()


def test_overview_metrics_match_the_database(demo_db):
    at = run_app()
    assert at.title[0].value == "Обзор региона"
    schools = scalar(demo_db, "select count(*) from schools")
    assert metric(at, "Школ") == fmt.integer(schools)
    year = scalar(demo_db, "select max(year) from exam_results")
    shnor = scalar(
        demo_db,
        "select count(distinct school_id) from programme_membership where programme = 'ШНОР' and year = $y",
        y=year,
    )
    assert metric(at, "ШНОР") == fmt.integer(shnor)


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
    at = run_app(filter_municipality=municipality)
    schools = scalar(
        demo_db, "select count(*) from schools where municipality_id = $m", m=municipality
    )
    assert metric(at, "Школ") == fmt.integer(schools)
    assert len(at.dataframe[0].value) == 1


def test_year_filter_changes_the_programme_counts(demo_db):
    at = run_app(filter_year=2021)
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
    history = figure(at, "profile_history_chart")
    assert [t["name"] for t in history["data"]][:3] == ["Регион", "Муниципалитет", "Школа"]
    assert history["layout"]["xaxis"]["tickformat"] == "d"
    passport = figure(at, "profile_passport_chart")
    assert len(passport["data"]) == 3
    programmes = at.dataframe[-1].value
    assert "500+" in set(programmes["Программа"])


def test_school_profile_search_finds_lyceums():
    at = run_app("pages/school_profile.py")
    at.text_input(key="profile_search").input("лицей").run()
    assert not at.exception
    options = at.selectbox(key="profile_school_select").options
    assert options and all("лицей" in o.lower() for o in options)
