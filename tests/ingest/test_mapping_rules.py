"""Known answers for each mapping rule, on tiny files; and a two-file foreign layout whose
municipalities come from a column, with a row filter and counts → shares, loaded end to end."""

from __future__ import annotations

import pandas as pd
import pytest

from radar.ingest import mapping
from radar.ingest.importer import ReadFile, apply_import, plan_import
from radar.store import db


def csv(rows: list[list[object]]) -> bytes:
    return "\n".join(";".join(str(v) for v in row) for row in rows).encode("utf-8")


def build(tables: dict, sources: dict, contents: dict) -> dict[str, pd.DataFrame]:
    spec = {"name": "тест", "missing": [""], "sources": sources, "tables": tables}
    return mapping.build(mapping.Mapping("тест", spec), contents)


RESULTS = csv(
    [
        ["Школа", "Район", "Группа", "Сдавали", "Двоек", "Балл", "Часть 1", "Часть 2"],
        ["A1", "Северный", "Все", 40, 4, "3,9", 10, 5],
        ["A1", "Северный", "Девочки", 20, 1, "4,1", 6, 2],
        ["B2", "Южный", "Все", 0, 0, "", 1, ""],
        ["C3", "Северный", "Все", 25, 5, "3,5", "", ""],
    ]
)
SOURCE = {"r": {"file": "r.csv"}}


def test_a_row_filter_keeps_only_the_chosen_rows():
    frames = build(
        {"schools": {"from": "r", "columns": {"school_id": "Школа"}}},
        {"r": {"file": "r.csv", "keep": {"Группа": ["Все"]}}},
        {"r.csv": RESULTS},
    )
    assert list(frames["schools"]["school_id"]) == ["A1", "B2", "C3"]
    assert frames["schools"].attrs["source"].rows == (2, 4, 5)


def test_counts_become_shares_and_nobody_is_no_share():
    frames = build(
        {"exam_results": {"from": "r", "columns": {"share_2": {"ratio": ["Двоек", "Сдавали"]}}}},
        SOURCE,
        {"r.csv": RESULTS},
    )
    shares = list(frames["exam_results"]["share_2"])
    assert shares[0] == pytest.approx(0.1) and shares[1] == pytest.approx(0.05)
    assert shares[2] is None and shares[3] == pytest.approx(0.2)


def test_sums_of_columns_and_empty_when_all_are_empty():
    frames = build(
        {"exam_results": {"from": "r", "columns": {"mean_score": {"sum": ["Часть 1", "Часть 2"]}}}},
        SOURCE,
        {"r.csv": RESULTS},
    )
    assert list(frames["exam_results"]["mean_score"].astype(object)[:3]) == [15, 8, 1]
    assert pd.isna(frames["exam_results"]["mean_score"].iloc[3])


def test_municipalities_made_from_a_column_of_another_file():
    frames = build(
        {
            "municipalities": {
                "from": "r",
                "distinct": True,
                "columns": {
                    "municipality_id": "Район",
                    "name": "Район",
                    "kind": {"const": "сельский район"},
                },
            }
        },
        SOURCE,
        {"r.csv": RESULTS},
    )
    municipalities = frames["municipalities"]
    assert list(municipalities["name"]) == ["Северный", "Южный"]
    assert municipalities.attrs["source"].rows == (2, 4)


def test_aliases_let_one_format_read_years_whose_headers_differ():
    old = csv([["Школа", "Кол-во участников"], ["A1", 40]])
    new = csv([["Школа", "Участников всего"], ["A1", 42]])
    source = {
        "r": {
            "file": "r.csv",
            "aliases": {"Участников": ["Кол-во участников", "участников всего"]},
        }
    }
    tables = {
        "exam_results": {
            "from": "r",
            "columns": {"school_id": "Школа", "participants": "Участников"},
        }
    }
    assert build(tables, source, {"r.csv": old})["exam_results"]["participants"][0] == "40"
    assert build(tables, source, {"r.csv": new})["exam_results"]["participants"][0] == "42"


def test_a_row_number_is_never_proposed_as_the_school_code():
    sample = pd.DataFrame({"ID": ["1", "2", "3", "4"], "Код ОО": ["501", "517", "530", "544"]})
    assert mapping.propose("schools", ["ID", "Код ОО"], sample)["school_id"] == "Код ОО"
    numbered = pd.DataFrame({"Код": ["1", "2", "3"], "Наименование": ["a", "b", "c"]})
    assert "school_id" not in mapping.propose("schools", ["Код", "Наименование"], numbered)


def test_a_two_file_foreign_layout_loads_end_to_end(tmp_path):
    """Schools with their district in a column, results with a group column and counts."""
    schools = csv(
        [
            ["Код ОО", "Наименование", "Район", "Обучающихся"],
            ["A1", "Школа № 1", "Северный", 400],
            ["B2", "Школа № 2", "Южный", 90],
            ["C3", "Школа № 3", "Северный", 300],
        ]
    )
    tables = {
        "municipalities": {
            "from": "s",
            "distinct": True,
            "columns": {
                "municipality_id": "Район",
                "name": "Район",
                "kind": {"const": "сельский район"},
            },
        },
        "schools": {
            "from": "s",
            "columns": {
                "school_id": "Код ОО",
                "name": "Наименование",
                "municipality_id": "Район",
                "settlement_type": {"const": "село"},
                "school_level": {"const": "СОШ"},
                "programme_type": {"const": "обычная"},
                "pupils": "Обучающихся",
                "is_small": {"const": "нет"},
            },
        },
        "exam_results": {
            "from": "r",
            "require": ["Балл"],
            "columns": {
                "school_id": "Школа",
                "year": {"const": "2015-2016"},
                "exam": {"const": "ОГЭ"},
                "subject": {"const": "Математика"},
                "grade": {"const": "9"},
                "participants": "Сдавали",
                "mean_score": "Балл",
                "share_2": {"ratio": ["Двоек", "Сдавали"]},
            },
        },
    }
    spec = {
        "name": "два файла",
        "missing": [""],
        "sources": {
            "s": {"file": "s.csv"},
            "r": {"file": "r.csv", "keep": {"Группа": ["Все"]}},
        },
        "tables": tables,
    }
    frames = mapping.build(mapping.Mapping("два файла", spec), {"s.csv": schools, "r.csv": RESULTS})
    path = tmp_path / "region.duckdb"
    plan = plan_import([ReadFile("s.csv, r.csv", "d", frames)], path, replace=True)
    assert not plan.errors, [str(p) for p in plan.errors]
    assert any("весенний (2016)" in p.message for p in plan.problems)
    apply_import(plan, path)
    con = db.connect(path)
    try:
        municipalities = db.read_table(con, "municipalities")
        results = db.read_table(con, "exam_results").set_index("school_id")
    finally:
        con.close()
    assert sorted(municipalities["name"]) == ["Северный", "Южный"]
    assert list(results.index) == ["A1", "C3"]
    assert results.loc["C3", "share_2"] == pytest.approx(0.2)
    assert (results["year"] == 2016).all()


def test_a_saved_format_cannot_reach_a_file_outside_its_folder(tmp_path):
    from radar.ingest.files import FileProblem

    (tmp_path / "secret.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    folder = tmp_path / "files"
    folder.mkdir()
    spec = {"name": "x", "sources": {"r": {"file": "../secret.csv"}}, "tables": {}}
    with pytest.raises(FileProblem, match="вне папки"):
        mapping.folder_contents(mapping.Mapping("x", spec), folder)
