"""A region's own files: the template, reading, checking, what changes, all-or-nothing writing."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pandas as pd
import pytest

from radar.ingest.files import FileProblem
from radar.ingest.importer import ReadFile, apply_import, plan_import, read_file
from radar.ingest.templates import REGION_TABLES, template_bytes
from radar.store import db
from radar.store.spec import TABLES
from tests.conftest import tiny_frames


def filled_template(frames: dict[str, pd.DataFrame]) -> bytes:
    """The template with each sheet's example row replaced by the frame's rows."""
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    for name, frame in frames.items():
        sheet = book[TABLES[name].label[:31]]
        sheet.delete_rows(2, sheet.max_row)
        for row in frame.reindex(columns=TABLES[name].names).itertuples(index=False):
            sheet.append([None if pd.isna(v) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_rows(path, name):
    con = db.connect(path)
    try:
        return db.read_table(con, name)
    finally:
        con.close()


def test_template_has_an_instructions_sheet_lists_and_an_example_row():
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert book.sheetnames[0] == "Инструкция"
    assert len(book.sheetnames) == len(REGION_TABLES) + 1
    sheet = book["Результаты оценочных процедур"]
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "Код школы *" and "Процедура *" in headers
    exam_column = headers.index("Процедура *") + 1
    assert sheet.cell(row=2, column=exam_column).value == "ВПР"
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"ВПР,ОГЭ,ЕГЭ"' in lists


def test_round_trip_template_filled_with_a_region_then_imported(tmp_path):
    frames = tiny_frames()
    content = filled_template(frames)
    read = read_file("регион.xlsx", content)
    assert set(read.frames) == set(frames)
    path = tmp_path / "region.duckdb"
    plan = plan_import([read], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.summary.set_index("table").loc["schools", "Новых"] == 3
    apply_import(plan, path, user="тест")
    for name, frame in frames.items():
        stored = table_rows(path, name)
        assert len(stored) == len(frame), name
    schools = table_rows(path, "schools").set_index("school_id")
    assert schools.loc["S3", "name"] == "МКОУ «Горная СОШ»"
    con = db.connect(path)
    history = con.execute(db.sql("store/import_history")).df()
    identification = con.execute("select count(*) from identification").fetchone()[0]
    con.close()
    assert set(history["table_name"]) == set(frames)
    assert (history["user_name"] == "тест").all() and (history["outcome"] == "загружено").all()
    assert identification == 6  # derived tables were refreshed


def test_reimporting_changes_nothing_and_a_corrected_file_replaces_its_rows(tmp_path):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    same = plan_import([read_file("регион.xlsx", filled_template(frames))], path)
    summary = same.summary.set_index("table")
    assert summary["Новых"].sum() == 0 and summary["Изменённых"].sum() == 0
    corrected = {"exam_results": frames["exam_results"].copy()}
    corrected["exam_results"].loc[0, "mean_score"] = 30.0
    extra = corrected["exam_results"].iloc[[0]].assign(year=2023)
    corrected["exam_results"] = pd.concat([corrected["exam_results"], extra])
    plan = plan_import([read_file("исправление.xlsx", filled_template(corrected))], path)
    row = plan.summary.set_index("table").loc["exam_results"]
    assert (row["Новых"], row["Изменённых"], row["Без изменений"]) == (1, 1, 5)
    apply_import(plan, path)
    stored = table_rows(path, "exam_results")
    assert len(stored) == 7
    first = stored[(stored["school_id"] == "S1") & (stored["year"] == 2024)]
    assert first["mean_score"].iloc[0] == 30.0
    assert len(table_rows(path, "schools")) == 3  # other tables untouched


def test_a_csv_with_russian_headers_and_decimal_commas(tmp_path):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    text = (
        "Код школы;Год;Численность обучающихся;Доля обучающихся, оба родителя которых имеют "
        "высшее образование\nS1;2025;910;61,5\n"
    )
    table = TABLES["social_passport"]
    labels = {c.name: c.label for c in table.columns}
    text = (
        f"{labels['school_id']};{labels['year']};{labels['pupils']};"
        f"{labels['share_parents_higher_ed']}\nS1;2025;910;61,5\n"
    )
    read = read_file("social_passport.csv", text.encode("cp1251"))
    plan = plan_import([read], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.summary.iloc[0]["Изменённых"] == 1
    apply_import(plan, path)
    stored = table_rows(path, "social_passport").set_index(["school_id", "year"])
    assert stored.loc[("S1", 2025), "share_parents_higher_ed"] == pytest.approx(0.615)
    assert stored.loc[("S1", 2025), "pupils"] == 910
    # The columns the file does not carry keep their stored values.
    assert stored.loc[("S1", 2025), "share_low_income"] == pytest.approx(0.05)


def _stored_state(path):
    con = db.connect(path)
    try:
        return {name: db.read_table(con, name) for name in TABLES if name != "region_info"}
    finally:
        con.close()


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.drop(columns=["share_2", "share_3"]),
        lambda f: f.rename(columns={"mean_score": "Средний бал", "share_2": "Доля двоек, %"}),
        lambda f: f[["school_id", "year", "exam", "subject", "grade", "participants"]],
    ],
    ids=["columns left out", "headers not recognised", "only the required columns"],
)
def test_an_update_never_changes_a_value_the_file_does_not_carry(tmp_path, change):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    before = _stored_state(path)
    incoming = change(frames["exam_results"].astype(object))
    incoming.loc[0, "participants"] = 81
    plan = plan_import([ReadFile("обновление.xlsx", "x", {"exam_results": incoming})], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    changes = plan.column_changes()
    assert list(changes["column"]) == ["participants"]
    assert changes["Изменится значений"].iloc[0] == 1
    assert "S1, 2024, ОГЭ, Математика, 9: 80 → 81" in changes["Примеры (было → станет)"].iloc[0]
    apply_import(plan, path)
    after = _stored_state(path)
    expected = before["exam_results"].copy()
    expected.loc[0, "participants"] = 81
    pd.testing.assert_frame_equal(after["exam_results"], expected)
    for name in before:
        if name != "exam_results":
            pd.testing.assert_frame_equal(after[name], before[name], obj=name)


def test_blanking_a_stored_value_needs_consent(tmp_path):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    incoming = frames["exam_results"].astype(object)
    incoming.loc[0, "mean_score"] = None
    plan = plan_import([ReadFile("обновление.xlsx", "x", {"exam_results": incoming})], path)
    assert plan.blanks == 1
    row = plan.column_changes().set_index("column").loc["mean_score"]
    assert row["Будет стёрто"] == 1 and "26 → пусто" in row["Примеры (было → станет)"]
    assert plan.summary["Изменённых"].sum() == 0  # by default the blank is not written
    apply_import(plan, path)
    assert table_rows(path, "exam_results")["mean_score"].iloc[0] == 26.0
    apply_import(
        plan_import([ReadFile("обновление.xlsx", "x", {"exam_results": incoming})], path),
        path,
        blank=True,
    )
    assert pd.isna(table_rows(path, "exam_results")["mean_score"].iloc[0])


def test_a_file_without_changes_writes_history_but_does_not_recalculate(tmp_path, monkeypatch):
    from radar.store import refresh

    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    calls = []
    monkeypatch.setattr(refresh, "refresh_derived", lambda *a, **k: calls.append(a))
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    assert calls == []
    con = db.connect(path)
    outcomes = con.execute(db.sql("store/import_history")).df()["outcome"]
    con.close()
    assert (outcomes == "загружено, без изменений").sum() == len(frames)


def test_a_header_only_file_is_refused(tmp_path):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    header = ";".join(c.label for c in TABLES["staff"].columns) + "\n"
    plan = plan_import([read_file("staff.csv", header.encode())], path)
    assert any("нет ни одной строки" in str(p) for p in plan.errors)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f["exam_results"].assign(participants="много"), "Участников"),
        (lambda f: f["exam_results"].assign(share_2=1.7), "Доля «2»"),
        (lambda f: f["exam_results"].assign(school_id="S9"), "S9"),
        (
            lambda f: pd.concat(
                [f["exam_results"], f["exam_results"].iloc[[0]].assign(mean_score=99.0)]
            ),
            "повтор",
        ),
    ],
    ids=["wrong type", "share over 100", "unknown school", "duplicate"],
)
def test_bad_files_are_refused_and_leave_the_database_unchanged(tmp_path, change, expected):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    before = path.read_bytes()
    bad = {"exam_results": change(frames)}
    plan = plan_import([read_file("плохой.xlsx", filled_template(bad))], path)
    assert plan.errors
    text = " ".join(str(p) for p in plan.errors)
    assert expected in text and "плохой.xlsx" in text and "лист «Результаты" in text
    with pytest.raises(ValueError):
        apply_import(plan, path)
    assert path.read_bytes() == before


def test_unreadable_files_get_a_clear_message():
    with pytest.raises(FileProblem, match="пуст"):
        read_file("пустой.xlsx", b"")
    with pytest.raises(FileProblem, match="Excel"):
        read_file("сломанный.xlsx", b"not a workbook")
    with pytest.raises(FileProblem, match="какая это таблица"):
        read_file("непонятно.csv", b"a;b\n1;2\n")
    book = openpyxl.Workbook()
    book.active.title = "Лист1"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileProblem, match="«Лист1»"):
        read_file("чужой.xlsx", buffer.getvalue())


def test_formulas_in_cells_are_read_as_text_not_run(tmp_path):
    frames = tiny_frames()
    frames["schools"] = frames["schools"].assign(short_name=["=1+2", "@SUM(A1)", "СОШ № 2"][::1])
    path = tmp_path / "region.duckdb"
    plan = plan_import([read_file("регион.xlsx", filled_template(frames))], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    stored = table_rows(path, "schools").set_index("school_id")
    assert stored.loc["S2", "short_name"] == "@SUM(A1)"


def test_the_demo_region_imports_into_itself_without_changes(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    con = db.connect(path)
    schools = db.read_table(con, "schools")
    con.close()
    plan = plan_import([read_file("школы.xlsx", filled_template({"schools": schools}))], path)
    assert not plan.errors
    row = plan.summary.iloc[0]
    assert (row["Новых"], row["Изменённых"], row["Без изменений"]) == (0, 0, len(schools))


def test_a_failure_midway_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    before = path.read_bytes()
    changed = {"schools": frames["schools"].assign(pupils=frames["schools"]["pupils"] + 5)}
    plan = plan_import([read_file("школы.xlsx", filled_template(changed))], path)
    assert not plan.errors

    def crash(*_args, **_kwargs):
        raise RuntimeError("сбой посередине пересчёта")

    monkeypatch.setattr("radar.store.refresh.refresh_derived", crash)
    with pytest.raises(RuntimeError):
        apply_import(plan, path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))  # no half-written copy left behind


def test_a_missing_required_column_and_an_undecodable_csv(tmp_path):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    content = filled_template({"exam_results": frames["exam_results"]})
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["Результаты оценочных процедур"]
    sheet.delete_cols([c.value for c in sheet[1]].index("Участников *") + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    plan = plan_import([read_file("без_столбца.xlsx", buffer.getvalue())], path)
    assert any("Участников" in str(p) for p in plan.errors), [str(p) for p in plan.problems]
    garbage = bytes(range(128, 256)) * 10
    with pytest.raises(FileProblem, match=r"schools\.csv: кодировка не распознана"):
        read_file("schools.csv", b"school_id;name\n" + garbage)


def test_a_100000_row_file_with_one_bad_row_is_refused_at_that_row(tmp_path):
    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    before = path.read_bytes()
    table = TABLES["exam_results"]
    n = 100_000
    rows = pd.DataFrame(
        {
            "school_id": ["S1", "S2", "S3"] * (n // 3) + ["S1"] * (n % 3),
            "year": 2000 + (pd.RangeIndex(n) // 3 % 100),
            "exam": "ОГЭ",
            "subject": [f"Предмет {i // 300}" for i in range(n)],
            "grade": 9,
            "participants": "20",
            "mean_score": "25,5",
        }
    )
    rows.loc[50_000, "participants"] = "-5"
    text = rows.rename(columns={c.name: c.label for c in table.columns}).to_csv(
        sep=";", index=False
    )
    read = read_file("exam_results.csv", text.encode("utf-8"))
    plan = plan_import([read], path)
    messages = [str(p) for p in plan.errors]
    assert len(messages) == 1, messages[:3]
    assert "строка 50002" in messages[0] and "Участников" in messages[0]
    with pytest.raises(ValueError):
        apply_import(plan, path)
    assert path.read_bytes() == before


def test_a_refused_import_is_logged_beside_the_database_not_in_it(tmp_path, capsys):
    from radar.cli import main
    from radar.ingest.importer import refusals

    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    before = path.read_bytes()
    bad = tmp_path / "плохой.xlsx"
    bad.write_bytes(filled_template({"exam_results": frames["exam_results"].assign(grade=40)}))
    assert main(["--db", str(path), "import", str(bad), "--yes"]) == 1
    assert "База не изменилась" in capsys.readouterr().err
    assert path.read_bytes() == before
    log = refusals(path)
    assert log["file_name"].tolist() == ["плохой.xlsx"]
    assert log["outcome"].iloc[0].startswith("отклонено: ошибок")


def test_a_mapping_picked_column_by_column_loads_a_foreign_csv(tmp_path):
    from radar.ingest.mapping import Mapping, apply_to_uploads, from_choices, propose, slug

    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    content = "Код ОО;Численность;Малоимущие, %\nS1;905;7,5\nS2;610;21\n".encode("cp1251")
    headers = ["Код ОО", "Численность", "Малоимущие, %"]
    proposed = propose("social_passport", headers)
    assert proposed["school_id"] == "Код ОО" and proposed["pupils"] == "Численность"
    columns = {**proposed, "share_low_income": "Малоимущие, %"}
    chosen = from_choices("Паспорт МО", "social_passport", "паспорт.csv", columns, {"year": "2025"})
    frames_in = apply_to_uploads(chosen, {"паспорт.csv": content})
    read = ReadFile("паспорт.csv", "x", frames_in)
    plan = plan_import([read], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    stored = table_rows(path, "social_passport").set_index(["school_id", "year"])
    assert stored.loc[("S2", 2025), "share_low_income"] == pytest.approx(0.21)
    saved = tmp_path / f"{slug('Паспорт МО')}.json"
    chosen.save(saved)
    assert Mapping.load(saved).spec == chosen.spec
    assert slug("Паспорт МО") == "паспорт_мо"


KILLER = """
import os, signal, sys
from pathlib import Path
from radar.ingest.importer import apply_import, plan_import, read_file

path, upload, when = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
plan = plan_import([read_file(upload.name, upload.read_bytes())], path)
assert not plan.errors


def progress(message, fraction):
    if message.startswith(when):
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: as a power cut


apply_import(plan, path, progress=progress)
"""


@pytest.mark.parametrize("when", ["Запись", "Расчёт ИСБШ"])
def test_a_load_killed_midway_leaves_the_database_as_it_was(tmp_path, when):
    import signal
    import subprocess
    import sys

    frames = tiny_frames()
    path = tmp_path / "region.duckdb"
    apply_import(plan_import([read_file("регион.xlsx", filled_template(frames))], path), path)
    before = path.read_bytes()
    upload = tmp_path / "школы.xlsx"
    changed = frames["social_passport"].assign(pupils=frames["social_passport"]["pupils"] + 5)
    upload.write_bytes(filled_template({"social_passport": changed}))
    run = subprocess.run(
        [sys.executable, "-c", KILLER, str(path), str(upload), when],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert path.read_bytes() == before
    # The next import over whatever the killed one left behind goes through.
    apply_import(plan_import([read_file(upload.name, upload.read_bytes())], path), path)
    stored = table_rows(path, "social_passport").set_index(["school_id", "year"])
    assert stored.loc[("S1", 2025), "pupils"] == 905


def test_a_region_replaces_the_demo_and_keeps_the_settings_and_history(demo_db, tmp_path):
    """«Заменить всю базу»: the files are checked on their own, only their rows stay (no demo
    school, no planted truth), and the criteria presets and the import history are kept."""
    import shutil

    from radar.ingest.importer import describe_database

    path = tmp_path / "region.duckdb"
    shutil.copy(demo_db, path)
    assert describe_database(path).startswith("демонстрационный регион")
    from analytics.settings import Settings
    from radar.store.presets import save_preset

    save_preset("Строже", Settings(), active=False, path=path)
    frames = tiny_frames()
    upload = read_file("регион.xlsx", filled_template(frames))
    # Updating would check the files against the demo; replacing checks them on their own.
    results_only = read_file(
        "результаты.xlsx", filled_template({"exam_results": frames["exam_results"]})
    )
    refused = plan_import([results_only], path, replace=True)
    assert any("S1" in str(p) for p in refused.errors)  # schools must come with the files
    plan = plan_import([upload], path, replace=True)
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.summary.set_index("table").loc["schools", "Новых"] == 3
    apply_import(plan, path)
    with db.connect(path, read_only=True) as con:
        schools = con.execute("select school_id from schools order by 1").fetchall()
        truth = con.execute("select count(*) from demo_truth").fetchone()[0]
        kept = con.execute("select name from settings_presets").fetchall()
        outcomes = con.execute("select distinct outcome from import_history").fetchall()
        identified = con.execute("select count(*) from identification").fetchone()[0]
    assert schools == [("S1",), ("S2",), ("S3",)] and truth == 0
    assert kept == [("Строже",)]
    assert ("загружено, база заменена",) in outcomes
    assert identified > 0  # derived tables were refreshed for the new region
    assert describe_database(path) == "данные региона, 3 школы"


def test_the_import_summary_names_a_change_of_scale_in_the_files_years(tmp_path):
    """A file that brings a year's ВПР with higher cut scores (part of every school's «3»
    now «2») gets the warning after it is loaded; a file of ordinary values does not."""
    from data.generator import generate_region
    from radar.ingest.importer import scale_notice
    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived

    frames = generate_region(n_schools=200)
    path = tmp_path / "region.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    results = frames["exam_results"]
    last = int(results["year"].max())
    rows = results[
        (results["year"] == last)
        & (results["exam"] == "ВПР")
        & (results["subject"] == "Математика")
        & (results["grade"] == 5)
    ].copy()
    same = plan_import([read_file("те_же.xlsx", filled_template({"exam_results": rows}))], path)
    assert scale_notice(same, path) is None
    rows["share_2"] = rows["share_2"] + 0.6 * rows["share_3"]
    rows["share_3"] = 0.4 * rows["share_3"]
    rows["mean_score"] = rows["mean_score"] * 0.85
    plan = plan_import([read_file("новые.xlsx", filled_template({"exam_results": rows}))], path)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    said = scale_notice(plan, path)
    assert said and said.startswith("Похоже на изменение шкалы")
    assert f"ВПР, Математика, 5 кл., {last} год: доля «2» по региону" in said
