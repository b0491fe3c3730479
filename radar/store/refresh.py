"""Rebuild the derived tables from the loaded data, so SQL users see what the pages show.

The tables are declared in sql/schema/derived.sql; the SQL steps of sql/derived/ and the
frames of analytics/pipeline.py fill them, column by name.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
from threadpoolctl import threadpool_limits

from analytics.pipeline import (
    INPUTS,
    MONITORING_INPUTS,
    RISK_INPUTS,
    SOCIAL_INPUTS,
    TREND_INPUTS,
    compute_adjusted,
    compute_cohorts,
    compute_monitoring,
    compute_risk,
    compute_school_adjusted,
    compute_social,
    compute_trends,
    identify_years,
)
from analytics.settings import Settings, SmallNumbers
from radar.store import db
from radar.store.presets import active_settings

CATALOGUE = db.ROOT / "data" / "support_measures.csv"
# The SQL steps, in order: sql/derived/NN_TABLE.sql fills derived table TABLE.
DERIVED_SQL = sorted(p.stem for p in (db.SQL_DIR / "derived").glob("*.sql"))


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
        statement = db.sql(f"analysis/{name}")
        frames[name] = db.frame(con, statement, params if "$min_participants" in statement else {})
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
    if isinstance(rows, pd.DataFrame):
        db.register_frame(con, "computed_frame", rows)
    else:
        con.register("computed_frame", rows)
    try:
        con.execute(db.statement("writes/store_frame", table, declared, frame="computed_frame"))
    finally:
        con.unregister("computed_frame")


def _side_tables(inputs: dict[str, dict[str, pd.DataFrame]], settings: Settings) -> dict:
    """The risk profiles and clusters, the monitoring and the objectivity signs."""
    out = compute_risk(inputs["risk"], support_catalogue(), settings.clusters)
    return out | compute_monitoring(inputs["monitoring"], settings)


def _adjusted_tables(adjusted: pd.DataFrame, settings: Settings) -> dict:
    """The schools' overall adjusted results and the cohort value added."""
    return {"school_adjusted": compute_school_adjusted(adjusted, settings)} | compute_cohorts(
        adjusted, settings
    )


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
        recreate_derived(con)
        for i, name in enumerate(DERIVED_SQL):
            table = step_table(name)
            step(f"Расчёт показателей: {table}", 0.1 * i / len(DERIVED_SQL))
            store_frame(con, table, con.sql(db.sql(f"derived/{name}")))
        step("Расчёт ИСБШ", 0.1)
        # The other inputs read ИСБШ (sql/analysis/context.sql): store it first.
        social = compute_social(read_inputs(con, SOCIAL_INPUTS), settings)
        store_frame(con, "social_index", social["social_index"])

        def sub_step(message: str, fraction: float) -> None:
            step(message, 0.15 + 0.8 * fraction)

        inputs = read_inputs(con)
        side_inputs = {
            "risk": read_inputs(con, RISK_INPUTS),
            "monitoring": read_inputs(con, MONITORING_INPUTS, settings.small_numbers.hide_below),
        }
        # The parts that do not wait for each other run on the two cores at once (frames in,
        # frames out; the connection and the progress stay with this thread): risk clusters
        # and monitoring read nothing of the adjusted results; once those are computed, the
        # schools' overall adjusted results and the cohorts go beside the identification.
        with ThreadPoolExecutor(max_workers=1) as pool:
            side = pool.submit(_side_tables, side_inputs, settings)
            del side_inputs
            sub_step("Результаты с учётом контекста", 0.0)
            derived = {"context_adjusted": compute_adjusted(inputs, settings)}
            adjusted = derived["context_adjusted"]
            beside = pool.submit(_adjusted_tables, adjusted, settings)
            derived |= identify_years(
                inputs, adjusted, settings, lambda m, f: sub_step(m, 0.4 + 0.55 * f)
            )
            del inputs, adjusted
            step("Рисковые профили, кластеры, мониторинг этапов и объективность ВПР", 0.95)
            derived |= side.result()
            step("Прирост когорт и результаты школ с учётом контекста", 0.96)
            derived |= beside.result()
        # Trends read derived tables (adjusted results, risk counts): store those first.
        for table in ("school_adjusted", "risk_profiles_derived"):
            store_frame(con, table, derived[table])
        step("Тренды и ранние предупреждения", 0.97)
        trend_inputs = read_inputs(con, TREND_INPUTS, settings.small_numbers.hide_below)
        # The trends are computed on the other core while this one stores the other tables.
        with ThreadPoolExecutor(max_workers=1) as pool:
            trends = pool.submit(compute_trends, trend_inputs, derived["identification"], settings)
            del trend_inputs
            step("Запись производных таблиц", 0.98)
            for table, frame in derived.items():
                if table not in ("school_adjusted", "risk_profiles_derived"):
                    store_frame(con, table, frame)
            derived = trends.result()
        for table, frame in derived.items():
            store_frame(con, table, frame)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    step("Показатели пересчитаны", 1.0)
