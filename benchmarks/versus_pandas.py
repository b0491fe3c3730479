"""Issue 16, item 6: the three core workloads as an analyst would write them in a notebook
(pandas on the tables read with `con.execute(...).df()`) against the product's own path on
the same database, checked to give the same answer before either is timed.

1. The school-year overall result from exam_results: the product runs the SQL steps
   sql/derived/01_procedure_results.sql and 02_school_year_results.sql as
   radar/store/refresh.py does (store_frame of step 01, then step 02), inside a transaction
   that is rolled back, so the database is left as it was.
2. The bottom rule («входит в X % худших школ не менее N из последних M лет») of the latest
   year: what the identification page runs after «Применить» (radar/ui/live.year_inputs):
   sql/analysis/year/school_exam_results.sql for the years window, then
   analytics.identification.bottom_ranks and rule_bottom. (The full refresh pools the same
   sums in pandas, identification.exam_results, over all years at once.)
3. Each school's slope over the last `trends.window` (5) years, as of the latest year: the
   product's read sql/analysis/trend_values.sql and analytics.dynamics.school_trends, which
   the refresh runs for every year (here for the latest one). The product computes more than
   the slope (interval, Theil–Sen, Mann–Kendall, colour); the pandas version only the slope.

Both sides of a pair start from the same stored table and return a frame; both are timed
warm (the check runs each once first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics import dynamics as dy
from analytics import identification as idn
from analytics.settings import Settings
from radar.store import db
from radar.store.refresh import active_settings, store_frame

PROCEDURE = ["exam", "subject", "grade"]
TOLERANCE = 1e-9
EXAMS = {"ВПР": "vpr_index", "ОГЭ": "oge_index", "ЕГЭ": "ege_index"}


# 1. The school-year overall result -------------------------------------------------------


def pandas_school_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """school_year_results from exam_results in pandas, by the definitions of the two SQL
    steps: a procedure-year is standardised on its mean score, or (none at all in that
    procedure-year) its mean mark from the shares of «2»–«5», or the share above the upper
    ЕГЭ threshold less the share below the minimum; the region's mean and spread are
    weighted by participants (the population formula); the share of «2» falls back to the
    share below the minimum unless procedure_thresholds names its own lower label."""
    results = con.execute("select * from exam_results").df()
    thresholds = con.execute(
        "select exam, subject, grade, low_label from procedure_thresholds"
    ).df()
    r = results.merge(thresholds, on=PROCEDURE, how="left")
    marks = r[["share_2", "share_3", "share_4", "share_5"]].notna().all(axis=1)
    ege = r["share_below_min"].notna() & r["share_81plus"].notna()
    r = r[(r["participants"] > 0) & (r["mean_score"].notna() | marks | ege)].copy()
    r["mean_mark"] = (
        2 * r["share_2"] + 3 * r["share_3"] + 4 * r["share_4"] + 5 * r["share_5"]
    ).where(marks)
    r["share_fail"] = r["share_2"].fillna(r["share_below_min"].where(r["low_label"].isna()))

    groups = r.groupby(["year", *PROCEDURE])
    has_score = groups["mean_score"].transform("count") > 0
    has_mark = groups["mean_mark"].transform("count") > 0
    r["measure"] = r["mean_score"].where(
        has_score, r["mean_mark"].where(has_mark, r["share_81plus"] - r["share_below_min"])
    )
    r = r[r["measure"].notna()].copy()
    r["n"] = r["participants"].astype(float)
    r["nm"] = r["n"] * r["measure"]
    r["nm2"] = r["nm"] * r["measure"]
    region = r.groupby(["year", *PROCEDURE], as_index=False)[["n", "nm", "nm2"]].sum()
    region["region_mean"] = region["nm"] / region["n"]
    with np.errstate(invalid="ignore"):
        region["region_sd"] = np.sqrt(region["nm2"] / region["n"] - region["region_mean"] ** 2)
    r = r.merge(region[["year", *PROCEDURE, "region_mean", "region_sd"]], on=["year", *PROCEDURE])
    r["z_score"] = ((r["measure"] - r["region_mean"]) / r["region_sd"]).where(r["region_sd"] > 0)

    p = r[r["z_score"].notna()].copy()
    p["nz"] = p["n"] * p["z_score"]
    by = ["school_id", "year"]
    out = p.groupby(by).agg(
        participants_total=("participants", "sum"), procedures=("z_score", "size"), nz=("nz", "sum")
    )
    out["result_index"] = out["nz"] / p.groupby(by)["n"].sum()
    per_exam = p.groupby([*by, "exam"])[["nz", "n"]].sum()
    per_exam = (per_exam["nz"] / per_exam["n"]).unstack("exam")
    for exam, column in EXAMS.items():
        out[column] = per_exam[exam] if exam in per_exam else np.nan
    fail = p[p["share_fail"].notna()].assign(nf=lambda f: f["n"] * f["share_fail"])
    fail = fail.groupby(by)[["nf", "n"]].sum()
    out["share_fail"] = fail["nf"] / fail["n"]
    return out.drop(columns="nz").reset_index()


def product_school_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The refresh's two SQL steps on a read-write connection, rolled back afterwards."""
    con.execute("begin transaction")
    try:
        every_year = {"years": None}  # the full refresh's steps (not an import's years)
        store_frame(
            con,
            "procedure_results",
            con.sql(db.sql("derived/01_procedure_results"), params=every_year),
        )
        return con.execute(db.sql("derived/02_school_year_results"), every_year).df()
    finally:
        con.execute("rollback")


# 2. The bottom rule -------------------------------------------------------------------------


def latest_year(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute(db.sql("pages/shared/years")).df()["year"].max())


def pandas_bottom(con: duckdb.DuckDBPyConnection, year: int, settings: Settings) -> pd.Series:
    """Years in the bottom group per school (with at least one), by the product's
    definition: a school's result per exam and year is the participant-weighted mean z over
    procedures with at least `small_numbers.hide_below` participants (not every procedure);
    the bottom group of a year and exam is ranks ≤ ⌈bottom_share·N⌉ with ties ranked at their
    highest place (not a quantile of results, which an analyst might pick first); the school
    counts the years on its worst exam. Returned as bottom_years by school_id."""
    rows = con.execute(
        "select school_id, year, exam, participants, z_score from procedure_results"
    ).df()
    first = year - settings.years_window + 1
    rows = rows[
        rows["year"].between(first, year)
        & (rows["participants"] >= settings.small_numbers.hide_below)
        & rows["z_score"].notna()
    ]
    rows = rows.assign(
        n=rows["participants"].astype(float), nz=rows["participants"] * rows["z_score"]
    )
    exams = rows.groupby(["school_id", "year", "exam"], as_index=False)[["n", "nz"]].sum()
    exams["result"] = exams["nz"] / exams["n"]
    groups = exams.groupby(["year", "exam"])["result"]
    # The same expression as bottom_ranks: 0.1 · 1100 is 110.00000000000001, so 111 schools.
    exams["bottom"] = groups.rank(method="max") <= np.ceil(
        settings.bottom_share * groups.transform("size")
    )
    years = exams[exams["bottom"]].groupby(["school_id", "exam"])["year"].nunique()
    return years.groupby("school_id").max().rename("bottom_years").sort_index()


def product_bottom(con: duckdb.DuckDBPyConnection, year: int, settings: Settings) -> pd.DataFrame:
    """radar.ui.live.year_inputs' reading of the exam-level results, and the rule itself."""
    exams = con.execute(
        db.sql("analysis/year/school_exam_results"),
        {
            "min_participants": settings.small_numbers.hide_below,
            "from_year": min(year - settings.years_window + 1, year - 1),
            "to_year": year,
        },
    ).df()
    return idn.rule_bottom(idn.bottom_ranks(exams, settings), year, settings)


# 3. Each school's slope ---------------------------------------------------------------------


def pandas_slopes(con: duckdb.DuckDBPyConnection, year: int, settings: Settings) -> pd.Series:
    """The least-squares slope of each school's overall result per year over the years of
    the window (year − window, year] that have a value, by the product's definition: only
    schools with a value in `year` itself and at least three points (fewer give no slope;
    missing years, such as ОГЭ 2020, are not filled)."""
    values = con.execute("select school_id, year, result_index from school_year_results").df()
    w = values[
        values["year"].between(year - settings.trends.window + 1, year)
        & values["result_index"].notna()
    ]
    w = w[w["school_id"].isin(w.loc[w["year"] == year, "school_id"])]
    w = w[w.groupby("school_id")["year"].transform("size") >= 3]
    school = w.groupby("school_id")
    dx = w["year"] - school["year"].transform("mean")
    dy_ = w["result_index"] - school["result_index"].transform("mean")
    slope = (dx * dy_).groupby(w["school_id"]).sum() / (dx * dx).groupby(w["school_id"]).sum()
    return slope.rename("slope").sort_index()


def product_slopes(con: duckdb.DuckDBPyConnection, year: int, settings: Settings) -> pd.DataFrame:
    """The refresh's trend inputs and analytics.dynamics.school_trends as of `year`."""
    values = con.execute(db.sql("analysis/trend_values")).df()
    values = values[values["indicator"] == "result_index"]
    return dy.school_trends(values, [year], settings.trends)


# The pairs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    title: str
    pandas: Callable[[], object]
    product: Callable[[], object]
    check: Callable[[object, object], None]


def _close(a: pd.Series, b: pd.Series, what: str) -> None:
    a, b = a.astype(float), b.astype(float)
    both_missing = a.isna() & b.isna()
    differ = ~both_missing & ~((a - b).abs() <= TOLERANCE)
    if differ.any():
        first = differ[differ].index[0]
        raise AssertionError(
            f"{what}: {int(differ.sum())} строк расходятся, "
            f"например {first}: {a[first]} и {b[first]}"
        )


def check_school_year(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    a = ours.set_index(["school_id", "year"]).sort_index()
    b = theirs.set_index(["school_id", "year"]).sort_index()
    if not a.index.equals(b.index):
        raise AssertionError(
            f"сводный результат: разные пары школа-год ({len(a)} в pandas, {len(b)} в продукте)"
        )
    for column in (
        "result_index",
        "participants_total",
        "procedures",
        *EXAMS.values(),
        "share_fail",
    ):
        _close(a[column], b[column], f"сводный результат, {column}")


def check_bottom(ours: pd.Series, theirs: pd.DataFrame) -> None:
    product = theirs.set_index("school_id")["bottom_years"].astype(int).sort_index()
    if not ours.astype(int).equals(product):
        raise AssertionError("худшие школы: число лет в худших расходится")


def check_bottom_flags(ours: pd.Series, theirs: pd.DataFrame, required: int) -> None:
    flagged = set(ours.index[ours >= required])
    product = set(theirs.loc[theirs["bottom_fired"], "school_id"])
    if flagged != product:
        raise AssertionError(
            f"худшие школы: отмечены разные ({len(flagged)} в pandas, {len(product)} в продукте, "
            f"различаются {sorted(flagged ^ product)[:5]})"
        )


def check_slopes(ours: pd.Series, theirs: pd.DataFrame) -> None:
    product = theirs.set_index("school_id")["slope"].dropna().sort_index()
    if not ours.index.equals(product.index):
        raise AssertionError(
            f"наклоны: разные школы ({len(ours)} в pandas, {len(product)} в продукте)"
        )
    _close(ours, product, "наклоны")


def pairs(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> list[Pair]:
    """The three workloads on one read-write connection, with the database's active settings."""
    settings = settings or active_settings(con)
    year = latest_year(con)

    def bottom_check(ours, theirs) -> None:
        check_bottom(ours, theirs)
        check_bottom_flags(ours, theirs, settings.years_required)

    return [
        Pair(
            "сводный результат школы за год",
            lambda: pandas_school_year(con),
            lambda: product_school_year(con),
            check_school_year,
        ),
        Pair(
            f"{settings.bottom_share:.0%} худших {settings.years_required} из "
            f"{settings.years_window} лет".replace("%", " %"),
            lambda: pandas_bottom(con, year, settings),
            lambda: product_bottom(con, year, settings),
            bottom_check,
        ),
        Pair(
            f"наклон каждой школы за {settings.trends.window} лет",
            lambda: pandas_slopes(con, year, settings),
            lambda: product_slopes(con, year, settings),
            check_slopes,
        ),
    ]


def check(path: Path) -> list[str]:
    """Run every pair once and assert that both sides agree; the workloads' titles."""
    con = db.connect(path, read_only=False)
    try:
        titles = []
        for pair in pairs(con):
            pair.check(pair.pandas(), pair.product())
            titles.append(pair.title)
        return titles
    finally:
        con.close()


def measure(path: Path, repeat: int) -> list[tuple[str, float, float]]:
    """(workload, pandas median s, product median s) on the database at `path`, each pair
    checked for the same answer first (which also warms the file and DuckDB up).

    The product's first workload writes in a transaction it rolls back, so the connection is
    read-write: no other connection to the file may be open in this process meanwhile."""
    from benchmarks.run import median_time

    con = db.connect(path, read_only=False)
    try:
        out = []
        for pair in pairs(con):
            pair.check(pair.pandas(), pair.product())
            out.append(
                (pair.title, median_time(pair.pandas, repeat), median_time(pair.product, repeat))
            )
        return out
    finally:
        con.close()


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def table(region: str, measured: list[tuple[str, float, float]]) -> list[str]:
    """The Russian table: workload, pandas s, product s, pandas / product."""
    lines = [
        f"\npandas против продукта, {region} (медианы; ответы совпадают до 1e-9)",
        f"{'расчёт':<36} {'pandas, с':>10} {'продукт, с':>11} {'pandas / продукт':>17}",
    ]
    for title, ours, theirs in measured:
        ratio = _number(ours / theirs, 1) if theirs > 0 else "—"
        lines.append(f"{title:<36} {_number(ours, 3):>10} {_number(theirs, 3):>11} {ratio:>17}")
    return lines


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="pandas против пути продукта на одной базе")
    parser.add_argument("--db", type=Path, default=db.db_path())
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("\n".join(table(args.db.name, measure(args.db, args.repeat))))


if __name__ == "__main__":
    main()
