"""«Записи куратора» through AppTest: a curator records a stage value on the page; the
methodologist's «Мониторинг этапов» shows it; the history speaks Russian."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import fmt
from radar.store import access, accounts, db
from radar.store.accounts import Role
from radar.ui import auth

APP = Path(__file__).resolve().parents[2] / "app.py"
CURATOR = accounts.User("kur", "Ольга Николаева", (Role("curator", curator_id="C001"),))
METHODOLOGIST = accounts.User("anna", "Анна Петрова", (Role("methodologist"),))


@pytest.fixture
def region(demo_db, tmp_path, monkeypatch):
    import streamlit as st

    path = tmp_path / "radar.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("RADAR_DB", str(path))
    monkeypatch.setenv(auth.AUTH_ENV, "1")
    monkeypatch.delenv("RADAR_ACCOUNTS", raising=False)
    st.cache_data.clear()
    yield path
    st.cache_data.clear()


def as_user(user, page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state[auth.USER_KEY] = user
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def final_high_risks(at: AppTest) -> int:
    value = next(m.value for m in at.metric if m.label == "Высоких рисков: вход → итог")
    return int(value.split("→")[1].replace("\u202f", "").strip())


def test_a_curators_value_reaches_the_methodologists_monitoring_page(region):
    with db.connect(region) as con:
        school = access.visible(con, CURATOR.access).schools[0]
        year = con.execute("select max(year) from monitoring_stages").fetchall()[0][0]
        before = con.execute(
            "select value from monitoring_stages where school_id = $s and year = $y "
            "and stage = 'итоговый' and indicator = 'high_risks'",
            {"s": school, "y": year},
        ).fetchall()[0][0]
    watching = as_user(METHODOLOGIST, "pages/monitoring.py")
    total = final_high_risks(watching)

    at = as_user(CURATOR, "pages/entries.py")
    at.selectbox(key="entries_school").select(school).run()
    at.session_state["entries_stage"] = "итоговый"
    at.run()
    field = at.text_input(key=f"entries_value:{school}:{year}:итоговый:high_risks")
    assert field.value == fmt.num(before, 0)
    field.input("9")
    share = at.text_input(key=f"entries_value:{school}:{year}:итоговый:math_share_2")
    share.input("12,5")
    at.button(
        key=f"FormSubmitter:entries_stage_form:{school}:{year}:итоговый-Записать значения этапа"
    ).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Значения этапа записаны" in s.value for s in at.success)

    with db.connect(region) as con:
        stored = dict(
            con.execute(
                "select indicator, value from monitoring_stages where school_id = $s "
                "and year = $y and stage = 'итоговый'",
                {"s": school, "y": year},
            ).fetchall()
        )
    assert stored["high_risks"] == 9 and stored["math_share_2"] == 0.125

    watching = as_user(METHODOLOGIST, "pages/monitoring.py")
    assert final_high_risks(watching) == total - int(before) + 9

    at.session_state["entries_tab"] = "История записей"
    at.run()
    history = at.dataframe[0].value
    history = history.data if hasattr(history, "data") else history
    rows = history.set_index("Поле")
    assert rows.loc["Доля «2» по математике", "Стало"] == "12,5\u00a0%"
    assert rows.loc["Число факторов высокого риска", "Стало"] == "9"
    assert set(history["Кто"]) == {"kur"}


def test_a_wrong_number_is_refused_on_the_page_and_nothing_changes(region):
    with db.connect(region) as con:
        school = access.visible(con, CURATOR.access).schools[0]
        year = con.execute("select max(year) from monitoring_stages").fetchall()[0][0]
    at = as_user(CURATOR, "pages/entries.py")
    at.selectbox(key="entries_school").select(school).run()
    at.text_input(key=f"entries_value:{school}:{year}:входной:math_share_2").input("сто")
    at.button(
        key=f"FormSubmitter:entries_stage_form:{school}:{year}:входной-Записать значения этапа"
    ).click().run()
    assert "Доля «2» по математике: «сто» — не число" in at.error[0].value
    at.text_input(key=f"entries_value:{school}:{year}:входной:math_share_2").input("150")
    at.button(
        key=f"FormSubmitter:entries_stage_form:{school}:{year}:входной-Записать значения этапа"
    ).click().run()
    assert "доля должна быть от 0 до 100" in at.error[0].value
    assert accounts.Accounts().entries("monitoring_stages").empty
