"""The one write path of base tables: presets and history always kept, all or nothing."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from analytics.settings import Settings
from radar.cli import main
from radar.ingest.importer import apply_import, plan_import, read_file
from radar.ingest.loader import LOADED, load_region, validate
from radar.store import db
from radar.store.presets import save_preset
from radar.store.write import HistoryRow, write_tables
from tests.conftest import tiny_frames
from tests.ingest.test_import import filled_template

ROOT = db.ROOT


def history(path) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(db.sql("store/import_history")).df()


def presets(path) -> list[str]:
    with db.connect(path) as con:
        return [row[0] for row in con.execute("select name from settings_presets").fetchall()]


def rows(path, table: str) -> pd.DataFrame:
    with db.connect(path) as con:
        return db.read_table(con, table)


@pytest.fixture
def region(tmp_path):
    """A region imported from a workbook, with a saved preset: history and presets to keep."""
    path = tmp_path / "region.duckdb"
    apply_import(
        plan_import([read_file("регион.xlsx", filled_template(tiny_frames()))], path), path
    )
    save_preset("Строже", Settings(), active=False, path=path)
    assert len(history(path)) == 7 and presets(path) == ["Строже"]
    return path


def test_load_region_over_a_database_keeps_its_presets_and_history(region):
    load_region(tiny_frames(), region, user="тест")
    assert presets(region) == ["Строже"]
    log = history(region)
    assert (log["file_name"] == "регион.xlsx").sum() == 7  # the import before is still there
    loaded = log[log["outcome"] == LOADED].set_index("table_name")
    assert len(loaded) == 7 and (loaded["user_name"] == "тест").all()
    assert loaded.loc["exam_results", "rows_in_file"] == 6
    assert loaded.loc["exam_results", "added"] == 6
    assert (loaded["file_name"] == "данные").all()  # frames without a source


def test_the_demo_build_keeps_presets_and_history_and_records_itself(region):
    assert main(["--db", str(region), "demo", "--force", "--schools", "30"]) == 0
    assert presets(region) == ["Строже"]
    log = history(region)
    assert (log["file_name"] == "регион.xlsx").sum() == 7
    demo = log[log["file_name"] == "демо-генератор"]
    assert set(demo["outcome"]) == {LOADED}
    assert demo.set_index("table_name").loc["schools", "rows_in_file"] == 30
    assert demo["file_hash"].str.fullmatch("[0-9a-f]{64}").all()
    # The same seed gives the same rows, hence the same checksums.
    assert main(["--db", str(region), "demo", "--force", "--schools", "30"]) == 0
    again = history(region)
    again = again[again["file_name"] == "демо-генератор"]
    assert len(again) == 2 * len(demo)
    assert again.groupby("table_name")["file_hash"].nunique().eq(1).all()


def test_radar_load_records_each_files_checksum(region, tmp_path):
    folder = tmp_path / "csv"
    assert main(["--db", str(region), "export", str(folder)]) == 0
    assert main(["--db", str(region), "load", str(folder)]) == 0
    assert presets(region) == ["Строже"]
    loaded = history(region).query("outcome == @LOADED").set_index("table_name")
    schools = (folder / "schools.csv").read_bytes()
    assert loaded.loc["schools", "file_name"] == "schools.csv"
    assert loaded.loc["schools", "file_hash"] == hashlib.sha256(schools).hexdigest()


def test_replacing_the_region_keeps_presets_and_history(region):
    frames = tiny_frames()
    for name in ("roadmap_events", "programme_membership", "curators"):
        del frames[name]
    plan = plan_import([read_file("новый.xlsx", filled_template(frames))], region, replace=True)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, region)
    assert len(rows(region, "schools")) == 3
    assert rows(region, "roadmap_events").empty and rows(region, "curators").empty
    assert presets(region) == ["Строже"]
    log = history(region)
    assert (log["file_name"] == "регион.xlsx").sum() == 7
    assert set(log.loc[log["file_name"] == "новый.xlsx", "outcome"]) == {"загружено, база заменена"}


@pytest.mark.parametrize("table", ["social_passport", "schools"], ids=["in place", "rewritten"])
def test_updating_keeps_presets_and_history(region, table):
    """Rows of a table nothing refers to are upserted in place; a school others refer to makes
    the region be rewritten from the old rows and the new ones. Both keep everything else."""
    frame = tiny_frames()[table].assign(pupils=lambda d: d["pupils"] + 5)
    plan = plan_import([read_file("правка.xlsx", filled_template({table: frame}))], region)
    assert plan.summary.iloc[0]["Изменённых"] == len(frame)
    steps = []
    apply_import(plan, region, progress=lambda message, _f: steps.append(message))
    assert ("Перезапись базы" in steps) == (table == "schools")
    assert sorted(rows(region, table)["pupils"]) == sorted(frame["pupils"])
    assert len(rows(region, "exam_results")) == 6
    assert presets(region) == ["Строже"]
    log = history(region)
    assert (log["file_name"] == "регион.xlsx").sum() == 7
    assert log.loc[log["file_name"] == "правка.xlsx", "changed"].tolist() == [len(frame)]


def test_reimporting_unchanged_referenced_rows_goes_through(region):
    """DuckDB refuses to update a school other rows refer to, even to the same values: such
    rows are written by rewriting the region instead of failing."""
    plan = plan_import([read_file("регион.xlsx", filled_template(tiny_frames()))], region)
    assert plan.summary["Изменённых"].sum() == 0
    apply_import(plan, region)
    assert len(rows(region, "schools")) == 3 and len(history(region)) == 14


def crash(_con):
    raise RuntimeError("сбой при пересчёте")


@pytest.mark.parametrize(
    ("mode", "table"),
    [("update", "social_passport"), ("update", "schools"), ("replace", "schools")],
    ids=["update in place", "update rewritten", "replace"],
)
def test_a_failure_after_writing_leaves_the_file_byte_for_byte(region, mode, table):
    before = region.read_bytes()
    frames = tiny_frames()
    incoming = {table: frames[table].assign(pupils=lambda d: d["pupils"] + 1)}
    if mode == "replace":
        incoming = {**frames, **incoming}
    with db.connect(region) as con:
        typed, problems = validate(incoming, None if mode == "replace" else con)
    assert not [p for p in problems if p.severity == "ошибка"]
    record = HistoryRow("тест", "x.xlsx", "0" * 64, table, 3, 0, 3, 0, "загружено")
    with pytest.raises(RuntimeError, match="сбой"):
        write_tables(typed, mode, region, [record], after_write=crash)
    assert region.read_bytes() == before
    # Only the database (and the writers' lock file, empty, kept for the next write).
    left = [p.name for p in region.parent.iterdir() if not p.name.endswith(".write.lock")]
    assert left == [region.name]


def test_write_tables_records_history_and_reports_progress(tmp_path):
    path = tmp_path / "new.duckdb"
    typed, _ = validate(tiny_frames())
    record = HistoryRow("тест", "регион.xlsx", "a" * 64, "schools", 3, 3, 0, 0, "загружено")
    steps = []
    write_tables(typed, "update", path, [record], progress=lambda m, f: steps.append((m, f)))
    assert history(path)[["user_name", "table_name", "added"]].values.tolist() == [
        ["тест", "schools", 3]
    ]
    assert steps[0] == ("Запись: муниципалитеты", 0.0)
    assert [f for _, f in steps] == sorted(f for _, f in steps) and steps[-1][1] < 1
    with pytest.raises(KeyError, match="no_such_table"):
        write_tables({"no_such_table": typed["schools"]}, "update", path)


def test_only_the_write_module_inserts_or_upserts_base_rows():
    """Every write of base tables goes through radar/store/write.py: no other module names the
    statements that insert, upsert or record rows."""
    writes = re.compile(r"writes/(insert_rows|upsert_\w+|record_import)")
    sources = [ROOT / "app.py"]
    for folder in ("radar", "pages", "analytics", "benchmarks", "data"):
        sources += (ROOT / folder).rglob("*.py")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if path != ROOT / "radar" / "store" / "write.py"
        and writes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert writes.search((ROOT / "radar" / "store" / "write.py").read_text(encoding="utf-8"))


def test_two_writers_at_once_keep_each_others_rows(region):
    """A curator's entry and a methodologist's import at the same moment: each write waits for
    the other (one lock file per database), so neither swap drops the other's rows."""
    import threading
    import time

    schools = rows(region, "schools")
    first = schools[schools["school_id"] == "S1"].assign(name="МБОУ «Лицей № 1» (переименован)")
    second = schools[schools["school_id"] == "S2"].assign(pupils=601)
    started = threading.Event()

    def slow(con):
        started.set()
        time.sleep(1.0)  # the other writer arrives meanwhile

    one = threading.Thread(
        target=write_tables,
        args=({"schools": first}, "update", region),
        kwargs={"after_write": slow},
    )
    one.start()
    started.wait(10)
    write_tables({"schools": second}, "update", region)
    one.join(30)
    after = rows(region, "schools").set_index("school_id")
    assert after.loc["S1", "name"] == "МБОУ «Лицей № 1» (переименован)"
    assert after.loc["S2", "pupils"] == 601


def test_a_writer_that_waits_too_long_is_told_and_writes_nothing(region):
    schools = rows(region, "schools")
    with db.writer_lock(region):
        import threading

        said = []

        def other():
            try:
                with db.writer_lock(region, wait=0.3):
                    pass
            except db.DatabaseError as exc:
                said.append(str(exc))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert "занята другой записью" in said[0]
    assert rows(region, "schools").equals(schools)
