"""Empirical-Bayes estimates of schools' adjusted results: a small school's figure is drawn
toward what is expected of it by as much as its noise calls for.

A school's observed deviation r from what is expected has sampling error se (σ/√n). With the
true deviations of schools spread with variance τ² around zero, the best estimate of a
school's true deviation is the random-intercept model's prediction

    r* = λ·r,  λ = τ² / (τ² + se²)  (the reliability of the school's figure, 0…1),

with posterior standard deviation √λ·se. τ² is estimated per procedure-year by the method of
moments of DerSimonian and Laird. With a centre μ other than zero and the model's own τ² and
σ², the same formula gives statsmodels MixedLM's predicted random effects exactly.
"""

from __future__ import annotations

import numpy as np


def between_variance(residual: np.ndarray, se: np.ndarray) -> float:
    """τ² of the true deviations (DerSimonian–Laird, never below zero); NaN with fewer than
    three schools.

    >>> round(between_variance(np.array([1.0, -1.0, 0.5, -0.5]), np.array([0.5] * 4)), 4)
    0.5833
    """
    ok = np.isfinite(residual) & np.isfinite(se) & (se > 0)
    r, s = residual[ok], se[ok]
    if len(r) < 3:
        return float("nan")
    w = 1.0 / (s * s)
    centre = (w * r).sum() / w.sum()
    q = (w * (r - centre) ** 2).sum()
    denominator = w.sum() - (w * w).sum() / w.sum()
    return float(max(0.0, (q - (len(r) - 1)) / denominator)) if denominator > 0 else 0.0


def shrink(
    residual: np.ndarray, se: np.ndarray, tau2: float | None = None, centre: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each school's shrunken deviation, its reliability λ and its posterior sd.

    >>> shrunk, reliability, sd = shrink(np.array([1.0, 1.0]), np.array([0.1, 1.0]), tau2=0.09)
    >>> shrunk.round(3).tolist(), reliability.round(3).tolist()
    ([0.9, 0.083], [0.9, 0.083])
    """
    tau2 = between_variance(residual, se) if tau2 is None else tau2
    se2 = se * se
    reliability = np.where(np.isfinite(se2), tau2 / (tau2 + se2), np.nan)
    shrunk = centre + reliability * (residual - centre)
    return shrunk, reliability, np.sqrt(reliability) * se
