"""Trends of every school's indicators as of each year, status × change colours, early warning.

Built on analytics.trends: the slope over the last `Trends.window` available years (fewer where
data are missing, never invented), change from the previous available year, and the 5×5 colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.settings import Trends
from tests.oracles.v0 import trends as tr

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
    """
    settings = settings or Trends()
    cuts = tr.cuts_from(settings.cuts)
    frames = []
    long = as_of_frames(values.dropna(subset=["value"]), years, settings.window)
    for indicator, part in long.groupby("indicator", sort=True):
        t = tr.trends(part, ["as_of", "school_id"], "value", window=settings.window)
        t = t[t["last_year"] == t["as_of"]]  # a trend «as of» a year needs that year's value
        t = t.assign(change_rate=t["slope"].fillna(t["change_last"]))
        t = tr.status_change(t, cuts[indicator], "change_rate")
        frames.append(t.assign(indicator=indicator))
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
    window = rows[(rows["year"] <= as_of) & (rows["year"] > as_of - settings.window)]
    frames = []
    for column, indicator in (("z_score", "result_index"), ("share_fail", "share_fail")):
        t = tr.trends(
            window, ["school_id", "exam", "subject", "grade"], column, window=settings.window
        )
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
    listed = set(
        zip(
            identification.loc[identification["shnor"], "school_id"],
            identification.loc[identification["shnor"], "year"],
            strict=True,
        )
    ) | set(zip(membership["school_id"], membership["year"], strict=True))
    not_listed = np.array(
        [(s, y) not in listed for s, y in zip(result["school_id"], result["as_of"], strict=True)],
        dtype=bool,
    )
    warn = (
        not_listed
        & (result["theil_slope"] < 0)
        & (result["last_value"] >= result["threshold"])
        & (result["projected"] < result["threshold"])
    )
    return result.loc[warn, columns].sort_values(["as_of", "projected"]).reset_index(drop=True)
