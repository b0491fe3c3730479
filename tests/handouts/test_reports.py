"""The identification hand-out: the Excel workbook built from the lists and the settings."""

from __future__ import annotations

import io

import openpyxl
import plotly.graph_objects as go
import pytest

from analytics.settings import Settings
from radar.handouts import reports
from radar.store import db
from radar.store.refresh import read_inputs


@pytest.fixture(scope="module")
def lists(demo_db):
    con = db.connect(demo_db, read_only=True)
    ident = con.execute("select * from identification where year = 2025").df()
    previous = con.execute("select * from identification where year = 2024").df()
    membership = con.execute(db.sql("pages/identification/analysis_membership")).df()
    names = con.execute(db.sql("pages/identification/school_names")).df()
    read_inputs(con)  # the same inputs the page uses exist and read without error
    con.close()
    return ident, previous, membership, names


def test_workbook_has_every_list_and_the_settings(lists):
    ident, previous, membership, names = lists
    settings = Settings(fail_share=0.25)
    data = reports.identification_workbook(
        ident, previous, membership, names, settings, 2025, "Все муниципалитеты, 2025 год"
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "ШНОР",
        "ШНСУ",
        "Изменения ШНОР",
        "Изменения ШНСУ",
        "Официальные списки",
        "Настройки",
    ]
    shnor = book["ШНОР"]
    header = [c.value for c in shnor[3]]
    assert header[:4] == ["№ п/п", "Код школы", "Школа", "Муниципалитет"]
    assert "Сработавшие правила" in header
    assert shnor.max_row - 3 == int(ident["shnor"].sum())
    codes = {shnor.cell(row=r, column=2).value for r in range(4, shnor.max_row + 1)}
    assert codes == set(ident.loc[ident["shnor"], "school_id"])
    assert book["ШНСУ"].max_row - 3 == int(ident["shnsu"].sum())
    values = {row[0]: row[1] for row in book["Настройки"].iter_rows(min_row=4, values_only=True)}
    assert values["Порог доли «2» (ниже минимума) на процедуре"] == "25 %"
    changes = [r[4] for r in book["Изменения ШНОР"].iter_rows(min_row=4, values_only=True)]
    assert set(changes) <= {"вошла в список", "вышла из списка", "осталась в списке"}


def test_rule_table_columns_are_russian(lists):
    ident, _, _, names = lists
    table = reports.rule_table(ident, names, "shnsu")
    assert list(table.columns[:3]) == ["Код школы", "Школа", "Муниципалитет"]
    assert all(not c.endswith("_fired") for c in table.columns)
    assert table["ИСБШ в нижнем квартиле"].dtype == bool


def test_cluster_workbook_has_cards_members_and_measures(demo_db):
    con = db.connect(demo_db, read_only=True)
    year = con.execute("select max(year) from risk_clusters").fetchone()[0]
    members = con.execute(db.sql("pages/risk_clusters/risk_cluster_members"), {"year": year}).df()
    centres = con.execute(db.sql("pages/risk_clusters/risk_centres"), {"year": year}).df()
    measures = con.execute(db.sql("pages/risk_clusters/risk_measures"), {"year": year}).df()
    quality = con.execute(db.sql("pages/risk_clusters/risk_quality"), {"year": year}).df()
    con.close()
    cards = reports.cluster_cards(members, centres, measures)
    assert cards["Школ"].sum() == len(members)
    named = members.drop_duplicates("cluster_id")
    assert dict(zip(cards["Кластер"], cards["Название"], strict=True)) == dict(
        zip(named["cluster_id"], named["cluster_name"], strict=True)
    )
    data = reports.cluster_workbook(members, cards, measures, quality, year, "регион")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Карточки кластеров",
        "Состав кластеров",
        "Меры поддержки",
        "Выбор числа кластеров",
    ]
    assert book["Состав кластеров"].max_row - 3 == len(members)
    assert book["Карточки кластеров"].max_row - 3 == members["cluster_id"].nunique()
    first = [c.value for c in book["Карточки кластеров"][4]]
    assert first[1] == cards.iloc[0]["Название"]
    assert book["Меры поддержки"].max_row - 3 == len(measures)


def test_school_card_workbook_has_the_profile_tables(demo_db):
    from analytics.settings import Settings
    from radar.views import profile

    con = db.connect(demo_db, read_only=True)
    year = 2025
    school = con.execute(
        "select min(school_id) from identification where year = $y and shnor", {"y": year}
    ).fetchone()[0]

    def q(name, **params):
        return con.execute(db.sql(name), params).df()

    card = q("pages/school_profile/school_card", school_id=school, year=year).iloc[0]
    procedures = q("pages/school_profile/school_year_procedures", school_id=school, year=year)
    status = q("pages/school_profile/school_identification", school_id=school, year=year)
    sheets = reports.school_card_sheets(
        card,
        year,
        procedures,
        profile.rules_table(status.iloc[0], Settings()),
        q("pages/school_profile/school_trends", school_id=school, year=year),
        q("pages/school_profile/school_stages", school_id=school, year=year),
        q("pages/school_profile/school_objectivity", school_id=school, year=year),
        q("pages/school_profile/school_programmes", school_id=school),
    )
    con.close()
    book = openpyxl.load_workbook(io.BytesIO(reports.school_card_workbook(card, sheets)))
    assert book.sheetnames[:4] == ["Карточка", "Результаты", "Правила идентификации", "Динамика"]
    values = {r[0]: r[1] for r in book["Карточка"].iter_rows(min_row=4, values_only=True)}
    assert values["Код"] == school and values["Школа"] == card["name"]
    assert book["Результаты"].max_row - 1 == len(procedures)
    assert book["Правила идентификации"].max_row - 1 == 7
    # Figures from fewer than 10 participants are hidden in the hand-out as on the page.
    small = procedures.index[procedures["participants"] < 10]
    for i in small:
        assert book["Результаты"].cell(row=i + 2, column=5).value is None
    # The same card as HTML: the same tables, numbers the Russian way, the charts given.
    line = go.Figure(go.Scatter(x=[2023, 2024, 2025], y=[0.1, 0.2, 0.4]))
    text = reports.school_card_html(card, year, sheets, [("Сводный результат", line)])
    assert text.count("Plotly.newPlot") == 1 and "<script src=" not in text
    results = text.split("<h2>Результаты</h2>")[1].split("</table>")[0]
    assert results.count("<tr>") == len(procedures) + 1
    assert "\u00a0%</td>" in results  # shares of «2» in per cent
    if len(small):
        assert "<td>—</td>" in results  # hidden small numbers stay hidden
    assert "<h2>Правила идентификации</h2>" in text and card["name"] in text


def test_municipality_schools_sheet_has_the_figures_of_every_school(demo_db):
    con = db.connect(demo_db, read_only=True)
    municipality = con.execute("select min(municipality_id) from municipalities").fetchone()[0]
    schools = con.execute(
        db.sql("pages/municipality/municipality_schools"),
        {"year": 2025, "municipality": municipality},
    ).df()
    count = con.execute(
        "select count(*) from schools where municipality_id = $m", {"m": municipality}
    ).fetchone()[0]
    con.close()
    assert len(schools) == count
    assert {"ИСБШ", "Сводный результат", "Доля «2»", "Уровень и изменение"} <= set(schools.columns)
    assert schools["Уровень и изменение"].notna().mean() > 0.9


def test_municipality_workbook_has_the_lists_and_the_chosen_procedures(demo_db):
    from datetime import date

    from radar.handouts import municipality_report as meeting

    con = db.connect(demo_db, read_only=True)

    def q(name, **params):
        return con.execute(db.sql(name), params).df()

    municipality = con.execute("select min(municipality_id) from municipalities").fetchone()[0]
    in_lists = con.execute(
        "select count(distinct school_id) from identification join schools using (school_id) "
        "where municipality_id = $m and year in (2024, 2025) and (shnor or shnsu)",
        {"m": municipality},
    ).fetchone()[0]
    years = con.execute(
        "select count(distinct year) from exam_results "
        "where exam = 'ОГЭ' and subject = 'Математика' and grade = 9"
    ).fetchone()[0]
    chosen = [("ОГЭ", "Математика", 9)]
    data = meeting.workbook_bytes(
        meeting.Meeting(q, municipality, "Район", 2025, tuple(chosen), 10, date(2026, 1, 1))
    )
    con.close()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Сводка",
        "Школы",
        "Списки ШНОР и ШНСУ",
        "Результаты по годам",
        "Школы для внимания",
        "Дорожная карта",
    ]
    lists = book["Списки ШНОР и ШНСУ"]
    assert lists.max_row - 3 == in_lists  # note, blank line, header, then a row per school
    changes = {row[3] for row in lists.iter_rows(min_row=4, values_only=True)}
    assert changes & {"вошла в ШНОР", "вышла из ШНОР", "остаётся в ШНОР"}
    history = book["Результаты по годам"]
    rows = list(history.iter_rows(min_row=4, values_only=True))
    assert {r[0] for r in rows} == {"ОГЭ, Математика, 9 кл."} and len(rows) == years
    summary = {r[0]: r[1] for r in book["Сводка"].iter_rows(min_row=4, values_only=True)}
    assert 0 <= summary["Доля «2», %"] <= 100


def test_school_card_workbook_carries_the_cohort_table(demo_db):
    con = db.connect(demo_db)

    def q(name, **params):
        return con.execute(db.sql(name), params).df()

    year = 2025
    school = con.execute(
        "select min(school_id) from cohort_value_added where residual is not null"
    ).fetchone()[0]
    stored = con.execute(
        "select count(*) from cohort_value_added where school_id = $s and year <= $y",
        {"s": school, "y": year},
    ).fetchone()[0]
    card = reports.school_card(q, school, year, Settings())
    con.close()
    book = openpyxl.load_workbook(io.BytesIO(card.workbook()))
    sheet = book["Прирост когорт"]
    cells = list(sheet.iter_rows(values_only=True))
    assert any("Когорта" in row for row in cells)
    rows = [r for r in cells if any("→" in str(v) for v in r if isinstance(v, str))]
    assert len(rows) == stored > 0
