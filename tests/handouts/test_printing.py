"""What leaves the product: every hand-out of the demo is opened and read as its user would.

The PDFs are A4 with a footer on every page; every PDF, workbook and HTML report is scanned
for identifiers (snake_case), English words, «None» and «nan». The PDFs' pages are printed to
PNG under screenshots/pdf/ (git-ignored) to be looked at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from analytics.settings import Settings
from radar.handouts import html_report, note, reports
from radar.handouts import municipality_report as meeting
from radar.store import db
from radar.store.refresh import read_inputs
from tests.scan import foreign

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "pdf"
A4_PT = (595.3, 841.9)


def test_the_scan_finds_what_a_user_must_never_read():
    assert foreign(["Доля share_fail", "Сводный adjusted", "None", "S0480 — код", "PDF"]) == [
        "share_fail",
        "adjusted",
        "None",
    ]


def workbook_texts(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ] + [sheet.title for sheet in book.worksheets]


def html_texts(text: str) -> list[str]:
    """The text a reader sees: no tags, no scripts (plotly.js is code)."""
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    return [re.sub(r"<[^>]+>", " ", text)]


def pdf_pages(content: bytes) -> list:
    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(content)).pages)


def look_at(content: bytes, name: str) -> None:
    """Every page as PNG, for a person to look at (pdftoppm, where installed)."""
    if shutil.which("pdftoppm") is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(source), str(SCREENSHOTS / name)],
        check=True,
        timeout=120,
    )


def needs_chromium() -> None:
    if html_report.chromium_path() is None:
        if os.environ.get("RADAR_REQUIRE_BROWSER"):
            pytest.fail("нет Chromium: установите его (make browser)")
        pytest.skip("нет Chromium")


@pytest.fixture(scope="module")
def about(query, demo_db):
    with db.connect(demo_db, read_only=True) as con:
        municipality, name = con.execute(
            "select municipality_id, name from municipalities order by municipality_id limit 1"
        ).fetchone()
    return meeting.Meeting(query, municipality, name, 2025, meeting.USUAL, 10, date(2026, 3, 2))


@pytest.fixture(scope="module")
def card(query):
    school = query("pages/identification/school_names")["school_id"].iloc[0]
    return reports.school_card(query, school, 2025, Settings())


def check_pdf(content: bytes, landscape: bool, region: str) -> list[str]:
    pages = pdf_pages(content)
    width, height = (A4_PT[1], A4_PT[0]) if landscape else A4_PT
    texts = []
    for number, page in enumerate(pages, start=1):
        box = page.mediabox
        assert float(box.width) == pytest.approx(width, abs=1)
        assert float(box.height) == pytest.approx(height, abs=1)
        text = page.extract_text()
        assert f"Страница {number} из {len(pages)}" in text
        assert region in text and "Источник:" in text
        texts.append(text)
    return texts


def test_the_municipality_pdf_is_a4_landscape_with_a_footer_on_every_page(about):
    needs_chromium()
    content = meeting.report_pdf(about)
    look_at(content, "municipality")
    texts = check_pdf(content, landscape=True, region="Республика Тарум")
    assert len(texts) >= 2
    assert foreign(texts) == []
    # The heading of a chart is on the same page as the chart, never alone at a page's foot.
    for text in texts[:-1]:
        assert not text.rstrip().splitlines()[-2].endswith("по годам"), text[-200:]


def test_the_printed_report_draws_static_charts_at_print_width(about):
    text = meeting.report_html(about, printed=True)
    assert text.count('"staticPlot": true') == text.count("Plotly.newPlot") >= 3
    assert '"displayModeBar": false' in text
    assert "size: A4 landscape" in text and "counter(pages)" in text
    interactive = meeting.report_html(about)
    assert '"staticPlot": true' not in interactive and "@page" not in interactive


def test_the_school_card_pdf_is_a4_portrait_and_russian(card):
    needs_chromium()
    content = card.pdf()
    look_at(content, "school_card")
    texts = check_pdf(content, landscape=False, region="Республика Тарум")
    assert foreign(texts) == []
    assert "Результаты" in "".join(texts)


def test_a_curators_schools_print_one_to_an_a4_page(query):
    """«Мои школы» on paper: each school of the curator on its own A4 page, with its
    indicators, colours in words, the charts of its years and the footer."""
    from radar.handouts import curator_sheets
    from radar.views import curator_card

    needs_chromium()
    curator = query("pages/my_schools/curator_list", municipality=None).iloc[0]
    year = int(curator["year"])
    params = {"curator_id": curator["curator_id"], "year": year}
    schools = query("pages/my_schools/curator_schools", municipality=None, **params)
    cards = curator_card.cards(
        schools,
        query("pages/my_schools/curator_colours", **params),
        query("pages/my_schools/curator_history", **params),
    )
    assert len(cards) >= 2
    setup = html_report.print_setup(query, chart_columns=2, today=date(2026, 3, 2))
    content = curator_sheets.sheets_pdf(cards, curator["full_name"], year, setup)
    look_at(content, "curator_schools")
    texts = check_pdf(content, landscape=False, region="Республика Тарум")
    assert len(texts) == len(cards)
    for text, card in zip(texts, cards, strict=True):
        flat = " ".join(text.split())
        assert " ".join(card.name.split()) in flat
        assert "Сводный результат" in flat and "Мониторинг этапов" in flat
        assert "Заметки по итогам посещения" in flat
        assert any(c in flat for c in ("красный", "оранжевый", "жёлтый", "зелёный", "синий"))
    assert foreign(texts) == []


@pytest.fixture(scope="module")
def lists(demo_db):
    """The lists of 2025 and 2024, the official programmes and the schools' names."""
    with db.connect(demo_db, read_only=True) as con:
        return (
            con.execute("select * from identification where year = 2025").df(),
            con.execute("select * from identification where year = 2024").df(),
            con.execute(db.sql("pages/identification/analysis_membership")).df(),
            con.execute(db.sql("pages/identification/school_names")).df(),
        )


def test_every_workbook_and_html_report_speaks_russian(demo_db, about, card, lists):
    ident, previous, membership, names = lists
    con = db.connect(demo_db, read_only=True)
    try:
        read_inputs(con)
        year = 2025
        members = con.execute(
            db.sql("pages/risk_clusters/risk_cluster_members"), {"year": year}
        ).df()
        centres = con.execute(db.sql("pages/risk_clusters/risk_centres"), {"year": year}).df()
        measures = con.execute(db.sql("pages/risk_clusters/risk_measures"), {"year": year}).df()
        quality = con.execute(db.sql("pages/risk_clusters/risk_quality"), {"year": year}).df()
        indicators = con.execute(db.sql("pages/monitoring/monitoring_indicator_list")).df()
    finally:
        con.close()
    exports = {
        "card.xlsx": workbook_texts(card.workbook()),
        "card.html": html_texts(card.html()),
        "municipality.xlsx": workbook_texts(meeting.workbook_bytes(about)),
        "municipality.html": html_texts(meeting.report_html(about)),
        "lists.xlsx": workbook_texts(
            reports.identification_workbook(
                ident,
                previous,
                membership,
                names,
                Settings(),
                2025,
                "Все муниципалитеты",
                dict(zip(indicators["indicator"], indicators["name"], strict=True)),
            )
        ),
        "clusters.xlsx": workbook_texts(
            reports.cluster_workbook(
                members,
                reports.cluster_cards(members, centres, measures),
                measures,
                quality,
                year,
                "регион",
            )
        ),
    }
    found = {name: sorted(set(foreign(texts))) for name, texts in exports.items()}
    assert {name: words for name, words in found.items() if words} == {}


@pytest.fixture(scope="module")
def lists_workbook(query, lists):
    from analytics.settings import RULE_NAMES

    ident, previous, membership, names = lists
    content = reports.identification_workbook(
        ident,
        previous,
        membership,
        names,
        Settings(),
        2025,
        "Все муниципалитеты",
        None,
        html_report.print_setup(query, today=date(2026, 3, 2)),
    )
    return openpyxl.load_workbook(io.BytesIO(content)), ident, RULE_NAMES


def test_the_lists_workbook_is_ready_to_attach_to_an_order(lists_workbook):
    book, ident, rule_names = lists_workbook
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == 9, sheet.title  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows, sheet.title
        assert "&P из &N" in sheet.oddFooter.right.text
        assert "Республика Тарум" in sheet.oddFooter.left.text
    shnor, shnsu = book["ШНОР"], book["ШНСУ"]
    title = shnor["A1"].value
    assert "Список ШНОР на 2025 год" in title and "Республика Тарум" in title
    assert "Критерии: сработало не меньше" in title
    assert shnor["A3"].value == "№ п/п"
    numbers = [r[0] for r in shnor.iter_rows(min_row=4, values_only=True)]
    assert numbers == list(range(1, int(ident["shnor"].sum()) + 1))
    assert shnor.page_setup.orientation == "landscape"
    # The ШНСУ list gives its own reasons, never a ШНОР rule.
    header = [c.value for c in shnsu[3]]
    reasons = [
        r[header.index("Сработавшие правила")] for r in shnsu.iter_rows(min_row=4, values_only=True)
    ]
    shnor_rules = [rule_names[r] for r in ("bottom", "fail", "gap", "olympiad", "continuation")]
    assert reasons and not any(rule in text for text in reasons for rule in shnor_rules)


def test_the_municipal_summary_writes_counts_as_whole_numbers(about):
    book = openpyxl.load_workbook(io.BytesIO(meeting.workbook_bytes(about)))
    summary = book["Сводка"]
    formats = {
        row[0].value: row[1].number_format
        for row in summary.iter_rows(min_row=4)
        if row[1].value is not None
    }
    assert formats["Школ"] == "#,##0" and formats["Просрочено"] == "#,##0"
    assert formats["Сводный результат (z)"] == "#,##0.00"


@pytest.fixture(scope="module")
def analytical_note(query, demo_db):
    needs_chromium()
    from docx import Document

    with db.connect(demo_db, read_only=True) as con:
        year = int(con.execute("select max(year) from monitoring_progress").fetchone()[0])
        schools, final = con.execute(
            "select count(*), count(positive) from monitoring_progress where year = ?", [year]
        ).fetchone()
    content = note.note_docx(query, year, today=date(2026, 6, 1))
    return Document(io.BytesIO(content)), year, schools, final


def test_the_note_has_its_sections_tables_and_figure_on_a4(analytical_note):
    doc, year, _, _ = analytical_note
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "1. Цель и источники",
        "2. Участники",
        "3. Результаты по показателям от входного к итоговому этапу",
        "4. Положительная динамика",
        "5. Школы, которым нужно внимание",
        "6. Выводы",
        "7. Рекомендации",
    ]
    assert len(doc.tables) >= 6 and len(doc.inline_shapes) >= 1
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 'TOC \\o "1-2"' in doc.element.xml  # a real table of contents field
    assert "<w:tblHeader" in doc.element.xml  # table headers repeat on every page
    title = doc.paragraphs[0].text
    assert title == f"Аналитическая справка по итогам мониторинга {year} года"


def test_the_notes_numbers_are_the_databases(analytical_note):
    doc, _, schools, final = analytical_note
    participants = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows[1:]}
    assert participants["Школ в мониторинге"] == str(schools)
    assert participants["С итоговыми данными"] == str(final)
    findings = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert findings[0].startswith(f"В мониторинге {schools} ")
    assert all(re.search(r"\(табл\. \d+\)\.$", f) for f in findings)  # each names its table


def test_the_note_speaks_russian(analytical_note):
    doc = analytical_note[0]
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert foreign(texts) == []


@pytest.fixture(scope="module")
def stage_notes(query, analytical_note):
    year = analytical_note[1]
    return {
        stage: note.analytical_note(query, year, stage, today=date(2026, 6, 1))
        for stage in ("entry", "intermediate", "final")
    }


def test_the_note_prints_as_an_a4_pdf_with_its_tables_and_chart(stage_notes):
    needs_chromium()
    final = stage_notes["final"]
    content = final.pdf()
    look_at(content, "note")
    texts = check_pdf(content, landscape=False, region="Республика Тарум")
    whole = "\n".join(texts)
    assert final.title.replace(" ", "") in whole.replace(" ", "").replace("\n", "")
    tables = sum(isinstance(b, note.Table) for b in final.blocks)
    assert all(f"Таблица {n}." in whole for n in range(1, tables + 1))
    assert "Рисунок 1." in whole and "7. Рекомендации" in whole
    assert foreign(texts) == []
    # Drawn once as SVG: the printed page runs no script.
    with html_report.printing():
        text = final.html(printed=True)
    assert "<script" not in text and text.count("<svg") == 1


def test_a_note_after_each_stage_compares_what_is_known_by_then(stage_notes):
    entry, intermediate = stage_notes["entry"], stage_notes["intermediate"]
    assert entry.title.startswith("Аналитическая справка по итогам входного этапа")
    assert intermediate.title.startswith("Аналитическая справка по итогам промежуточного этапа")

    def headings(written):
        return [b.text for b in written.blocks if isinstance(b, note.Heading)]

    assert "3. Результаты по показателям от входного к промежуточному этапу" in headings(
        intermediate
    )
    assert "4. Факторы высокого риска на входном этапе" in headings(entry)
    results = {
        k: next(b.frame for b in w.blocks if isinstance(b, note.Table) and b.number == 2)
        for k, w in stage_notes.items()
    }
    assert "Промежуточный этап" not in results["entry"].columns
    assert "Итоговый этап" not in results["intermediate"].columns
    assert "Изменение к промежуточному" in results["intermediate"].columns
    assert "Изменение к итоговому" in results["final"].columns
    for written in stage_notes.values():
        texts = [getattr(b, "text", "") for b in written.blocks]
        texts += [
            str(v)
            for b in written.blocks
            if isinstance(b, note.Table)
            for v in [*b.frame.columns, *b.frame.to_numpy().ravel()]
        ]
        assert foreign(texts) == []


def test_the_note_judges_dynamics_with_the_pages_indicators(query, analytical_note):
    from analytics.settings import Monitoring

    year = analytical_note[1]
    stored = note.analytical_note(query, year, today=date(2026, 6, 1))
    strict = note.analytical_note(
        query, year, settings=Monitoring(min_improved_share=1.0), today=date(2026, 6, 1)
    )

    def share(written):
        text = next(
            b.text for b in written.blocks if isinstance(b, note.Text) and "Доля школ" in b.text
        )
        return text

    assert share(stored) != share(strict)  # all indicators must improve: fewer schools


def test_a_printer_draws_the_charts_as_svg_so_the_printed_page_runs_no_script(about):
    needs_chromium()
    with html_report.printing():
        text = meeting.report_html(about, printed=True)
    assert "<script" not in text
    assert text.count("<svg") >= 3  # the roadmap, the procedures, the 5×5 grid


def test_the_page_downloads_hold_what_the_pages_show_in_russian(query):
    from analytics import context as cx
    from radar.handouts import excel, page_exports

    points = query(
        "pages/context/context_points",
        year=2025,
        municipality=None,
        min_participants=10,
        exams=["ОГЭ", "ЕГЭ"],
        exam=None,
        subject=None,
        grade=None,
    )
    points["band"] = cx.band(points["residual"], points["lower"], points["upper"], 0.3)
    rows = query("pages/context/resilience_rows", year=2025, municipality=None)
    sheets = page_exports.resilient_sheets(rows, points, Settings(), "ОГЭ и ЕГЭ, 2025 год")
    resilient = sheets[0].frame
    assert len(resilient) == int(rows["resilient"].sum()) > 0
    assert resilient["Почему"].str.contains("ИСБШ").all()
    assert "ОГЭ, ЕГЭ за 3 года" in sheets[0].note
    cells = query(
        "pages/dynamics/status_grid", year=2025, indicator="result_index", municipality=None
    )
    schools = query(
        "pages/dynamics/status_grid_schools", year=2025, indicator="result_index", municipality=None
    )
    grid = page_exports.grid_sheets(cells, schools, "Сводный результат, 2025 год")
    counts = grid[0].frame.drop(columns="Уровень / изменение")
    assert int(counts.to_numpy().sum()) == len(schools) == int(cells["schools"].sum())
    assert set(grid[1].frame["Цвет"]) <= {"красный", "оранжевый", "жёлтый", "зелёный", "синий"}
    for content in (excel.workbook_bytes(sheets), excel.workbook_bytes(grid)):
        assert foreign(workbook_texts(content)) == []


def test_the_lists_pdf_is_numbered_a4_with_each_lists_own_reasons(query, lists):
    needs_chromium()
    ident, _, _, names = lists
    setup = html_report.print_setup(query, today=date(2026, 3, 2))
    content = reports.lists_pdf(ident, names, Settings(), 2025, "все муниципалитеты", setup)
    look_at(content, "lists")
    texts = check_pdf(content, landscape=False, region="Республика Тарум")
    assert "Список ШНОР на 2025 год" in texts[0] and "№" in texts[0]
    assert foreign(texts) == []


def test_years_in_html_tables_are_names_not_counts(card):
    text = html_texts(card.html())[0]
    assert "2\u202f025" not in text and "2 025" not in text


def test_the_servers_printer_serves_threads_at_once_and_restarts_when_it_died(about):
    needs_chromium()
    from concurrent.futures import ThreadPoolExecutor

    try:
        html_report.keep_printer()
        first = html_report.Printer.current
        # Two sessions print at once (the pages are built first: the test's one database
        # connection is not for two threads).
        texts = [meeting.report_html(about, printed=True) for _ in range(2)]
        with ThreadPoolExecutor(2) as pool:
            made = list(pool.map(html_report.pdf_from_html, texts))
        assert all(len(pdf_pages(content)) >= 2 for content in made)
        first._process.kill()
        first._process.wait(timeout=10)
        html_report.keep_printer()
        assert html_report.Printer.current is not first and html_report.Printer.current.alive()
    finally:
        if html_report.Printer.current is not None:
            html_report.Printer.current.close()


def test_an_open_printer_draws_the_notes_pictures_at_twice_their_size():
    needs_chromium()
    import plotly.graph_objects as go
    from PIL import Image

    figure = go.Figure(go.Bar(x=[1, 2], y=["а", "б"], orientation="h"))
    figure.update_layout(height=300)
    alone = html_report.chart_images([figure], width=600)  # one Chromium run of its own
    with html_report.printing():
        drawn = html_report.chart_images([figure], width=600)
    for image in (alone[0], drawn[0]):
        assert Image.open(io.BytesIO(image)).size == (1200, 600)
