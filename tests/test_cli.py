"""The `radar` command line speaks Russian and builds, reports and refuses clearly."""

from __future__ import annotations

import pytest

from radar.cli import main


def test_help_is_in_russian(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("Использование: radar")
    assert "построить базу демонстрационного региона" in text
    assert "usage" not in text and "show this help" not in text


def test_wrong_arguments_are_explained_in_russian(capsys):
    with pytest.raises(SystemExit) as done:
        main(["demo", "--schools", "много"])
    assert done.value.code == 2
    assert "ожидается целое число, получено 'много'" in capsys.readouterr().err


def test_demo_does_not_overwrite_an_existing_database(demo_db, capsys):
    before = demo_db.stat().st_mtime_ns
    assert main(["--db", str(demo_db), "demo"]) == 0
    assert "уже есть" in capsys.readouterr().out
    assert demo_db.stat().st_mtime_ns == before


def test_info_counts_rows(demo_db, capsys):
    assert main(["--db", str(demo_db), "info"]) == 0
    lines = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines())
    assert int(lines["schools"].replace(" ", "")) == 1100


def test_missing_database_is_explained(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.duckdb"), "info"]) == 1
    assert "База данных не найдена" in capsys.readouterr().err


def test_radar_map_loads_the_real_english_sample_through_its_mapping(tmp_path, capsys):
    from radar.cli import main
    from radar.store import db

    path = tmp_path / "england.duckdb"
    root = db.ROOT
    code = main(
        [
            "--db",
            str(path),
            "map",
            str(root / "data" / "mappings" / "england_ks4_2019.json"),
            str(root / "data" / "realdata" / "england_ks4_2019"),
            "--yes",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Школы: строк" in out and f"Данные загружены в {path}." in out
    con = db.connect(path)
    history = con.execute("select count(*), min(outcome) from import_history").fetchone()
    con.close()
    assert history == (4, "загружено")


def test_radar_map_sets_a_constant_such_as_next_years_year(tmp_path, capsys):
    from radar.cli import main
    from radar.store import db

    root = db.ROOT
    args = [
        "--db",
        str(tmp_path / "england.duckdb"),
        "map",
        str(root / "data" / "mappings" / "england_ks4_2019.json"),
        str(root / "data" / "realdata" / "england_ks4_2019"),
        "--yes",
    ]
    assert (
        main([*args, "--set", "exam_results.year=2020", "--set", "social_passport.year=2020"]) == 0
    )
    con = db.connect(tmp_path / "england.duckdb")
    years = con.execute(
        "select (select min(year) from exam_results), (select max(year) from social_passport)"
    ).fetchone()
    con.close()
    assert years == (2020, 2020)
    capsys.readouterr()
    assert main([*args, "--set", "год=2020"]) == 1
    err = capsys.readouterr().err
    assert "нет такого значения для всех строк" in err and "exam_results.year" in err


def test_radar_map_finds_a_fis_oko_files_schools_and_asks_before_loading(
    demo_db, tmp_path, capsys, monkeypatch
):
    """A ФИС ОКО export onto the demo region: the report says how its schools were found;
    with no one to answer the question (a closed input), nothing is loaded."""
    import shutil

    from radar.store import db
    from tests.ingest.test_identity import fis_file

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    with db.connect(path) as con:
        rows = con.execute(
            "select s.fis_login, s.name, m.name from schools as s "
            "join municipalities as m using (municipality_id) order by s.school_id limit 4"
        ).fetchall()
    schools = [*rows, ("edu9999999", "МБОУ «Школа будущего»", rows[0][2])]
    folder = tmp_path / "fis"
    folder.mkdir()
    (folder / "ФИС_ОКО_ВПР_результаты.xlsx").write_bytes(fis_file(schools))
    before = path.read_bytes()

    def closed(_prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", closed)
    mapping = str(db.ROOT / "data" / "mappings" / "fis_oko_vpr_results.json")
    assert main(["--db", str(path), "map", mapping, str(folder)]) == 0
    out = capsys.readouterr().out
    assert "найдены в базе по логину ФИС ОКО — 4" in out
    assert "будут добавлены как новые школы: 1 — «МБОУ «Школа будущего»»" in out
    assert "Загрузка отменена, база не изменилась." in out
    assert path.read_bytes() == before


def test_radar_report_writes_each_municipalitys_handout_into_a_folder(demo_db, tmp_path, capsys):
    import openpyxl

    from radar.store import db

    with db.connect(demo_db) as con:
        municipalities = con.execute("select count(*) from municipalities").fetchone()[0]
    out = tmp_path / "материалы"
    args = ["--db", str(demo_db), "report", "municipality", "--municipality", "all"]
    assert main([*args, "--format", "xlsx", "--out", str(out)]) == 0
    files = sorted(out.glob("Отчёт_*_2025.xlsx"))
    assert len(files) == municipalities
    assert "Сводка" in openpyxl.load_workbook(files[0]).sheetnames
    assert f"Записано файлов: {municipalities}" in capsys.readouterr().out
    assert main(["--db", str(demo_db), "report", "lists", "--out", str(out)]) == 0
    assert (out / "ШНОР_ШНСУ_2025.xlsx").exists()


def test_radar_report_refuses_what_it_cannot_make_with_a_russian_message(demo_db, tmp_path, capsys):
    base = ["--db", str(demo_db), "report"]
    assert main([*base, "municipality", "--municipality", "Атлантида", "--out", str(tmp_path)]) == 2
    assert "муниципалитет «Атлантида» не найден в базе" in capsys.readouterr().err
    assert main([*base, "note", "--format", "xlsx", "--out", str(tmp_path)]) == 2
    assert "бывает в форматах: docx, pdf, html (не «xlsx»)" in capsys.readouterr().err


def test_radar_report_writes_the_note_after_a_stage(demo_db, tmp_path):
    from docx import Document

    args = ["--db", str(demo_db), "report", "note", "--stage", "intermediate"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    (written,) = tmp_path.glob("Справка_мониторинг_промежуточный_*.docx")
    title = Document(str(written)).paragraphs[0].text
    assert title.startswith("Аналитическая справка по итогам промежуточного этапа мониторинга")


def test_a_report_run_as_a_head_holds_only_her_municipality(demo_db, tmp_path, monkeypatch, capsys):
    import pandas as pd

    from radar.store import accounts

    monkeypatch.setenv("RADAR_ACCOUNTS", str(tmp_path / "people.sqlite"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("пароль-для-проверки\n"))
    assert (
        main(
            [
                "--db",
                str(demo_db),
                "user",
                "add",
                "glava",
                "--name",
                "Иван Сидоров",
                "--role",
                "head:M001",
                "--password-stdin",
            ]
        )
        == 0
    )
    monkeypatch.setenv("RADAR_PASSWORD", "пароль-для-проверки")
    out = tmp_path / "lists"
    assert main(["--db", str(demo_db), "report", "lists", "--out", str(out), "--as", "glava"]) == 0
    book = next(out.glob("*.xlsx"))
    sheet = pd.read_excel(book, sheet_name="ШНОР", header=2, engine="openpyxl")
    assert len(sheet) and set(sheet["Муниципалитет"]) == {"г. Тарумск"}
    folder = tmp_path / "tables"
    assert main(["--db", str(demo_db), "export", str(folder), "--as", "glava"]) == 0
    schools = pd.read_csv(folder / "schools.csv", sep=";", encoding="utf-8-sig")
    assert len(schools) == 270 and set(schools["municipality_id"]) == {"M001"}
    exams = pd.read_csv(folder / "exam_results.csv", sep=";", encoding="utf-8-sig")
    assert set(exams["school_id"]) <= set(schools["school_id"])
    log = accounts.Accounts().log()
    assert list(log["action"][:2]) == ["export", "sign_in"]
    monkeypatch.setenv("RADAR_PASSWORD", "не тот пароль")
    capsys.readouterr()
    assert main(["--db", str(demo_db), "export", str(folder), "--as", "glava"]) == 1
    assert "Неверное имя пользователя или пароль" in capsys.readouterr().err


def test_user_roles_are_checked_against_the_region(demo_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RADAR_ACCOUNTS", str(tmp_path / "people.sqlite"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("пароль-для-проверки\n"))
    args = ["user", "add", "x", "--name", "Икс", "--role", "head:M999", "--password-stdin"]
    code = main(["--db", str(demo_db), *args])
    assert code == 1
    assert "Муниципалитета с кодом M999 в базе нет" in capsys.readouterr().err


def test_the_dashboard_without_sign_in_listens_only_on_this_computer(monkeypatch):
    from radar import serve
    from radar.ui import auth

    monkeypatch.delenv(auth.AUTH_ENV, raising=False)
    assert serve.streamlit_args(["--server.port", "9000"])[-2:] == [
        "--server.address",
        "127.0.0.1",
    ]
    with pytest.raises(SystemExit, match="radar serve --auth"):
        serve.streamlit_args(["--server.address", "0.0.0.0"])
    import os

    try:
        shared = serve.streamlit_args(["--auth", "--server.address", "0.0.0.0"])
        assert shared == ["--server.address", "0.0.0.0"]
        assert os.environ[auth.AUTH_ENV] == "1"
    finally:  # the server mode must not outlive this test (monkeypatch would restore it)
        os.environ.pop(auth.AUTH_ENV, None)


def test_radar_serve_takes_streamlits_options_and_refuses_an_open_address_without_sign_in(
    monkeypatch,
):
    from radar.ui import auth

    monkeypatch.delenv(auth.AUTH_ENV, raising=False)
    with pytest.raises(SystemExit, match="Без входа панель открыта только на этом компьютере"):
        main(["serve", "--server.address", "0.0.0.0", "--server.port", "9000"])
