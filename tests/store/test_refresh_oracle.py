"""The refresh made fast (issue 16) gives the tables the refresh before it gave, row for row,
numbers to 1e-9: the code of commit 7067caa is kept as an oracle in tests/oracles/v0.

The analytics are compared on the same tables of the SQL steps (DuckDB's parallel sums differ
in their last bits from one run to the next, the old code's too), and the SQL steps apart."""

from __future__ import annotations

import shutil

import pytest

from radar.store import db
from tests.oracles.compare import refresh_both, sql_step_differences, table_differences
from tests.oracles.v0 import refresh as v0


def differences(old_path, new_path) -> list[str]:
    old, new = db.connect(old_path), db.connect(new_path)
    try:
        return table_differences(old, new, db.derived_tables()) + sql_step_differences(new)
    finally:
        old.close()
        new.close()


@pytest.fixture(scope="module")
def small_region(tmp_path_factory):
    """A generated region of 300 schools, loaded without derived tables."""
    from data.generator import generate_region
    from radar.ingest.loader import load_region

    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    load_region(generate_region(n_schools=300, seed=7), path)
    return path


def test_refresh_equals_the_oracle_on_a_small_region(small_region, tmp_path):
    old, new = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    refresh_both(small_region, old, new)
    assert differences(old, new) == []


def test_refresh_equals_the_oracle_on_the_demo(demo_db, tmp_path):
    """The demo database was refreshed by the product; refreshed again by the oracle (on the
    same SQL steps' tables), every derived table is the same."""
    old = tmp_path / "old.duckdb"
    shutil.copyfile(demo_db, old)
    v0.KEEP_SQL_STEPS = True
    try:
        with db.write_session(old) as con:
            v0.refresh_derived(con)
    finally:
        v0.KEEP_SQL_STEPS = False
    assert differences(old, demo_db) == []
