"""Rebuild the derived tables from the loaded data, so SQL users see what the pages show.

The tables are declared in sql/schema/derived.sql; the SQL steps of sql/derived/ and the
frames of analytics/pipeline.py fill them, column by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
from threadpoolctl import threadpool_limits

from analytics import dynamics as dy
from analytics.pipeline import (
    INPUTS,
    MONITORING_INPUTS,
    RISK_INPUTS,
    SOCIAL_INPUTS,
    TREND_INPUTS,
    compute_adjusted,
    compute_cohorts,
    compute_monitoring,
    compute_objectivity,
    compute_risk,
    compute_school_adjusted,
    compute_social,
    compute_stages,
    compute_trends,
    identify_years,
    risk_profiles,
)
from analytics.settings import Settings, SmallNumbers, Trends
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
    years: Iterable[int] | None = None,
    window: int = Trends.window,
) -> dict[str, pd.DataFrame]:
    """The frames analytics.pipeline needs, read through sql/analysis/*.sql (the inputs that
    can be read for some years only, of `years` when given; the procedures' trends read the
    rows of the latest `window` years)."""
    given = {
        "min_participants": min_participants,
        "years": None if years is None else sorted(int(y) for y in years),
        "window": int(window),
    }
    frames = {}
    for name in names:
        statement = db.sql(f"analysis/{name}")
        params = {k: v for k, v in given.items() if f"${k}" in statement}
        frames[name] = db.frame(con, statement, params)
    return frames


def support_catalogue(con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """The region's catalogue of support measures as the methodologist edited it (the table
    support_measures of the database on `con`), or the one shipped with the product
    (data/support_measures.csv) while she has not."""
    if con is not None:
        stored = con.execute(db.sql("store/support_measures")).df()
        if len(stored):
            return stored.astype(object).where(stored.notna(), None)
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
    declared, rows = _checked(con, table, rows)
    _write_computed(con, "writes/store_frame", table, declared, rows)


def _write_computed(con, statement: str, table: str, declared: list[str], rows) -> None:
    """Run sql/STATEMENT.sql on table `table` with `rows` (a frame or a relation) registered
    as the computed frame."""
    if isinstance(rows, pd.DataFrame):
        db.register_frame(con, "computed_frame", rows)
    else:
        con.register("computed_frame", rows)
    try:
        con.execute(db.statement(statement, table, declared, frame="computed_frame"))
    finally:
        con.unregister("computed_frame")


def _side_tables(inputs: dict, settings: Settings) -> dict:
    """The risk profiles and clusters, the monitoring and the objectivity signs."""
    out = compute_risk(inputs["risk"], inputs["catalogue"], settings.clusters)
    return out | compute_monitoring(inputs["monitoring"], settings)


def _adjusted_tables(adjusted: pd.DataFrame, settings: Settings) -> dict:
    """The schools' overall adjusted results and the cohort value added."""
    return {"school_adjusted": compute_school_adjusted(adjusted, settings)} | compute_cohorts(
        adjusted, settings
    )


def _checked(con: duckdb.DuckDBPyConnection, table: str, rows) -> tuple[list[str], object]:
    """The declared columns of a derived table and the rows to store into it (an empty frame
    made with those columns), or ValueError when the columns differ."""
    if table not in db.derived_tables():
        raise ValueError(f"Неизвестная производная таблица: {table}")
    declared = db.table_columns(con, table)
    if isinstance(rows, pd.DataFrame) and not len(rows):
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
    return declared, rows


def store_years(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: pd.DataFrame | duckdb.DuckDBPyRelation,
    years: Iterable[int],
    by: str = "writes/delete_years",
) -> None:
    """Replace the rows of some years of derived table `table` by `rows` (those years' rows
    only): the stored rows of `years` (by year, sql/writes/delete_years.sql; or as_of, or a
    cohort's two years: `by`) go, `rows` are added."""
    declared, rows = _checked(con, table, rows)
    con.execute(db.statement(by, table), {"years": sorted(int(y) for y in years)})
    _write_computed(con, "writes/append_frame", table, declared, rows)


def refresh_derived(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str, float], None] | None = None,
    settings: Settings | None = None,
    touched: Mapping[str, Iterable[int] | None] | None = None,
) -> None:
    """Recompute the derived tables in one transaction (all of them or none).

    `touched` names the base tables a write changed and, for each, the years of the changed
    rows (None: rows without a year, or all). Then only what those years feed is recomputed
    (refresh_scope: the years of each derived table; the same rows a full refresh gives),
    and the progress says which years; without it, or when a change reaches every year (the
    school register, say), everything is.

    The numeric libraries run on one thread: their thread pools spin waiting for each other
    when the two cores are shared with the server's sessions, many times slower than one."""
    with threadpool_limits(limits=1):
        step = progress or (lambda _m, _f: None)
        settings = settings or active_settings(con)
        if touched is not None:
            scope = refresh_scope(con, touched, settings)
            if scope is not None and scope.nothing:
                step("Изменения не затрагивают производные таблицы: пересчёт не нужен", 1.0)
                return
            if scope is not None:
                con.execute("begin transaction")
                try:
                    done = _refresh_years(con, step, settings, scope)
                    if done:
                        con.execute("commit")
                        return
                except Exception:
                    con.execute("rollback")
                    raise
                con.execute("rollback")  # the years' spread is pooled: everything, below
                step(
                    "Разброс результатов учеников пересчитывается по всем годам: полный пересчёт",
                    0.0,
                )
        _refresh(con, step, settings)


# Base tables whose change is recomputed in full: they reach every year (the school register),
# or parts that join the years (procedures' own thresholds, the mark boundaries of later years,
# the «500+» factor lists and questionnaires, whose clusters carry their numbers on).
EVERY_YEAR = frozenset(
    {
        "municipalities",
        "schools",
        "procedure_thresholds",
        "mark_boundaries",
        "risk_factors",
        "risk_profiles",
    }
)
# Base tables no derived table reads (the pages read them themselves).
UNREAD = frozenset(
    {"official_objectivity_markers", "curators", "roadmap_events", "demo_truth", "region_info"}
)


@dataclasses.dataclass(frozen=True)
class Scope:
    """The years of each derived table a refresh of some years recomputes."""

    results: frozenset[int]  # procedure_results, school_year_results
    social: frozenset[int]  # social_index
    adjusted: frozenset[int]  # context_adjusted, school_adjusted; cohorts ending or starting
    identification: frozenset[int]  # identification, partner_suggestions
    profiles: frozenset[int]  # risk_profiles_derived
    clusters: bool  # every risk cluster table (the context chosen for them changed)
    stages: bool  # monitoring_changes, monitoring_progress
    objectivity: frozenset[int]  # objectivity_flags
    trends: frozenset[int]  # trends, status_change (as of)
    procedures: bool  # procedure_trends (as of the latest year)
    warning: frozenset[int]  # early_warning (as of)

    @property
    def nothing(self) -> bool:
        return not any(getattr(self, f.name) for f in dataclasses.fields(self))

    @property
    def years(self) -> list[int]:
        """Every year some table is recomputed for."""
        out = set()
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                out |= value
        return sorted(out)


def _years_of(con: duckdb.DuckDBPyConnection, name: str) -> frozenset[int]:
    return frozenset(int(y) for y in db.frame(con, db.sql(name))["year"].dropna())


def _within(years: Iterable[int], changed: Iterable[int], before: int, after: int) -> frozenset:
    """The years y of `years` with some changed year c where c − before ≤ y ≤ c + after."""
    changed = list(changed)
    return frozenset(y for y in years if any(c - before <= y <= c + after for c in changed))


def refresh_scope(
    con: duckdb.DuckDBPyConnection,
    touched: Mapping[str, Iterable[int] | None],
    settings: Settings,
) -> Scope | None:
    """What a change of the base tables `touched` (table → the years of the changed rows, None
    for rows without a year) reaches, year by year; None when it reaches every year (then the
    refresh is full). Read before the refresh: the years the derived tables hold."""
    tables = {name: years for name, years in touched.items() if name not in UNREAD}
    if any(name in EVERY_YEAR or years is None for name, years in tables.items()):
        return None

    def of(name: str) -> frozenset[int]:
        return frozenset(int(y) for y in tables.get(name, ()))

    results = of("exam_results")
    stored = _years_of(con, "store/result_years")
    if not results <= stored:
        return None  # a new year of results: the latest year, every trend and list move
    social = of("social_passport")
    adjusted = results | social
    window = max(settings.years_window - 1, 1)  # the rules read this many years back
    identification = _within(stored, adjusted | of("olympiads_continuation"), 0, window)
    programme = _years_of(con, "store/risk_factor_years")
    profiles = (adjusted | of("staff")) & programme
    clusters = bool(settings.clusters.context_features) and bool(profiles)
    objectivity = frozenset(
        (results | {y + 1 for y in results} | of("score_distributions") | of("term_marks")) & stored
    )
    span = settings.trends.window - 1
    trend_years = _years_of(con, "store/trend_years") | social
    trends = _within(trend_years, adjusted | profiles, 0, span)
    latest = max(stored) if stored else None
    procedures = latest is not None and any(latest - span <= y <= latest for y in results)
    warning = frozenset((trends | identification | of("programme_membership")) & trend_years)
    stages = bool(tables.keys() & {"monitoring_indicators", "monitoring_stages"})
    return Scope(
        results,
        social,
        adjusted,
        identification,
        profiles,
        clusters,
        stages,
        objectivity,
        trends,
        procedures,
        warning,
    )


def _stored(con: duckdb.DuckDBPyConnection, name: str, years: Iterable[int]) -> pd.DataFrame:
    """The stored rows sql/NAME.sql reads for `years`."""
    return db.frame(con, db.sql(name), {"years": sorted(int(y) for y in years)})


def _words(years: Iterable[int]) -> str:
    """«2024, 2025» (or «—»)."""
    years = sorted(years)
    return ", ".join(str(y) for y in years) if years else "—"


def _around(years: Iterable[int], before: int, after: int) -> frozenset[int]:
    return frozenset(y + d for y in years for d in range(-before, after + 1))


def _refresh_years(con, step, settings: Settings, scope: Scope) -> bool:
    """Recompute the years of `scope` only; False (nothing kept) when the pupils' spread of
    some result is pooled over the years (analytics.context.pupil_spread), which a refresh of
    some years cannot give."""
    hide_below = settings.small_numbers.hide_below
    step(f"Пересчёт только изменённых лет ({_words(scope.years)}) и таблиц", 0.0)
    if scope.results:
        step(f"Расчёт показателей за {_words(scope.results)}", 0.02)
        for name in DERIVED_SQL:
            query = con.sql(db.sql(f"derived/{name}"), params={"years": sorted(scope.results)})
            store_years(con, step_table(name), query, scope.results)
    if db.frame(con, db.sql("analysis/pooled_spread"))["pooled"].iloc[0]:
        return False
    if scope.social:
        step(f"Расчёт ИСБШ за {_words(scope.social)}", 0.1)
        passport = read_inputs(con, SOCIAL_INPUTS)["social_passport"]
        passport = passport[passport["year"].isin(scope.social)]
        social = compute_social({"social_passport": passport}, settings)["social_index"]
        store_years(con, "social_index", social, scope.social)
    # What reads nothing of the adjusted results is read now and computed on the other core
    # (frames in, frames out; the connection and the progress stay with this thread) while
    # this one computes the adjusted results, the cohorts and the lists.
    with ThreadPoolExecutor(max_workers=1) as pool:
        side = {}
        if scope.procedures:
            procedures = read_inputs(
                con, ("trend_procedures",), hide_below, window=settings.trends.window
            )["trend_procedures"]
            side["procedures"] = pool.submit(_procedure_trends, procedures, settings)
            del procedures
        if scope.stages or scope.objectivity:
            # The inputs of base tables are read there too, through a connection of its own:
            # the refresh writes only derived tables, and the base ones were committed before
            # it began (its own transaction could not begin otherwise).
            derived = [name for name in MONITORING_INPUTS if name not in BASE_MONITORING_INPUTS]
            monitoring = read_inputs(con, tuple(derived), hide_below, years=scope.objectivity)
            side["monitoring"] = pool.submit(
                _monitoring_of_years, con.cursor(), monitoring, settings, scope
            )
            del monitoring
        if scope.profiles or scope.clusters:
            risk_inputs = read_inputs(con, RISK_INPUTS)
            side["risk"] = pool.submit(
                _risk_of_years, risk_inputs, support_catalogue(con), settings, scope
            )
            del risk_inputs
        found = _adjusted_and_lists(con, step, settings, scope)
        if "risk" in side:
            step(f"Рисковые профили за {_words(scope.profiles)}", 0.6)
            if scope.clusters:
                for table, rows in side.pop("risk").result().items():
                    store_frame(con, table, rows)
            else:
                rows = side.pop("risk").result()
                store_years(con, "risk_profiles_derived", rows, scope.profiles)
        if "monitoring" in side:
            step("Мониторинг этапов и объективность ВПР", 0.7)
            for table, rows in side.pop("monitoring").result().items():
                if table == "objectivity_flags":
                    store_years(con, table, rows, scope.objectivity)
                else:
                    store_frame(con, table, rows)
        if scope.trends or scope.procedures or scope.warning:
            step(f"Тренды на {_words(scope.trends | scope.warning)}", 0.85)
            _trends_of_years(con, settings, scope, found, side.pop("procedures", None))
    step("Показатели пересчитаны", 1.0)
    return True


def _adjusted_and_lists(con, step, settings: Settings, scope: Scope) -> dict | None:
    """The adjusted results, the cohorts and the identification of the years of `scope`,
    stored; the identification's frames (None when it was not recomputed)."""
    window = max(settings.years_window - 1, 1)
    needed = scope.adjusted | _around(scope.identification, window, 0)
    inputs = read_inputs(con, INPUTS, years=needed)
    results = inputs["results"]
    if scope.adjusted:
        step(f"Результаты с учётом контекста за {_words(scope.adjusted)}", 0.2)
        mine = {**inputs, "results": results[results["year"].isin(scope.adjusted)]}
        adjusted = compute_adjusted(mine, settings)
        store_years(con, "context_adjusted", adjusted, scope.adjusted)
        store_years(
            con, "school_adjusted", compute_school_adjusted(adjusted, settings), scope.adjusted
        )
        del adjusted

    # The adjusted results of the years around (those just computed are stored already), in
    # the order analytics.context gives them: read once for the cohorts and the lists, DuckDB
    # sorting them (a frame put together and sorted here cost more than the reading).
    around = _around(scope.adjusted, 2, 2) | _around(
        scope.identification, settings.years_window - 1, 0
    )
    if scope.adjusted or scope.identification:
        both = _stored(con, "analysis/adjusted_years", around)

    def adjusted_of(years: frozenset[int]) -> pd.DataFrame:
        """The adjusted results of `years` (of those around)."""
        return both[both["year"].isin(years)].reset_index(drop=True)

    if scope.adjusted:
        step(f"Прирост когорт, начатых или законченных в {_words(scope.adjusted)}", 0.35)
        cohorts = compute_cohorts(adjusted_of(_around(scope.adjusted, 2, 2)), settings)
        for table, rows in cohorts.items():
            rows = rows[
                rows["year"].isin(scope.adjusted) | rows["earlier_year"].isin(scope.adjusted)
            ]
            store_years(con, table, rows, scope.adjusted, "writes/delete_cohort_years")
    found = None
    if scope.identification:
        step(f"Идентификация ШНОР и ШНСУ за {_words(scope.identification)}", 0.45)
        span = _around(scope.identification, settings.years_window - 1, 0)
        mine = {
            **inputs,
            "results": results[results["year"].isin(_around(scope.identification, window, 0))],
        }
        found = identify_years(
            mine, adjusted_of(span), settings, years=sorted(scope.identification)
        )
        for table, rows in found.items():
            store_years(con, table, rows, scope.identification)
    return found


def _procedure_trends(procedures: pd.DataFrame, settings: Settings) -> pd.DataFrame | None:
    """The procedures' trends as of the latest year (None: no procedure results)."""
    if not len(procedures):
        return None
    return dy.procedure_trends(procedures, int(procedures["year"].max()), settings.trends)


# The monitoring inputs that read base tables only.
BASE_MONITORING_INPUTS = (
    "monitoring_stages",
    "monitoring_indicators",
    "objectivity_term",
    "objectivity_scores",
    "schools",
)


def _monitoring_of_years(
    reader: duckdb.DuckDBPyConnection, monitoring: dict, settings: Settings, scope: Scope
) -> dict:
    """The monitoring tables (when the stages changed) and the ВПР objectivity signs of the
    years of `scope`; `monitoring` holds the inputs of derived tables, those of base tables
    are read through `reader` (a connection of this thread's own, closed here)."""
    try:
        hide_below = settings.small_numbers.hide_below
        monitoring |= read_inputs(
            reader, BASE_MONITORING_INPUTS, hide_below, years=scope.objectivity
        )
    finally:
        reader.close()
    out = compute_stages(monitoring, settings) if scope.stages else {}
    if scope.objectivity:
        for name in ("objectivity_results", "objectivity_term", "objectivity_cohort"):
            part = monitoring[name]
            monitoring[name] = part[part["year"].isin(scope.objectivity)]
        flags = compute_objectivity(monitoring, settings)
        out["objectivity_flags"] = flags[flags["year"].isin(scope.objectivity)]
    return out


def _risk_of_years(risk_inputs: dict, catalogue: pd.DataFrame, settings: Settings, scope: Scope):
    """Every risk table (when the clusters' context changed), else the derived risk profiles
    of the years of `scope`."""
    if scope.clusters:
        return compute_risk(risk_inputs, catalogue, settings.clusters)
    return risk_profiles(risk_inputs, settings.clusters, sorted(scope.profiles))


def _trends_of_years(con, settings: Settings, scope: Scope, found, procedures=None) -> None:
    """The trends as of the years of `scope`, the procedures' trends when the latest year's
    window changed (`procedures`: their future, computed beside), and the early warning as of
    its years."""
    trend_inputs = read_inputs(con, ("trend_values", "trend_membership"))
    values = trend_inputs["trend_values"]
    span = settings.trends.window - 1
    school = None
    if scope.trends:
        school = dy.school_trends(
            values[values["year"].isin(_around(scope.trends, span, 0))],
            sorted(scope.trends),
            settings.trends,
        )
        numbers = [c for c in school.columns if c not in dy.STATUS_COLUMNS]
        colours = ["as_of", "school_id", "indicator", *dy.STATUS_COLUMNS]
        store_years(con, "trends", school[numbers], scope.trends, "writes/delete_as_of")
        store_years(
            con,
            "status_change",
            school[[c for c in colours if c in school.columns]],
            scope.trends,
            "writes/delete_as_of",
        )
    if procedures is not None:
        rows = procedures.result()
        if rows is not None:
            store_frame(con, "procedure_trends", rows)
    if scope.warning:
        other = scope.warning - scope.trends
        stored = _stored(con, "analysis/trends_as_of", other)
        parts = [stored] if school is None else [school[list(stored.columns)], stored]
        trend_rows = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
        listed = _stored(
            con,
            "analysis/identification_years",
            scope.warning - (scope.identification if found else frozenset()),
        )
        if found is not None:
            listed = pd.concat(
                [listed, found["identification"][["school_id", "year", "shnor"]]], ignore_index=True
            )
        warning = dy.early_warning(
            trend_rows[trend_rows["as_of"].isin(scope.warning)],
            listed,
            trend_inputs["trend_membership"],
            settings.trends,
        )
        store_years(con, "early_warning", warning, scope.warning, "writes/delete_as_of")


def _refresh(con, progress, settings) -> None:
    step = progress or (lambda _m, _f: None)
    settings = settings or active_settings(con)
    con.execute("begin transaction")
    try:
        recreate_derived(con)
        for i, name in enumerate(DERIVED_SQL):
            table = step_table(name)
            step(f"Расчёт показателей: {table}", 0.1 * i / len(DERIVED_SQL))
            store_frame(con, table, con.sql(db.sql(f"derived/{name}"), params={"years": None}))
        step("Расчёт ИСБШ", 0.1)
        # The other inputs read ИСБШ (sql/analysis/context.sql): store it first.
        social = compute_social(read_inputs(con, SOCIAL_INPUTS), settings)
        store_frame(con, "social_index", social["social_index"])

        def sub_step(message: str, fraction: float) -> None:
            step(message, 0.15 + 0.8 * fraction)

        inputs = read_inputs(con)
        side_inputs = {
            "risk": read_inputs(con, RISK_INPUTS),
            "catalogue": support_catalogue(con),
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
        trend_inputs = read_inputs(
            con, TREND_INPUTS, settings.small_numbers.hide_below, window=settings.trends.window
        )
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
