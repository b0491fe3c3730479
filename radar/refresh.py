"""Rebuild the derived tables from the loaded data, so SQL users see what the pages show."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from analytics.social_index import compute_social_index
from radar import db

DERIVED_SQL = sorted(p.stem for p in (db.SQL_DIR / "derived").glob("*.sql"))


def refresh_derived(
    con: duckdb.DuckDBPyConnection, progress: Callable[[str, float], None] | None = None
) -> None:
    """Recompute every derived table in one transaction (all of them or none)."""
    step = progress or (lambda _m, _f: None)
    con.execute("begin transaction")
    try:
        for i, name in enumerate(DERIVED_SQL):
            step(f"Расчёт показателей: {name.split('_', 1)[1]}", i / (len(DERIVED_SQL) + 1))
            con.execute(db.sql(f"derived/{name}"))
        step("Расчёт ИСБШ", len(DERIVED_SQL) / (len(DERIVED_SQL) + 1))
        passport = con.execute(db.sql("social_passport_all")).df()
        index = compute_social_index(passport)
        con.register("computed_social_index", index)
        con.execute(db.sql("store_social_index"))
        con.unregister("computed_social_index")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    step("Показатели пересчитаны", 1.0)
