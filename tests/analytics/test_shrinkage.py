"""Empirical-Bayes shrinkage against statsmodels' random-intercept model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analytics import shrinkage


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
