"""The objectivity signs from score distributions on the pages: the profile, «Динамика», «Данные»."""

from __future__ import annotations

import pytest

from analytics.objectivity import ANY_SIGN, FLAG_NAMES
from tests.ui.test_pages import open_tab, run_app, scalar, table_with

pytestmark = pytest.mark.usefixtures("demo_env")


def test_profile_shows_the_bunching_sign_with_its_evidence(demo_db):
    school = scalar(
        demo_db,
        "select min(school_id) from objectivity_flags where flag = 'bunching' and fired "
        "and year = 2025",
    )
    at = run_app("pages/school_profile.py", profile_school_id=school, year=2025)
    open_tab(at, "Динамика и этапы")
    signs = table_with(at, "Признак").set_index("Признак")
    row = signs.loc[FLAG_NAMES["bunching"]]
    assert row["Сработал"] == "да" and "границ" in row["Основание"]
    assert "," in row["Значение"]  # a decimal comma
    assert signs.loc[FLAG_NAMES["easy_hard"], "Сработал"] == "нет данных"
    assert any(FLAG_NAMES["bunching"] in w.value for w in at.warning)


def test_dynamics_shows_each_sign_against_the_federal_list(demo_db):
    at = run_app("pages/dynamics.py", year=2025)
    table = table_with(at, "Каппа Коэна")
    assert table["Признак"].iloc[0] == ANY_SIGN
    assert FLAG_NAMES["bunching"] in set(table["Признак"])
    cells = ["Отмечены обоими", "Только признаком радара", "Только маркером ФИС ОКО"]
    cells.append("Никем не отмечены")
    total = table[cells].astype(int).sum(axis=1)
    assert (total == table["Школ оценено обоими"].astype(int)).all()


def test_data_page_has_the_boundaries_editor(demo_db):
    at = run_app("pages/data.py")
    editor = table_with(at, "Балл на «3» от")
    assert len(editor) == scalar(demo_db, "select count(*) from mark_boundaries")
    assert any(b.label == "Сохранить границы" for b in at.button)


def test_data_page_has_the_programme_lists_editor_with_names(demo_db):
    at = run_app("pages/data.py")
    editor = table_with(at, "Код школы-партнёра")
    year = scalar(demo_db, "select max(year) from programme_membership")
    count = scalar(demo_db, "select count(*) from programme_membership where year = $y", y=year)
    assert len(editor) == count
    named = editor["Куратор"][editor["Куратор"] != ""]
    assert (editor["Школа"] != "").all() and named.str.contains(" — ").all() and len(named)
    assert any(b.label == "Сохранить списки" for b in at.button)
