"""The Russian formats shipped as saved formats: each sample is built here in exactly the
layout of the export it stands for (invented values) and loads through its saved format."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from radar.ingest import mapping
from radar.ingest.importer import ReadFile, apply_import, plan_import
from radar.store import db

FIS_OKO_VPR = [
    "Год", "Класс", "Предмет", "Муниципалитет", "Логин", "ОО", "Кол-во участников",
    "2", "3", "4", "5",
]  # fmt: skip


def workbook(headers: list[str], rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Результаты"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fis_oko_vpr_sample() -> bytes:
    rows = []
    schools = [
        ("edu050001", "МБОУ «СОШ № 1»", "Северный район"),
        ("edu050002", "МКОУ «Лесная ООШ»", "Северный район"),
        ("edu050101", "МБОУ «Гимназия № 3»", "г. Примерск"),
    ]
    for year in (2024, 2025):
        for login, name, municipality in schools:
            for grade, subject in ((4, "Русский язык"), (5, "Математика")):
                shares = [12.5, 37.5, 37.5, 12.5] if "Лесная" in name else [2.0, 28.0, 45.0, 25.0]
                rows.append([year, grade, subject, municipality, login, name, 24, *shares])
    return workbook(FIS_OKO_VPR, rows)


def saved(name: str) -> mapping.Mapping:
    return next(
        mapping.Mapping.load(path)
        for title, path in mapping.saved_mappings().items()
        if title.startswith(name)
    )


def test_fis_oko_vpr_results_load_through_their_saved_format(tmp_path):
    chosen = saved("ФИС ОКО: результаты ВПР")
    uploads = {"выгрузка_ВПР_2025.xlsx": fis_oko_vpr_sample()}
    frames = mapping.apply_to_uploads(chosen, uploads)
    path = tmp_path / "region.duckdb"
    read = ReadFile("выгрузка_ВПР_2025.xlsx", mapping.digest(chosen, uploads), frames)
    plan = plan_import([read], path, replace=True)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    con = db.connect(path)
    try:
        municipalities = db.read_table(con, "municipalities")
        schools = db.read_table(con, "schools").set_index("school_id")
        results = db.read_table(con, "exam_results")
        identification = con.execute("select count(*) from identification").fetchone()[0]
    finally:
        con.close()
    assert sorted(municipalities["name"]) == ["Северный район", "г. Примерск"]
    assert schools.loc["edu050002", "name"] == "МКОУ «Лесная ООШ»"
    assert len(results) == 12 and set(results["exam"]) == {"ВПР"}
    forest = results[results["school_id"] == "edu050002"]
    assert forest["share_2"].tolist() == pytest.approx([0.125] * 4)
    assert identification == 6  # three schools, two years: the analytics ran


SCHOOLS = [
    ("edu050001", "МБОУ «СОШ № 1»", "Северный район"),
    ("edu050002", "МКОУ «Лесная ООШ»", "Северный район"),
    ("edu050101", "МБОУ «Гимназия № 3»", "г. Примерск"),
]


def load(name: str, content: bytes, path, replace: bool = True):
    chosen = saved(name)
    uploads = {"выгрузка.xlsx": content}
    frames = mapping.apply_to_uploads(chosen, uploads)
    plan = plan_import([ReadFile("выгрузка.xlsx", "d", frames)], path, replace=replace)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    con = db.connect(path)
    try:
        return {t: db.read_table(con, t) for t in frames}
    finally:
        con.close()


def test_fis_oko_primary_score_distributions(tmp_path):
    headers = ["Год", "Класс", "Предмет", "Муниципалитет", "Логин", "ОО"]
    headers += [str(score) for score in range(6)]
    rows = [
        [2025, 4, "Математика", m, login, name, 0, 5, 15, 30, 30, 20] for login, name, m in SCHOOLS
    ]
    rows[1][-6:] = [10, 20, 30, 20, 20, ""]  # nobody at 5 points: no row
    stored = load("ФИС ОКО: распределение", workbook(headers, rows), tmp_path / "r.duckdb")
    scores = stored["score_distributions"]
    assert len(scores) == 17
    forest = scores[scores["school_id"] == "edu050002"].set_index("score")["share"]
    assert forest.to_dict() == pytest.approx({0: 0.1, 1: 0.2, 2: 0.3, 3: 0.2, 4: 0.2})


def test_fis_oko_objectivity_markers(tmp_path):
    headers = ["Год", "Логин", "Муниципалитет", "ОО", "4 РУ", "4 МА", "5 РУ", "5 МА"]
    headers.append("Количество маркеров")
    rows = [
        [2025, "edu050001", "Северный район", "МБОУ «СОШ № 1»", 1, 0, 1, "", 2],
        [2025, "edu050101", "г. Примерск", "МБОУ «Гимназия № 3»", 0, 0, 0, 0, 0],
    ]
    stored = load("ФИС ОКО: федеральный перечень", workbook(headers, rows), tmp_path / "r.duckdb")
    markers = stored["official_objectivity_markers"].set_index(["school_id", "grade", "subject"])
    assert len(markers) == 7
    assert markers.loc[("edu050001", 4, "Русский язык"), "marker"]
    assert not markers.loc[("edu050001", 4, "Математика"), "marker"]
    assert markers["marker"].sum() == 2


OPEN_DATA_EGE = [
    "№ п/п", "Учебный год", "Административный округ", "Район",
    "Полное наименование образовательной организации", "ОГРН", "Количество сдававших ЕГЭ",
    "Количество набравших более 220 баллов", "Количество набравших 160 баллов и менее",
]  # fmt: skip
OPEN_DATA_SCHOOLS = [
    ("1027700000011", "ГБОУ «Школа № 1»", "Северный административный округ", "Аэропорт"),
    ("1027700000022", "ГБОУ «Школа № 2»", "Северный административный округ", "Сокол"),
    ("1027700000033", "ГБОУ «Лицей № 3»", "Центральный административный округ", "Арбат"),
]


def open_data_ege_sample() -> bytes:
    """A city's open-data file: one line per school and academic year, semicolons, Windows-1251
    as such portals publish; the row number first."""
    lines = [";".join(OPEN_DATA_EGE)]
    number = 0
    for year in ("2018-2019", "2019-2020"):
        for ogrn, name, district, area in OPEN_DATA_SCHOOLS:
            number += 1
            above, below = (30, 2) if "Лицей" in name else (8, 12)
            lines.append(f"{number};{year};{district};{area};{name};{ogrn};60;{above};{below}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def test_open_data_ege_counts_become_a_procedure_with_threshold_shares(tmp_path):
    chosen = saved("Открытые данные: ЕГЭ")
    uploads = {"ЕГЭ_открытые_данные.csv": open_data_ege_sample()}
    frames = mapping.apply_to_uploads(chosen, uploads)
    path = tmp_path / "city.duckdb"
    plan = plan_import([ReadFile("ЕГЭ.csv", "e", frames)], path, replace=True)
    assert not plan.errors, [str(p) for p in plan.errors]
    apply_import(plan, path)
    con = db.connect(path)
    try:
        results = db.read_table(con, "exam_results").set_index(["school_id", "year"])
        municipalities = db.read_table(con, "municipalities")
        thresholds = db.read_table(con, "procedure_thresholds")
        procedures = con.execute(
            "select school_id, year, share_fail, z_score from procedure_results "
            "order by year, school_id"
        ).df()
    finally:
        con.close()
    assert sorted(municipalities["name"]) == [
        "Северный административный округ",
        "Центральный административный округ",
    ]
    assert sorted(results.index.get_level_values("year").unique()) == [2019, 2020]
    lyceum = results.loc[("1027700000033", 2019)]
    assert lyceum["share_81plus"] == pytest.approx(0.5)
    assert lyceum["share_below_min"] == pytest.approx(2 / 60)
    assert pd.isna(lyceum["mean_score"])
    assert thresholds.iloc[0]["high_label"] == "более 220 баллов по трём предметам"
    # Judged by the shares: the lyceum is above the others, and nobody's share is «failing».
    assert procedures["share_fail"].isna().all()
    year = procedures[procedures["year"] == 2019].set_index("school_id")["z_score"]
    assert year["1027700000033"] > 0 > year["1027700000011"]


def fis_oko_scores_sample() -> bytes:
    headers = ["Год", "Класс", "Предмет", "Муниципалитет", "Логин", "ОО"]
    headers += [str(score) for score in range(6)]
    rows = [
        [2025, 4, "Математика", m, login, name, 0, 5, 15, 30, 30, 20] for login, name, m in SCHOOLS
    ]
    return workbook(headers, rows)


def fis_oko_markers_sample() -> bytes:
    headers = ["Год", "Логин", "Муниципалитет", "ОО", "4 РУ", "4 МА", "5 РУ", "5 МА"]
    headers.append("Количество маркеров")
    rows = [[2025, login, m, name, 1, 0, 1, "", 2] for login, name, m in SCHOOLS]
    return workbook(headers, rows)


ENGLAND = db.ROOT / "data" / "realdata" / "england_ks4_2019"
GUESSES = {
    "england_census.csv": (
        "social_passport",
        lambda: (ENGLAND / "england_census.csv").read_bytes(),
    ),
    "england_ks4provisional.csv": (
        "exam_results",
        lambda: (ENGLAND / "england_ks4provisional.csv").read_bytes(),
    ),
    "la_and_region_codes_meta.csv": (
        "municipalities",
        lambda: (ENGLAND / "la_and_region_codes_meta.csv").read_bytes(),
    ),
    "ВПР.xlsx": ("exam_results", fis_oko_vpr_sample),
    "Баллы.xlsx": ("score_distributions", fis_oko_scores_sample),
    "Маркеры.xlsx": ("official_objectivity_markers", fis_oko_markers_sample),
    "ЕГЭ.csv": ("exam_results", open_data_ege_sample),
}


@pytest.mark.parametrize("name", list(GUESSES))
def test_a_files_table_is_guessed_from_its_columns_as_a_whole(name):
    """England's three files and each Russian sample: the page proposes the right table."""
    table, content = GUESSES[name]
    uploads = {name: content()}
    headers, _, sample = mapping.preview(uploads, mapping.sources_in(uploads)[0])
    assert mapping.best_table(headers, sample) == table


def test_each_template_sheet_is_guessed_as_its_table():
    from radar.ingest.templates import REGION_TABLES
    from radar.store.spec import TABLES

    for name in REGION_TABLES:
        columns = TABLES[name].columns
        assert mapping.best_table([c.label for c in columns]) == name
        assert mapping.best_table([c.name for c in columns]) == name
