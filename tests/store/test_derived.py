"""The derived tables: declared in sql/schema/derived.sql, filled exactly to that schema by the
refresh, and computed by an analytics package that depends on nothing of the app."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

import analytics
from analytics import pipeline
from radar.ingest.loader import load_region
from radar.store import db
from radar.store.refresh import DERIVED_SQL, refresh_derived, step_table, store_frame
from tests.conftest import tiny_frames

CREATE = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:temp\w*\s+)?table\b")
# Imports the given modules, then fails naming any module of the app that came with them.
NO_APP = (
    "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]; "
    "loaded = [m for m in sys.modules if m == 'radar' or m.startswith(('radar.', 'streamlit'))]; "
    "assert not loaded, loaded"
)
MODULES = ["analytics", *(f"analytics.{m.name}" for m in pkgutil.iter_modules(analytics.__path__))]


def declared() -> dict[str, list[tuple[str, str]]]:
    """Columns and types of every derived table as sql/schema/derived.sql alone creates them."""
    con = duckdb.connect()
    con.execute(db.sql("schema/derived"))
    return {table: stored(con, table) for table in db.derived_tables()}


def stored(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = $t "
        "order by column_index",
        {"t": table},
    ).fetchall()


def base_tables() -> set[str]:
    con = db.memory()
    names = {r[0] for r in con.execute(db.sql("store/table_names")).fetchall()}
    con.close()
    return names


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.duckdb"
    load_region(tiny_frames(), path, after_load=refresh_derived)
    return path


def test_analytics_loads_nothing_of_the_app():
    """Every module of analytics/, the pipeline among them, imported in a fresh interpreter."""
    assert "analytics.pipeline" in MODULES and len(MODULES) > 10
    done = subprocess.run(
        [sys.executable, "-c", NO_APP, *MODULES], cwd=db.ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_schema_declares_exactly_what_the_refresh_produces():
    produced = set(pipeline.OUTPUTS) | {step_table(name) for name in DERIVED_SQL}
    assert set(db.derived_tables()) == produced
    assert len(db.derived_tables()) == len(produced)  # each declared once
    assert set(db.derived_tables()) <= db.known_tables()
    assert not set(db.derived_tables()) & base_tables()


def test_demo_tables_have_the_declared_columns_and_types_and_rows(demo_db):
    con = db.connect(demo_db, read_only=True)
    names = {r[0] for r in con.execute(db.sql("store/table_names")).fetchall()}
    assert names - base_tables() == set(db.derived_tables())
    counts = db.table_counts(con)
    for table, columns in declared().items():
        assert stored(con, table) == columns, table
        assert counts[table] > 0, table
    con.close()


def test_a_tiny_region_gets_the_declared_types_even_for_empty_tables(tiny):
    """Without «500+» or monitoring rows pandas guesses other types; the schema decides."""
    con = db.connect(tiny, read_only=True)
    assert db.table_counts(con)["risk_clusters"] == 0
    for table, columns in declared().items():
        assert stored(con, table) == columns, table
    con.close()


def test_a_frame_must_have_exactly_the_declared_columns(tiny):
    with db.write_session(tiny) as con:
        before = con.execute("select * from social_index order by school_id, year").df()
        good = before.drop(columns="isbsh")
        with pytest.raises(ValueError, match=r"social_index.*нет: isbsh"):
            store_frame(con, "social_index", good)
        with pytest.raises(ValueError, match=r"лишние: note"):
            store_frame(con, "social_index", before.assign(note="x"))
        with pytest.raises(ValueError, match="Неизвестная производная таблица"):
            store_frame(con, "schools", con.execute("select * from schools").df())
        after = con.execute("select * from social_index order by school_id, year").df()
        pd.testing.assert_frame_equal(after, before)
        # The same columns in another order are stored by name.
        store_frame(con, "social_index", before[list(reversed(before.columns))].head(2))
        assert con.execute("select count(*), count(isbsh) from social_index").fetchone() == (2, 2)


def old_style_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Derived tables as older code left them: built by `create table as`, pandas' types."""
    con.execute(
        "create or replace table social_index as "
        "select school_id, year::bigint as year, isbsh::varchar as isbsh, 'old' as note "
        "from social_index"
    )
    con.execute("create or replace table risk_clusters as select 1.5 as year")


def test_a_database_built_by_older_code_refreshes_to_the_declared_schema(tiny):
    with db.write_session(tiny) as con:
        old_style_tables(con)
    with db.write_session(tiny) as con:
        refresh_derived(con)
    con = db.connect(tiny, read_only=True)
    for table, columns in declared().items():
        assert stored(con, table) == columns, table
    assert con.execute("select count(isbsh) from social_index").fetchone()[0] == 6
    con.close()


def test_a_failed_refresh_keeps_the_old_tables(tiny, monkeypatch):
    with db.write_session(tiny) as con:
        old_style_tables(con)
        old = stored(con, "social_index")

    def crash(*_args, **_kwargs):
        raise RuntimeError("сбой расчёта")

    monkeypatch.setattr("radar.store.refresh.compute_trends", crash)
    with db.write_session(tiny) as con:
        with pytest.raises(RuntimeError, match="сбой расчёта"):
            refresh_derived(con)
        assert stored(con, "social_index") == old
        assert con.execute("select count(*) from social_index").fetchone()[0] == 6
        assert stored(con, "risk_clusters") == [("year", "DECIMAL(2,1)")]


def test_only_the_schema_creates_tables():
    """Every table, base or derived, is declared in sql/schema/; the steps only fill them."""
    creating = [
        path.relative_to(db.SQL_DIR).as_posix()
        for path in db.SQL_DIR.rglob("*.sql")
        # sql/accounts/ is the schema of the SQLite file of people, not of the region's database
        if path.parent.name not in ("schema", "accounts")
        and CREATE.search(path.read_text("utf-8").lower())
    ]
    assert creating == []
