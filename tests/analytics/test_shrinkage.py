"""Empirical-Bayes shrinkage against statsmodels' random-intercept model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analytics import context as cx
from analytics import shrinkage
from radar.store import db
from radar.store.refresh import read_inputs


def test_shrinkage_equals_mixedlm_predictions():
    """With MixedLM's own variances, the closed form gives its predicted random intercepts
    to 1e-6."""
    rng = np.random.default_rng(3)
    n = rng.integers(5, 60, 60)
    school = np.repeat(np.arange(60), n)
    y = 0.4 + np.repeat(rng.normal(0, 0.5, 60), n) + rng.normal(0, 1, int(n.sum()))
    pupils = pd.DataFrame({"y": y, "school": school})
    fit = smf.mixedlm("y ~ 1", pupils, groups=pupils["school"]).fit(reml=True)
    tau2 = float(fit.cov_re.iloc[0, 0])
    sigma2 = float(fit.scale)
    centre = float(fit.fe_params.iloc[0])
    means = pupils.groupby("school")["y"].mean().to_numpy()
    shrunk, reliability, _ = shrinkage.shrink(means, np.sqrt(sigma2 / n), tau2, centre)
    predicted = np.array([fit.random_effects[g].iloc[0] for g in range(60)])
    assert np.abs((shrunk - centre) - predicted).max() < 1e-6
    assert ((0 < reliability) & (reliability < 1)).all()
    # Smaller schools are drawn further toward the centre.
    assert (np.diff(reliability[np.argsort(n)]) >= -1e-12).all()


def test_the_between_variance_recovers_a_known_spread():
    rng = np.random.default_rng(5)
    se = rng.uniform(0.1, 0.6, 4000)
    residual = rng.normal(0, 0.3, 4000) + rng.normal(0, 1, 4000) * se
    assert abs(shrinkage.between_variance(residual, se) - 0.09) < 0.01


def _null_region(seed: int = 11, schools: int = 600) -> pd.DataFrame:
    """Schools whose true deviation is spread with τ = 0,3, all sizes from 5 to 400."""
    rng = np.random.default_rng(seed)
    n = np.exp(rng.uniform(np.log(5), np.log(400), schools)).round().astype(int)
    se = 2.0 / np.sqrt(n)
    true = rng.normal(0, 0.3, schools)
    return pd.DataFrame(
        {
            "school_id": [f"S{i:04d}" for i in range(schools)],
            "year": 2025,
            "participants": n,
            "residual": true + rng.normal(0, 1, schools) * se,
            "se": se,
            "true": true,
        }
    )


def test_small_schools_do_not_reach_the_extreme_bands_by_luck():
    """No school's true deviation is as large as 1 sd, yet raw figures of small schools get
    there; the shrunken figures, which the bands judge by default, do not."""
    rows = _null_region()
    raw = cx.combine(rows, ["school_id", "year"], min_participants=1, shrunken=False)
    shrunk = cx.combine(rows, ["school_id", "year"], min_participants=1)
    extreme = (cx.BAND_WELL_ABOVE, cx.BAND_WELL_BELOW)
    small = raw["participants"] < 30
    assert raw.loc[small, "band"].isin(extreme).sum() >= 10
    assert shrunk.loc[small, "band"].isin(extreme).sum() == 0
    # The shrunken estimate is closer to the truth on average.
    truth = rows.set_index("school_id")["true"]
    error_raw = (raw.set_index("school_id")["residual"] - truth).pow(2).mean()
    error_shrunk = (shrunk.set_index("school_id")["shrunk"] - truth).pow(2).mean()
    assert error_shrunk < 0.6 * error_raw
    # The bands keep the raw interval for display, and judge the shrunken figure.
    assert np.allclose(raw["lower"], shrunk["lower"])
    assert (shrunk["shrunk"].abs() <= shrunk["residual"].abs() + 1e-12).all()


def test_the_posterior_interval_covers_the_truth():
    rows = _null_region(seed=12, schools=4000)
    pooled = cx.combine(rows, ["school_id", "year"], min_participants=1)
    truth = rows.set_index("school_id").loc[pooled["school_id"], "true"].to_numpy()
    covered = np.abs(pooled["shrunk"] - truth) <= cx.Z95 * pooled["shrunk_se"]
    assert 0.93 <= covered.mean() <= 0.97


def test_the_page_query_shrinks_as_the_analytics_do(demo_db):
    """sql/pages/context/context_points.sql estimates τ² over the whole region in SQL: its
    figures equal analytics.context.shrunk_pooled on the same pooled rows, and a
    municipality's page keeps the region's τ²."""
    con = db.connect(demo_db, read_only=True)
    params = {"year": 2025, "exams": ["ВПР", "ОГЭ", "ЕГЭ"], "exam": None, "subject": None}
    params |= {"grade": None, "min_participants": 10}
    region = con.execute(db.sql("pages/context/context_points"), params | {"municipality": None})
    region = region.df()
    shrunk, posterior = cx.shrunk_pooled(region, [])
    assert np.abs(region["shrunk"] - shrunk).max() < 1e-9
    assert np.abs(region["shrunk_se"] - posterior).max() < 1e-9
    one = region["municipality"].iloc[0]
    mun_id = con.execute(
        "select municipality_id from municipalities where name = ?", [one]
    ).fetchone()[0]
    part = con.execute(
        db.sql("pages/context/context_points"), params | {"municipality": mun_id}
    ).df()
    con.close()
    merged = part.merge(region[["school_id", "shrunk"]], on="school_id", suffixes=("", "_all"))
    assert len(merged) == len(part) > 0
    assert np.abs(merged["shrunk"] - merged["shrunk_all"]).max() < 1e-12


def test_bands_judge_the_raw_figure_when_the_setting_is_off(demo_db):
    """On the demo the stored figures follow the setting: off, the pooled band is the raw
    one; on, fewer schools are in the extreme bands, and the stored table is the default."""
    con = db.connect(demo_db, read_only=True)
    stored = con.execute("select * from school_adjusted").df()
    inputs = read_inputs(con, ("results", "context"))
    con.close()
    adjusted = cx.context_adjusted(inputs["results"], inputs["context"])
    on = cx.school_adjusted(adjusted)
    off = cx.school_adjusted(adjusted, shrunken=False)
    expected = cx.band(off["residual"], off["lower"], off["upper"], 1.0)
    assert off["band"].fillna("").tolist() == expected.fillna("").tolist()
    extreme = (cx.BAND_WELL_ABOVE, cx.BAND_WELL_BELOW)
    assert on["band"].isin(extreme).sum() < off["band"].isin(extreme).sum()
    keys = ["school_id", "year", "scope"]
    both = stored.merge(on, on=keys, suffixes=("", "_now"))
    assert len(both) == len(stored) == len(on)
    assert (both["band"].fillna("") == both["band_now"].fillna("")).all()
