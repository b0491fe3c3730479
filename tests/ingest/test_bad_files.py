"""A corpus of bad and awkward files: each is refused with a Russian message naming the file
(and the row and column where there is one), or accepted with the right values. After every
refusal the database is byte for byte what it was."""

from __future__ import annotations

import errno
import io
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

from radar.ingest.files import FileProblem
from radar.ingest.importer import ReadFile, apply_import, plan_import, read_file
from radar.store import db
from radar.store.spec import TABLES
from tests.conftest import tiny_frames
from tests.ingest.test_import import filled_template, table_rows


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """The tiny region imported once; each test works on a copy."""
    path = tmp_path_factory.mktemp("region") / "region.duckdb"
    frames = tiny_frames()
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    return path


@pytest.fixture
def path(region, tmp_path):
    copy = tmp_path / "region.duckdb"
    shutil.copyfile(region, copy)
    return copy


def results(changes: dict | None = None) -> pd.DataFrame:
    frame = tiny_frames()["exam_results"].astype(object)
    for (row, column), value in (changes or {}).items():
        frame.loc[row, column] = value
    return frame


def labelled_csv(frame: pd.DataFrame, table: str, headers=None, sep=";") -> bytes:
    labels = headers or {c.name: c.label for c in TABLES[table].columns}
    return frame.rename(columns=labels).to_csv(index=False, sep=sep).encode("utf-8")


def workbook(cells: dict[str, object], sheet: str = "Результаты оценочных процедур") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb() -> bytes:
    """A valid-looking workbook whose one sheet unpacks to 64 MB of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook({"A1": "Код школы"}))) as src:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 << 20))
                dst.writestr(item, data)
    return out.getvalue()


REFUSED_ON_READING = {
    "empty file": ("пусто.xlsx", b"", "пуст"),
    "not a workbook": ("не_книга.xlsx", b"PK\x03\x04 garbage", "не книга Excel"),
    "cell at XFD1048576": ("дальняя_ячейка.xlsx", workbook({"XFD1048576": 1}), "16\u00a0384"),
    "deflate bomb": ("бомба.xlsx", None, "слишком велика"),
    "unknown sheet": ("лист.xlsx", workbook({"A1": 1}, sheet="Лист1"), "не соответствуют"),
    "unknown csv": ("что_то.csv", b"a;b\n1;2\n", "не понятно, какая это таблица"),
    "wrong suffix": ("данные.ods", b"something", "поддерживаются"),
}


@pytest.mark.parametrize("case", list(REFUSED_ON_READING))
def test_files_refused_while_reading(case, path, monkeypatch):
    name, content, fragment = REFUSED_ON_READING[case]
    if case == "deflate bomb":
        monkeypatch.setenv("RADAR_MAX_UNPACKED_MB", "32")
        content = bomb()
    before = path.read_bytes()
    with pytest.raises(FileProblem) as caught:
        read_file(name, content)
    message = str(caught.value)
    assert name in message and fragment in message, message
    assert not any(word in message for word in ("Error", "error", "Traceback"))
    assert path.read_bytes() == before


def _csv(table, frame, **kw):
    return (f"{table}.csv", labelled_csv(frame, table, **kw))


REFUSED = {
    "not a number": (
        lambda: _csv("exam_results", results({(2, "participants"): "много"})),
        ("строка 4", "Участников", "не число"),
    ),
    "infinity": (
        lambda: _csv("exam_results", results({(0, "mean_score"): "inf"})),
        ("строка 2", "Средний балл", "не число"),
    ),
    "overflowing count": (
        lambda: _csv("exam_results", results({(1, "participants"): "3000000000"})),
        ("строка 3", "Участников", "слишком велико"),
    ),
    "shares sum to 1,02": (
        lambda: _csv("exam_results", results({(0, "share_5"): 0.22})),
        ("строка 2", "Доля «2»", "в сумме дают 1,02"),
    ),
    "unknown school": (
        lambda: _csv("exam_results", results({(3, "school_id"): "S9"})),
        ("строка 5", "Код школы", "«S9» нет в таблице «школы»"),
    ),
    "same key, other values": (
        lambda: _csv(
            "exam_results",
            pd.concat([results(), results().iloc[[0]].assign(mean_score=99)]),
        ),
        ("строка 8", "повтор строки с тем же ключом"),
    ),
    "bad date": (
        lambda: (
            "roadmap_events.csv",
            labelled_csv(
                pd.DataFrame(
                    [
                        {
                            "event_id": "E1",
                            "level": "регион",
                            "year": 2025,
                            "title": "Семинар",
                            "period_start": "32.13.2025",
                            "period_end": "01.02.2025",
                            "status": "выполнено",
                        }
                    ]
                ),
                "roadmap_events",
            ),
        ),
        ("строка 2", "Начало", "не дата"),
    ),
    "academic years that do not follow": (
        lambda: _csv("exam_results", results({(0, "year"): "2023-2025"})),
        ("строка 2", "Год", "подряд"),
    ),
    "one column in per cent": (
        lambda: _csv(
            "social_passport",
            tiny_frames()["social_passport"].assign(
                share_low_income=lambda f: f["share_low_income"] * 100
            ),
        ),
        ("Малоимущие семьи", "в разных единицах"),
    ),
    "only key columns": (
        lambda: _csv("social_passport", tiny_frames()["social_passport"][["school_id", "year"]]),
        ("только ключевые столбцы",),
    ),
    "header only": (
        lambda: ("staff.csv", (";".join(c.label for c in TABLES["staff"].columns) + "\n").encode()),
        ("нет ни одной строки",),
    ),
    "text too long": (
        lambda: _csv("exam_results", results({(0, "subject"): "М" * 20_000})),
        ("строка 2", "Предмет", "длиннее"),
    ),
    "row number after an empty line": (
        lambda: (
            "exam_results.csv",
            labelled_csv(results({(3, "participants"): "x"}), "exam_results").replace(
                b"\nS2;2024", b"\n\nS2;2024", 1
            ),
        ),
        ("строка 6", "Участников", "не число"),
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_files_are_refused_with_place_and_the_database_stays(case, path):
    build, fragments = REFUSED[case]
    name, content = build()
    before = path.read_bytes()
    plan = plan_import([read_file(name, content)], path)
    assert plan.errors, [str(p) for p in plan.problems]
    text = " ".join(str(p) for p in plan.errors)
    assert name in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    with pytest.raises(ValueError):
        apply_import(plan, path)
    assert path.read_bytes() == before


def test_a_misspelled_header_is_named_and_its_column_kept(path):
    content = labelled_csv(
        results({(0, "participants"): 81}),
        "exam_results",
        headers={
            **{c.name: c.label for c in TABLES["exam_results"].columns},
            "mean_score": "Средний бал",
        },
    )
    plan = plan_import([read_file("exam_results.csv", content)], path)
    assert not plan.errors
    warning = next(p for p in plan.problems if p.column == "Средний бал")
    assert "не распознан" in warning.message and "«Средний балл»" in warning.message
    apply_import(plan, path)
    stored = table_rows(path, "exam_results")
    assert stored["mean_score"].notna().all()
    assert stored["participants"].iloc[0] == 81


def test_a_csv_saved_from_the_template_keeps_its_star_headers(path):
    headers = {
        c.name: c.label + (" *" if c.required else "") for c in TABLES["exam_results"].columns
    }
    content = labelled_csv(results({(0, "mean_score"): 27.5}), "exam_results", headers=headers)
    plan = plan_import([read_file("exam_results.csv", content)], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    assert table_rows(path, "exam_results")["mean_score"].iloc[0] == 27.5


def test_a_percent_sign_reads_as_per_cent(path):
    passport = tiny_frames()["social_passport"].astype(object)
    passport.loc[0, "share_registered"] = "0,5%"
    plan = plan_import(
        [read_file("social_passport.csv", labelled_csv(passport, "social_passport"))], path
    )
    assert not plan.errors
    apply_import(plan, path)
    stored = table_rows(path, "social_passport").set_index(["school_id", "year"])
    assert stored.loc[("S1", 2024), "share_registered"] == pytest.approx(0.005)


def test_unchanged_and_changed_rows_of_the_referenced_school_register(path):
    schools = tiny_frames()["schools"]
    for frame in (schools, schools.assign(pupils=schools["pupils"] + 1)):
        plan = plan_import([read_file("schools.csv", labelled_csv(frame, "schools"))], path)
        assert not plan.errors, [str(p) for p in plan.errors]
        apply_import(plan, path)
    assert list(table_rows(path, "schools")["pupils"]) == list(schools["pupils"] + 1)
    assert len(table_rows(path, "exam_results")) == len(tiny_frames()["exam_results"])


@pytest.mark.parametrize(
    ("where", "error", "fragment"),
    [
        ("shutil.copyfile", OSError(errno.ENOSPC, "No space left on device"), "не хватает места"),
        ("tempfile.mkstemp", PermissionError(errno.EACCES, "Permission denied"), "Нет прав"),
    ],
    ids=["disk full", "read-only folder"],
)
def test_disk_errors_become_russian_messages_and_the_database_stays(
    path, monkeypatch, where, error, fragment
):
    content = labelled_csv(results({(0, "mean_score"): 27.5}), "exam_results")
    plan = plan_import([read_file("exam_results.csv", content)], path)
    before = path.read_bytes()
    module, name = where.split(".")

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(f"radar.store.db.{module}.{name}", fail)
    with pytest.raises(db.DatabaseError) as caught:
        apply_import(plan, path)
    assert fragment in str(caught.value) and str(path.parent) in str(caught.value)
    assert path.read_bytes() == before


def test_a_failure_after_confirming_is_a_russian_message_logged_as_refused(path, monkeypatch):
    from radar.ingest.importer import refusals
    from radar.store import refresh

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(refresh, "refresh_derived", broken)
    content = labelled_csv(results({(0, "mean_score"): 27.5}), "exam_results")
    plan = plan_import([read_file("exam_results.csv", content)], path)
    before = path.read_bytes()
    with pytest.raises(db.DatabaseError) as caught:
        apply_import(plan, path)
    message = str(caught.value)
    assert "непредвиденная ошибка" in message and "division" not in message
    assert "ZeroDivisionError" in db.error_log(path).read_text(encoding="utf-8")
    assert path.read_bytes() == before
    assert refusals(path)["outcome"].iloc[0].startswith("не записано")


def test_leftover_copies_of_an_interrupted_write_are_removed(path):
    import os
    import time

    stale = path.with_name(f".{path.name}.abc123.tmp")
    wal = path.with_name(f".{path.name}.abc123.tmp.wal")
    fresh = path.with_name(f".{path.name}.def456.tmp")
    for leftover in (stale, wal, fresh):
        leftover.write_bytes(b"x" * 100)
    old = time.time() - 2 * db.STALE_SECONDS
    for leftover in (stale, wal):
        os.utime(leftover, (old, old))
    removed = db.remove_leftovers(path)
    assert sorted(removed) == sorted([stale, wal])
    assert fresh.exists() and path.exists()


def test_mapped_frames_keep_unmapped_columns_too(path):
    frame = results({(0, "participants"): 90})[
        ["school_id", "year", "exam", "subject", "grade", "participants"]
    ]
    plan = plan_import([ReadFile("сопоставление", "d", {"exam_results": frame})], path)
    apply_import(plan, path)
    stored = table_rows(path, "exam_results")
    assert stored["share_2"].notna().all() and stored["participants"].iloc[0] == 90


def test_loading_without_the_rows_with_errors(path):
    from radar.ingest.importer import refusals  # noqa: F401  (the log stays empty)

    frame = results({(0, "participants"): "много", (3, "school_id"): "S9", (1, "mean_score"): 31})
    content = labelled_csv(frame, "exam_results")
    strict = plan_import([read_file("exam_results.csv", content)], path)
    assert strict.errors and strict.skippable
    plan = plan_import([read_file("exam_results.csv", content)], path, skip_bad_rows=True)
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.skipped == {"exam_results": [2, 5]}
    assert sum(g.count for g in plan.problems.groups if g.kind.startswith("строка пропущена")) == 2
    apply_import(plan, path)
    stored = table_rows(path, "exam_results").set_index(["school_id", "year"])
    assert stored.loc[("S2", 2024), "mean_score"] == 31
    assert stored.loc[("S1", 2024), "participants"] == 80  # the skipped row left it as stored
    con = db.connect(path)
    history = con.execute(db.sql("store/import_history")).df()
    con.close()
    assert "пропущено строк с ошибками: 2 (2, 5)" in history["outcome"].iloc[0]


def test_an_error_outside_rows_cannot_be_skipped(path):
    frame = results().drop(columns=["participants"])
    plan = plan_import(
        [read_file("exam_results.csv", labelled_csv(frame, "exam_results"))],
        path,
        skip_bad_rows=True,
    )
    assert plan.errors and not plan.skippable


def test_an_import_can_be_undone_back_to_the_state_before_it(path, monkeypatch):
    from radar.store import versions

    monkeypatch.setenv("RADAR_KEEP_VERSIONS", "2")
    before = _base_state(path)
    for score in (27.5, 28.5, 29.5):
        content = labelled_csv(results({(0, "mean_score"): score}), "exam_results")
        apply_import(plan_import([read_file("exam_results.csv", content)], path), path)
    kept = versions.versions(path)
    assert len(kept) == 2 and versions.disk_used(path) == sum(v.size for v in kept)
    assert kept[0].files == "exam_results.csv"
    versions.restore(kept[1].name, path, user="методист")  # before the second import
    stored = table_rows(path, "exam_results")
    assert stored["mean_score"].iloc[0] == 27.5
    assert _base_state(path)["schools"].equals(before["schools"])
    con = db.connect(path)
    history = con.execute(db.sql("store/import_history")).df()
    identification = con.execute("select count(*) from identification").fetchone()[0]
    con.close()
    assert history["file_name"].iloc[0].startswith("отмена загрузки «exam_results.csv»")
    assert len(history) > 3  # the history of the imports stays
    assert identification > 0


def _base_state(path):
    con = db.connect(path)
    try:
        return {name: db.read_table(con, name) for name in ("schools", "exam_results")}
    finally:
        con.close()


def test_the_cli_lists_and_undoes_imports(path, capsys, tmp_path):
    from radar.cli import main
    from radar.store import versions

    csv = tmp_path / "exam_results.csv"
    csv.write_bytes(labelled_csv(results({(0, "mean_score"): 33.0}), "exam_results"))
    assert main(["--db", str(path), "import", str(csv), "--yes"]) == 0
    assert main(["--db", str(path), "undo"]) == 0
    name = versions.versions(path)[0].name
    assert name in capsys.readouterr().out
    assert main(["--db", str(path), "undo", name]) == 0
    assert table_rows(path, "exam_results")["mean_score"].iloc[0] == 26.0
