"""The column-mapping step of «Данные» through AppTest: an Excel sheet under title lines, joined
with a CSV whose key column is named differently, becomes a table the importer accepts; a saved
format is found again with next year's files."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from radar.ingest import mapping
from radar.ingest.importer import apply_import, plan_import, read_file
from tests.conftest import tiny_frames
from tests.ingest.test_import import filled_template, table_rows


def passport_workbook(rows: list[tuple[str, object]]) -> bytes:
    """A sheet as a region writes it: a title, an empty line, then the table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Паспорт"
    sheet["B1"] = "Социальный паспорт школ района"
    sheet.append([])
    sheet.append(["Код ОО", "Доля малоимущих семей, %"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


UPLOADS = {
    "паспорт.xlsx": passport_workbook([("S1", 7.5), ("S2", "21%")]),
    "численность.csv": "Код школы;Численность\nS1;905\nS2;610\n".encode("cp1251"),
}


def step_script(uploads):
    """Run the step on the uploads; keep what it read in the session."""
    import streamlit as st

    from radar.ingest.files import FileProblem
    from radar.ui import mapping_step

    try:
        read = mapping_step.step(uploads)
    except FileProblem as exc:
        st.error(str(exc))
    else:
        if read is not None:
            st.session_state["read"] = read


@pytest.fixture
def step(tmp_path, monkeypatch):
    # AppTest runs the script in this process: saved mappings go to the test's folder.
    monkeypatch.setattr(mapping, "MAPPINGS", tmp_path)
    at = AppTest.from_function(step_script, args=(UPLOADS,), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def by_key(widgets, key):
    return next(w for w in widgets if w.key == key)


def test_the_step_proposes_header_rows_tables_and_the_join(step):
    rows = {w.key: w.value for w in step.number_input}
    assert rows == {"map_row_паспорт_паспорт": 3, "map_row_численность": 1}
    assert by_key(step.multiselect, "map_tables").value == ["social_passport"]
    assert by_key(step.selectbox, "map_from_social_passport").value == "паспорт_паспорт"
    join = "map_join_social_passport_паспорт_паспорт"
    assert by_key(step.selectbox, join).value == "численность"
    keys = "social_passport_паспорт_паспорт_численность"
    assert by_key(step.selectbox, f"map_left_{keys}").value == "Код ОО"
    assert by_key(step.selectbox, f"map_right_{keys}").value == "Код школы"
    chosen = {
        w.key.rsplit("_паспорт_", 1)[1]: w.value
        for w in step.selectbox
        if w.key.startswith("map_social_passport_")
    }
    assert chosen["school_id"] == "Код ОО"
    assert chosen["pupils"] == "Численность"
    assert chosen["share_low_income"] == "Доля малоимущих семей, %"
    # The year is in neither file: nothing is checked until the user gives it.
    assert "read" not in step.session_state
    assert "Год" in step.info[0].value


def test_a_year_given_once_makes_the_files_importable(step, tmp_path):
    by_key(step.text_input, "map_const_social_passport_year").input("2025").run()
    read = step.session_state["read"]
    frame = read.frames["social_passport"]
    assert frame["school_id"].tolist() == ["S1", "S2"]
    assert frame["pupils"].tolist() == ["905", "610"]
    assert frame.attrs["source"].rows == (4, 5)  # the sheet's own rows, below the title
    path = tmp_path / "region.duckdb"
    apply_import(
        plan_import([read_file("регион.xlsx", filled_template(tiny_frames()))], path), path
    )
    plan = plan_import([read], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    stored = table_rows(path, "social_passport").set_index(["school_id", "year"])
    assert stored.loc[("S1", 2025), "share_low_income"] == pytest.approx(0.075)
    assert stored.loc[("S2", 2025), "pupils"] == 610


def test_a_year_out_of_range_is_an_error_with_the_file_and_column(step, tmp_path):
    by_key(step.text_input, "map_const_social_passport_year").input("1899").run()
    read = step.session_state["read"]
    path = tmp_path / "region.duckdb"
    apply_import(
        plan_import([read_file("регион.xlsx", filled_template(tiny_frames()))], path), path
    )
    plan = plan_import([read], path)
    assert plan.errors
    text = str(plan.errors[0])
    assert "паспорт.xlsx" in text and "Год" in text


def test_a_saved_format_reads_next_years_files_with_a_new_year(step, tmp_path):
    by_key(step.text_input, "map_const_social_passport_year").input("2025").run()
    by_key(step.text_input, "map_name").input("Паспорт района").run()
    by_key(step.button, "map_save").click().run()
    assert not step.exception
    saved = tmp_path / "паспорт_района.json"
    spec = json.loads(saved.read_text(encoding="utf-8"))
    assert spec["sources"]["паспорт_паспорт"] == {
        "file": "паспорт.xlsx",
        "sheet": "Паспорт",
        "header_row": 3,
    }
    chosen = mapping.Mapping.load(saved)
    assert mapping.constants(chosen) == [("social_passport", "year", "2025")]
    next_year = mapping.with_constants(chosen, {("social_passport", "year"): "2026"})
    frames = mapping.apply_to_uploads(
        next_year,
        {
            "паспорт_2026.xlsx": passport_workbook([("S1", 6.0)]),
            "численность.csv": UPLOADS["численность.csv"],
        },
    )
    frame = frames["social_passport"]
    assert frame[["school_id", "year", "pupils"]].values.tolist() == [["S1", "2026", "905"]]


def test_choosing_another_source_table_redraws_the_columns(step):
    by_key(step.multiselect, "map_tables").set_value(["social_passport", "schools"]).run()
    assert not step.exception
    assert by_key(step.selectbox, "map_from_schools").value in ("паспорт_паспорт", "численность")
    # Required school fields absent from both files are asked as constants.
    assert any(w.key == "map_const_schools_name" for w in step.text_input)


def test_marks_of_missing_values_are_the_users_to_set(tmp_path, monkeypatch):
    """A file marking suppressed figures «SUPP»: an error until the mark is named, then empty."""
    monkeypatch.setattr(mapping, "MAPPINGS", tmp_path)
    uploads = {"паспорт.csv": "Код ОО;Численность;Малоимущие, %\nS1;905;SUPP\n".encode()}
    at = AppTest.from_function(step_script, args=(uploads,), default_timeout=60)
    at.run()
    by_key(at.text_input, "map_const_social_passport_year").input("2025").run()
    path = tmp_path / "region.duckdb"
    apply_import(
        plan_import([read_file("регион.xlsx", filled_template(tiny_frames()))], path), path
    )
    assert plan_import([at.session_state["read"]], path).errors
    marks = by_key(at.text_input, "map_missing")
    marks.input(marks.value + ", SUPP").run()
    read = at.session_state["read"]
    assert read.frames["social_passport"]["share_low_income"].tolist() == [None]
    assert not plan_import([read], path).errors
