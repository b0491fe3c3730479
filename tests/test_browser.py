"""End to end in a real headless Chromium: every page opens, finishes and shows its heading."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
# (url path, heading, least number of plotly charts on the page as it opens: a page's other
# tabs are built when chosen)
PAGES = [
    ("", "Обзор региона", 2),
    ("school_profile", "Профиль школы", 1),
    ("identification", "Идентификация ШНОР и ШНСУ", 0),
    ("context", "Контекст и результаты", 1),
    ("risk_clusters", "Кластеры рисков", 3),
    ("monitoring", "Мониторинг этапов", 2),
    ("dynamics", "Динамика", 2),
    ("my_schools", "Мои школы", 0),
    ("data", "Данные", 0),
    ("municipality", None, 1),  # the heading is the municipality's name
    ("methodology", "Методика", 0),
]
DONE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def start_server(demo_db) -> tuple[str, subprocess.Popen]:
    """The app on a free loopback port against the database, as `make run` starts it
    (radar.serve.spawn); fails with Streamlit's own error."""
    from radar.serve import spawn

    if not Path(CHROMIUM).exists():
        if os.environ.get("RADAR_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} не найден: установите Debian chromium (make browser)")
        pytest.skip("Debian chromium не установлен (make browser)")
    try:
        return spawn(demo_db)
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def server(demo_db):
    url, proc = start_server(demo_db)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_a_deep_link_is_the_first_visit_after_the_server_starts(demo_db):
    """Streamlit runs first visits in its legacy `pages/` mode until app.py has run once; the
    page must still come with the app's navigation and filters."""
    from playwright.sync_api import sync_playwright

    url, proc = start_server(demo_db)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1200}, locale="ru-RU")
            page.goto(f"{url}/identification")
            page.wait_for_selector(DONE, timeout=60_000)
            page.wait_for_selector("h1", timeout=30_000)
            assert page.locator("h1").first.inner_text().strip() == "Идентификация ШНОР и ШНСУ"
            nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Обзор региона" in nav and "school profile" not in nav
            assert page.get_by_text("Школьный радар").count() >= 1  # the shared filters
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_every_page_renders_in_chromium(server):
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="ru-RU")
        for path, heading, charts in PAGES:
            page.goto(f"{server}/{path}")
            page.wait_for_selector(DONE, timeout=60_000)
            page.wait_for_selector("h1", timeout=30_000)
            page.wait_for_timeout(500)  # let charts paint before the screenshot
            page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"))
            assert page.locator('[data-testid="stException"]').count() == 0, path
            title = page.locator("h1").first.inner_text().strip()
            assert title == heading if heading else title, path
            assert page.locator(".js-plotly-plot").count() >= charts, path
            assert page.get_by_text("Choose options").count() == 0, path  # Russian only
            if path == "identification":
                assert page.locator('[data-testid="stDataFrame"]').count() >= 1
                assert page.get_by_text("Скачать списки (Excel)").count() == 1
        browser.close()


def test_a_tab_chosen_in_the_browser_is_built_then(server):
    """The profile opens on its first tab; choosing another runs and draws that one's
    sections (radar.ui.layout.lazy_tabs), and the school stays the same."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="ru-RU")
        page.goto(f"{server}/school_profile")
        page.wait_for_selector(DONE, timeout=60_000)
        name = page.locator("h2").first.inner_text()
        assert page.get_by_text("Результаты с учётом контекста,").count() == 0
        page.get_by_role("tab", name="Контекст", exact=True).click()
        page.get_by_text("Результаты с учётом контекста,").first.wait_for(timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        assert page.locator("h2").first.inner_text() == name
        assert page.locator(".js-plotly-plot").count() >= 2  # the adjusted results, cohorts
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()


def test_a_bad_file_uploaded_in_the_browser_is_refused_with_its_sheet_and_row(server, demo_db):
    """Upload a workbook with a share of «2» over 100 %: the page lists the error and the
    database file stays byte for byte the same."""

    import pandas as pd
    from playwright.sync_api import sync_playwright

    from radar.store import db
    from tests.ingest.test_import import filled_template

    con = db.connect(demo_db)
    rows = db.read_table(con, "exam_results").head(2).assign(share_2=1.7)
    con.close()
    before = Path(demo_db).read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2000}, locale="ru-RU")
        page.goto(f"{server}/data")
        page.wait_for_selector(DONE, timeout=60_000)
        page.locator('input[type="file"]').set_input_files(
            files=[
                {
                    "name": "плохой.xlsx",
                    "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "buffer": filled_template({"exam_results": pd.DataFrame(rows)}),
                }
            ]
        )
        page.get_by_text("Найдено ошибок").wait_for(timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        page.wait_for_timeout(800)  # let the table paint before the screenshot
        page.screenshot(path=str(SCREENSHOTS / "data_errors.png"))
        assert page.get_by_text("база не изменилась").count() >= 1
        assert page.get_by_text("Скачать отчёт о проблемах (Excel)").count() == 1
        assert page.get_by_text("Загрузить в базу").count() == 0
        browser.close()
    assert Path(demo_db).read_bytes() == before


def test_files_in_another_layout_are_checked_through_a_saved_mapping(server, demo_db):
    """Upload England's files with the saved mapping chosen: the page shows what would change;
    nothing is written until the user confirms."""
    from playwright.sync_api import sync_playwright

    from radar.store import db

    folder = db.ROOT / "data" / "realdata" / "england_ks4_2019"
    before = Path(demo_db).read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2000}, locale="ru-RU")
        page.goto(f"{server}/data")
        page.wait_for_selector(DONE, timeout=60_000)
        page.get_by_text("Англия: результаты KS4").click()
        page.wait_for_selector(DONE, timeout=60_000)
        page.locator('input[type="file"]').set_input_files(
            [str(p) for p in sorted(folder.glob("*.csv"))]
        )
        page.get_by_text("Что изменится").wait_for(timeout=90_000)
        page.wait_for_selector(DONE, timeout=60_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "data_mapping.png"))
        assert page.get_by_text("Загрузить в базу").count() == 1
        browser.close()
    assert Path(demo_db).read_bytes() == before


def test_columns_of_foreign_files_are_matched_on_the_page(server, demo_db):
    """Pick «other format», upload an Excel sheet under a title and a CSV with its pupils: the
    page finds the header row, the table, the columns and the join; the user gives the year
    and sees what would change."""
    from playwright.sync_api import sync_playwright

    from tests.ui.test_mapping_step import passport_workbook

    sheet = passport_workbook([("S0001", 7.5), ("S0002", "21%")])
    pupils = "Код школы;Численность\nS0001;905\nS0002;610\n".encode()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    before = Path(demo_db).read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2600}, locale="ru-RU")
        page.goto(f"{server}/data")
        page.wait_for_selector(DONE, timeout=60_000)
        page.get_by_text("другой формат: сопоставить столбцы").click()
        page.wait_for_selector(DONE, timeout=60_000)
        page.locator('input[type="file"]').set_input_files(
            files=[
                {"name": "паспорт.xlsx", "mimeType": xlsx, "buffer": sheet},
                {"name": "численность.csv", "mimeType": "text/csv", "buffer": pupils},
            ]
        )
        page.get_by_text("Сопоставление столбцов").wait_for(timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        year = page.get_by_label("Год: одно значение для всех строк")
        year.fill("2025")
        year.press("Enter")
        page.get_by_text("Что изменится").wait_for(timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "data_columns.png"))
        assert page.get_by_text("Социальный паспорт: строк 2").count() == 1
        assert page.get_by_text("Загрузить в базу").count() == 1
        # A changed choice is checked again (the check is kept only for the same choices).
        year.fill("1899")
        year.press("Enter")
        page.get_by_text("Исправьте файлы и загрузите их снова").wait_for(timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        page.get_by_text("Загрузить в базу").wait_for(state="detached", timeout=30_000)
        browser.close()
    assert Path(demo_db).read_bytes() == before


def test_the_municipality_report_downloads_with_the_chosen_procedures(server, demo_db):
    """Leave only one procedure in the report's choice and download the HTML: it has that
    procedure's chart and not the other's, and needs no network."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="ru-RU")
        page.goto(f"{server}/municipality")
        page.wait_for_selector(DONE, timeout=60_000)
        remove = page.locator('button[aria-label="Убрать ОГЭ, Русский язык, 9 кл."]')
        remove.click()
        remove.wait_for(state="detached", timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        page.wait_for_timeout(500)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_text("Отчёт HTML (работает без интернета)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        browser.close()
    assert "ОГЭ, Математика, 9 кл.: муниципалитет и регион" in text
    assert "ОГЭ, Русский язык, 9 кл." not in text
    assert "<script src=" not in text


def test_the_note_after_the_intermediate_stage_downloads_as_a_pdf(server, demo_db):
    """On «Мониторинг этапов» choose the intermediate stage and download the note's PDF: an
    A4 document whose title names that stage, printed by the server's Chromium."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="ru-RU")
        page.goto(f"{server}/monitoring")
        page.wait_for_selector(DONE, timeout=60_000)
        page.locator('[data-testid="stButtonGroup"] button', has_text="промежуточный").click()
        page.wait_for_timeout(300)
        page.wait_for_selector(DONE, timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Аналитическая справка (PDF)").click()
        reader = PdfReader(download.value.path())
        name = download.value.suggested_filename
        page.screenshot(path=str(SCREENSHOTS / "monitoring_note.png"), full_page=True)
        browser.close()
    first = reader.pages[0]
    assert round(float(first.mediabox.width)) == 595  # A4 portrait
    text = first.extract_text().replace("\n", " ")
    assert "по итогам промежуточного этапа" in text
    assert name.startswith("Справка_мониторинг_промежуточный_")


def test_the_school_card_downloads_as_html(server, demo_db):
    """The profile's card as HTML, downloaded in a real browser: the school's name, its tables
    and its trend charts, with nothing to fetch from the network."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="ru-RU")
        page.goto(f"{server}/school_profile")
        page.wait_for_selector(DONE, timeout=60_000)
        name = page.locator("h2").first.inner_text().strip()
        with page.expect_download(timeout=60_000) as download:
            page.get_by_text("Карточка HTML (работает без интернета)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        browser.close()
    assert name and name in text.replace("&quot;", '"')
    assert "<h2>Результаты</h2>" in text and text.count("Plotly.newPlot") >= 1
    assert "<script src=" not in text


def test_a_region_replaces_the_demo_with_its_own_files(demo_db, tmp_path):
    """The whole first visit of a region: choose its files' format, choose to replace the demo,
    see the warning, confirm; the overview then shows the region's own schools."""
    import shutil

    from playwright.sync_api import sync_playwright

    from analytics import fmt
    from radar.store import db

    path = tmp_path / "region.duckdb"
    shutil.copy(demo_db, path)
    folder = db.ROOT / "data" / "realdata" / "england_ks4_2019"
    url, proc = start_server(path)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2000}, locale="ru-RU")
            page.goto(f"{url}/data")
            page.wait_for_selector(DONE, timeout=60_000)
            assert page.get_by_text("Сейчас в базе: демонстрационный регион").count() == 1
            page.get_by_text("Англия: результаты KS4").click()
            page.wait_for_timeout(300)  # let the rerun start before waiting for its end
            page.wait_for_selector(DONE, timeout=60_000)
            page.get_by_text("заменить всю базу данными из файлов").click()
            page.wait_for_timeout(300)
            page.wait_for_selector(DONE, timeout=60_000)
            assert page.get_by_role(
                "radio", name="заменить всю базу данными из файлов"
            ).is_checked()
            assert page.get_by_role(
                "radio", name="Англия: результаты KS4 (GCSE) и перепись школ, 2019"
            ).is_checked()
            page.locator('input[type="file"]').set_input_files(
                [str(p) for p in sorted(folder.glob("*.csv"))]
            )
            page.get_by_text("будет заменено данными из файлов").wait_for(timeout=90_000)
            page.wait_for_selector(DONE, timeout=60_000)
            page.get_by_text("Загрузить в базу").click()
            page.get_by_text("Данные загружены, показатели пересчитаны").wait_for(timeout=180_000)
            with db.connect(path, read_only=True) as con:
                schools = con.execute("select count(*) from schools").fetchone()[0]
            page.goto(url)
            page.wait_for_selector(DONE, timeout=60_000)
            page.get_by_text(fmt.integer(schools), exact=True).first.wait_for(timeout=30_000)
            page.screenshot(path=str(SCREENSHOTS / "data_replaced.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert schools > 4000


# Two files in a city's own layout: the schools with their district, and results per pupil
# group («Category») with the number who got «2» instead of a share.
FOREIGN_SCHOOLS = (
    "Код ОО;Наименование;Район\n"
    "N001;МБОУ «Заречная СОШ»;Заречный район\n"
    "N002;МКОУ «Луговая ООШ»;Заречный район\n"
    "N003;МБОУ «Гимназия № 9»;г. Новоград\n"
)


def foreign_results() -> str:
    lines = ["Код ОО;Учебный год;Category;Предмет;Участников;Получили «2»;Средний балл"]
    for code, n, fail, mean in (
        ("N001", 40, 4, "15,5"),
        ("N002", 12, 3, "12"),
        ("N003", 60, 1, "20,1"),
    ):
        for year in ("2023-2024", "2024-2025"):
            lines.append(f"{code};{year};Все обучающиеся;Математика;{n};{fail};{mean}")
            lines.append(f"{code};{year};Девочки;Математика;{n // 2};{fail // 2};{mean}")
    return "\n".join(lines) + "\n"


def _pick(page, key: str, option: str) -> None:
    """Choose `option` in the selectbox or multiselect whose widget key is `key`."""
    page.wait_for_selector(DONE, timeout=60_000)
    box = page.locator(f".st-key-{key}")
    box.wait_for(timeout=60_000)
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # on a busy machine a click can land before the list can open
        box.click()
        try:
            wanted.wait_for(timeout=20_000)
            break
        except Exception:  # the list did not open: click again
            page.keyboard.press("Escape")
    wanted.click()
    page.wait_for_timeout(300)  # let the rerun start before waiting for its end
    page.wait_for_selector(DONE, timeout=60_000)


def _type(page, key: str, value: str) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(value)
    field.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=60_000)


def test_a_new_user_loads_a_two_file_foreign_layout_on_the_page(demo_db, tmp_path):
    """Without leaving «Данные»: municipalities made from the schools file's district column,
    results kept for «Все обучающиеся» only, the count of «2» divided by the participants,
    the exam and grade given once; then loaded, with the academic years read as exam years."""
    from playwright.sync_api import sync_playwright

    from radar.store import db

    path = tmp_path / "city.duckdb"
    shutil.copy(demo_db, path)
    url, proc = start_server(path)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 3000}, locale="ru-RU")
            page.goto(f"{url}/data")
            page.wait_for_selector(DONE, timeout=60_000)
            page.get_by_text("другой формат: сопоставить столбцы").click()
            page.wait_for_timeout(300)
            page.wait_for_selector(DONE, timeout=60_000)
            page.locator('input[type="file"]').set_input_files(
                files=[
                    {
                        "name": "schools.csv",
                        "mimeType": "text/csv",
                        "buffer": FOREIGN_SCHOOLS.encode(),
                    },
                    {
                        "name": "results.csv",
                        "mimeType": "text/csv",
                        "buffer": foreign_results().encode(),
                    },
                ]
            )
            page.locator(".st-key-map_tables").wait_for(timeout=60_000)
            _pick(page, "map_tables", "Муниципалитеты")
            _pick(page, "map_from_municipalities", "schools.csv")
            _pick(page, "map_municipalities_schools_municipality_id", "Район")
            _pick(page, "map_municipalities_schools_name", "Район")
            _pick(page, "map_schools_schools_municipality_id", "Район")
            _type(page, "map_const_exam_results_exam", "ОГЭ")
            _type(page, "map_const_exam_results_grade", "9")
            _pick(page, "map_exam_results_results_share_2", "Получили «2»")
            _pick(page, "map_how_exam_results_results_share_2", "число: разделить на столбец…")
            page.get_by_text("Отбор строк").click()
            page.wait_for_timeout(500)
            _pick(page, "map_keep_column_results", "Category")
            _pick(page, "map_keep_results_Category", "Все обучающиеся")
            page.keyboard.press("Escape")
            page.get_by_text("Что изменится").wait_for(timeout=60_000)
            page.wait_for_selector(DONE, timeout=60_000)
            assert page.get_by_text("Новых муниципалитетов: 2").count() == 1
            page.wait_for_timeout(800)
            page.screenshot(path=str(SCREENSHOTS / "data_foreign_layout.png"))
            page.get_by_text("Загрузить в базу").click()
            page.get_by_text("Данные загружены, показатели пересчитаны").wait_for(timeout=180_000)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    with db.connect(path, read_only=True) as con:
        municipalities = con.execute(
            "select name from municipalities where municipality_id in (select municipality_id "
            "from schools where school_id like 'N%') order by name"
        ).fetchall()
        results = con.execute(
            "select school_id, year, participants, share_2 from exam_results "
            "where school_id like 'N%' order by school_id, year"
        ).fetchall()
    assert [m[0] for m in municipalities] == ["Заречный район", "г. Новоград"]
    assert len(results) == 6  # the «Девочки» rows were left out
    assert results[0][:3] == ("N001", 2024, 40) and results[0][3] == pytest.approx(0.1)


def test_an_html_handouts_chart_toolbar_speaks_russian(demo_db, tmp_path):
    """The municipality report saved as HTML and opened offline: the chart toolbar's tooltips
    are Russian, and its numbers have a decimal comma."""
    from datetime import date

    from playwright.sync_api import sync_playwright

    from radar.handouts import municipality_report as meeting
    from radar.store import db

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium не установлен (make browser)")
    with db.connect(demo_db, read_only=True) as con:
        code, name = con.execute(
            "select municipality_id, name from municipalities order by 1 limit 1"
        ).fetchone()

        def query(sql: str, **params):
            return con.execute(db.sql(sql), params).df()

        about = meeting.Meeting(query, code, name, 2025, meeting.USUAL, 10, date(2026, 3, 2))
        page_file = tmp_path / "report.html"
        page_file.write_text(meeting.report_html(about), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200}, locale="ru-RU")
        page.goto(page_file.as_uri())
        page.wait_for_selector(".modebar-btn", state="attached", timeout=30_000)
        titles = page.eval_on_selector_all(
            ".modebar-btn", "buttons => buttons.map(b => b.getAttribute('data-title'))"
        )
        separators = page.evaluate(
            "document.querySelector('.js-plotly-plot')._fullLayout.separators"
        )
        browser.close()
    assert "Скачать график как PNG" in titles and "Сбросить оси" in titles
    assert not [t for t in titles if t and t.isascii()]
    assert separators == ", "  # decimal comma, thousands by a space


def test_an_address_opens_exactly_that_school_and_year(server, demo_db):
    """A link with ?school=…&year=… opens that school's profile for that year; another
    page keeps the year in its address, and the back button returns to the school."""
    from playwright.sync_api import sync_playwright

    from radar.store import db

    with db.connect(demo_db, read_only=True) as con:
        school, name = con.execute(
            "select school_id, name from schools order by school_id limit 1 offset 4"
        ).fetchone()
        year = con.execute("select min(year) from exam_results").fetchone()[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="ru-RU")
        page.goto(f"{server}/school_profile?school={school}&year={year}")
        page.wait_for_selector(DONE, timeout=60_000)
        heading = page.locator("h2").first.inner_text().strip()
        identification = page.get_by_text(f"Идентификация, {year}").count()
        page.get_by_role("link", name="Динамика").click()
        page.wait_for_url("**/dynamics**", timeout=60_000)
        # The address gets the sidebar's year once the new page has run: wait for it.
        page.wait_for_function(f"() => location.search.includes('year={year}')", timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        address = page.url
        page.go_back()  # the back button walks the steps: the school again
        page.wait_for_url("**/school_profile**", timeout=60_000)
        page.wait_for_selector(DONE, timeout=60_000)
        page.wait_for_timeout(500)
        page.wait_for_selector(DONE, timeout=60_000)
        again = page.locator("h2").first.inner_text().strip()
        browser.close()
    assert heading == name
    assert identification == 1
    assert f"year={year}" in address
    assert again == name


# Everything a user reads or hears on a page: visible text (not code, formulas' source,
# icon ligatures or the grid's hidden copy of a table: tables are checked as displayed by
# tests/ui/test_what_pages_say.py) and the tooltips, labels and placeholders.
READ_BY_USER = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[title],[aria-label],[placeholder],[data-title]'))
    for (const a of ['title', 'aria-label', 'placeholder', 'data-title'])
      if (e.getAttribute(a)) out.push(e.getAttribute(a));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest('script, style, noscript, canvas, .katex-mathml')) continue;
    if (getComputedStyle(parent).fontFamily.includes('Material')) continue;
    out.push(walker.currentNode.textContent);
  }
  return out;
}"""


def test_no_page_has_an_english_word_in_the_browser(server):
    """Streamlit's and Plotly's own words (tooltips, the uploader, labels for screen
    readers) are Russian on every page: the count of English words left is zero."""
    from playwright.sync_api import sync_playwright

    from tests.scan import ALLOWED, ENGLISH
    from tests.ui.test_what_pages_say import PROPER_NAMES

    left = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="ru-RU")
        for path, _, _ in PAGES:
            page.goto(f"{server}/{path}")
            page.wait_for_selector(DONE, timeout=60_000)
            # The translating script starts when the page's last element is drawn.
            page.wait_for_function("() => document.radarRussian === true", timeout=10_000)
            page.wait_for_timeout(500)  # charts draw their toolbars
            for text in page.evaluate(READ_BY_USER):
                for word in ENGLISH.findall(text):
                    if word not in ALLOWED | PROPER_NAMES:
                        left.setdefault(path or "overview", set()).add(word)
        browser.close()
    assert left == {}


def test_presentation_mode_is_readable_from_the_back_of_the_room(server, demo_db):
    """At 1920×1080 with the presentation mode on: key figures of at least 48 px with smaller
    labels, chart text of at least 18 px, and the whole municipality screen without
    scrolling."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="ru-RU")
        page.goto(f"{server}/municipality")
        page.wait_for_selector(DONE, timeout=60_000)
        page.get_by_text("Режим презентации").click()
        page.wait_for_timeout(300)
        page.wait_for_selector(DONE, timeout=60_000)
        page.wait_for_timeout(800)  # the chart draws
        sizes = page.evaluate(
            """() => {
              const px = (e) => parseFloat(getComputedStyle(e).fontSize);
              const values = [...document.querySelectorAll('[data-testid=stMetricValue]')];
              const labels = [...document.querySelectorAll('[data-testid=stMetricLabel] p')];
              const chart = [...document.querySelectorAll('.js-plotly-plot text')]
                .filter(t => t.textContent.trim());
              const main = document.querySelector('[data-testid=stMain]')
                || document.scrollingElement;
              return {
                values: values.map(px), labels: labels.map(px),
                chart: chart.map(t => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize)),
                scroll: main.scrollHeight, height: main.clientHeight,
                page: document.scrollingElement.scrollHeight,
              };
            }"""
        )
        page.screenshot(path=str(SCREENSHOTS / "municipality_presentation.png"))
        browser.close()
    assert sizes["values"] and min(sizes["values"]) >= 48
    assert max(sizes["labels"]) < min(sizes["values"])
    assert sizes["chart"] and min(sizes["chart"]) >= 18
    assert sizes["scroll"] <= sizes["height"] + 2 and sizes["page"] <= 1080 + 2


# What a narrow screen cuts: the page scrolling sideways (tables scroll by themselves);
# text ended with «…» (text-overflow: ellipsis on a box that hides what does not fit);
# buttons, tabs or segmented controls too narrow for their content; labels and figures that
# wrap but are wider than their box or break a word across lines («Профил-ь»); chart text
# outside its chart. Boxes of no width (the sidebar folded away on a tablet) show nothing.
CUT = """() => {
  const out = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth + 1)
    out.push(`страница шире окна: ${page.scrollWidth} > ${window.innerWidth}`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollWidth > main.clientWidth + 1)
    out.push(`основная часть шире окна: ${main.scrollWidth} > ${main.clientWidth}`);
  const name = (e) => {
    let named = e;
    while (named && (!named.dataset.testid || named.dataset.testid === 'stMarkdownContainer'))
      named = named.parentElement;
    return named ? named.dataset.testid : e.tagName.toLowerCase();
  };
  const said = (e) => `«${e.textContent.trim().slice(0, 80)}»`;
  const scrolls = '[data-testid="stDataFrame"], [data-testid="stTable"], .js-plotly-plot';
  const controls = 'button, [role="tab"], [role="tablist"], [data-testid="stButtonGroup"]';
  const wrapping = '.stMarkdownEllipsis, [data-testid="stMetricLabel"], '
    + '[data-testid="stMetricValue"]';
  for (const e of document.querySelectorAll('body *')) {
    if (!e.clientWidth || e.closest(scrolls) || e.closest('script, style')) continue;
    const s = getComputedStyle(e);
    const ellipsis = s.textOverflow === 'ellipsis' && s.overflowX !== 'visible';
    if ((ellipsis || e.matches(controls) || e.matches(wrapping))
        && e.scrollWidth > e.clientWidth + 1)
      out.push(`${name(e)}: ${said(e)} шире своего места`);
    if (!e.matches(wrapping)) continue;
    const texts = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const node = texts.currentNode;
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width);
        const lines = new Set(rects.map(r => Math.round(r.top)));
        if (lines.size > 1) out.push(`${name(e)}: ${said(e)} — слово «${word[0]}» разорвано`);
      }
    }
  }
  for (const chart of document.querySelectorAll('.js-plotly-plot')) {
    const svg = chart.querySelector('svg.main-svg');
    const box = svg && svg.getBoundingClientRect();
    if (!box || !box.width) continue;
    const keyed = chart.closest('[class*="st-key-"]');
    const key = keyed ? keyed.className.match(/st-key-(\\S+)/)[1] : 'график';
    for (const t of chart.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || !r.width) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1)
        out.push(`${key}: ${said(t)} выходит за край графика`);
    }
  }
  return [...new Set(out)];
}"""
NARROW = SCREENSHOTS / "narrow"


def _opened(page, url: str) -> None:
    """The page at `url` drawn to its end: run finished, words translated, charts painted."""
    page.goto(url)
    page.wait_for_selector(DONE, timeout=60_000)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function("() => document.radarRussian === true", timeout=60_000)
    page.wait_for_selector(DONE, timeout=60_000)
    page.wait_for_timeout(500)  # charts draw


def test_nothing_is_cut_on_narrow_screens(server):
    """On a laptop (1024 px) and a tablet (768 px) every page fits its width and no label,
    figure or button is cut with «…»."""
    from playwright.sync_api import sync_playwright

    shutil.rmtree(NARROW, ignore_errors=True)
    NARROW.mkdir(parents=True)
    cut = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for width in (1024, 768):
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="ru-RU")
            for path, _, _ in PAGES:
                _opened(page, f"{server}/{path}")
                cut += [f"{path or 'overview'}, {width} px, {o}" for o in page.evaluate(CUT)]
                if width == 768 and path in ("", "school_profile", "risk_clusters"):
                    # Streamlit scrolls inside the page: a tall window shows it all at once.
                    page.set_viewport_size({"width": width, "height": 2600})
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(NARROW / f"{path or 'overview'}_{width}.png"))
                    page.set_viewport_size({"width": width, "height": 900})
            page.close()
        browser.close()
    assert cut == []


# Raw values a user must never read: Python's and JavaScript's «nothing» and pandas' gaps.
RAW_VALUES = re.compile(r"(?<![\w<])(None|nan|NaN|NaT|<NA>|null|undefined)(?![\w>])")
# The grid draws its cells on a canvas; the copy inside it for screen readers is what the
# user sees of the rows on screen. Cells are the region's data (school names, file names, the
# server account that loaded them): only raw values are looked for there.
GRID_HEADERS = """() => [...document.querySelectorAll(
  '[data-testid="stDataFrame"] canvas th')].map(c => c.textContent)"""
GRID_CELLS = """() => [...document.querySelectorAll(
  '[data-testid="stDataFrame"] canvas td')].map(c => c.textContent)"""


def region_names(path) -> set[str]:
    """The Latin words of the region's own names: its schools, municipalities and the
    subjects its files name (England's «Attainment 8»). They are data, not interface words."""
    from radar.store import db
    from tests.scan import ENGLISH

    with db.connect(path, read_only=True) as con:
        names = con.execute(
            "select name from schools union all select short_name from schools "
            "union all select name from municipalities "
            "union all select distinct subject from exam_results"
        ).fetchall()
    return {word for (name,) in names if name for word in ENGLISH.findall(name)}


def test_no_page_shows_a_raw_value_on_england_data(england_db):
    """England's real files in the browser: no page fails, and none shows «None», «nan», an
    identifier or an English word that is not a name from the region's own data."""
    from playwright.sync_api import sync_playwright

    from tests.scan import ALLOWED, ENGLISH, IDENTIFIER
    from tests.ui.test_what_pages_say import PROPER_NAMES

    allowed = ALLOWED | PROPER_NAMES | region_names(england_db)
    seen = {}
    url, proc = start_server(england_db)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="ru-RU")
            for path, _, _ in PAGES:
                _opened(page, f"{url}/{path}")
                found = seen.setdefault(path or "overview", set())
                if page.locator('[data-testid="stException"]').count():
                    found.add(
                        "ошибка: "
                        + page.locator('[data-testid="stException"]').first.inner_text()[:200]
                    )
                for text in page.evaluate(READ_BY_USER) + page.evaluate(GRID_HEADERS):
                    found.update(RAW_VALUES.findall(text))
                    found.update(IDENTIFIER.findall(text))
                    found.update(w for w in ENGLISH.findall(text) if w not in allowed)
                for text in page.evaluate(GRID_CELLS):
                    found.update(RAW_VALUES.findall(text))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert {page: words for page, words in seen.items() if words} == {}


def test_each_role_signs_in_and_sees_only_its_part(demo_db, tmp_path):
    """The shared server (`radar serve --auth`): the sign-in page shows no data; a head signs
    in, sees her municipality only and downloads only it; a curator lands on her schools; the
    methodologist alone has the data and people pages."""
    from playwright.sync_api import sync_playwright

    from radar.serve import spawn
    from radar.store import accounts
    from radar.store.accounts import Role

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium не установлен (make browser)")
    people = tmp_path / "people.sqlite"
    store = accounts.Accounts(people)
    password = "пароль-для-браузера"
    store.add_user("glava", "Иван Сидоров", password, [Role("head", municipality_id="M001")])
    store.add_user("kur", "Ольга Николаева", password, [Role("curator", curator_id="C001")])
    store.add_user("anna", "Анна Петрова", password, [Role("methodologist")])
    region = tmp_path / "radar.duckdb"  # the curator writes: a copy of the demo
    shutil.copyfile(demo_db, region)
    url, proc = spawn(region, accounts_file=people)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)

            def signed_in(login: str, shot: str | None = None):
                page = browser.new_page(viewport={"width": 1400, "height": 1200}, locale="ru-RU")
                page.goto(f"{url}/?school=S0300")
                page.wait_for_selector(DONE, timeout=60_000)
                page.get_by_label("Имя пользователя").wait_for(timeout=30_000)
                assert page.locator('[data-testid="stMetric"]').count() == 0
                assert page.locator('[data-testid="stDataFrame"]').count() == 0
                if shot:
                    page.screenshot(path=str(SCREENSHOTS / shot))
                page.get_by_label("Имя пользователя").fill(login)
                page.get_by_label("Пароль").fill(password)
                page.get_by_role("button", name="Войти").click()
                page.get_by_text("Вы вошли как").wait_for(timeout=60_000)
                page.wait_for_selector(DONE, timeout=60_000)
                return page

            def go(page, link: str, shows: str) -> None:
                page.locator('[data-testid="stSidebarNav"] a', has_text=link).click()
                page.get_by_text(shows).first.wait_for(timeout=60_000)
                page.wait_for_selector(DONE, timeout=60_000)

            def entry_risks(page) -> int:
                metric = page.locator('[data-testid="stMetric"]', has_text="вход → итог")
                value = metric.locator('[data-testid="stMetricValue"]').inner_text()
                return int(value.split("→")[0].replace("\u202f", "").strip())

            head = signed_in("glava", "sign_in.png")
            nav = head.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Данные" not in nav and "Пользователи" not in nav
            head.wait_for_selector("h1", timeout=30_000)
            head.screenshot(path=str(SCREENSHOTS / "head_overview.png"))
            # Within the session (a reload is a new session, which signs in again).
            head.locator('[data-testid="stSidebarNav"] a', has_text="Муниципалитет").click()
            head.get_by_text("Скачать раздаточный материал (Excel)").wait_for(timeout=60_000)
            head.wait_for_selector(DONE, timeout=60_000)
            with head.expect_download(timeout=120_000) as download:
                head.get_by_text("Скачать раздаточный материал (Excel)").click()
            book = str(tmp_path / "handout.xlsx")
            download.value.save_as(book)
            import openpyxl

            texts = {
                str(cell)
                for sheet in openpyxl.load_workbook(book, read_only=True).worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
                if cell is not None
            }
            assert any("г. Тарумск" in t for t in texts)
            others = ["г. Каменогорск", "г. Приозёрск", "г. Нефтекаменск"]
            assert not any(o in t for o in others for t in texts)
            head.close()

            # The methodologist watches the monitoring page while the curator records.
            methodologist = signed_in("anna")
            go(methodologist, "Мониторинг этапов", "Высоких рисков: вход → итог")
            before = entry_risks(methodologist)

            curator = signed_in("kur")
            assert curator.locator("h1").first.inner_text().strip() == "Мои школы"
            go(curator, "Записи куратора", "Записать значения этапа")
            # The first stage, «входной», is the one the page opens on.
            field = curator.get_by_label("Число факторов высокого риска, шт.")
            old = int(field.input_value())
            field.fill(str(old + 7))
            curator.get_by_role("button", name="Записать значения этапа").click()
            try:
                curator.get_by_text("Значения этапа записаны").wait_for(timeout=120_000)
            except Exception:
                curator.screenshot(path=str(SCREENSHOTS / "entries_failed.png"), full_page=True)
                raise
            curator.screenshot(path=str(SCREENSHOTS / "entries.png"))
            curator.close()

            go(methodologist, "Обзор региона", "Школ")
            go(methodologist, "Мониторинг этапов", "Высоких рисков: вход → итог")
            assert entry_risks(methodologist) == before + 7

            nav = methodologist.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Данные" in nav and "Пользователи и журнал" in nav
            methodologist.locator('[data-testid="stSidebarNav"] a', has_text="Пользователи").click()
            methodologist.get_by_text("Журнал действий").first.wait_for(timeout=60_000)
            methodologist.wait_for_selector(DONE, timeout=60_000)
            methodologist.screenshot(path=str(SCREENSHOTS / "people.png"))
            assert methodologist.locator("h1").first.inner_text().strip() == (
                "Пользователи и журнал"
            )
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    log = store.log()
    assert (log["action"] == "sign_in").sum() == 3
    assert (log["action"] == "entry").sum() == 1
    assert ((log["action"] == "export") & (log["login"] == "glava")).sum() == 1


def test_a_reload_keeps_the_sign_in_and_signing_out_ends_it(demo_db, tmp_path):
    from playwright.sync_api import sync_playwright

    from radar.serve import spawn
    from radar.store import accounts
    from radar.store.accounts import Role

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium не установлен (make browser)")
    people = tmp_path / "people.sqlite"
    accounts.Accounts(people).add_user(
        "glava", "Иван Сидоров", "пароль-для-браузера", [Role("head", municipality_id="M001")]
    )
    url, proc = spawn(demo_db, accounts_file=people)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1200}, locale="ru-RU")
            page.goto(f"{url}/")
            page.get_by_label("Имя пользователя").fill("glava")
            page.get_by_label("Пароль").fill("пароль-для-браузера")
            page.get_by_role("button", name="Войти").click()
            page.get_by_text("Вы вошли как").wait_for(timeout=60_000)
            page.wait_for_selector(DONE, timeout=60_000)
            # A link opened anew (a new session of the same browser) is still signed in.
            page.goto(f"{url}/municipality")
            page.get_by_text("Вы вошли как").wait_for(timeout=60_000)
            page.wait_for_selector(DONE, timeout=60_000)
            assert page.get_by_label("Пароль").count() == 0
            page.get_by_role("button", name="Выйти").click()
            page.get_by_label("Имя пользователя").wait_for(timeout=60_000)
            page.wait_for_selector(DONE, timeout=60_000)
            page.reload()
            page.get_by_label("Имя пользователя").wait_for(timeout=60_000)
            assert page.get_by_text("Вы вошли как").count() == 0
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
