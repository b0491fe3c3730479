"""Trends of every school's indicators as of each year, status × change colours, early warning.

Built on analytics.trends: the slope over the last `Trends.window` available years (fewer where
data are missing, never invented), change from the previous available year, and the 5×5 colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import grouping
from analytics import trends as tr
from analytics.settings import Trends

SCHOOL_INDICATORS = ("result_index", "share_fail", "adjusted", "isbsh", "high_risks")
STATUS_COLUMNS = (
    "change_rate",
    "status",
    "change",
    "colour",
    "colour_name",
    "colour_hex",
    "symbol",
    "label",
)


def as_of_frames(values: pd.DataFrame, years: list[int], window: int) -> pd.DataFrame:
    """Each row repeated for every `as_of` year whose window contains it (year ≤ as_of)."""
    parts = [
        values[(values["year"] <= y) & (values["year"] > y - window)].assign(as_of=y) for y in years
    ]
    return pd.concat(parts, ignore_index=True) if parts else values.assign(as_of=[])


def school_trends(
    values: pd.DataFrame, years: list[int], settings: Trends | None = None
) -> pd.DataFrame:
    """Trends with the status × change colour per school, indicator and as_of year.

    `values`: school_id, indicator, year, value. Status from the last value; change from the
    slope per year over the window (the change from the previous available year where there
    are fewer than three years), both with the indicator's cut points (trends.DEFAULT_CUTS
    with the settings' own). A slope is steadier than one year's change: a single odd year does
    not flip the colour.

    The rows of every as_of year's window are built from integer codes of the schools (a
    school's name is put back on its trend rows), not by copying the text of millions of rows.
    """
    settings = settings or Trends()
    cuts = tr.cuts_from(settings.cuts)
    frames = []
    known = values.dropna(subset=["value"])
    school, names = pd.factorize(known["school_id"], sort=True)
    if (school < 0).any():  # a missing school: the rows as they are
        return _school_trends_by_rows(known, years, settings, cuts)
    indicator = known["indicator"].to_numpy()
    year = known["year"].to_numpy()
    value = known["value"].to_numpy()
    for name in sorted(pd.unique(indicator)):
        mine = indicator == name
        parts = [(y, mine & (year <= y) & (year > y - settings.window)) for y in years]
        part = pd.DataFrame(
            {
                "as_of": np.concatenate([np.full(int(rows.sum()), y) for y, rows in parts]),
                "school": np.concatenate([school[rows] for _, rows in parts]),
                "year": np.concatenate([year[rows] for _, rows in parts]),
                "value": np.concatenate([value[rows] for _, rows in parts]),
            }
        )
        if part.empty:
            continue
        t = tr.trends(part, ["as_of", "school"], "value", window=settings.window)
        t = t[t["last_year"] == t["as_of"]]  # a trend «as of» a year needs that year's value
        t.insert(1, "school_id", names.take(t.pop("school").to_numpy()).to_numpy())
        t["school_id"] = t["school_id"].astype(known["school_id"].dtype)
        t = t.assign(change_rate=t["slope"].fillna(t["change_last"]))
        t = tr.status_change(t, cuts[name], "change_rate")
        frames.append(t.assign(indicator=name))
    return _stacked(frames)


def _school_trends_by_rows(values, years, settings, cuts) -> pd.DataFrame:
    frames = []
    long = as_of_frames(values, years, settings.window)
    for indicator, part in long.groupby("indicator", sort=True):
        t = tr.trends(part, ["as_of", "school_id"], "value", window=settings.window)
        t = t[t["last_year"] == t["as_of"]]  # a trend «as of» a year needs that year's value
        t = t.assign(change_rate=t["slope"].fillna(t["change_last"]))
        t = tr.status_change(t, cuts[indicator], "change_rate")
        frames.append(t.assign(indicator=indicator))
    return _stacked(frames)


def _stacked(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["as_of", "school_id", "indicator", *tr.TREND_KEYS])
    out = pd.concat(frames, ignore_index=True)
    first = ["as_of", "school_id", "indicator"]
    return out[first + [c for c in out.columns if c not in first]]


def procedure_trends(
    rows: pd.DataFrame, as_of: int, settings: Trends | None = None
) -> pd.DataFrame:
    """Per school and procedure, as of one year: trends of the standardised mean score and of
    the share of «2», each with its colour."""
    settings = settings or Trends()
    cuts = tr.cuts_from(settings.cuts)
    # The rows of the window, and each procedure of a school found once for both columns.
    year = rows["year"]
    window = ((year <= as_of) & (year > as_of - settings.window)).to_numpy(bool)
    columns = {"z_score": "result_index", "share_fail": "share_fail"}
    found = tr.trends_of(
        rows,
        ["school_id", "exam", "subject", "grade"],
        list(columns),
        window=settings.window,
        rows=window,
    )
    frames = []
    for column, indicator in columns.items():
        t = found[column]
        t = t[t["last_year"] == as_of]
        t = t.assign(change_rate=t["slope"].fillna(t["change_last"]))
        t = tr.status_change(t, cuts[indicator], "change_rate")
        frames.append(t.assign(indicator=column, as_of=as_of))
    return pd.concat(frames, ignore_index=True)


def early_warning(
    trends_frame: pd.DataFrame,
    identification: pd.DataFrame,
    membership: pd.DataFrame,
    settings: Trends | None = None,
) -> pd.DataFrame:
    """Schools on no list whose result, if its trend continues, falls into the bottom group.

    The projection is last value + `warning_horizon` · Theil–Sen slope (robust to one odd
    year); the bottom group is the region's lowest `warning_share` of overall results in the
    as_of year (a quantile of all schools, not the per-procedure ranking of the ШНОР rule).
    """
    settings = settings or Trends()
    result = trends_frame[
        (trends_frame["indicator"] == "result_index") & trends_frame["theil_slope"].notna()
    ].copy()
    columns = [
        "as_of",
        "school_id",
        "last_value",
        "theil_slope",
        "slope",
        "mk_p",
        "projected",
        "threshold",
    ]
    if result.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == "school_id" else float) for c in columns}
        )
    threshold = result.groupby("as_of")["last_value"].quantile(settings.warning_share)
    result["threshold"] = result["as_of"].map(threshold)
    result["projected"] = result["last_value"] + settings.warning_horizon * result["theil_slope"]
    listed = pd.concat(
        [
            identification.loc[identification["shnor"], ["school_id", "year"]],
            membership[["school_id", "year"]],
        ],
        ignore_index=True,
    )
    mine = result[["school_id", "as_of"]].set_axis(["school_id", "year"], axis=1)
    not_listed = ~grouping.rows_in(mine, listed)
    warn = (
        not_listed
        & (result["theil_slope"] < 0)
        & (result["last_value"] >= result["threshold"])
        & (result["projected"] < result["threshold"])
    )
    return result.loc[warn, columns].sort_values(["as_of", "projected"]).reset_index(drop=True)
