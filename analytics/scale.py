"""Changes of scale: a procedure whose region-wide share of «2» or mean score moves one year
far beyond its usual year-to-year change, with almost every school moving the same way.

That is what new cut scores or a new test do (a city that raised its cut scores saw its share
of «2» go from 2,7 % to 9,3 %, with 93 % of schools rising); a real decline does not move
nearly every school at once. Rules on raw figures (the share of «2» at 30 %) then fire for
many schools that did not change; the pages warn, and the «2» rule has a relative form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import fmt
from analytics.labels import procedure_label

PROCEDURE = ["exam", "subject", "grade"]
SCHOOLS_MOVING = 0.8  # at least this share of schools moves the same way
TIMES_USUAL = 3.0  # and the change is this many times the procedure's usual one
FLOORS = {"share_fail": 0.03, "mean_score": 0.05}  # 3 points of per cent; 5 % of the mean
MEASURES = {"share_fail": "доля «2»", "mean_score": "средний балл"}
# How a measure moved, down and up, in its own gender.
MOVED = {
    "share_fail": {False: "снизилась", True: "выросла"},
    "mean_score": {False: "снизился", True: "вырос"},
}
COUNTS = {"share_fail": ("fail_pairs", "fail_up", "fail_down")}
COUNTS["mean_score"] = ("mean_pairs", "mean_up", "mean_down")
COLUMNS = [*PROCEDURE, "year", "measure", "before", "after", "moved", "usual"]


def _usual(change: pd.Series) -> pd.Series:
    """For each year, the median size of the procedure's changes in its other years."""
    size = change.abs().to_numpy(float)
    out = np.full(len(size), np.nan)
    for i in range(len(size)):
        others = np.delete(size, i)
        others = others[~np.isnan(others)]
        if len(others):
            out[i] = np.median(others)
    return pd.Series(out, index=change.index)


def scale_shifts(years: pd.DataFrame) -> pd.DataFrame:
    """The procedure-years whose region-wide figure shifted as a change of scale does.

    `years` is sql/analysis/scale_years.sql: per procedure-year the region's share_fail and
    mean_score and, of the schools with the procedure the year before too, how many rose
    and fell. A shift is a change from the previous year of at least FLOORS (absolute for
    the share, relative for the mean), made by at least SCHOOLS_MOVING of the schools in the
    same direction, and at least TIMES_USUAL times the procedure's usual change (where it
    has other years to judge by). Returns exam, subject, grade, year, measure, before,
    after, moved (the share of schools that moved with it) and usual.
    """
    rows = []
    frame = years.sort_values([*PROCEDURE, "year"]).reset_index(drop=True)
    for measure, (pairs, up, down) in COUNTS.items():
        previous = frame.groupby(PROCEDURE)[measure].shift()
        follows = frame["year"] - frame.groupby(PROCEDURE)["year"].shift() == 1
        change = (frame[measure] - previous).where(follows)
        usual = change.groupby([frame[c] for c in PROCEDURE]).transform(_usual)
        moved = np.where(change > 0, frame[up], frame[down]) / frame[pairs].where(frame[pairs] > 0)
        size = change.abs() if measure == "share_fail" else (change / previous).abs()
        relative_usual = usual if measure == "share_fail" else usual / previous.abs()
        shifted = (
            (size >= FLOORS[measure])
            & (moved >= SCHOOLS_MOVING)
            & (relative_usual.isna() | (size >= TIMES_USUAL * relative_usual))
        )
        hits = frame[shifted.fillna(False).to_numpy()]
        rows.append(
            hits[[*PROCEDURE, "year"]].assign(
                measure=measure,
                before=previous[hits.index],
                after=hits[measure],
                moved=moved[hits.index.to_numpy()],
                usual=usual[hits.index],
            )
        )
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)
    return out[COLUMNS].sort_values(["year", *PROCEDURE, "measure"]).reset_index(drop=True)


def shift_words(row) -> str:
    """One shift in a sentence: «ВПР, Математика, 5 кл., 2025 год: доля «2» по региону
    2,7 % → 9,3 %, у 93 % школ выросла; …»."""
    if row.measure == "share_fail":
        values = f"{fmt.pct(row.before)} → {fmt.pct(row.after)}"
    else:
        values = f"{fmt.num(row.before, 1)} → {fmt.num(row.after, 1)}"
    moved = MOVED[row.measure][row.after > row.before]
    return (
        f"{procedure_label(row.exam, row.subject, row.grade)}, {int(row.year)} год: "
        f"{MEASURES[row.measure]} по региону {values}, у {fmt.pct(row.moved, 0)} школ "
        f"{moved}"
    )


def warning(shifts: pd.DataFrame, year: int | None = None, limit: int = 5) -> str | None:
    """The pages' warning about the shifts of `year` and the year before (those the rules
    of `year` read), or None when there are none."""
    if year is not None:
        shifts = shifts[shifts["year"].between(year - 1, year)]
    if shifts.empty:
        return None
    said = [shift_words(r) for r in shifts.head(limit).itertuples(index=False)]
    more = len(shifts) - len(said)
    return (
        "Похоже на изменение шкалы или критериев оценивания, а не на перемену в школах: "
        + "; ".join(said)
        + (f"; и ещё {more}" if more > 0 else "")
        + ". Правила на «сырых» долях и цвета доли «2» в такой год срабатывают у многих школ "
        "сразу: в критериях на странице «Идентификация» можно включить долю «2» "
        "относительно региона."
    )
