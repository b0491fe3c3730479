"""Trends and the «status × change» colour: known answers computed by hand or by reference code."""

from __future__ import annotations

import math
import re
from itertools import combinations, permutations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pymannkendall as mk
import pytest
from scipy import stats

from analytics import trends as tr
from analytics.trends import DEFAULT_CUTS

T_975_DF3 = 3.182446305284263  # Student's t, 97.5 % quantile, 3 degrees of freedom (tables)


def close(a, b, rel=1e-9, abs_=1e-9) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return not (pd.isna(a) or pd.isna(b)) and math.isclose(
        float(a), float(b), rel_tol=rel, abs_tol=abs_
    )


def pairwise_slopes(years, values) -> list[float]:
    return [
        (values[j] - values[i]) / (years[j] - years[i])
        for i, j in combinations(range(len(years)), 2)
    ]


def exact_kendall_p(values) -> float:
    """Two-sided permutation p-value of Kendall's S (no ties), by enumerating all orders."""
    n = len(values)

    def score(v):
        return sum(np.sign(v[j] - v[i]) for i, j in combinations(range(n), 2))

    s_obs = abs(score(values))
    scores = [abs(score(p)) for p in permutations(range(n))]
    return sum(s >= s_obs for s in scores) / len(scores)


# --- one series --------------------------------------------------------------------------------


def test_ols_slope_se_and_interval_by_hand():
    years, values = [2021, 2022, 2023, 2024, 2025], [1, 2, 2, 4, 5]
    # x̄ = 2023, ȳ = 2.8; dx = −2, −1, 0, 1, 2; dy = −1.8, −0.8, −0.8, 1.2, 2.2
    sxx = 4 + 1 + 0 + 1 + 4
    sxy = 3.6 + 0.8 + 0 + 1.2 + 4.4
    slope = sxy / sxx  # 1.0
    fitted = [2.8 + slope * (y - 2023) for y in years]
    rss = sum((v - f) ** 2 for v, f in zip(values, fitted, strict=True))  # 0.8
    se = math.sqrt(rss / (5 - 2) / sxx)  # 0.1633
    r = tr.series_trend(years, values)
    assert r["n_points"] == 5
    assert (r["first_year"], r["last_year"], r["previous_year"]) == (2021, 2025, 2024)
    assert r["last_value"] == 5 and r["change_last"] == 1
    assert r["slope"] == pytest.approx(1.0)
    assert r["slope_se"] == pytest.approx(se) and se == pytest.approx(0.163299, abs=1e-6)
    assert r["slope_low"] == pytest.approx(1.0 - T_975_DF3 * se)
    assert r["slope_high"] == pytest.approx(1.0 + T_975_DF3 * se)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(slope / se, 3))


def test_missing_year_uses_the_actual_years():
    # 2020 absent (exam not held): 2019 → 2021 is two years.
    years, values = [2019, 2021, 2022], [10, 14, 15]
    # x̄ = 2020⅔, dx = −5/3, 1/3, 4/3; ȳ = 13, dy = −3, 1, 2
    sxx = 25 / 9 + 1 / 9 + 16 / 9
    sxy = 5 + 1 / 3 + 8 / 3
    r = tr.series_trend(years, values)
    assert r["slope"] == pytest.approx(sxy / sxx) and r["slope"] == pytest.approx(12 / 7)
    assert r["slope"] != pytest.approx(2.5)  # what consecutive positions 0, 1, 2 would give
    assert r["theil_slope"] == pytest.approx(5 / 3)  # median of 4/2, 5/3, 1/1
    assert (r["previous_year"], r["change_last"]) == (2021, 1)
    # A NaN value is the same as an absent year.
    same = tr.series_trend([2019, 2020, 2021, 2022], [10, np.nan, 14, 15])
    assert all(close(same[k], r[k]) for k in tr.TREND_KEYS)


def test_theil_sen_with_an_outlier_is_the_median_of_pairwise_slopes():
    years, values = [2021, 2022, 2023, 2024, 2025], [3, 5, 4, 30, 7]
    slopes = sorted(pairwise_slopes(years, values))
    # −23, −1, 0.5, ⅔, 1, 1.5, 2, 9, 12.5, 26 → median (1 + 1.5) / 2
    assert slopes[4:6] == [1, 1.5]
    r = tr.series_trend(years, values)
    assert r["theil_slope"] == pytest.approx(1.25)
    # Least squares is pulled by the outlier: Σ dx·y / Σ dx² = (−6 − 5 + 0 + 30 + 14) / 10.
    assert r["slope"] == pytest.approx(3.3)
    # Sen's 95 % interval with 5 points and no ties: ranks round((10 ∓ 1.96·√(50/3))/2) → the
    # smallest and the largest pairwise slope.
    assert (r["theil_low"], r["theil_high"]) == (min(slopes), max(slopes))


def test_too_few_points_and_constant_series():
    r = tr.series_trend([2024, 2025], [3.0, 3.5])
    assert r["n_points"] == 2 and r["change_last"] == pytest.approx(0.5)
    assert all(np.isnan(r[k]) for k in tr.TREND_KEYS[6:])
    one = tr.series_trend([2025], [3.0])
    assert (
        one["last_year"] == 2025 and np.isnan(one["change_last"]) and pd.isna(one["previous_year"])
    )
    flat = tr.series_trend([2021, 2022, 2023, 2024], [2, 2, 2, 2])
    assert (flat["slope"], flat["slope_se"], flat["p_value"]) == (0, 0, 1)
    assert (flat["theil_slope"], flat["mk_tau"], flat["mk_p"]) == (0, 0, 1)
    assert mk.original_test([2, 2, 2, 2]).p == 1  # the reference says the same
    with pytest.raises(ValueError, match="repeated year"):
        tr.series_trend([2021, 2021, 2022], [1, 2, 3])
    with pytest.raises(ValueError):
        tr.series_trend([2021, 2022, 2023], [1, 2, 3], window=2)


MK_SERIES = [
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    [3.1, 2.7, 4.5, 4.0, 5.2, 4.8, 6.3, 5.9],
    [0.2, 0.1, 0.4, 0.3, 0.5],
    [5, 4, 4.5, 3, 3.5, 2],
    [2, 3, 3, 5, 4, 4, 6],  # ties
]


@pytest.mark.parametrize("values", MK_SERIES)
def test_mann_kendall_agrees_with_pymannkendall(values):
    n = len(values)
    ref = mk.original_test(values)
    r = tr.series_trend(range(2015, 2015 + n), values, window=n)
    assert r["theil_slope"] == pytest.approx(ref.slope, abs=1e-12)
    tot = n * (n - 1) // 2
    tied_pairs = sum(t * (t - 1) // 2 for t in pd.Series(values).value_counts())
    # Kendall's τ-b; equals pymannkendall's τ-a = S / tot when there are no ties.
    assert r["mk_tau"] * math.sqrt(tot * (tot - tied_pairs)) == pytest.approx(ref.s)
    if tied_pairs == 0:
        assert r["mk_tau"] == pytest.approx(ref.Tau, abs=1e-12)
        # Exact permutation p-value; pymannkendall's normal approximation with a continuity
        # correction is within 0.015 of it for these series (n = 5 … 10).
        if n <= 8:
            assert r["mk_p"] == pytest.approx(exact_kendall_p(values), abs=1e-12)
    else:
        # With ties: normal approximation, same S and tie-corrected variance as pymannkendall,
        # without its continuity correction.
        assert r["mk_p"] == pytest.approx(2 * stats.norm.sf(abs(ref.s) / math.sqrt(ref.var_s)))
    assert r["mk_p"] == pytest.approx(ref.p, abs=0.015)


# --- colours and levels ------------------------------------------------------------------------

# The table as California prints it: status very high → very low, change declined
# significantly → increased significantly.
TABLE = {
    "очень высокий": "YGBBB",
    "высокий": "OYGGB",
    "средний": "OOYGG",
    "низкий": "ROYYY",
    "очень низкий": "RRROY",
}


def test_grid_has_all_25_cells_of_the_table():
    assert len(tr.GRID) == 5 and all(len(row) == 5 for row in tr.GRID)
    for status in range(5):
        row = TABLE[tr.STATUS_LEVELS[status]]
        for change in range(5):
            assert tr.colour_code(status, change) == row[change] == tr.GRID[status][change]
    assert (tr.colour_code(0, 0), tr.colour_code(0, 4)) == ("R", "Y")
    assert (tr.colour_code(4, 0), tr.colour_code(4, 4)) == ("Y", "B")
    with pytest.raises(ValueError):
        tr.colour_code(5, 0)
    with pytest.raises(ValueError):
        tr.colour_code(-1, 0)


def test_labels_and_colour_specs():
    assert tr.colour_label(1, 4) == "низкий уровень, значительный рост"
    assert tr.colour_label(4, 2) == "очень высокий уровень, без изменений"
    assert set(tr.COLOURS) == {code for row in tr.GRID for code in row}
    names, hexes, marks = zip(*tr.COLOURS.values(), strict=True)
    assert len(set(names)) == len(set(hexes)) == len(set(marks)) == 5
    for name, hex_, symbol in tr.COLOURS.values():
        assert re.fullmatch(r"[а-яё]+", name)
        assert re.fullmatch(r"#[0-9a-f]{6}", hex_)
        go.Scatter(marker={"symbol": symbol})  # plotly rejects an unknown symbol
    assert [tr.COLOURS[c][0] for c in "ROYGB"] == [
        "красный",
        "оранжевый",
        "жёлтый",
        "зелёный",
        "синий",
    ]


def test_default_cuts():
    assert {"result_index", "adjusted", "share_fail", "mean_mark", "isbsh", "high_risks"} <= set(
        DEFAULT_CUTS
    )
    assert DEFAULT_CUTS["share_fail"].label == "Доля «2»"
    assert not DEFAULT_CUTS["share_fail"].higher_is_better
    assert not DEFAULT_CUTS["high_risks"].higher_is_better
    assert DEFAULT_CUTS["result_index"].status == (-1, -0.5, 0.5, 1)
    with pytest.raises(ValueError):
        tr.IndicatorCuts(status=(1, 0, 2, 3), change=(-2, -1, 1, 2))
    with pytest.raises(ValueError):
        tr.IndicatorCuts(status=(0, 1, 2), change=(-2, -1, 1, 2))


def test_status_level_at_cuts_nan_and_index():
    cuts = DEFAULT_CUTS["result_index"]  # (−1, −0.5, 0.5, 1), higher is better
    values = pd.Series([-2, -1, -0.7, -0.5, 0, 0.5, 0.99, 1, 3, np.nan], index=list("abcdefghij"))
    got = tr.status_level(values, cuts)
    assert str(got.dtype) == "Int64" and list(got.index) == list("abcdefghij")
    # At a cut point the value goes up: −1 → низкий, 0.5 → высокий, 1 → очень высокий.
    assert got.tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4, pd.NA]


def test_status_level_flipped_for_share_of_fails():
    cuts = DEFAULT_CUTS["share_fail"]  # (0.05, 0.10, 0.20, 0.30), lower is better
    values = pd.Series([0.03, 0.05, 0.07, 0.10, 0.20, 0.25, 0.30, 0.31, None])
    got = tr.status_level(values, cuts)
    # At a cut the share goes to the better level: 5 % is still «очень высокий».
    assert got.tolist() == [4, 4, 3, 3, 2, 1, 1, 0, pd.NA]
    assert tr.STATUS_LEVELS[got.iloc[0]] == "очень высокий"


def test_change_level_cuts_flip_and_float_noise():
    fails = DEFAULT_CUTS["share_fail"]  # change cuts (−0.05, −0.02, 0.02, 0.05)
    got = tr.change_level(
        pd.Series([-0.06, -0.05, -0.03, 0, 0.02, 0.03, 0.05, 0.06, np.nan]), fails
    )
    assert got.tolist() == [4, 4, 3, 2, 2, 1, 1, 0, pd.NA]
    assert tr.CHANGE_LEVELS[got.iloc[0]] == "значительный рост"  # the share of «2» fell by 0.06
    z = DEFAULT_CUTS["result_index"]  # change cuts (−0.3, −0.1, 0.1, 0.3)
    got = tr.change_level(pd.Series([-0.3, -0.1, 0.1, 0.3, 0.3 - 0.2, 0.0999]), z)
    # 0.3 − 0.2 = 0.09999999999999998 counts as the cut 0.1; 0.0999 does not.
    assert got.tolist() == [1, 2, 3, 4, 3, 2]
    risks = DEFAULT_CUTS["high_risks"]  # counts, cuts (−1,5, −0,5, 0,5, 1,5), more is worse
    # Half-way cuts: one factor less is «рост», one more is «снижение», symmetrically.
    got = tr.change_level(pd.Series([-3, -2, -1, 0, 1, 2, 3]), risks)
    assert got.tolist() == [4, 4, 3, 2, 1, 0, 0]
    assert tr.status_level(pd.Series([0, 1, 3, 6, 7]), risks).tolist() == [4, 4, 2, 1, 0]


# --- many groups -------------------------------------------------------------------------------


def long_frame() -> pd.DataFrame:
    rows = [
        # S1: 2020 missing, 2023 NaN
        ("S1", "математика", 2019, 0.1),
        ("S1", "математика", 2021, 0.4),
        ("S1", "математика", 2022, 0.2),
        ("S1", "математика", 2023, np.nan),
        ("S1", "математика", 2024, 0.5),
        ("S1", "математика", 2025, 0.45),
        # S2: five years with a tie
        ("S2", "математика", 2021, -0.3),
        ("S2", "математика", 2022, -0.5),
        ("S2", "математика", 2023, -0.5),
        ("S2", "математика", 2024, -0.9),
        ("S2", "математика", 2025, -0.7),
        # S2 русский: only two years
        ("S2", "русский язык", 2024, 0.0),
        ("S2", "русский язык", 2025, 0.2),
        # S3: no value at all
        ("S3", "математика", 2025, np.nan),
    ]
    return pd.DataFrame(rows, columns=["school_id", "subject", "year", "value"]).sample(
        frac=1, random_state=3
    )


def assert_same_as_series(out: pd.DataFrame, frame: pd.DataFrame, by, **kwargs):
    for key, group in frame.groupby(by):
        row = out.set_index(by).loc[key]
        ref = tr.series_trend(group["year"], group["value"], **kwargs)
        for k in tr.TREND_KEYS:
            assert close(row[k], ref[k]), (key, k, row[k], ref[k])


def test_trends_equals_series_trend_per_group():
    frame = long_frame()
    by = ["school_id", "subject"]
    out = tr.trends(frame, by, "value")
    assert list(out.columns) == [*by, *tr.TREND_KEYS]
    assert out[by].values.tolist() == [
        ["S1", "математика"],
        ["S2", "математика"],
        ["S2", "русский язык"],
        ["S3", "математика"],
    ]
    assert_same_as_series(out, frame, by)
    s1 = out.iloc[0]
    assert (s1["n_points"], s1["first_year"], s1["previous_year"]) == (5, 2019, 2024)
    assert s1["change_last"] == pytest.approx(-0.05)
    two = out.iloc[2]  # fewer than min_points: change yes, slopes no
    assert two["n_points"] == 2 and two["change_last"] == pytest.approx(0.2)
    assert out.loc[2, list(tr.TREND_KEYS[6:])].isna().all()
    empty = out.iloc[3]
    assert empty["n_points"] == 0 and pd.isna(empty["last_year"]) and pd.isna(empty["last_value"])
    assert str(out["last_year"].dtype) == "Int64"


def test_trends_window_keeps_the_last_available_years():
    frame = long_frame()
    out = tr.trends(frame, ["school_id", "subject"], "value", window=3).set_index("school_id")
    s1 = out.loc["S1"]
    # Last three available years of S1: 2022, 2024, 2025 (2023 is NaN).
    assert (s1["n_points"], s1["first_year"], s1["last_year"]) == (3, 2022, 2025)
    expected = tr.series_trend([2022, 2024, 2025], [0.2, 0.5, 0.45])
    assert close(s1["slope"], expected["slope"]) and close(s1["mk_p"], expected["mk_p"])
    # Same by hand: x̄ = 2023⅔, dx = −5/3, 1/3, 4/3; ȳ = 0.38333
    dx, dy = [-5 / 3, 1 / 3, 4 / 3], [0.2 - 1.15 / 3, 0.5 - 1.15 / 3, 0.45 - 1.15 / 3]
    slope = sum(a * b for a, b in zip(dx, dy, strict=True)) / sum(a * a for a in dx)
    assert s1["slope"] == pytest.approx(slope)
    assert_same_as_series(out.reset_index(), frame, ["school_id", "subject"], window=3)
    more = tr.trends(frame, ["school_id", "subject"], "value", min_points=4)
    assert more.set_index("school_id").loc["S1", "slope"] == pytest.approx(
        tr.series_trend([2019, 2021, 2022, 2024, 2025], [0.1, 0.4, 0.2, 0.5, 0.45])["slope"]
    )


def test_trends_random_groups_match_scipy():
    """Gaps, ties, constant series and different lengths: vectorised == SciPy per group."""
    rng = np.random.default_rng(7)
    rows = []
    for g in range(120):
        n = int(rng.integers(1, 10))
        years = np.sort(rng.choice(np.arange(2012, 2026), size=n, replace=False))
        kind = g % 3
        values = (
            rng.normal(size=n)
            if kind == 0
            else rng.integers(0, 3, size=n).astype(float)
            if kind == 1
            else np.full(n, 4.0)
        )
        rows += [(g, y, v) for y, v in zip(years, values, strict=True)]
    frame = pd.DataFrame(rows, columns=["g", "year", "value"])
    for window in (3, 5, 8):
        out = tr.trends(frame, ["g"], "value", window=window)
        assert len(out) == 120
        assert_same_as_series(out, frame, "g", window=window)


def test_trends_rejects_repeated_years():
    frame = pd.DataFrame({"s": ["A", "A"], "year": [2025, 2025], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="repeated year 2025"):
        tr.trends(frame, ["s"], "value")


def test_status_change_columns():
    trend = pd.DataFrame(
        {
            "school_id": ["A", "B", "C", "D"],
            "last_value": [0.03, 0.35, 0.15, np.nan],
            "change_last": [-0.06, 0.06, np.nan, 0.0],
        }
    )
    out = tr.status_change(trend, DEFAULT_CUTS["share_fail"])
    assert out["status"].tolist()[:3] == [4, 0, 2] and pd.isna(out["status"].iloc[3])
    assert out["change"].tolist()[:2] == [4, 0] and pd.isna(out["change"].iloc[2])
    assert out["colour"].tolist()[:2] == ["B", "R"]
    assert out["colour_name"].tolist()[:2] == ["синий", "красный"]
    assert out["colour_hex"].iloc[0] == "#4575b4" and out["symbol"].iloc[1] == "x"
    # In the quantity's own words: 3 % of «2», down 6 points, is low and falling (and blue).
    assert out["label"].iloc[0] == "очень низкий уровень, значительное снижение"
    assert out["label"].iloc[1] == "очень высокий уровень, значительный рост"
    assert (
        out.loc[2:, ["colour", "colour_name", "colour_hex", "symbol", "label"]].isna().all().all()
    )
    assert list(trend.columns) == ["school_id", "last_value", "change_last"]  # input untouched
    by_slope = tr.status_change(
        pd.DataFrame({"last_value": [0.0], "slope": [0.2]}), DEFAULT_CUTS["result_index"], "slope"
    )
    assert by_slope["colour"].iloc[0] == tr.colour_code(2, 3) == "G"
