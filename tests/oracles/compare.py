"""Row-for-row comparison of frames and of derived tables, numbers to 1e-9.

`python -m tests.oracles.compare DB [SCHOOLS]` refreshes two copies of a database (or of a
generated region of SCHOOLS schools), one with the oracle (tests.oracles.v0.refresh) and one
with the product, times both and compares every derived table: the check on the demo and on
the large region, outside the test suite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOLERANCE = 1e-9


def frame_differences(
    old: pd.DataFrame, new: pd.DataFrame, name: str = "", tolerance: float = TOLERANCE
) -> list[str]:
    """What differs between two frames, row for row (empty when they are equal): columns,
    length, and per column the rows whose values differ (numbers beyond `tolerance`, relative
    to max(1, |old|); missing values must be missing in both)."""
    problems = []
    if list(old.columns) != list(new.columns):
        return [f"{name}: columns {list(old.columns)} != {list(new.columns)}"]
    if len(old) != len(new):
        return [f"{name}: {len(old)} rows != {len(new)} rows"]
    for column in old.columns:
        a, b = old[column].reset_index(drop=True), new[column].reset_index(drop=True)
        if a.dtype != b.dtype:
            problems.append(f"{name}.{column}: dtype {a.dtype} != {b.dtype}")
        missing_a, missing_b = a.isna().to_numpy(), b.isna().to_numpy()
        bad = missing_a != missing_b
        numeric = pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)
        both = ~missing_a & ~missing_b
        if numeric and not (pd.api.types.is_bool_dtype(a) or pd.api.types.is_bool_dtype(b)):
            x = a.to_numpy(dtype=float, na_value=np.nan)
            y = b.to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                far = np.abs(x - y) > tolerance * np.maximum(1.0, np.abs(x))
            bad |= both & (far | (np.isinf(x) != np.isinf(y)))
        else:
            same = np.array(
                [u == v for u, v in zip(a[both].tolist(), b[both].tolist(), strict=True)],
                dtype=bool,
            )
            wrong = np.zeros(len(a), dtype=bool)
            wrong[np.flatnonzero(both)[~same]] = True
            bad |= wrong
        if bad.any():
            rows = np.flatnonzero(bad)
            first = int(rows[0])
            problems.append(
                f"{name}.{column}: {len(rows)} rows differ, first at {first}: "
                f"{a.iloc[first]!r} != {b.iloc[first]!r}"
            )
    return problems


def table_differences(con_old, con_new, tables, tolerance: float = TOLERANCE) -> list[str]:
    """Every difference between the tables of two databases, each read in stored order."""
    from radar.store import db

    problems = []
    for table in tables:
        query = db.statement("store/stored_rows", table)
        problems += frame_differences(
            con_old.execute(query).df(), con_new.execute(query).df(), table, tolerance
        )
    return problems


def refresh_both(path, old_copy, new_copy) -> tuple[float, float]:
    """Refresh a copy of the database at `path` with the product (`new_copy`), then a copy of
    that with the oracle (`old_copy`), the oracle keeping the tables of the SQL steps: DuckDB's
    parallel sums differ in the last bits from run to run (z of the old code itself differs by
    about 1e-13 between two refreshes), so the analytics are compared on the same inputs and
    the SQL steps apart (sql_step_differences). Returns the refreshes' times in seconds."""
    import shutil
    import time

    from radar.store import db
    from radar.store.refresh import refresh_derived
    from tests.oracles.v0 import refresh as v0

    shutil.copyfile(path, new_copy)
    with db.write_session(new_copy) as con:
        started = time.perf_counter()
        refresh_derived(con)
        new_time = time.perf_counter() - started
    shutil.copyfile(new_copy, old_copy)
    v0.KEEP_SQL_STEPS = True
    try:
        with db.write_session(old_copy) as con:
            started = time.perf_counter()
            v0.refresh_derived(con)
            old_time = time.perf_counter() - started
    finally:
        v0.KEEP_SQL_STEPS = False
    return old_time, new_time


def sql_step_differences(con, tolerance: float = TOLERANCE) -> list[str]:
    """The SQL steps of the refresh as they were (the oracle's statements) against the
    product's, on the same base tables, numbers to `tolerance`."""
    from radar.store import db
    from radar.store.refresh import DERIVED_SQL
    from tests.oracles.v0.refresh import frozen_sql

    problems = []
    for name in DERIVED_SQL:
        old = con.execute(frozen_sql(f"derived/{name}")).df()
        new = con.execute(db.sql(f"derived/{name}"), {"years": None}).df()
        problems += frame_differences(old, new, name, tolerance)
    return problems


def main() -> None:
    import sys
    import tempfile
    from pathlib import Path

    from radar.store import db

    source = Path(sys.argv[1])
    with tempfile.TemporaryDirectory(dir=source.parent if source.exists() else None) as tmp:
        if not source.exists():
            from data.generator import generate_region
            from radar.ingest.loader import load_region

            load_region(generate_region(n_schools=int(sys.argv[2])), source)
        old, new = Path(tmp) / "old.duckdb", Path(tmp) / "new.duckdb"
        t_old, t_new = refresh_both(source, old, new)
        print(f"oracle refresh {t_old:.2f} s, product refresh {t_new:.2f} s", flush=True)
        a, b = db.connect(old), db.connect(new)
        try:
            problems = table_differences(a, b, db.derived_tables())
            problems += sql_step_differences(b)
        finally:
            a.close()
            b.close()
    print("\n".join(problems) or "every derived table equal row for row")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
