"""The mark boundaries load from the template's sheet, all or nothing, and from the editor."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from radar.ingest.boundaries import save_boundaries
from radar.ingest.importer import apply_import, plan_import, read_file
from radar.ingest.loader import ValidationError
from tests.conftest import tiny_frames
from tests.ingest.test_import import filled_template, table_rows


def boundaries(**changes) -> pd.DataFrame:
    row = {
        "year": 2025,
        "exam": "ВПР",
        "subject": "Математика",
        "grade": 4,
        "max_score": 20,
        "min_3": 6,
        "min_4": 10,
        "min_5": 14,
    }
    return pd.DataFrame([row | changes])


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    path = tmp_path_factory.mktemp("region") / "region.duckdb"
    apply_import(
        plan_import([read_file("регион.xlsx", filled_template(tiny_frames()))], path), path
    )
    return path


@pytest.fixture
def path(region, tmp_path):
    copy = tmp_path / "region.duckdb"
    shutil.copyfile(region, copy)
    return copy


def test_a_good_boundaries_sheet_is_loaded(path):
    plan = plan_import(
        [read_file("границы.xlsx", filled_template({"mark_boundaries": boundaries()}))], path
    )
    assert not plan.errors
    apply_import(plan, path)
    stored = table_rows(path, "mark_boundaries")
    assert stored[["min_3", "min_4", "min_5"]].iloc[0].tolist() == [6, 10, 14]


def test_a_bad_boundaries_sheet_is_refused_naming_file_sheet_row_and_column(path):
    bad = pd.concat([boundaries(), boundaries(subject="Русский язык", min_4=5)], ignore_index=True)
    plan = plan_import([read_file("границы.xlsx", filled_template({"mark_boundaries": bad}))], path)
    assert plan.errors
    text = [str(p) for p in plan.problems if p.severity == "ошибка"]
    assert any(
        "границы.xlsx" in t
        and "лист «Границы отметок»" in t
        and "строка 3" in t
        and "столбец «Балл на «3» от»" in t
        and "должны расти" in t
        for t in text
    ), text
    with pytest.raises(Exception):  # noqa: B017 - whatever apply refuses with, nothing is written
        apply_import(plan, path)
    assert table_rows(path, "mark_boundaries").empty


def test_the_editor_checks_and_writes_the_boundaries(path):
    with pytest.raises(ValidationError) as refused:
        save_boundaries(boundaries(min_5=25), path, user="тест")
    assert "максимальный балл" in str(refused.value)
    assert table_rows(path, "mark_boundaries").empty
    assert save_boundaries(boundaries(), path, user="тест") == 1
    assert len(table_rows(path, "mark_boundaries")) == 1


def test_a_row_deleted_in_the_editor_is_deleted_and_the_rest_kept(path):
    """The editor shows every stored row: one it no longer holds is deleted, in one write."""
    two = pd.concat([boundaries(), boundaries(subject="Русский язык", max_score=38)])
    assert save_boundaries(two, path, user="тест") == 2
    kept = boundaries(subject="Русский язык", max_score=38, min_5=30)
    assert save_boundaries(kept, path, user="тест") == 1
    stored = table_rows(path, "mark_boundaries")
    assert stored["subject"].tolist() == ["Русский язык"]
    assert stored["min_5"].tolist() == [30]
    with pytest.raises(ValidationError):  # a refused edit deletes nothing either
        save_boundaries(boundaries(min_5=99), path, user="тест")
    assert table_rows(path, "mark_boundaries")["subject"].tolist() == ["Русский язык"]
