"""Context-adjusted results: known answers and agreement with statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analytics import context as cx


def synthetic(seed: int = 7, schools: int = 300, sigma: float = 2.0, tau: float = 0.3):
    """One procedure-year with a known model: y = 0.02·ИСБШ − 0.3·село + 0.1·ln(pupils) + e."""
    rng = np.random.default_rng(seed)
    isbsh = rng.uniform(0, 100, schools)
    settlement = rng.choice(["город", "посёлок", "село"], schools)
    pupils = rng.integers(40, 1500, schools)
    participants = rng.integers(3, 150, schools)
    y = (
        -1.0
        + 0.02 * isbsh
        - 0.3 * (settlement == "село")
        + 0.1 * np.log(pupils)
        + rng.normal(0, tau, schools)
        + rng.normal(0, sigma, schools) / np.sqrt(participants)
    )
    ids = [f"S{i:04d}" for i in range(schools)]
    results = pd.DataFrame(
        {
            "school_id": ids,
            "year": 2025,
            "exam": "ОГЭ",
            "subject": "Математика",
            "grade": 9,
            "participants": participants,
            "z_score": y,
        }
    )
    context = pd.DataFrame(
        {
            "school_id": ids,
            "year": 2025,
            "isbsh": isbsh,
            "settlement_type": settlement,
            "pupils": pupils,
        }
    )
    return results, context


def test_residuals_agree_with_statsmodels_ols():
    results, context = synthetic()
    adjusted = cx.context_adjusted(results, context, min_participants=10)
    base = results.merge(context, on=["school_id", "year"])
    fit = base["participants"] >= 10
    x = sm.add_constant(
        pd.DataFrame(
            {
                "isbsh": base["isbsh"],
                "posyolok": (base["settlement_type"] == "посёлок").astype(float),
                "selo": (base["settlement_type"] == "село").astype(float),
                "log_pupils": np.log(base["pupils"].astype(float)),
            }
        )
    )
    ols = sm.OLS(base.loc[fit, "z_score"], x[fit]).fit()
    expected = ols.predict(x)
    merged = adjusted.set_index("school_id").loc[base["school_id"]]
    np.testing.assert_allclose(merged["expected"], expected, atol=1e-9)
    np.testing.assert_allclose(merged["residual"], base["z_score"] - expected, atol=1e-9)
    assert merged["isbsh_slope"].iloc[0] == pytest.approx(ols.params["isbsh"], abs=1e-12)


def test_interval_agrees_with_reference_and_recovers_sigma():
    results, context = synthetic(sigma=2.0, schools=2000)
    adjusted = cx.context_adjusted(results, context, min_participants=10)
    reliable = adjusted[adjusted["participants"] >= 10]
    # Reference: OLS of r² on 1/n, slope = σ² of individual pupils.
    ref = sm.OLS(reliable["residual"] ** 2, sm.add_constant(1.0 / reliable["participants"])).fit()
    sigma2 = ref.params.iloc[1]
    assert sigma2 > 0
    assert adjusted["pupil_sd"].iloc[0] == pytest.approx(np.sqrt(sigma2), rel=1e-9)
    assert np.sqrt(sigma2) == pytest.approx(2.0, rel=0.2)  # the planted σ
    se = np.sqrt(sigma2 / adjusted["participants"])
    np.testing.assert_allclose(adjusted["se"], se, rtol=1e-9)
    np.testing.assert_allclose(adjusted["lower"], adjusted["residual"] - 1.959964 * se, rtol=1e-9)
    np.testing.assert_allclose(adjusted["upper"], adjusted["residual"] + 1.959964 * se, rtol=1e-9)


def test_interval_widens_as_participants_fall():
    results, context = synthetic()
    adjusted = cx.context_adjusted(results, context).sort_values("participants")
    widths = (adjusted["upper"] - adjusted["lower"]).to_numpy()
    assert np.all(np.diff(widths) <= 1e-12)


def test_small_schools_do_not_shape_the_model_and_get_their_own_band():
    results, context = synthetic()
    shifted = results.copy()
    small = shifted["participants"] < 10
    shifted.loc[small, "z_score"] += 50  # absurd values in tiny schools
    a = cx.context_adjusted(results, context)
    b = cx.context_adjusted(shifted, context)
    big = a["participants"] >= 10
    np.testing.assert_allclose(a.loc[big, "expected"], b.loc[big, "expected"])
    assert set(b.loc[~big, "band"]) == {cx.BAND_TOO_FEW}


@pytest.mark.parametrize(
    ("residual", "lower", "upper", "expected"),
    [
        (1.2, 0.1, 2.3, cx.BAND_WELL_ABOVE),
        (1.2, -0.1, 2.5, cx.BAND_AS_EXPECTED),  # large but not significant
        (0.3, 0.01, 0.59, cx.BAND_ABOVE),
        (0.0, -0.5, 0.5, cx.BAND_AS_EXPECTED),
        (-0.3, -0.6, -0.01, cx.BAND_BELOW),
        (-1.0, -1.5, -0.5, cx.BAND_WELL_BELOW),
    ],
)
def test_bands(residual, lower, upper, expected):
    got = cx.band(pd.Series([residual]), pd.Series([lower]), pd.Series([upper]), 1.0)
    assert got.iloc[0] == expected


def test_missing_context_gives_no_residual():
    results, context = synthetic(schools=50)
    context.loc[0, "isbsh"] = np.nan
    adjusted = cx.context_adjusted(results, context).set_index("school_id")
    assert np.isnan(adjusted.loc["S0000", "residual"])
    assert adjusted.loc["S0000", "band"] is None


def test_pooling_weights_by_participants():
    rows = pd.DataFrame(
        {
            "school_id": ["a", "a", "a", "b"],
            "year": [2025, 2025, 2024, 2025],
            "exam": ["ОГЭ", "ЕГЭ", "ОГЭ", "ОГЭ"],
            "participants": [30, 10, 20, 5],
            "residual": [0.4, 0.0, 1.0, 9.0],
            "se": [0.1, 0.2, 0.1, 1.0],
        }
    )
    one_year = cx.combine(rows[rows["year"] == 2025], ["school_id"]).set_index("school_id")
    assert list(one_year.index) == ["a"]  # b has too few participants
    assert one_year.loc["a", "residual"] == pytest.approx(0.3)
    assert one_year.loc["a", "se"] == pytest.approx(np.sqrt(30**2 * 0.01 + 10**2 * 0.04) / 40)
    pooled = cx.pooled_over_years(rows, 2025, 2, ("ОГЭ",)).set_index("school_id")
    assert pooled.loc["a", "residual"] == pytest.approx((30 * 0.4 + 20 * 1.0) / 50)
    assert pooled.loc["a", "participants"] == 50


def test_few_schools_fall_back_to_isbsh_alone():
    results, context = synthetic(schools=12)
    results["participants"] = 50
    adjusted = cx.context_adjusted(results, context)
    base = results.merge(context, on=["school_id", "year"])
    ols = sm.OLS(base["z_score"], sm.add_constant(base[["isbsh"]])).fit()
    np.testing.assert_allclose(
        adjusted.set_index("school_id").loc[base["school_id"], "expected"],
        ols.predict(sm.add_constant(base[["isbsh"]])),
        atol=1e-9,
    )


def _simulated_schools(rng, cuts, schools=3000, sd_between=0.5, sigma=1.0):
    """Pupils of many schools with a known spread σ, as a region's protocols report them:
    each school's participants, mean and shares below each cut, standardised like the
    store's procedure results; and each school's true mean on that scale."""
    n = rng.integers(5, 150, schools)
    mu = rng.normal(0, sd_between, schools)
    pupils = np.repeat(mu, n) + rng.normal(0, sigma, int(n.sum()))
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    mean = np.add.reduceat(pupils, starts) / n
    below = np.column_stack([np.add.reduceat(pupils < c, starts) / n for c in cuts])
    centre = np.average(mean, weights=n)
    scale = np.sqrt(np.average((mean - centre) ** 2, weights=n))
    return n, (mean - centre) / scale, below, (mu - centre) / scale, sigma / scale


@pytest.mark.parametrize("cuts", [(-1.0, 0.0, 1.0), (-1.5, 1.2)], ids=["отметки 2–5", "пороги ЕГЭ"])
def test_intervals_from_the_shares_cover_95_percent_of_true_means(cuts):
    """Nominal 95 % intervals from the pupils' spread read off the shares cover the schools'
    true means 93–97 % of the time, and σ itself is found within 5 %."""
    rng = np.random.default_rng(7)
    n, z, below, truth, sigma = _simulated_schools(rng, cuts)
    found, own = cx.spread_from_shares(z, below, n.astype(float))
    assert found == pytest.approx(sigma, rel=0.05)
    se = own / np.sqrt(n)
    covered = np.abs(z - truth) <= cx.Z95 * se
    assert 0.93 <= covered.mean() <= 0.97


def test_the_shares_columns_read_as_cumulative_cuts():
    frame = pd.DataFrame(
        {
            "share_2": [0.1, np.nan],
            "share_3": [0.3, np.nan],
            "share_4": [0.4, np.nan],
            "share_5": [0.2, np.nan],
            "share_below_min": [np.nan, 0.05],
            "share_81plus": [np.nan, 0.2],
        }
    )
    cumulative = cx.cumulative_shares(frame)
    assert cumulative[0, :3] == pytest.approx([0.1, 0.4, 0.8])
    assert cumulative[1, 3:] == pytest.approx([0.05, 0.8])
    assert np.isnan(cumulative[0, 3:]).all() and np.isnan(cumulative[1, :3]).all()
