"""Rebuild the derived tables from the loaded data, so SQL users see what the pages show.

The tables are declared in sql/schema/derived.sql; the SQL steps of sql/derived/ and the
frames of analytics/pipeline.py fill them, column by name.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
from threadpoolctl import threadpool_limits

from analytics.settings import Settings, SmallNumbers
from radar.store import db
from radar.store.presets import active_settings
from tests.oracles.v0.pipeline import (
    INPUTS,
    MONITORING_INPUTS,
    RISK_INPUTS,
    SOCIAL_INPUTS,
    TREND_INPUTS,
    compute_derived,
    compute_monitoring,
    compute_risk,
    compute_social,
    compute_trends,
)

CATALOGUE = db.ROOT / "data" / "support_measures.csv"
# The SQL steps, in order: sql/derived/NN_TABLE.sql fills derived table TABLE.
DERIVED_SQL = sorted(p.stem for p in (db.SQL_DIR / "derived").glob("*.sql"))


def frozen_sql(name: str) -> str:
    """The statement sql/NAME.sql as it was (tests/oracles/v0/sql/NAME.sql where it changed
    since)."""
    from pathlib import Path

    old = Path(__file__).parent / "sql" / f"{name}.sql"
    return old.read_text(encoding="utf-8") if old.exists() else db.sql(name)


# Set by tests.oracles.compare: keep the SQL steps' tables the database holds.
KEEP_SQL_STEPS = False


def step_table(name: str) -> str:
    """The derived table an SQL step fills: «01_procedure_results» → «procedure_results»."""
    return name.split("_", 1)[1]


def read_inputs(
    con: duckdb.DuckDBPyConnection,
    names: tuple[str, ...] = INPUTS,
    min_participants: int = SmallNumbers.hide_below,
) -> dict[str, pd.DataFrame]:
    """The frames analytics.pipeline needs, read through sql/analysis/*.sql."""
    params = {"min_participants": min_participants}
    frames = {}
    for name in names:
        statement = frozen_sql(f"analysis/{name}")
        frames[name] = con.execute(
            statement, params if "$min_participants" in statement else {}
        ).df()
    return frames


def support_catalogue() -> pd.DataFrame:
    """The editable catalogue of support measures (data/support_measures.csv)."""
    return pd.read_csv(CATALOGUE, dtype=str)


def recreate_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every derived table and create it empty as sql/schema/derived.sql declares it.

    They are recomputed in full anyway, and a database built by older code may hold them with
    other columns or types (made by `create table as`), which `create table if not exists`
    would keep.
    """
    tables = db.derived_tables()
    for table in tables:
        con.execute(db.statement("writes/drop_derived", table, tables=tables))
    con.execute(db.sql("schema/derived"))


def store_frame(
    con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame | duckdb.DuckDBPyRelation
) -> None:
    """Replace the rows of derived table `table` by `rows` (a frame, or the query of an SQL step).

    `rows` must have exactly the columns declared for the table, in any order: a missing or an
    extra column is an error, not a silent change of the table.
    """
    if table not in db.derived_tables():
        raise ValueError(f"Неизвестная производная таблица: {table}")
    declared = db.table_columns(con, table)
    if isinstance(rows, pd.DataFrame) and not len(rows):
        # A step with nothing to compute (no year with results, say) leaves its table empty.
        rows = pd.DataFrame({c: pd.Series(dtype=object) for c in declared})
    given = [str(c) for c in rows.columns]
    missing = [c for c in declared if c not in given]
    extra = [c for c in given if c not in declared]
    repeated = sorted({c for c in given if given.count(c) > 1})
    if missing or extra or repeated:
        problems = [
            f"{label}: {', '.join(names)}"
            for label, names in (("нет", missing), ("лишние", extra), ("повторяются", repeated))
            if names
        ]
        raise ValueError(
            f"Столбцы для производной таблицы {table} не совпадают с объявленными в "
            f"sql/schema/derived.sql ({'; '.join(problems)})"
        )
    con.register("computed_frame", rows)
    try:
        con.execute(db.statement("writes/store_frame", table, declared, frame="computed_frame"))
    finally:
        con.unregister("computed_frame")


def refresh_derived(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str, float], None] | None = None,
    settings: Settings | None = None,
) -> None:
    """Recompute every derived table in one transaction (all of them or none).

    The numeric libraries run on one thread: their thread pools spin waiting for each other
    when the two cores are shared with the server's sessions, many times slower than one."""
    with threadpool_limits(limits=1):
        _refresh(con, progress, settings)


def _refresh(con, progress, settings) -> None:
    step = progress or (lambda _m, _f: None)
    settings = settings or active_settings(con)
    con.execute("begin transaction")
    try:
        if KEEP_SQL_STEPS:
            # Oracle use: the SQL steps' tables as stored (DuckDB's parallel sums differ in
            # the last bits from run to run), the analytics compared on the same inputs.
            for table in db.derived_tables():
                if table not in {step_table(n) for n in DERIVED_SQL}:
                    con.execute(db.statement("writes/drop_derived", table))
            con.execute(db.sql("schema/derived"))
        else:
            recreate_derived(con)
        for i, name in enumerate([] if KEEP_SQL_STEPS else DERIVED_SQL):
            table = step_table(name)
            step(f"Расчёт показателей: {table}", 0.1 * i / len(DERIVED_SQL))
            store_frame(con, table, con.sql(frozen_sql(f"derived/{name}")))
        step("Расчёт ИСБШ", 0.1)
        # The other inputs read ИСБШ (sql/analysis/context.sql): store it first.
        social = compute_social(read_inputs(con, SOCIAL_INPUTS), settings)
        store_frame(con, "social_index", social["social_index"])

        def sub_step(message: str, fraction: float) -> None:
            step(message, 0.15 + 0.8 * fraction)

        derived = compute_derived(read_inputs(con), settings, sub_step)
        step("Рисковые профили и кластеры", 0.95)
        derived |= compute_risk(
            read_inputs(con, RISK_INPUTS), support_catalogue(), settings.clusters
        )
        step("Мониторинг этапов и объективность ВПР", 0.97)
        derived |= compute_monitoring(
            read_inputs(con, MONITORING_INPUTS, settings.small_numbers.hide_below), settings
        )
        # Trends read derived tables (adjusted results, risk counts): store those first.
        for table in ("school_adjusted", "risk_profiles_derived"):
            store_frame(con, table, derived[table])
        step("Тренды и ранние предупреждения", 0.98)
        derived |= compute_trends(
            read_inputs(con, TREND_INPUTS, settings.small_numbers.hide_below),
            derived["identification"],
            settings,
        )
        for table, frame in derived.items():
            store_frame(con, table, frame)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    step("Показатели пересчитаны", 1.0)
