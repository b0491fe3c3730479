"""The school card is built from the profile's sections: its tables are the page's tables."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from analytics.settings import Settings
from radar.handouts import reports
from radar.store import db
from radar.views import profile


@pytest.mark.parametrize("which", ["shnor", "any"])
def test_card_tables_equal_the_section_frames(demo_db, query, which):
    year = 2025
    con = db.connect(demo_db, read_only=True)
    if which == "shnor":
        found = con.execute(
            "select min(i.school_id) from identification i join monitoring_changes m "
            "using (school_id, year) join objectivity_flags f using (school_id, year) "
            "where i.year = $y and i.shnor",
            {"y": year},
        )
    else:
        found = con.execute("select min(school_id) from schools")
    school_id = found.fetchone()[0]
    con.close()
    settings = Settings()
    card = reports.school_card(query, school_id, year, settings)
    sheets = {s.title: s.frame for s in card.sheets}

    expected = {"Результаты": profile.year_results(query, school_id, year, 10)}
    ident = profile.identification(query, school_id, year, settings)
    if ident.rules is not None:
        expected["Правила идентификации"] = ident.rules
    trends = profile.trends(query, school_id, year)
    if len(trends.frame):
        expected["Динамика"] = profile.trends_table(trends.frame)
    stages = profile.stages(query, school_id, year)
    if stages:
        expected["Мониторинг этапов"] = stages.table
    signs = profile.objectivity(query, school_id, year)
    if signs:
        expected["Объективность ВПР"] = signs.table
    cohorts = profile.cohorts(query, school_id, year, 10).table
    if cohorts is not None and len(cohorts):
        expected["Прирост когорт"] = cohorts
    programmes = profile.programmes(query, school_id, year).table
    if len(programmes):
        expected["Программы"] = programmes

    assert list(sheets) == ["Карточка", *expected]
    for title, frame in expected.items():
        pd.testing.assert_frame_equal(sheets[title], frame, obj=title)
    assert [label for label, _ in card.charts] == [t.label for t in trends.items]
    if which == "shnor":
        assert {"Правила идентификации", "Мониторинг этапов", "Объективность ВПР"} <= set(sheets)
        assert "Прирост когорт" in sheets

    # Every header of the card is Russian, as on the page.
    book = openpyxl.load_workbook(io.BytesIO(card.workbook()))
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[1]]
        assert all(not str(h).isascii() for h in header if h is not None), sheet.title
    assert "Plotly.newPlot" in card.html() or not card.charts
