"""Rebuild the derived tables from the loaded data, so SQL users see what the pages show."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from analytics.pipeline import (
    INPUTS,
    MONITORING_INPUTS,
    OUTPUTS,
    RISK_INPUTS,
    TREND_INPUTS,
    compute_derived,
    compute_monitoring,
    compute_risk,
    compute_trends,
)
from analytics.settings import Settings, SmallNumbers
from analytics.social_index import compute_social_index
from radar.store import db

CATALOGUE = db.ROOT / "data" / "support_measures.csv"
DERIVED_SQL = sorted(p.stem for p in (db.SQL_DIR / "derived").glob("*.sql"))


def active_settings(con: duckdb.DuckDBPyConnection) -> Settings:
    """The active preset of the database, or the defaults of analytics.settings."""
    row = con.execute(db.sql("store/active_settings")).fetchone()
    return Settings.from_json(row[0]) if row else Settings()


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
        frames[name] = con.execute(
            statement, params if "$min_participants" in statement else {}
        ).df()
    return frames


def support_catalogue() -> pd.DataFrame:
    """The editable catalogue of support measures (data/support_measures.csv)."""
    return pd.read_csv(CATALOGUE, dtype=str)


def store_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Replace derived table `table` (one of OUTPUTS) by `frame`."""
    if table not in OUTPUTS:
        raise ValueError(f"Неизвестная производная таблица: {table}")
    con.register("computed_frame", frame)
    try:
        con.execute(
            db.statement("writes/store_frame", table, frame="computed_frame", tables=OUTPUTS)
        )
    finally:
        con.unregister("computed_frame")


def refresh_derived(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str, float], None] | None = None,
    settings: Settings | None = None,
) -> None:
    """Recompute every derived table in one transaction (all of them or none)."""
    step = progress or (lambda _m, _f: None)
    settings = settings or active_settings(con)
    con.execute("begin transaction")
    try:
        for i, name in enumerate(DERIVED_SQL):
            step(f"Расчёт показателей: {name.split('_', 1)[1]}", 0.1 * i / len(DERIVED_SQL))
            con.execute(db.sql(f"derived/{name}"))
        step("Расчёт ИСБШ", 0.1)
        passport = con.execute(db.sql("analysis/social_passport")).df()
        isbsh = settings.isbsh
        index = compute_social_index(
            passport, isbsh.method, isbsh.weights or None, isbsh.max_missing
        )
        con.register("computed_social_index", index)
        con.execute(db.sql("writes/store_social_index"))
        con.unregister("computed_social_index")

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
