"""Every file in sql/ is used, and every SQL name the code gives exists."""

from __future__ import annotations

import ast
import re

import pytest

from analytics import pipeline
from radar.store import db

ROOT = db.ROOT
ROLES = (
    "schema",
    "derived",
    "analysis",
    "pages",
    "handouts",
    "store",
    "writes",
    "access",
    "accounts",
)
SQL_NAME = re.compile(rf"^({'|'.join(ROLES)})/[a-z0-9_/]+$")


def sql_files() -> set[str]:
    return {p.relative_to(db.SQL_DIR).with_suffix("").as_posix() for p in db.SQL_DIR.rglob("*.sql")}


def named_in_code() -> set[str]:
    """String literals of the code that look like an SQL name («pages/overview/overview_kpis»)."""
    names = set()
    for folder in ("radar", "pages", "analytics", "benchmarks", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if SQL_NAME.match(node.value):
                        names.add(node.value)
    return names


def named_by_pattern() -> set[str]:
    """Names built at run time: the pipeline's inputs, the ordered derived steps, the schema."""
    inputs = {
        f"analysis/{name}"
        for name in (
            *pipeline.SOCIAL_INPUTS,
            *pipeline.INPUTS,
            *pipeline.RISK_INPUTS,
            *pipeline.TREND_INPUTS,
            *pipeline.MONITORING_INPUTS,
        )
    }
    derived = {name for name in sql_files() if name.startswith("derived/")}
    return inputs | derived


def test_every_sql_file_sits_in_a_folder_of_its_role():
    assert {name.split("/")[0] for name in sql_files()} <= set(ROLES)


def test_every_sql_file_is_used():
    unused = sql_files() - named_in_code() - named_by_pattern()
    assert not unused, f"SQL files nothing reads: {sorted(unused)}"


def test_every_sql_name_in_the_code_exists():
    missing = (named_in_code() | named_by_pattern()) - sql_files()
    assert not missing, f"SQL names without a file: {sorted(missing)}"


def test_identifiers_are_spliced_quoted_and_only_known_tables():
    text = db.statement("writes/upsert_update", "schools", ["school_id", "name"], ["school_id"])
    assert 'update "schools" as t set "name" = i."name"' in text
    assert 't."school_id" = i."school_id"' in text
    for table in ("no_such_table", "schools; drop table schools", '"schools"'):
        with pytest.raises(ValueError, match="SQL"):
            db.statement("store/select_table", table)
    with pytest.raises(ValueError, match="SQL"):
        db.statement("writes/insert_rows", "schools", ["name) values (1); --"])
    with pytest.raises(ValueError, match="SQL"):
        db.statement("writes/store_frame", "schools", frame="schools", tables=["schools"])


def test_no_code_splices_sql_by_hand():
    """db.statement is the one place placeholders are filled."""
    offenders = []
    for folder in ("radar", "pages", "analytics", "benchmarks", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "radar" / "store" / "db.py":
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"\.replace\(\s*\"__[A-Z]+__\"", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
