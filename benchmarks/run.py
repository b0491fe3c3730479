"""`make bench`: what a user feels in the browser (each page from a click to done, cold and
warm, and the server's memory), then medians for the demo build, the derived refresh, each
page's data work, imports and hand-outs, and the three core workloads against pandas
(benchmarks.versus_pandas); on the demo and on a large generated region."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "bench-results"
NAN = float("nan")
PAGES = {
    "Обзор региона": (None, {}),
    "Профиль школы": ("pages/school_profile.py", {}),
    "Идентификация": ("pages/identification.py", {}),
    "Контекст и результаты": ("pages/context.py", {}),
    "Кластеры рисков": ("pages/risk_clusters.py", {}),
    "Мониторинг этапов": ("pages/monitoring.py", {}),
    "Динамика": ("pages/dynamics.py", {}),
    "Мои школы": ("pages/my_schools.py", {}),
    "Муниципалитет": ("pages/municipality.py", {}),
    "Методика": ("pages/methodology.py", {}),
}


class Rows(list):
    """The result table, also printed row by row as measured (a long run shows progress)."""

    def append(self, row: tuple[str, str, float, float]) -> None:
        super().append(row)
        region, what, seconds, _ = row
        print(f"… {region}: {what} — {f'{seconds:.3f}'.replace('.', ',')} с", flush=True)


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build(path: Path, schools: int) -> None:
    from data.generator import generate_region
    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived

    # The generated frames handed over: load_region frees them before the refresh.
    load_region(generate_region(n_schools=schools), path, after_load=refresh_derived)


def page_queries(path: Path, page: str | None, state: dict) -> list[tuple[str, dict]]:
    """Run the page once in AppTest and record the queries it asks the store for."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from radar.ui import reads

    os.environ["RADAR_DB"] = str(path)
    st.cache_data.clear()
    st.cache_resource.clear()
    reads.recorder = []
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=300
    )
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        reads.recorder = []
        at.switch_page(page).run()
    if at.exception:
        raise RuntimeError(f"страница {page} упала: {at.exception}")
    recorded, reads.recorder = reads.recorder, None
    return recorded


def data_work(path: Path, queries: list[tuple[str, dict]], repeat: int) -> float:
    from radar.store import db

    con = db.connect(path)
    try:

        def run_all() -> None:
            for name, params in queries:
                con.cursor().execute(db.sql(name), params).df()

        run_all()  # warm: the file is read once before timing
        return median_time(run_all, repeat)
    finally:
        con.close()


def identification_time(path: Path, repeat: int) -> float:
    """What a user waits for after «Применить» on the identification page: this year and the
    previous one computed with settings not seen before (the page's own reading and analytics,
    without Streamlit's caches)."""
    from analytics.settings import Settings
    from radar.store import db
    from radar.ui.live import compute_identification

    con = db.connect(path)
    try:

        def query(name: str, **params):
            return con.cursor().execute(db.sql(name), params).df()

        year = int(query("pages/shared/years")["year"].max())
        settings = iter(Settings(fail_share=0.30 + i / 1000) for i in range(repeat + 1))

        def once() -> None:
            chosen = next(settings)
            for y in (year, year - 1):
                compute_identification(y, chosen, query)

        return median_time(once, repeat)
    finally:
        con.close()


def import_times(path: Path, rows: int, repeat: int) -> list[tuple[str, float, float]]:
    """Reading a file of `rows` result rows: our reader (calamine for .xlsx, sniffing CSV
    reader) against pandas.read_excel with openpyxl, and checking the rows against the base."""
    import io

    import pandas as pd

    from radar.handouts.excel import Sheet, workbook_bytes
    from radar.ingest.importer import plan_import, read_file
    from radar.store import db
    from radar.store.spec import TABLES

    con = db.connect(path)
    try:
        results = db.read_table(con, "exam_results")
    finally:
        con.close()
    frame = pd.concat([results] * (rows // len(results) + 1), ignore_index=True).head(rows)
    table = TABLES["exam_results"]
    headed = frame[table.names].rename(columns={c.name: c.label for c in table.columns})
    xlsx = workbook_bytes([Sheet(table.label[:31], headed)])
    csv = headed.to_csv(sep=";", decimal=",", index=False).encode("utf-8")
    ours_xlsx = median_time(lambda: read_file("results.xlsx", xlsx), repeat)
    baseline = median_time(
        lambda: pd.read_excel(io.BytesIO(xlsx), sheet_name=None, dtype=str, engine="openpyxl"),
        1,
    )
    ours_csv = median_time(lambda: read_file("exam_results.csv", csv), repeat)
    read = read_file("exam_results.csv", csv)
    check = median_time(lambda: plan_import([read], path), 1)
    # The same workbook in «another layout»: find the header row, then read it through a
    # mapping of every column (what the page's column-mapping step does).
    from radar.ingest import mapping

    uploads = {"results.xlsx": xlsx}
    ref = mapping.sources_in(uploads)[0]
    columns = {c.name: c.label for c in table.columns}
    chosen = mapping.compose(
        "замер",
        {ref.key: {"file": "results.xlsx", "sheet": ref.sheet, "header_row": 1}},
        {"exam_results": {"from": ref.key, "columns": columns}},
    )

    def mapped() -> None:
        mapping.headers_of(uploads, ref)
        mapping.apply_to_uploads(chosen, uploads)

    ours_mapped = median_time(mapped, repeat)
    fis_oko, fis_oko_baseline = fis_oko_times(path, rows, repeat)
    return [
        (f"импорт {rows} строк ФИС ОКО через сохранённый формат", fis_oko, fis_oko_baseline),
        (f"импорт {rows} строк: чтение .xlsx (calamine)", ours_xlsx, baseline),
        (f"импорт {rows} строк: .xlsx через сопоставление столбцов", ours_mapped, baseline),
        (f"импорт {rows} строк: чтение .csv", ours_csv, baseline),
        (f"импорт {rows} строк: проверка и сравнение с базой", check, float("nan")),
    ]


def handout_times(path: Path, repeat: int, everyone: bool = False) -> list[tuple[str, float]]:
    """The largest municipality's hand-outs: the HTML report, the Excel workbook and, where
    Chromium is installed, its A4 PDF, the analytical note and (`everyone`) every
    municipality's PDF written by one `radar report` run."""
    from datetime import date

    from radar.handouts import html_report
    from radar.handouts import municipality_report as meeting
    from radar.store import db

    con = db.connect(path, read_only=True)
    try:
        municipality, schools = con.execute(db.sql("store/largest_municipality")).fetchone()
        year = con.execute(db.sql("pages/shared/years")).fetchone()[0]

        def query(name: str, **params):
            return con.execute(db.sql(name), params).df()

        about = meeting.Meeting(
            query, municipality, "замер", int(year), meeting.USUAL, 10, date.today()
        )
        times = [
            (
                f"Муниципалитет ({schools} школ): отчёт HTML",
                median_time(lambda: meeting.report_html(about), repeat),
            ),
            (
                f"Муниципалитет ({schools} школ): раздаточный Excel",
                median_time(lambda: meeting.workbook_bytes(about), repeat),
            ),
        ]
        if html_report.chromium_path():
            from radar.handouts import batch, note

            times.append(
                (
                    f"Муниципалитет ({schools} школ): PDF с запуском Chromium",
                    median_time(lambda: meeting.report_pdf(about), repeat),
                )
            )
            html_report.keep_printer()  # as the server starts it beside Streamlit
            times.append(
                (
                    f"Муниципалитет ({schools} школ): PDF в сервере (цель ≤ 3 с)",
                    median_time(lambda: meeting.report_pdf(about), repeat),
                )
            )
            monitored = con.execute(db.sql("pages/monitoring/monitoring_years")).fetchone()
            if monitored:
                times.append(
                    (
                        "Аналитическая справка Word, регион, в сервере (цель ≤ 5 с)",
                        median_time(lambda: note.note_docx(query, int(monitored[0])), repeat),
                    )
                )
                times.append(
                    (
                        "Аналитическая справка PDF, регион, в сервере (цель ≤ 5 с)",
                        median_time(lambda: note.note_pdf(query, int(monitored[0])), repeat),
                    )
                )
            with tempfile.TemporaryDirectory() as folder:
                if not everyone:
                    return times
                times.append(
                    (
                        "Отчёты PDF всех муниципалитетов, одним запуском (цель ≤ 60 с)",
                        median_time(
                            lambda: batch.write_handouts(
                                con, "municipality", Path(folder), municipality="all"
                            ),
                            1,
                        ),
                    )
                )
        return times
    finally:
        con.close()


def refresh_time(path: Path, repeat: int) -> float:
    from radar.store import db
    from radar.store.refresh import refresh_derived

    def once() -> None:
        with db.write_session(path) as con:
            refresh_derived(con)

    return median_time(once, repeat)


def incremental_time(path: Path, repeat: int) -> float:
    """The refresh after a change of one school's results of the latest year (the import of a
    correction): its results changed, then put back, each write refreshing only the years it
    touched; the refresh alone is timed, not the write."""
    from radar.ingest.loader import validate
    from radar.store import db
    from radar.store.refresh import refresh_derived
    from radar.store.write import write_tables

    con = db.connect(path)
    try:
        stored = con.execute(db.statement("store/select_table", "exam_results")).df()
        latest = int(stored["year"].max())
        mine = stored[(stored["school_id"] == stored["school_id"].iloc[0])]
        mine = mine[mine["year"] == latest]
        changed, _ = validate(
            {"exam_results": mine.assign(mean_score=mine["mean_score"] + 2.0).astype(object)},
            con,
        )
        original, _ = validate({"exam_results": mine.astype(object)}, con)
    finally:
        con.close()
    times = []
    for i in range(2 * repeat):
        rows = changed if i % 2 == 0 else original

        def timed(con) -> None:
            started = time.perf_counter()
            refresh_derived(con, touched={"exam_results": {latest}})
            times.append(time.perf_counter() - started)

        write_tables(rows, "update", path, after_write=timed)
    return statistics.median(times)


def fis_oko_workbook(path: Path, rows: int) -> bytes:
    """A workbook of `rows` rows in the layout of ФИС ОКО's ВПР results per school."""
    import pandas as pd

    from radar.handouts.excel import Sheet, workbook_bytes
    from radar.store import db

    con = db.connect(path)
    try:
        vpr = con.execute(
            'select r.year as "Год", r.grade as "Класс", r.subject as "Предмет", '
            'm.name as "Муниципалитет", r.school_id as "Логин", s.name as "ОО", '
            'r.participants as "Кол-во участников", 100 * r.share_2 as "2", '
            '100 * r.share_3 as "3", 100 * r.share_4 as "4", 100 * r.share_5 as "5" '
            "from exam_results r join schools s using (school_id) "
            "join municipalities m using (municipality_id) where r.exam = 'ВПР'"
        ).df()
    finally:
        con.close()
    frame = pd.concat([vpr] * (rows // len(vpr) + 1), ignore_index=True).head(rows)
    return workbook_bytes([Sheet("Результаты", frame)])


def fis_oko_times(path: Path, rows: int, repeat: int) -> tuple[float, float]:
    """A ФИС ОКО-layout workbook through its saved format (read, aliases, distinct tables,
    per cent), against pandas + openpyxl only reading the same workbook."""
    import io

    import pandas as pd

    from radar.ingest import mapping

    uploads = {"ФИС_ОКО.xlsx": fis_oko_workbook(path, rows)}
    chosen = mapping.Mapping.load(mapping.MAPPINGS / "fis_oko_vpr_results.json")
    ours = median_time(lambda: mapping.apply_to_uploads(chosen, uploads), repeat)
    content = uploads["ФИС_ОКО.xlsx"]
    baseline = median_time(
        lambda: pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl"), 1
    )
    return ours, baseline


SESSIONS = 5


def in_browser(path: Path, repeat: int, target: float) -> tuple:
    """Each page in headless Chromium (benchmarks.browser), printed as it goes."""
    from benchmarks import browser

    print(f"… в браузере: {path.name}", flush=True)
    first, pages, one, many, from_list = browser.measure(
        path, repeat=repeat, sessions=SESSIONS, say=lambda s: print(s, flush=True)
    )
    return first, pages, one, many, from_list, target


def against_pandas(path: Path, region: str, repeat: int) -> tuple[str, list]:
    """benchmarks.versus_pandas on `path`, printed as it goes. Run before anything in this
    process opens the file read-only (AppTest's cached connection): it needs a read-write one."""
    from benchmarks import versus_pandas

    print(f"… {region}: pandas против продукта", flush=True)
    return region, versus_pandas.measure(path, repeat)


def _seconds(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description="Замеры скорости Школьного радара")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--large", type=int, default=40000, help="школ в большом регионе (0 — без него)"
    )
    parser.add_argument(
        "--import-rows", type=int, default=200_000, help="строк в файле для замера импорта"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="построить большой регион заново, даже если он есть"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="без замеров в браузере (нет Chromium)"
    )
    parser.add_argument(
        "--no-versus", action="store_true", help="без сравнения с решением на pandas"
    )
    parser.add_argument(
        "--soak", type=int, default=20, help="сеансов одновременно в браузере (0 — без замера)"
    )
    args = parser.parse_args()
    rows = Rows()
    felt: list[tuple[str, tuple]] = []
    soaked = None
    versus: list[tuple[str, list]] = []
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.duckdb"
        build_time = median_time(lambda: build(demo, 1100), 3)
        rows.append(("демо (1100 школ)", "построение базы", build_time, 30.0))
        rows.append(("демо (1100 школ)", "пересчёт производных таблиц", refresh_time(demo, 3), 5.0))
        if not args.no_versus:
            versus.append(against_pandas(demo, "демо (1100 школ)", args.repeat))
        if not args.no_browser:
            felt.append(("демо (1100 школ)", in_browser(demo, args.repeat, 1.0)))
            if args.soak:
                from benchmarks import soak

                print(f"… {args.soak} сеансов одновременно", flush=True)
                soaked = [soak.measure(demo, sessions=args.soak)]
                print(f"… {args.soak} сеансов со входом и записью", flush=True)
                soaked.append(soak.measure(demo, sessions=args.soak, think=3.0, shared=True))
        for title, (page, state) in PAGES.items():
            queries = page_queries(demo, page, state)
            rows.append(
                (
                    "демо (1100 школ)",
                    f"{title}: данные ({len(queries)} запросов)",
                    data_work(demo, queries, args.repeat),
                    0.3,
                )
            )
        for what, seconds, baseline in import_times(demo, args.import_rows, 3):
            rows.append(("демо (1100 школ)", what, seconds, NAN))
            if baseline == baseline:
                rows.append(
                    (
                        "демо (1100 школ)",
                        "  pandas.read_excel + openpyxl: "
                        + f"{baseline:.1f}".replace(".", ",")
                        + f" с, в {baseline / seconds:.0f} раз медленнее",
                        baseline,
                        NAN,
                    )
                )
        rows.append(
            (
                "демо (1100 школ)",
                "Идентификация: расчёт по новым настройкам",
                identification_time(demo, args.repeat),
                float("nan"),
            )
        )
        for what, seconds in handout_times(demo, 3, everyone=True):
            rows.append(("демо (1100 школ)", what, seconds, NAN))
        if args.large:
            from data.generator import VERSION

            # The large region takes minutes to build: kept between runs for the same generator.
            RESULTS.mkdir(exist_ok=True)
            large = RESULTS / f"region-{args.large}-v{VERSION}.duckdb"
            label = f"{args.large} школ"
            if args.rebuild or not large.exists():
                large.unlink(missing_ok=True)
                started = time.perf_counter()
                build(large, args.large)
                rows.append(
                    (label, "построение базы (один замер)", time.perf_counter() - started, NAN)
                )
            rows.append((label, "пересчёт производных таблиц", refresh_time(large, 1), 60.0))
            rows.append(
                (
                    label,
                    "пересчёт после исправления одной школы за год",
                    incremental_time(large, 1),
                    5.0,
                )
            )
            if not args.no_versus:
                versus.append(against_pandas(large, label, 3))
            if not args.no_browser:
                felt.append((label, in_browser(large, 3, 2.0)))
            for title, (page, state) in PAGES.items():
                queries = page_queries(large, page, state)
                rows.append(
                    (
                        label,
                        f"{title}: данные ({len(queries)} запросов)",
                        data_work(large, queries, args.repeat),
                        1.0,
                    )
                )
            rows.append(
                (
                    label,
                    "Идентификация: расчёт по новым настройкам",
                    identification_time(large, args.repeat),
                    float("nan"),
                )
            )
            for what, seconds in handout_times(large, 3):
                rows.append((label, what, seconds, NAN))
    for region, (first, pages, one, many, from_list, target) in felt:
        print(f"\nВ браузере, {region}: от щелчка в боковой панели до готовой страницы")
        print(f"{'страница':<24} {'первый раз, с':>14} {'медиана потом, с':>17} {'цель, с':>8}")
        for item in pages:
            mark = "  ПРЕВЫШЕНО" if item.warm > target else ""
            print(
                f"{item.page:<24} {_seconds(item.cold):>14} {_seconds(item.warm):>17} "
                f"{_seconds(target, 0):>8}{mark}"
            )
        print(f"первая страница от запуска сервера: {_seconds(first)} с (цель 5 с)")
        print(f"профиль школы, выбранной в списке ШНОР: {_seconds(from_list)} с (цель 1,5 с)")
        print(
            f"память сервера после всех страниц: 1 сеанс — {one:.0f} МБ, "
            f"{SESSIONS} сеансов — {many:.0f} МБ"
        )
    if soaked is not None:
        from benchmarks import soak

        for result in soaked:
            print("\n".join(soak.report(result)))
    print(f"\n{'регион':<18} {'замер':<52} {'медиана, с':>11} {'цель, с':>8}")
    for region, what, seconds, target in rows:
        goal = "—" if target != target else f"{target:g}".replace(".", ",")
        mark = "" if target != target or seconds <= target else "  ПРЕВЫШЕНО"
        number = f"{seconds:>11.3f}".replace(".", ",")
        print(f"{region:<18} {what:<52} {number} {goal:>8}{mark}")
    if versus:
        from benchmarks import versus_pandas

        for region, measured in versus:
            print("\n".join(versus_pandas.table(region, measured)))


if __name__ == "__main__":
    main()
