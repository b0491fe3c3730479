"""A refresh of the years a change touched (issue 16 item 5) gives every derived table the
rows a full refresh gives, numbers to 1e-9; a change that reaches every year refreshes in full,
and the progress says which years."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from radar.ingest.loader import validate
from radar.store import db
from radar.store.presets import active_settings
from radar.store.refresh import refresh_derived, refresh_scope
from radar.store.write import write_tables
from tests.oracles.compare import frame_differences


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """A generated region of 250 schools, refreshed in full."""
    from data.generator import generate_region
    from radar.ingest.loader import load_region

    path = tmp_path_factory.mktemp("incremental") / "region.duckdb"
    load_region(generate_region(n_schools=250, seed=11), path, after_load=refresh_derived)
    return path


def stored(path, table: str) -> pd.DataFrame:
    con = db.connect(path)
    try:
        return con.execute(db.statement("store/select_table", table)).df()
    finally:
        con.close()


def changed_rows(path, table: str, change) -> pd.DataFrame:
    """A stored row or two of `table`, changed by `change` (frame → frame), typed as an import
    types them."""
    rows = change(stored(path, table))
    typed, problems = validate({table: rows.astype(object)}, db.connect(path))
    assert problems.errors == 0, [str(p) for p in problems]
    return typed[table]


def first_school(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    return rows[rows["year"] == year].head(3).copy()


CHANGES = {
    "a result in the middle": (
        "exam_results",
        lambda r: first_school(r, 2022).assign(mean_score=lambda f: f["mean_score"] + 3.0),
    ),
    "a result of the latest year": (
        "exam_results",
        lambda r: first_school(r, 2025).assign(share_2=0.5, share_3=0.3, share_4=0.1, share_5=0.1),
    ),
    "a social passport": (
        "social_passport",
        lambda r: first_school(r, 2023).assign(share_low_income=0.9),
    ),
    "olympiads": (
        "olympiads_continuation",
        lambda r: first_school(r, 2021).assign(share_olympiad=0.0),
    ),
    "staff": ("staff", lambda r: first_school(r, 2024).assign(vacancies=9)),
    "term marks": (
        "term_marks",
        lambda r: first_school(r, 2024).assign(share_exam_above_term=0.9),
    ),
    "monitoring": ("monitoring_stages", lambda r: r.head(2).assign(value=lambda f: f["value"] + 1)),
    "programme membership": ("programme_membership", lambda r: r.head(1).assign(year=2020)),
}


def refreshed_both(region, tmp_path, table, rows):
    """The region with `rows` written: refreshed for the years they touch, and in full."""
    some, full = tmp_path / "some.duckdb", tmp_path / "full.duckdb"
    shutil.copyfile(region, some)
    touched = {table: frozenset(int(y) for y in rows["year"].unique())}
    said = []
    write_tables(
        {table: rows},
        "update",
        some,
        after_write=lambda con: refresh_derived(
            con, lambda message, _f: said.append(message), touched=touched
        ),
    )
    shutil.copyfile(region, full)
    write_tables({table: rows}, "update", full, after_write=refresh_derived)
    return some, full, said


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_refresh_of_the_touched_years_equals_a_full_one(region, tmp_path, change):
    table, how = CHANGES[change]
    rows = changed_rows(region, table, how)
    some, full, said = refreshed_both(region, tmp_path, table, rows)
    assert said[0].startswith("Пересчёт только изменённых лет")
    problems = []
    for name in db.derived_tables():
        problems += frame_differences(stored(full, name), stored(some, name), name)
    assert problems == []


def test_a_change_of_the_register_refreshes_everything(region):
    con = db.connect(region)
    try:
        settings = active_settings(con)
        assert refresh_scope(con, {"schools": None}, settings) is None
        assert refresh_scope(con, {"exam_results": [2031]}, settings) is None  # a new year
        nothing = refresh_scope(con, {"curators": None, "roadmap_events": [2025]}, settings)
        assert nothing is not None and nothing.nothing
        latest = refresh_scope(con, {"exam_results": [2025]}, settings)
        assert latest.results == {2025} and latest.identification == {2025}
        assert latest.procedures and latest.trends == {2025}
        # 2020: the trends as of 2020–2024 hold it, the procedures' (2021–2025) do not.
        middle = refresh_scope(con, {"exam_results": [2020]}, settings)
        assert middle.identification == {2020, 2021, 2022}
        assert not middle.procedures and middle.trends == set(range(2020, 2025))
    finally:
        con.close()


def test_the_import_refreshes_the_years_its_rows_change(region, tmp_path):
    """Through the import: a file of one result row; the progress names its year."""
    from radar.ingest.importer import apply_import, plan_import, read_file
    from radar.store.spec import TABLES

    path = tmp_path / "region.duckdb"
    shutil.copyfile(region, path)
    row = first_school(stored(path, "exam_results"), 2024).head(1)
    row["mean_score"] = row["mean_score"] + 1.5
    labels = {c.name: c.label for c in TABLES["exam_results"].columns}
    content = row.rename(columns=labels).to_csv(index=False, sep=";").encode("utf-8")
    plan = plan_import([read_file("exam_results.csv", content)], path)
    assert plan.touched() == {"exam_results": frozenset({2024})}
    said = []
    apply_import(plan, path, progress=lambda message, _f: said.append(message))
    assert any(m.startswith("Пересчёт только изменённых лет (2024, 2025") for m in said), said
    assert np.isclose(
        stored(path, "exam_results")
        .set_index(["school_id", "year", "exam", "subject", "grade"])
        .loc[tuple(row.iloc[0][["school_id", "year", "exam", "subject", "grade"]])]["mean_score"],
        row["mean_score"].iloc[0],
    )
