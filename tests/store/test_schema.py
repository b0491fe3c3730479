"""The schema itself rejects rows that break its rules, with DuckDB's constraint error."""

from __future__ import annotations

import duckdb
import pytest

from radar.store import db
from radar.store.spec import TABLES

PARENTS = [
    "insert into municipalities values ('M1', 'г. Тестоград', 'столица', 43, 47)",
    "insert into schools values ('S1', 'СОШ № 1', null, 'M1', 'город', 'СОШ', 'обычная', 500,"
    " false, 2, null, null, null, null, null)",
    "insert into risk_factors values (2023, 1, 'низкий уровень оснащения школы')",
    "insert into monitoring_indicators values ('rus_mean_mark', 'Средняя отметка', 'балл', true)",
]

EXAM = (
    "insert into exam_results (school_id, year, exam, subject, grade, participants, mean_score,"
    " share_2, share_3, share_4, share_5) values "
)

BAD_ROWS = {
    "share above 1": EXAM + "('S1', 2024, 'ОГЭ', 'Математика', 9, 20, 15, 1.2, 0, 0, 0)",
    "negative share": EXAM + "('S1', 2024, 'ОГЭ', 'Математика', 9, 20, 15, -0.1, 0.5, 0.3, 0.3)",
    "shares not summing to one": EXAM
    + "('S1', 2024, 'ОГЭ', 'Математика', 9, 20, 15, 0.5, 0.5, 0.5, 0)",
    "negative participants": EXAM
    + "('S1', 2024, 'ОГЭ', 'Математика', 9, -1, 15, 0.1, 0.4, 0.3, 0.2)",
    "unknown exam": EXAM + "('S1', 2024, 'ГИА', 'Математика', 9, 20, 15, 0.1, 0.4, 0.3, 0.2)",
    "exam in wrong grade": EXAM
    + "('S1', 2024, 'ЕГЭ', 'Математика', 9, 20, 15, null, null, null, null)",
    "unknown school": EXAM + "('S9', 2024, 'ОГЭ', 'Математика', 9, 20, 15, 0.1, 0.4, 0.3, 0.2)",
    "duplicate result": EXAM + "('S1', 2024, 'ОГЭ', 'Русский язык', 9, 20, 15, 0.1, 0.4, 0.3, 0.2)",
    "ЕГЭ above 100": "insert into exam_results (school_id, year, exam, subject, grade, participants,"
    " mean_score) values ('S1', 2024, 'ЕГЭ', 'Русский язык', 11, 10, 120)",
    "unknown risk level": "insert into risk_profiles values ('S1', 2023, 1, 'очень высокий')",
    "risk factor not in that year's list": "insert into risk_profiles values ('S1', 2022, 1, 'высокий')",
    "unknown stage": "insert into monitoring_stages values ('S1', 2023, 'заключительный',"
    " 'rus_mean_mark', 3.5, null)",
    "unknown monitoring indicator": "insert into monitoring_stages values ('S1', 2023, 'входной',"
    " 'nothing', 3.5, null)",
    "unknown programme": "insert into programme_membership values ('S1', 2023, 'ШНОП', null, null)",
    "school partnered with itself": "insert into programme_membership values ('S1', 2023, 'ШНОР',"
    " null, 'S1')",
    "unknown settlement type": "insert into schools values ('S2', 'СОШ № 2', null, 'M1', 'хутор',"
    " 'СОШ', 'обычная', 500, false, 2, null, null, null, null, null)",
    "negative pupils": "insert into schools values ('S2', 'СОШ № 2', null, 'M1', 'город', 'СОШ',"
    " 'обычная', -5, false, 2, null, null, null, null, null)",
    "school in unknown municipality": "insert into schools values ('S2', 'СОШ № 2', null, 'M9',"
    " 'город', 'СОШ', 'обычная', 500, false, 2, null, null, null, null, null)",
    "passport share above 1": "insert into social_passport (school_id, year, pupils,"
    " share_low_income) values ('S1', 2024, 500, 1.5)",
    "roadmap ends before it starts": "insert into roadmap_events values ('E1', 'регион', null, null,"
    " 2024, 'Семинар', date '2024-03-01', date '2024-02-01', null, null, 'выполнено', null)",
    "municipal event without municipality": "insert into roadmap_events values ('E1',"
    " 'муниципалитет', null, null, 2024, 'Семинар', date '2024-02-01', date '2024-03-01', null,"
    " null, 'выполнено', null)",
    "unknown roadmap status": "insert into roadmap_events values ('E1', 'регион', null, null, 2024,"
    " 'Семинар', date '2024-02-01', date '2024-03-01', null, null, 'почти', null)",
    "unknown truth kind": "insert into demo_truth values ('S1', 'lucky', null)",
}


@pytest.fixture
def con():
    con = db.memory()
    for statement in PARENTS:
        con.execute(statement)
    con.execute(EXAM + "('S1', 2024, 'ОГЭ', 'Русский язык', 9, 20, 15, 0.1, 0.4, 0.3, 0.2)")
    yield con
    con.close()


def test_valid_rows_are_accepted(con):
    con.execute(EXAM + "('S1', 2024, 'ОГЭ', 'Математика', 9, 20, 15, 0.1, 0.4, 0.3, 0.2)")
    con.execute("insert into risk_profiles values ('S1', 2023, 1, 'высокий')")
    con.execute(
        "insert into monitoring_stages values ('S1', 2023, 'входной', 'rus_mean_mark', 3.5, null)"
    )
    assert con.execute("select count(*) from exam_results").fetchone()[0] == 2


@pytest.mark.parametrize("statement", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_schema_rejects_rows_breaking_a_rule(con, statement):
    with pytest.raises(duckdb.ConstraintException, match="Constraint Error"):
        con.execute(statement)


def test_spec_matches_schema_columns(fresh_db):
    for name, table in TABLES.items():
        assert db.table_columns(fresh_db, name) == table.names, name


def test_sql_files_do_not_paste_user_values():
    for path in db.SQL_DIR.rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert "{" not in text, f"{path.name}: use $parameters, not Python formatting"
