"""School identity across files: a ФИС ОКО export, an open-data file or a file keyed by ОГРН
finds the region's stored schools by login, ОГРН, ИНН or name and municipality."""

from __future__ import annotations

import pandas as pd
import pytest

from radar.ingest import mapping
from radar.ingest.importer import ReadFile, apply_import, plan_import
from radar.ingest.loader import Source, load_region
from radar.store import db
from tests.conftest import tiny_frames
from tests.ingest.test_saved_formats import FIS_OKO_VPR, saved, workbook

# The tiny region as ФИС ОКО writes it: logins the region has never stored, the schools'
# full names, the municipalities' names in another form.
FIS_SCHOOLS = [
    ("edu0701", "Муниципальное бюджетное общеобразовательное учреждение «Лицей №1»", "Тестоград"),
    ("edu0702", 'МБОУ "Средняя общеобразовательная школа № 2"', "город Тестоград"),
    ("edu0703", "МКОУ «Горная СОШ»", "Тестовый муниципальный район"),
]


def fis_file(schools=FIS_SCHOOLS, year: int = 2025) -> bytes:
    rows = [
        [year, 5, "Математика", municipality, login, name, 20, 10.0, 40.0, 30.0, 20.0]
        for login, name, municipality in schools
    ]
    return workbook(FIS_OKO_VPR, rows)


@pytest.fixture
def region(tmp_path):
    path = tmp_path / "region.duckdb"
    load_region(tiny_frames(), path)
    return path


def plan_fis(path, content: bytes, **options):
    chosen = saved("ФИС ОКО: результаты ВПР")
    uploads = {"ВПР.xlsx": content}
    frames = mapping.apply_to_uploads(chosen, uploads)
    return plan_import(
        [ReadFile("ВПР.xlsx", mapping.digest(chosen, uploads), frames)], path, **options
    )


def read(path, table: str) -> pd.DataFrame:
    con = db.connect(path)
    try:
        return db.read_table(con, table)
    finally:
        con.close()


def test_a_fis_oko_file_finds_the_stored_schools_by_name_and_municipality(region):
    plan = plan_fis(region, fis_file())
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.identity.found == {"по названию и муниципалитету": 3}
    assert plan.identity.municipalities == 2 and not plan.identity.new
    apply_import(plan, region)
    schools = read(region, "schools").set_index("school_id")
    assert sorted(schools.index) == ["S1", "S2", "S3"]  # no school was added
    # The region's names stay; the login is stored for the next file.
    assert schools.loc["S1", "name"] == "МБОУ «Лицей № 1»"
    assert schools["fis_login"].to_dict() == {"S1": "edu0701", "S2": "edu0702", "S3": "edu0703"}
    assert sorted(read(region, "municipalities")["municipality_id"]) == ["M1", "M2"]
    vpr = read(region, "exam_results").query("exam == 'ВПР'")
    assert sorted(vpr["school_id"]) == ["S1", "S2", "S3"]


def test_the_next_file_finds_them_by_login_whatever_their_names(region):
    apply_import(plan_fis(region, fis_file()), region)
    renamed = [(login, f"Школа {i}", "Где-то") for i, (login, _, _) in enumerate(FIS_SCHOOLS)]
    plan = plan_fis(region, fis_file(renamed, 2024))
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.identity.found == {"по логину ФИС ОКО": 3}


def test_an_unknown_school_is_new_and_named(region):
    schools = [*FIS_SCHOOLS, ("edu0799", "МБОУ «Новая школа»", "Тестоград")]
    plan = plan_fis(region, fis_file(schools))
    assert not plan.errors
    assert plan.identity.new == ["МБОУ «Новая школа»"]
    assert any("Новая школа" in line for line in plan.identity.lines())


def test_a_name_two_stored_schools_share_is_an_error_that_names_both(tmp_path):
    frames = tiny_frames()
    frames["schools"].loc[1, "name"] = "МБОУ «Лицей № 1»"  # S2 has S1's name, same municipality
    path = tmp_path / "twins.duckdb"
    load_region(frames, path)
    plan = plan_fis(path, fis_file())
    errors = [p for p in plan.errors if "нескольким школам" in p.message]
    assert len(errors) == 1
    assert "S1" in errors[0].message and "S2" in errors[0].message
    assert errors[0].row == 2 and errors[0].file == "ФИС_ОКО_ВПР_результаты.xlsx"
    # Skipping leaves that school out and loads the rest.
    plan = plan_fis(path, fis_file(), skip_bad_rows=True)
    assert not plan.errors
    assert plan.identity.found == {"по названию и муниципалитету": 1}  # S3
    assert plan.identity.new == ['МБОУ "Средняя общеобразовательная школа № 2"']


def test_a_template_file_keyed_by_ogrn_finds_the_school_by_ogrn(region):
    schools = read(region, "schools").assign(ogrn=["1020500000011", "1020500000022", None])
    schools.attrs["source"] = Source("Школы.csv")
    apply_import(plan_import([ReadFile("Школы.csv", "x", {"schools": schools})], region), region)
    results = pd.DataFrame(
        {
            "school_id": ["1020500000022"],
            "year": [2025],
            "exam": ["ВПР"],
            "subject": ["Русский язык"],
            "grade": [4],
            "participants": [30],
        }
    )
    results.attrs["source"] = Source("Результаты.csv")
    plan = plan_import([ReadFile("Результаты.csv", "y", {"exam_results": results})], region)
    assert not plan.errors, [str(p) for p in plan.errors]
    assert plan.identity.found == {"по ОГРН": 1}
    assert plan.typed["exam_results"]["school_id"].tolist() == ["S2"]


def test_a_template_file_never_matches_by_name(region):
    """Only formats that say so look schools up by name: a new school of a template file that
    happens to share a stored name stays a new school."""
    school = read(region, "schools").iloc[[0]].assign(school_id="S9")
    school.attrs["source"] = Source("Школы.csv")
    plan = plan_import([ReadFile("Школы.csv", "z", {"schools": school})], region)
    assert not plan.errors
    assert plan.typed["schools"]["school_id"].tolist() == ["S9"]
    assert not plan.identity.found


def test_an_old_database_is_brought_to_the_current_schema(region):
    """A database made before the schools had login, ОГРН and ИНН columns."""
    con = db.connect(region, read_only=False)
    try:
        rows = con.execute("select count(*) from schools").fetchone()[0]
        con.execute(
            "create table old_schools as select * exclude (fis_login, ogrn, inn) from schools"
        )
    finally:
        con.close()
    # Rebuild the file with the older schools table (DuckDB cannot drop a referenced column).
    old = region.with_name("old.duckdb")
    con = db.connect(region)
    try:
        frames = {name: db.read_table(con, name) for name in ("municipalities", "exam_results")}
        schools = con.execute("select * from old_schools").df()
    finally:
        con.close()
    con = db._configure(__import__("duckdb").connect(str(old)))
    try:
        base = db.sql("schema/base").replace(
            "    fis_login varchar,\n    ogrn varchar,\n    inn varchar\n", ""
        )
        base = base.replace(
            "lon between -180 and 180),\n    -- How other files name the school: its ФИС ОКО login (edu…), ОГРН and ИНН.\n",
            "lon between -180 and 180)\n",
        )
        con.execute(base)
        for name, frame in (
            ("municipalities", frames["municipalities"]),
            ("schools", schools),
            ("exam_results", frames["exam_results"]),
        ):
            con.register("incoming_rows", frame)
            con.execute(db.statement("writes/insert_rows", name, list(frame.columns)))
            con.unregister("incoming_rows")
    finally:
        con.close()
    assert "fis_login" not in set(read(old, "schools").columns)
    assert db.upgrade(old)
    upgraded = read(old, "schools")
    assert "fis_login" in upgraded.columns and len(upgraded) == rows
    assert not db.upgrade(old)


def test_the_demo_regions_schools_are_found_however_fis_oko_writes_them(demo_db, tmp_path):
    """Every demo school, named the way a federal export would (full organisational form, no
    town, another login): each is found by name and municipality, none is new or ambiguous."""
    import shutil

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    con = db.connect(path)
    try:
        stored = con.execute(
            "select s.school_id, s.name, m.name as municipality from schools as s "
            "join municipalities as m using (municipality_id) order by s.school_id"
        ).df()
    finally:
        con.close()
    long_forms = {
        "МБОУ": "Муниципальное бюджетное общеобразовательное учреждение",
        "МКОУ": "Муниципальное казённое общеобразовательное учреждение",
        "СОШ": "средняя общеобразовательная школа",
    }

    def federal(name: str) -> str:
        for short, full in long_forms.items():
            name = name.replace(short, full)
        # No town or district after the name: «МБОУ «СОШ № 1»», not «… г. Тарумск».
        return name.split("»")[0].replace("№ ", "№") + "»"

    schools = [
        (f"edu99{i:05d}", federal(n), m)
        for i, (n, m) in enumerate(zip(stored["name"], stored["municipality"], strict=True))
    ]
    plan = plan_fis(path, fis_file(schools))
    assert not plan.errors, [str(p) for p in plan.errors][:5]
    assert plan.identity.found == {"по названию и муниципалитету": len(stored)}
    assert not plan.identity.new and not plan.identity.ambiguous
