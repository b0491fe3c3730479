"""The offline HTML report and its PDF printed by headless Chromium."""

from __future__ import annotations

import os
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from radar.handouts.html_report import chromium_path, pdf_from_html, report_html


def sample() -> str:
    bars = go.Figure(go.Bar(x=[3, 1], y=["Выполнено", "Просрочено"], orientation="h"))
    line = go.Figure(go.Scatter(x=[2023, 2024, 2025], y=[0.1, 0.2, 0.4]))
    table = pd.DataFrame({"Школа": ["МБОУ «СОШ № 1» <тест>"], "Почему": ["ШНОР"]})
    return report_html(
        "г. Тестоград",
        "2025 год",
        [("ШНОР", "3"), ("Доля «2»", "12,5 %")],
        [("Дорожная карта", bars), ("Результат", line)],
        [("Школы, которым нужно внимание", table)],
    )


def test_html_holds_the_charts_and_works_offline():
    text = sample()
    assert text.count("Plotly.newPlot") == 2  # both charts are interactive
    assert "<script src=" not in text  # nothing loaded from the network: the library is inline
    assert len(re.findall(r"plotly\.js v\d", text)) >= 1
    assert "МБОУ «СОШ № 1» &lt;тест&gt;" in text  # text is escaped, not markup
    assert "12,5 %" in text and "lang='ru'" in text


def test_pdf_has_pages_when_chromium_is_installed():
    if chromium_path() is None:
        if os.environ.get("RADAR_REQUIRE_BROWSER"):
            pytest.fail("Chromium не найден: установите Debian chromium (make browser)")
        pytest.skip("Chromium не установлен")
    pdf = pdf_from_html(sample())
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1


def sql_query(con):
    """A query function like store.query, on a given connection."""
    from radar.store import db

    return lambda name, **params: con.execute(db.sql(name), params).df()


def test_the_municipality_report_holds_the_chosen_procedures_and_every_school(demo_db):
    from datetime import date

    from radar.handouts import municipality_report as meeting
    from radar.store import db

    with db.connect(demo_db, read_only=True) as con:
        query = sql_query(con)
        municipality = con.execute("select min(municipality_id) from municipalities").fetchone()[0]
        schools = con.execute(
            "select count(*) from schools where municipality_id = ?", [municipality]
        ).fetchone()[0]
        year = con.execute("select max(year) from exam_results").fetchone()[0]
        available = meeting.procedures(query)
        assert meeting.default_procedures(available) == list(meeting.USUAL)
        maths, russian = meeting.USUAL
        biology = next(p for p in available if p[0] == "ЕГЭ")
        about = meeting.Meeting(
            query, municipality, "Район", year, (maths, biology), 10, date(2026, 1, 1)
        )
        text = meeting.report_html(about)
    assert f"{meeting.procedure_label(maths)}: муниципалитет и регион" in text
    assert f"{meeting.procedure_label(biology)}: муниципалитет и регион" in text
    assert meeting.procedure_label(russian) not in text
    # Roadmap, two procedures, the 5×5 grid.
    assert text.count("Plotly.newPlot") == 4
    schools_table = text.split("Все школы муниципалитета")[1]
    assert schools_table.count("<tr>") == schools + 1  # header and a row per school
    assert "\u00a0%</td>" in schools_table  # shares in per cent
    assert "<td>нет</td>" in schools_table  # ШНОР and ШНСУ as yes or no


def test_the_municipality_report_of_an_imported_region_uses_its_own_procedures(tmp_path):
    from datetime import date

    from radar.handouts import municipality_report as meeting
    from radar.ingest.loader import load_region
    from radar.ingest.mapping import MAPPINGS, Mapping, apply_mapping
    from radar.store import db
    from radar.store.refresh import refresh_derived

    frames = apply_mapping(
        Mapping.load(MAPPINGS / "england_ks4_2019.json"),
        db.ROOT / "data" / "realdata" / "england_ks4_2019",
    )
    path = tmp_path / "england.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    with db.connect(path, read_only=True) as con:
        query = sql_query(con)
        chosen = meeting.default_procedures(meeting.procedures(query))
        assert chosen == [("ОГЭ", "Attainment 8", 9)]
        about = meeting.Meeting(query, "330", "Birmingham", 2019, tuple(chosen), 10, date.today())
        text = meeting.report_html(about)
        book = meeting.workbook_bytes(about)
    import io

    import openpyxl

    history = openpyxl.load_workbook(io.BytesIO(book))["Результаты по годам"]
    assert [r[:2] for r in history.iter_rows(min_row=4, values_only=True)] == [
        ("ОГЭ, Attainment 8, 9 кл.", 2019)
    ]
    assert "ОГЭ, Attainment 8, 9 кл.: муниципалитет и регион" in text
    # England's files have no roadmap and no «2»: no empty chart and no blank figures for them.
    assert text.count("Plotly.newPlot") == 2 and "Дорожная карта" not in text
    assert "Доля «2»</div>" not in text


def test_long_tables_are_cut_in_print_and_say_so(demo_db, monkeypatch):
    from datetime import date

    from radar.handouts import municipality_report as meeting
    from radar.store import db

    monkeypatch.setattr(meeting, "PRINTED_ROWS", 5)
    with db.connect(demo_db, read_only=True) as con:
        query = sql_query(con)
        municipality = con.execute("select min(municipality_id) from municipalities").fetchone()[0]
        schools = con.execute(
            "select count(*) from schools where municipality_id = ?", [municipality]
        ).fetchone()[0]
        about = meeting.Meeting(query, municipality, "Район", 2025, (), 10, date(2026, 1, 1))
        text = meeting.report_html(about)
    table = text.split("Все школы муниципалитета")[1]
    assert table.count("<tr>") == 5 + 1
    assert f"Показаны первые 5 из {schools}" in table.replace("\u00a0", " ")
