"""The Russian formats shipped as saved formats: each sample is built here in exactly the
layout of the export it stands for (invented values) and loads through its saved format."""

from __future__ import annotations

import io

import openpyxl
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
