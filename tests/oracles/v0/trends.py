"""Trends of a school's indicators and the «status × change» colour of California's Dashboard.

Per school and indicator: the change from the previous available year, the least-squares slope
over the last 3–5 available years with its standard error and 95 % interval, and a robust second
opinion — the Theil–Sen slope (median of the pairwise slopes) with the Mann–Kendall test.

Missing years are never filled in: a year without a value is simply absent, and every slope is
computed on the years actually present (2019, 2021, 2022 are two and one year apart, not one).
`change_last` is the last value minus the previous *available* value, whatever the gap.

Two implementations of the same statistics, kept equal by the tests:

* `series_trend` — one series, straight from SciPy (`linregress`, `theilslopes`, `kendalltau`);
  the reference.
* `trends` — a long frame with many groups, vectorised with NumPy on a groups × years array
  (≈ 0.1 s for 40 000 groups × 5 years, where calling the three SciPy functions per group
  takes about half a minute). It reproduces SciPy's results to rounding, including the p-value
  method `kendalltau` picks by default: the exact permutation distribution of Kendall's S when the
  values have no ties (n ≤ 33), otherwise the normal approximation with the tie-corrected
  variance [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 and no continuity correction. With 3–5 points
  the exact p-value is the honest one; `pymannkendall` (normal approximation with a continuity
  correction) gives p-values within about 0.02–0.04 of it. `mk_tau` is Kendall's τ-b (= τ-a
  when the values have no ties).

A series whose values are all equal has slope 0, standard error 0, interval [0, 0], p-value 1,
τ = 0 and Mann–Kendall p = 1 (SciPy would return NaN for the p-values and τ; these follow
`pymannkendall` and common sense: no change at all is no evidence of a trend).

Colour: five status levels × five change levels → red, orange, yellow, green or blue, as in
California's School Dashboard. «High» status and «growth» always mean *better*: for indicators
where more is worse (share of «2», number of risk factors) the scales are flipped. A value
exactly at a cut point goes to the better of the two levels (at or above the cut goes up when
higher is better; at or below the cut goes up when lower is better), as the California cut
points do («2.5 % or less» is the best level of chronic absenteeism). Values within 1e-9 of a
cut count as being at it, so that 0.3 − 0.2 = 0.09999999999999998 is classed as 0.1.
Every colour also has a Russian name and a plotly marker symbol, so it reads in black and white.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import numpy as np
import pandas as pd


def _stats():
    """scipy.stats, imported when a trend is computed (not when a page imports the labels)."""
    from scipy import stats

    return stats


STATUS_LEVELS = ("очень низкий", "низкий", "средний", "высокий", "очень высокий")
CHANGE_LEVELS = ("значительное снижение", "снижение", "без изменений", "рост", "значительный рост")

# Colour code → (Russian name, hex, plotly marker symbol).
COLOURS: dict[str, tuple[str, str, str]] = {
    "R": ("красный", "#d73027", "x"),
    "O": ("оранжевый", "#fc8d59", "triangle-down"),
    "Y": ("жёлтый", "#fee08b", "circle"),
    "G": ("зелёный", "#91cf60", "triangle-up"),
    "B": ("синий", "#4575b4", "star"),
}

# California's 5×5 table as it is printed: rows status very high → very low, columns change
# «значительное снижение» → «значительный рост».
_TABLE_HIGH_FIRST = (
    "YGBBB",  # очень высокий
    "OYGGB",  # высокий
    "OOYGG",  # средний
    "ROYYY",  # низкий
    "RRROY",  # очень низкий
)
# GRID[status][change], status 0 = очень низкий … 4 = очень высокий.
GRID: tuple[str, ...] = tuple(reversed(_TABLE_HIGH_FIRST))

TREND_KEYS = (
    "n_points",
    "first_year",
    "last_year",
    "last_value",
    "previous_year",
    "change_last",
    "slope",
    "slope_se",
    "slope_low",
    "slope_high",
    "p_value",
    "theil_slope",
    "theil_low",
    "theil_high",
    "mk_tau",
    "mk_p",
)
_YEAR_KEYS = ("first_year", "last_year", "previous_year")
_SLOPE_KEYS = TREND_KEYS[6:]

CONFIDENCE = 0.95
# Kendall's exact p-value is used up to this many points (as in scipy.stats.kendalltau).
_EXACT_MAX_N = 33
# Values this close to a cut point (relative to max(1, |cut|)) count as being at it.
_CUT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class IndicatorCuts:
    """Cut points of one indicator, in its own units.

    `status` cuts the value into the five status levels, `change` cuts the change (per year or
    from last year) into the five change levels. Both ascending in the indicator's units;
    `higher_is_better=False` flips both scales so that «high» and «growth» mean better.
    """

    status: tuple[float, float, float, float]
    change: tuple[float, float, float, float]
    higher_is_better: bool = True
    label: str = ""

    def __post_init__(self) -> None:
        for name in ("status", "change"):
            cuts = tuple(float(c) for c in getattr(self, name))
            if len(cuts) != 4 or not all(np.isfinite(cuts)):
                raise ValueError(f"{name}: нужно ровно 4 конечные точки отсечения, получено {cuts}")
            if any(b <= a for a, b in pairwise(cuts)):
                raise ValueError(f"{name}: точки отсечения должны возрастать, получено {cuts}")
            object.__setattr__(self, name, cuts)


_Z_CUTS = {"status": (-1.0, -0.5, 0.5, 1.0), "change": (-0.3, -0.1, 0.1, 0.3)}

DEFAULT_CUTS: dict[str, IndicatorCuts] = {
    "result_index": IndicatorCuts(**_Z_CUTS, label="Сводный результат"),
    "adjusted": IndicatorCuts(**_Z_CUTS, label="Результат с учётом контекста"),
    "share_fail": IndicatorCuts(
        status=(0.05, 0.10, 0.20, 0.30),
        change=(-0.05, -0.02, 0.02, 0.05),
        higher_is_better=False,
        label="Доля «2»",
    ),
    "mean_mark": IndicatorCuts(
        status=(3.2, 3.5, 3.9, 4.2), change=(-0.2, -0.07, 0.07, 0.2), label="Средняя отметка"
    ),
    "isbsh": IndicatorCuts(status=(20, 40, 60, 80), change=(-5, -2, 2, 5), label="ИСБШ"),
    "high_risks": IndicatorCuts(
        status=(1, 2, 4, 6),
        # Whole counts: half-way cuts make a change of one factor count both ways alike.
        change=(-1.5, -0.5, 0.5, 1.5),
        higher_is_better=False,
        label="Число факторов высокого риска",
    ),
}


# --- status, change, colour -----------------------------------------------------------------


def _level(values, cuts: tuple[float, ...], higher_is_better: bool) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    v = pd.to_numeric(series).to_numpy(dtype=float, na_value=np.nan)
    c = np.asarray(cuts, dtype=float)
    tol = _CUT_TOLERANCE * np.maximum(1.0, np.abs(c))
    with np.errstate(invalid="ignore"):
        if higher_is_better:  # at or above a cut goes up
            level = (v[:, None] >= c - tol).sum(axis=1)
        else:  # at or below a cut goes up (a smaller value is better)
            level = len(c) - (v[:, None] > c + tol).sum(axis=1)
    out = pd.array(level, dtype="Int64")
    out[np.isnan(v)] = pd.NA
    return pd.Series(out, index=series.index, name=series.name)


def status_level(values: pd.Series, cuts: IndicatorCuts) -> pd.Series:
    """Status level 0 (очень низкий) … 4 (очень высокий) of each value; «high» means good.

    A value exactly at a cut point goes to the better level. NaN stays <NA>.

    >>> status_level(pd.Series([0.03, 0.05, 0.31, None]), DEFAULT_CUTS["share_fail"]).tolist()
    [4, 4, 0, <NA>]
    """
    return _level(values, cuts.status, cuts.higher_is_better)


def change_level(changes: pd.Series, cuts: IndicatorCuts) -> pd.Series:
    """Change level 0 (значительное снижение) … 4 (значительный рост); growth means better.

    >>> change_level(pd.Series([-0.06, 0.0, 0.3]), DEFAULT_CUTS["share_fail"]).tolist()
    [4, 2, 0]
    """
    return _level(changes, cuts.change, cuts.higher_is_better)


def _check_level(level, name: str) -> int:
    if isinstance(level, bool) or not isinstance(level, int | np.integer) or not 0 <= level <= 4:
        raise ValueError(f"{name}: ожидается целое от 0 до 4, получено {level!r}")
    return int(level)


def colour_code(status: int, change: int) -> str:
    """Colour code (R, O, Y, G, B) of a status level and a change level.

    >>> colour_code(0, 0), colour_code(0, 4), colour_code(4, 0), colour_code(4, 4)
    ('R', 'Y', 'Y', 'B')
    """
    return GRID[_check_level(status, "status")][_check_level(change, "change")]


def colour_label(status: int, change: int) -> str:
    """Russian description of a cell, e.g. «низкий уровень, значительный рост».

    >>> colour_label(1, 4)
    'низкий уровень, значительный рост'
    """
    s, c = _check_level(status, "status"), _check_level(change, "change")
    return f"{STATUS_LEVELS[s]} уровень, {CHANGE_LEVELS[c]}"


def level_words(status: int, change: int, higher_is_better: bool = True) -> tuple[str, str]:
    """The words of a status and a change level for the quantity itself: where lower is
    better, the best status is «очень низкий» (few «2») and the best change «снижение».

    >>> level_words(4, 3, higher_is_better=False)
    ('очень низкий', 'снижение')
    """
    s, c = _check_level(status, "status"), _check_level(change, "change")
    if higher_is_better:
        return STATUS_LEVELS[s], CHANGE_LEVELS[c]
    return STATUS_LEVELS[4 - s], CHANGE_LEVELS[4 - c]


def level_names(higher_is_better: bool = True) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The five status and five change words, level 0 … 4, in the quantity's own words."""
    if higher_is_better:
        return STATUS_LEVELS, CHANGE_LEVELS
    return STATUS_LEVELS[::-1], CHANGE_LEVELS[::-1]


def direction(change: int, higher_is_better: bool = True) -> int:
    """The change level as the quantity moves (0 = falls a lot … 4 = grows a lot), whatever
    is better; for arrows."""
    c = _check_level(change, "change")
    return c if higher_is_better else 4 - c


def status_change(
    trend: pd.DataFrame, cuts: IndicatorCuts, change_column: str = "change_last"
) -> pd.DataFrame:
    """Add status, change and colour columns to a `trends` frame.

    Status from `last_value`, change from `change_column` (e.g. "change_last" or "slope"; its
    units must match `cuts.change`). Added: status, change (Int64), colour (code), colour_name,
    colour_hex, symbol, label. Where status or change is unknown the colour columns are missing.
    """
    out = trend.copy()
    status = status_level(out["last_value"], cuts)
    change = change_level(out[change_column], cuts)
    out["status"] = status.to_numpy()
    out["change"] = change.to_numpy()
    known = (status.notna() & change.notna()).to_numpy()
    s = status.to_numpy(dtype=float, na_value=np.nan)[known].astype(int)
    c = change.to_numpy(dtype=float, na_value=np.nan)[known].astype(int)

    def column(table: np.ndarray) -> pd.Series:
        values = np.full(len(out), None, dtype=object)
        values[known] = table[s, c]
        return pd.Series(values, index=out.index, dtype="str")

    grid = np.array([list(row) for row in GRID], dtype=object)
    codes = column(grid)
    out["colour"] = codes
    for i, name in enumerate(("colour_name", "colour_hex", "symbol")):
        out[name] = codes.map({code: spec[i] for code, spec in COLOURS.items()})
    higher = cuts.higher_is_better
    words = [[level_words(s_, c_, higher) for c_ in range(5)] for s_ in range(5)]
    labels = np.array([[f"{w[0]} уровень, {w[1]}" for w in row] for row in words], dtype=object)
    out["label"] = column(labels)
    return out


# --- trends ---------------------------------------------------------------------------------


def _check_window(window: int, min_points: int) -> None:
    if min_points < 3:
        raise ValueError("min_points must be at least 3: a slope from 2 points has no error")
    if window < min_points:
        raise ValueError(f"window ({window}) must be at least min_points ({min_points})")


def _year(value: float):
    """A year as int when it is whole (the usual case), NaN when missing."""
    if not np.isfinite(value):
        return np.nan
    return int(value) if float(value).is_integer() else float(value)


def _floats(values) -> np.ndarray:
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).ravel())
    return pd.to_numeric(series).to_numpy(dtype=float, na_value=np.nan)


def series_trend(years, values, window: int = 5, min_points: int = 3) -> dict:
    """Trend of one series over its last `window` available (non-NaN) years, with SciPy.

    Returns a dict with the keys in `TREND_KEYS`: n_points, first_year, last_year, last_value,
    previous_year, change_last (last value − previous available value; NaN with < 2 points),
    slope, slope_se, slope_low, slope_high (OLS, 95 % interval with Student's t, df = n − 2),
    p_value, theil_slope, theil_low, theil_high (Theil–Sen, 95 %), mk_tau, mk_p
    (Mann–Kendall = Kendall's τ between year and value). All slope statistics are NaN when
    fewer than `min_points` years are available.

    >>> r = series_trend([2021, 2022, 2023, 2024, 2025], [1, 2, 2, 4, 5])
    >>> r["slope"], r["change_last"], r["previous_year"]
    (1.0, 1.0, 2024)
    """
    _check_window(window, min_points)
    x, y = _floats(years), _floats(values)
    if len(x) != len(y):
        raise ValueError(f"years ({len(x)}) and values ({len(y)}) differ in length")
    present = np.isfinite(x) & np.isfinite(y)
    x, y = x[present], y[present]
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    if np.any(np.diff(x) == 0):
        raise ValueError(f"repeated year in the series: {sorted(x[:-1][np.diff(x) == 0])}")
    x, y = x[-window:], y[-window:]
    n = len(x)

    result: dict = dict.fromkeys(TREND_KEYS, np.nan)
    result["n_points"] = n
    if n >= 1:
        result.update(first_year=_year(x[0]), last_year=_year(x[-1]), last_value=float(y[-1]))
    if n >= 2:
        result.update(previous_year=_year(x[-2]), change_last=float(y[-1] - y[-2]))
    if n < min_points:
        return result

    theil = _stats().theilslopes(y, x, alpha=CONFIDENCE)
    result.update(
        theil_slope=float(theil.slope),
        theil_low=float(theil.low_slope),
        theil_high=float(theil.high_slope),
    )
    if np.all(y == y[0]):  # no change at all: SciPy's r, τ and p-values are undefined here
        zero = dict.fromkeys(("slope", "slope_se", "slope_low", "slope_high", "mk_tau"), 0.0)
        result.update(zero, p_value=1.0, mk_p=1.0)
        return result
    ols = _stats().linregress(x, y)
    half = _stats().t.ppf(0.5 + CONFIDENCE / 2, n - 2) * ols.stderr
    kendall = _stats().kendalltau(x, y)
    result.update(
        slope=float(ols.slope),
        slope_se=float(ols.stderr),
        slope_low=float(ols.slope - half),
        slope_high=float(ols.slope + half),
        p_value=float(ols.pvalue),
        mk_tau=float(kendall.statistic),
        mk_p=float(kendall.pvalue),
    )
    return result


@cache
def _kendall_cdf(n: int) -> np.ndarray:
    """P(number of inversions ≤ c), c = 0 … n(n−1)/2, for a random permutation of n items."""
    dist = np.ones(1)
    for j in range(2, n + 1):
        dist = np.convolve(dist, np.ones(j)) / j
    return np.cumsum(dist)


def _kendall_exact_p(n: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Two-sided exact p-value of Kendall's test, c = min(discordant, concordant) pairs."""
    p = np.ones(len(n))
    for size in np.unique(n):
        rows = n == size
        p[rows] = 2.0 * _kendall_cdf(int(size))[c[rows]]
    p[4 * c == n * (n - 1)] = 1.0
    return np.minimum(p, 1.0)


def _trend_arrays(xs: np.ndarray, ys: np.ndarray, n: np.ndarray) -> dict[str, np.ndarray]:
    """Slope statistics for rows of left-aligned (years, values) arrays, NaN-padded, n ≥ 3."""
    m = ~np.isnan(ys)
    nf = n.astype(float)
    # Ordinary least squares on centred years.
    xm = np.where(m, xs, 0.0).sum(axis=1) / nf
    ym = np.where(m, ys, 0.0).sum(axis=1) / nf
    dx = np.where(m, xs - xm[:, None], 0.0)
    dy = np.where(m, ys - ym[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    slope = (dx * dy).sum(axis=1) / sxx
    rss = ((dy - slope[:, None] * dx) ** 2).sum(axis=1)
    df = nf - 2
    se = np.sqrt(rss / df / sxx)
    constant = (dy == 0).all(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where(constant, 1.0, 2 * _stats().t.sf(np.abs(slope / se), df))
    half = _stats().t.ppf(0.5 + CONFIDENCE / 2, df) * se

    # Pairwise slopes (Theil–Sen) and signs (Mann–Kendall); years are sorted and distinct.
    i, j = np.triu_indices(xs.shape[1], 1)
    pair_dy = ys[:, j] - ys[:, i]
    pairs = np.sort(pair_dy / (xs[:, j] - xs[:, i]), axis=1)  # NaN pairs sort last
    tot = n * (n - 1) // 2
    mid = np.stack([(tot - 1) // 2, tot // 2], axis=1)
    theil = np.take_along_axis(pairs, mid, axis=1).mean(axis=1)
    # Ties among the values: each value's group size t_i, summed as Σ over groups of f(t).
    t = (ys[:, :, None] == ys[:, None, :]).sum(axis=2)
    tied_pairs = np.where(m, t - 1, 0).sum(axis=1) // 2  # Σ t(t−1)/2
    tie_var = np.where(m, (t - 1) * (2 * t + 5), 0).sum(axis=1)  # Σ t(t−1)(2t+5)
    var_s = (n * (n - 1) * (2 * n + 5) - tie_var) / 18.0
    # Sen's (1968) interval as scipy.stats.theilslopes computes it.
    alpha = 1.0 - CONFIDENCE
    z = _stats().norm.ppf(alpha / 2.0)
    sigma = np.sqrt(var_s)
    upper = np.minimum(np.round((tot - z * sigma) / 2.0).astype(int), tot - 1)
    lower = np.maximum(np.round((tot + z * sigma) / 2.0).astype(int) - 1, 0)
    theil_low = np.take_along_axis(pairs, lower[:, None], axis=1)[:, 0]
    theil_high = np.take_along_axis(pairs, upper[:, None], axis=1)[:, 0]

    s = np.nan_to_num(np.sign(pair_dy)).sum(axis=1).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.clip(s / np.sqrt(tot * (tot - tied_pairs).astype(float)), -1.0, 1.0)
        p_asymptotic = 2 * _stats().norm.sf(np.abs(s) / np.sqrt(var_s))
    discordant = (tot - s) // 2
    c = np.minimum(discordant, tot - discordant)
    exact = (tied_pairs == 0) & ((n <= _EXACT_MAX_N) | (c <= 1))
    mk_p = p_asymptotic
    if exact.any():
        mk_p[exact] = _kendall_exact_p(n[exact], c[exact])
    all_tied = tied_pairs == tot
    return {
        "slope": np.where(constant, 0.0, slope),
        "slope_se": np.where(constant, 0.0, se),
        "slope_low": np.where(constant, 0.0, slope - half),
        "slope_high": np.where(constant, 0.0, slope + half),
        "p_value": p_value,
        "theil_slope": theil,
        "theil_low": theil_low,
        "theil_high": theil_high,
        "mk_tau": np.where(all_tied, 0.0, tau),
        "mk_p": np.where(all_tied, 1.0, mk_p),
    }


def _years_column(values: np.ndarray):
    """Years as nullable integers when they are whole numbers (the usual case), else floats."""
    finite = values[np.isfinite(values)]
    if np.array_equal(finite, np.round(finite)):
        return pd.array(values, dtype="Int64")
    return values


def trends(
    frame: pd.DataFrame, by: list[str], value: str, window: int = 5, min_points: int = 3
) -> pd.DataFrame:
    """`series_trend` for every group of a long frame (`by` columns, "year", `value`), vectorised.

    One row per group (sorted by `by`, groups without any value included with n_points 0):
    the `by` columns followed by `TREND_KEYS`. Rows with a missing value or year are ignored;
    a repeated year within a group is an error.
    """
    _check_window(window, min_points)
    by = list(by)
    if not by:
        raise ValueError("by: нужен хотя бы один столбец группировки")
    missing = [c for c in [*by, "year", value] if c not in frame.columns]
    if missing:
        raise KeyError(f"нет столбцов: {missing}")

    group = frame.groupby(by, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    _, first_rows = np.unique(group, return_index=True)
    keys = frame[by].iloc[first_rows].reset_index(drop=True)
    n_groups = len(keys)

    year = pd.to_numeric(frame["year"]).to_numpy(dtype=float, na_value=np.nan)
    val = pd.to_numeric(frame[value]).to_numpy(dtype=float, na_value=np.nan)
    present = np.isfinite(year) & np.isfinite(val)
    g, x, y = group[present], year[present], val[present]
    order = np.lexsort((x, g))
    g, x, y = g[order], x[order], y[order]
    repeated = (g[1:] == g[:-1]) & (x[1:] == x[:-1])
    if repeated.any():
        k = int(np.argmax(repeated))
        raise ValueError(
            f"repeated year {_year(x[k])} for {keys.iloc[g[k]].to_dict()} in column {value!r}"
        )

    # Keep the last `window` points of each group, left-aligned in a groups × window array.
    counts = np.bincount(g, minlength=n_groups)
    n = np.minimum(counts, window)
    position = np.arange(len(g)) - (np.cumsum(counts) - counts)[g]
    column = position - (counts - n)[g]
    kept = column >= 0
    width = max(int(n.max(initial=0)), 2)
    xs = np.full((n_groups, width), np.nan)
    ys = np.full((n_groups, width), np.nan)
    xs[g[kept], column[kept]] = x[kept]
    ys[g[kept], column[kept]] = y[kept]

    rows = np.arange(n_groups)
    last = np.maximum(n - 1, 0)
    previous = np.maximum(n - 2, 0)
    result: dict[str, np.ndarray] = {
        "n_points": n.astype(np.int64),
        "first_year": xs[:, 0],
        "last_year": np.where(n >= 1, xs[rows, last], np.nan),
        "last_value": np.where(n >= 1, ys[rows, last], np.nan),
        "previous_year": np.where(n >= 2, xs[rows, previous], np.nan),
        "change_last": np.where(n >= 2, ys[rows, last] - ys[rows, previous], np.nan),
    }
    enough = n >= min_points
    for key in _SLOPE_KEYS:
        result[key] = np.full(n_groups, np.nan)
    if enough.any():
        for key, column_values in _trend_arrays(xs[enough], ys[enough], n[enough]).items():
            result[key][enough] = column_values

    out = keys.copy()
    for key in TREND_KEYS:
        out[key] = _years_column(result[key]) if key in _YEAR_KEYS else result[key]
    return out


def cuts_from(overrides: dict | None) -> dict[str, IndicatorCuts]:
    """DEFAULT_CUTS with the status/change cut points a settings preset overrides.

    >>> cuts_from({"share_fail": {"status": [0.1, 0.2, 0.3, 0.4]}})["share_fail"].status
    (0.1, 0.2, 0.3, 0.4)
    """
    out = dict(DEFAULT_CUTS)
    for indicator, given in (overrides or {}).items():
        if indicator not in out:
            continue
        base = out[indicator]
        status = tuple(float(v) for v in given.get("status", base.status))
        change = tuple(float(v) for v in given.get("change", base.change))
        if (
            len(status) != 4
            or len(change) != 4
            or list(status) != sorted(status)
            or list(change) != sorted(change)
        ):
            raise ValueError(f"Пороги для «{base.label}»: нужно четыре числа по возрастанию")
        out[indicator] = IndicatorCuts(status, change, base.higher_is_better, base.label)
    return out
