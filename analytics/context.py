"""Context-adjusted results: how far a school's result is from what its context predicts.

For every procedure-year (exam, subject, grade, year) the schools' standardised mean scores are
regressed on the social well-being index (ИСБШ), the settlement type and the size of the school
(scikit-learn's ordinary least squares). The residual r = y − ŷ is the school's value added.
Its 95 % interval is r ± 1.96·σ/√n, where n is the number of participants and σ the spread of
individual pupils' results in the same units: the one the file states where the organiser of
the procedure knows it (as England's DfE states its national pupil spread for Progress 8), else
read from the schools' shares of marks (an ordinal probit), else estimated by how the residual
variance of schools grows as the number of participants falls (E[r²] = τ² + σ²/n).
Five bands follow England's Progress 8: significance from the interval, size from a threshold.
By default the band judges the Empirical-Bayes estimate (analytics.shrinkage): the residual
drawn toward zero by as much as its noise calls for, with its posterior interval, so that a
small school's luck does not put it in an extreme band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import grouping
from analytics.settings import Settings, SmallNumbers

Z95 = 1.959964
PROCEDURE = ["exam", "subject", "grade"]
PROCEDURE_YEAR = ["year", *PROCEDURE]

BAND_WELL_ABOVE = "значительно выше ожидаемого"
BAND_ABOVE = "выше ожидаемого"
BAND_AS_EXPECTED = "в пределах ожидаемого"
BAND_BELOW = "ниже ожидаемого"
BAND_WELL_BELOW = "значительно ниже ожидаемого"
BAND_TOO_FEW = "мало участников"
BANDS = [BAND_WELL_ABOVE, BAND_ABOVE, BAND_AS_EXPECTED, BAND_BELOW, BAND_WELL_BELOW]

# Scopes of a school's overall adjusted result: which exams are pooled.
SCOPES: dict[str, tuple[str, ...]] = {
    "все процедуры": ("ВПР", "ОГЭ", "ЕГЭ"),
    "ОГЭ и ЕГЭ": ("ОГЭ", "ЕГЭ"),
    "ВПР": ("ВПР",),
    "ОГЭ": ("ОГЭ",),
    "ЕГЭ": ("ЕГЭ",),
}
SETTLEMENTS = ["город", "посёлок", "село"]


def design_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Model features: ИСБШ (0–100), settlement type (город is the base) and log of pupils.

    >>> design_matrix(pd.DataFrame({"isbsh": [50.0], "settlement_type": ["село"],
    ...                             "pupils": [99]})).columns.tolist()
    ['isbsh', 'posyolok', 'selo', 'log_pupils']
    """
    settlement = frame["settlement_type"].astype("string")
    return pd.DataFrame(
        {
            "isbsh": frame["isbsh"].astype(float),
            "posyolok": (settlement == "посёлок").astype(float),
            "selo": (settlement == "село").astype(float),
            "log_pupils": np.log(frame["pupils"].astype(float).clip(lower=1)),
        },
        index=frame.index,
    )


FEATURES = ["isbsh", "posyolok", "selo", "log_pupils"]


def fit_expected(
    x: np.ndarray, y: np.ndarray, participants: np.ndarray, min_participants: int
) -> tuple[np.ndarray, float]:
    """Expected standardised result of each school of one procedure-year, and the ИСБШ slope.

    x holds the FEATURES columns. The model is fitted on schools with at least
    `min_participants` participants (smaller ones are too noisy to shape it) and predicts for
    every school whose context is known. Features that do not vary among the fitted schools
    are dropped; with fewer than five schools per feature only ИСБШ is kept.

    >>> x = np.array([[10.0, 0, 0, 5], [50.0, 0, 0, 5], [90.0, 0, 0, 5]])
    >>> expected, slope = fit_expected(x, np.array([-1.0, 0.0, 1.0]), np.array([20, 20, 20]), 10)
    >>> expected.round(3).tolist(), round(slope, 3)
    ([-1.0, 0.0, 1.0], 0.025)
    """
    expected = np.full(len(y), np.nan)
    known = ~np.isnan(x).any(axis=1)
    fit_rows = known & ~np.isnan(y) & (participants >= min_participants)
    n_fit = int(fit_rows.sum())
    if n_fit < 3:
        return expected, np.nan
    x_fit = x[fit_rows]
    columns = [j for j in range(x.shape[1]) if np.ptp(x_fit[:, j]) > 0]
    if n_fit < 5 * max(len(columns), 1):
        columns = [j for j in columns if j == 0]
    if not columns:
        expected[known] = float(y[fit_rows].mean())
        return expected, 0.0
    from sklearn.linear_model import LinearRegression  # kept out of the pages' imports

    model = LinearRegression().fit(x_fit[:, columns], y[fit_rows])
    expected[known] = model.predict(x[known][:, columns])
    return expected, float(model.coef_[0]) if columns[0] == 0 else 0.0


def pupil_variance(residual: pd.Series, participants: pd.Series) -> float:
    """σ² of individual results from E[r²] = τ² + σ²/n (non-negative least squares).

    When the data show no such growth (few schools, equal sizes), the conservative
    mean of r²·n is used instead, which can only widen the intervals.

    >>> n = pd.Series([4, 16, 64, 4, 16, 64], dtype=float)
    >>> r = pd.Series([1.0, 0.5, 0.25, -1.0, -0.5, -0.25])
    >>> round(pupil_variance(r, n), 6)
    4.0
    """
    ok = residual.notna() & (participants > 0)
    r2 = residual[ok].to_numpy(float) ** 2
    inv_n = 1.0 / participants[ok].to_numpy(float)
    if len(r2) >= 5 and np.ptp(inv_n) > 0:
        from sklearn.linear_model import LinearRegression

        model = LinearRegression(positive=True).fit(inv_n[:, None], r2)
        sigma2 = float(model.coef_[0])
        if sigma2 > 0:
            return sigma2
    if len(r2) == 0:
        return np.nan
    return float(np.mean(r2 / inv_n))


# Cumulative shares a procedure's rows may carry, in order along the scale: below each cut.
MARK_SHARES = ["share_2", "share_3", "share_4"]  # «2», «2»–«3», «2»–«4» (of 2…5)
TAIL_SHARES = ("share_below_min", "share_81plus")  # at or below the minimum; 81 and above
MIN_SCHOOLS_FOR_SHARES = 10
FIT_SCHOOLS = 4000  # at most this many schools (a fixed sample) fit a procedure-year's σ
# A school's own σ from its shares counts as this many pupils' worth against the region's.
PRIOR_PUPILS = 50
# Points of the grid a school's own σ is sought on (from half to twice the region's).
SIGMA_GRID = 9


def cumulative_shares(frame: pd.DataFrame) -> np.ndarray:
    """Per row, the shares of pupils below each cut of the procedure's scale: the marks' «2»,
    «2»+«3», «2»+«3»+«4», or the ЕГЭ's share at or below the minimum and below 81 points;
    NaN where a row has no such shares."""
    cols = []
    if all(c in frame for c in ("share_2", "share_3", "share_4", "share_5")):
        marks = frame[["share_2", "share_3", "share_4"]].to_numpy(float)
        cols = list(np.cumsum(marks, axis=1).T)
    if all(c in frame for c in TAIL_SHARES):
        low = frame["share_below_min"].to_numpy(float)
        high = 1 - frame["share_81plus"].to_numpy(float)
        if cols:  # a procedure has marks or the two ЕГЭ thresholds, not both
            has_marks = ~np.isnan(cols[0])
            low = np.where(has_marks, np.nan, low)
            high = np.where(has_marks, np.nan, high)
            cols = [cols[0], cols[1], cols[2], low, high]
        else:
            cols = [low, high]
    if not cols:
        return np.full((len(frame), 0), np.nan)
    return np.column_stack(cols)


def _category_counts(cumulative: np.ndarray, participants: np.ndarray) -> np.ndarray:
    """Pupils in each interval between the cuts (K cuts → K + 1 counts), from the cumulative
    shares; NaN rows where a share is missing."""
    n = participants[:, None].astype(float)
    below = np.column_stack([np.zeros(len(n)), cumulative * n, n])
    return np.clip(np.diff(below, axis=1), 0, None)


def _edges_and_probabilities(
    cuts: np.ndarray, sigma, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The cuts in each school's σ units from its mean, and the probability of each interval
    between them when its pupils score N(z, σ²) (σ per school or one for all)."""
    from scipy.special import ndtr  # Φ, without scipy.stats' overhead per call

    edges = (cuts[None, :] - z[:, None]) / np.broadcast_to(sigma, z.shape)[:, None]
    return edges, _interval_probabilities(ndtr(edges))


def _interval_probabilities(cdf: np.ndarray) -> np.ndarray:
    """The probability of each interval between the cuts from Φ at the cuts (a row per
    school): the differences of [0, Φ…, 1], at least 1e-12, written into one array."""
    k = cdf.shape[1]
    probability = np.empty((len(cdf), k + 1))
    probability[:, 0] = cdf[:, 0]
    np.subtract(cdf[:, 1:], cdf[:, :-1], out=probability[:, 1:k])
    np.subtract(1.0, cdf[:, k - 1], out=probability[:, k])
    return np.maximum(probability, 1e-12, out=probability)


def _log_likelihood(cuts: np.ndarray, sigma, z: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each school's multinomial log-likelihood of its counts: the probabilities of
    _edges_and_probabilities (the same numbers), written into one array in place."""
    from scipy.special import ndtr

    cdf = ndtr((cuts[None, :] - z[:, None]) / np.broadcast_to(sigma, z.shape)[:, None])
    probability = _interval_probabilities(cdf)
    np.log(probability, out=probability)
    probability *= counts
    return probability.sum(axis=1)


def spread_from_shares(
    z: np.ndarray, cumulative: np.ndarray, participants: np.ndarray
) -> tuple[float, np.ndarray]:
    """The spread of one pupil's result (σ, in the units of the standardised school result
    z) of one procedure-year, read from the schools' shares of marks: the region's σ and
    each school's own.

    An ordinal probit reading: a school's pupils score about N(μ, σ²), with μ the school's
    mean, and each cut between marks is common to all schools, so a pupil is below cut c with
    probability Φ((c − μ)/σ). The cuts and σ are fitted by maximum likelihood on the pupils'
    counts of every school, those with no pupil below a cut included (a fit on the probits
    of the shares would have to leave them out and bend). The sample's luck moves its mean
    and its shares together, so it does not bias σ. A school's own σ is its likelihood's
    best on a grid around the region's, drawn toward the region's by the number of its
    pupils (PRIOR_PUPILS pupils' worth of the region's σ). NaN where fewer than
    MIN_SCHOOLS_FOR_SHARES schools have shares.
    """
    from scipy.optimize import minimize
    from scipy.stats import norm

    none = (np.nan, np.full(len(z), np.nan))
    if cumulative.shape[1] == 0:
        return none
    usable = ~np.isnan(z) & (participants > 0)
    # The cuts this procedure-year has: columns with shares (marks, or the two ЕГЭ ones).
    columns = [k for k in range(cumulative.shape[1]) if np.isfinite(cumulative[usable, k]).any()]
    if not columns:
        return none
    shares = cumulative[:, columns]
    usable &= np.isfinite(shares).all(axis=1)
    if int(usable.sum()) < MIN_SCHOOLS_FOR_SHARES:
        return none
    zz, counts = z[usable], _category_counts(shares[usable], participants[usable])
    if len(zz) > FIT_SCHOOLS:  # the region's σ and cuts are sure long before this many
        pick = np.random.default_rng(0).choice(len(zz), FIT_SCHOOLS, replace=False)
        zz, counts = zz[pick], counts[pick]
    pooled = np.clip((counts.sum(axis=0)[:-1].cumsum()) / counts.sum(), 1e-4, 1 - 1e-4)
    start = np.append(np.quantile(zz, 0.5) + 2.0 * norm.ppf(pooled), np.log(2.0))
    start[:-1] = np.maximum.accumulate(start[:-1] + 1e-6 * np.arange(len(columns)))

    def objective(theta):
        """−log-likelihood and its gradient in (first cut, log gaps, log σ)."""
        gaps = np.exp(theta[1:-1])
        cuts = np.cumsum(np.append(theta[0], gaps))
        sigma = np.exp(theta[-1])
        edges, probability = _edges_and_probabilities(cuts, sigma, zz)
        ratio = counts / probability
        # d log-likelihood / d (edge k): φ(e)·(n_k/P_k − n_{k+1}/P_{k+1}).
        density = np.exp(-0.5 * edges * edges) / np.sqrt(2 * np.pi)
        push = density * (ratio[:, :-1] - ratio[:, 1:])
        by_cut = push.sum(axis=0) / sigma
        grad = np.empty_like(theta)
        grad[0] = by_cut.sum()
        grad[1:-1] = gaps * np.cumsum(by_cut[::-1])[::-1][1:]
        grad[-1] = -(push * edges).sum()
        return -(counts * np.log(probability)).sum(), -grad

    gaps = np.log(np.maximum(np.diff(start[:-1]), 1e-3))
    theta0 = np.concatenate([[start[0]], gaps, [start[-1]]])
    fit = minimize(objective, theta0, jac=True, method="L-BFGS-B")
    cuts = np.cumsum(np.append(fit.x[0], np.exp(fit.x[1:-1])))
    sigma = float(np.exp(fit.x[-1]))
    if not np.isfinite(sigma):
        return none
    # Each school's own σ: the best of a coarse grid from half to twice the region's, refined
    # by the parabola through the best point and its neighbours (in log σ).
    steps = np.linspace(np.log(0.5), np.log(2.0), SIGMA_GRID)
    mine = _category_counts(shares[usable], participants[usable])
    likelihood = np.column_stack(
        [
            _log_likelihood(cuts, np.full(int(usable.sum()), sigma * np.exp(s)), z[usable], mine)
            for s in steps
        ]
    )
    middle = np.clip(np.argmax(likelihood, axis=1), 1, SIGMA_GRID - 2)
    rows = np.arange(len(middle))
    left, centre, right = (likelihood[rows, middle + d] for d in (-1, 0, 1))
    curve = left - 2 * centre + right
    shift = np.where(curve < 0, 0.5 * (left - right) / np.where(curve < 0, curve, -1.0), 0.0)
    best = steps[middle] + np.clip(shift, -1.0, 1.0) * (steps[1] - steps[0])
    own = np.full(len(z), sigma)
    own[usable] = sigma * np.exp(np.clip(best, steps[0], steps[-1]))
    n = np.where(usable, participants.astype(float), 0.0)
    weight = n / (n + PRIOR_PUPILS)
    school = np.where(~np.isnan(z), weight * own + (1 - weight) * sigma, np.nan)
    return sigma, school


def band(residual: pd.Series, lower: pd.Series, upper: pd.Series, magnitude: float) -> pd.Series:
    """The five Progress 8 bands: significance by the interval, «значительно» by size.

    >>> r = pd.Series([0.8, 0.2, 0.1, -0.3, -0.9])
    >>> lower = pd.Series([0.1, 0.05, -0.2, -0.5, -1.2])
    >>> upper = pd.Series([1.5, 0.35, 0.4, -0.1, -0.6])
    >>> band(r, lower, upper, 0.5).tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['значительно выше ожидаемого', 'выше ожидаемого', 'в пределах ожидаемого',
     'ниже ожидаемого', 'значительно ниже ожидаемого']
    """
    r, low, high = (_floats(v) for v in (residual, lower, upper))
    with np.errstate(invalid="ignore"):
        conditions = [
            (low > 0) & (r >= magnitude),
            low > 0,
            (high < 0) & (r <= -magnitude),
            high < 0,
        ]
    # A code per row, then its words: strings are not compared row by row.
    code = np.select(conditions, [0, 1, 2, 3], default=4)
    code[np.isnan(r)] = 5
    out = _BAND_WORDS[code]
    return pd.Series(out, index=residual.index, dtype=object)


_BAND_WORDS = np.array(
    [BAND_WELL_ABOVE, BAND_ABOVE, BAND_WELL_BELOW, BAND_BELOW, BAND_AS_EXPECTED, None], dtype=object
)


def _floats(values) -> np.ndarray:
    """A column as floats, missing as NaN."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def judged(frame: pd.DataFrame, shrunken: bool = Settings.band_shrunken) -> tuple:
    """The estimate a band judges and its standard error: the shrunken one (shrunk,
    shrunk_se) where the frame has it and `shrunken`, else the raw residual and se.

    >>> rows = pd.DataFrame({"residual": [1.0, 1.0], "se": [0.5, 0.5],
    ...                      "shrunk": [0.4, None], "shrunk_se": [0.3, None]})
    >>> [s.tolist() for s in judged(rows)]
    [[0.4, 1.0], [0.3, 0.5]]
    """
    if not shrunken or "shrunk" not in frame:
        return frame["residual"], frame["se"]
    known = frame["shrunk"].notna() & frame["shrunk_se"].notna()
    return (
        frame["shrunk"].where(known, frame["residual"]),
        frame["shrunk_se"].where(known, frame["se"]),
    )


def judged_band(
    frame: pd.DataFrame,
    magnitude: float = Settings.band_magnitude,
    shrunken: bool = Settings.band_shrunken,
) -> pd.Series:
    """The band of each row, on the estimate `judged` picks."""
    estimate, se = judged(frame, shrunken)
    return band(estimate, estimate - Z95 * se, estimate + Z95 * se, magnitude)


def context_adjusted(
    results: pd.DataFrame,
    context: pd.DataFrame,
    min_participants: int = SmallNumbers.hide_below,
    magnitude: float = Settings.band_magnitude,
    shrunken: bool = Settings.band_shrunken,
) -> pd.DataFrame:
    """Value added per school, year and procedure.

    Parameters
    ----------
    results : school_id, year, exam, subject, grade, participants, z_score (the school's mean
        score standardised within the procedure-year); optionally the shares of marks and
        stated_pupil_sd (the pupils' spread the file states, in z_score units).
    context : school_id, year, isbsh, settlement_type, pupils.
    min_participants : schools with fewer participants do not shape the model and get the
        band «мало участников» (their figure is hidden on the pages).
    magnitude : the size (in standard deviations of school results) beyond which a
        significant difference is «значительно».
    shrunken : the band judges the Empirical-Bayes estimate (shrunk ± 1,96·√reliability·se)
        instead of the raw residual.

    Returns
    -------
    The rows of `results` with expected, residual, se, lower, upper (the raw interval), band,
    isbsh_slope (the model's coefficient on ИСБШ), pupil_sd (σ of the procedure), shrunk and
    reliability.

    Millions of rows: the context of each row is found by integer keys and the rows of each
    procedure-year by sorting integer codes, not by merging and grouping frames of text.
    """
    base = results.reset_index(drop=True)
    where = context_rows(base, context)
    features = design_matrix(context.reset_index(drop=True))[FEATURES].to_numpy(float)
    x = np.full((len(base), len(FEATURES)), np.nan)
    x[where >= 0] = features[where[where >= 0]]
    y = base["z_score"].to_numpy(float)
    n = base["participants"].to_numpy(float)
    expected = np.full(len(base), np.nan)
    slope = np.full(len(base), np.nan)
    # The rows of each procedure-year, once for the model, the spread and the shrinkage.
    groups = grouping.group_rows(base, PROCEDURE_YEAR)
    for rows in groups:
        expected[rows], slope[rows] = fit_expected(x[rows], y[rows], n[rows], min_participants)
    work = pd.DataFrame(
        {
            "participants": base["participants"],
            "z_score": y,
            "expected": expected,
            "isbsh_slope": slope,
            "residual": y - expected,
        }
    )
    for column in ("stated_pupil_sd", *MARK_SHARES, "share_5", *TAIL_SHARES, *PROCEDURE):
        if column in base:
            work[column] = base[column]
    reliable = (base["participants"] >= min_participants).to_numpy(bool)
    work["pupil_sd"] = pupil_spread(work, reliable, groups)
    work["se"] = work["pupil_sd"] / np.sqrt(base["participants"].astype(float))
    work["lower"] = work["residual"] - Z95 * work["se"]
    work["upper"] = work["residual"] + Z95 * work["se"]
    work["shrunk"], work["reliability"] = shrunk_by_procedure(work, reliable, groups)
    work["shrunk_se"] = np.sqrt(work["reliability"]) * work["se"]
    band_words = judged_band(work, magnitude, shrunken).to_numpy(dtype=object, copy=True)
    band_words[~reliable & work["residual"].notna().to_numpy()] = BAND_TOO_FEW
    work["band"] = pd.Series(band_words, dtype=object)
    out = pd.DataFrame({c: base[c] for c in ["school_id", *PROCEDURE_YEAR]})
    for column in [
        "participants",
        "z_score",
        "expected",
        "residual",
        "se",
        "lower",
        "upper",
        "band",
        "isbsh_slope",
        "pupil_sd",
        "shrunk",
        "reliability",
    ]:
        out[column] = work[column]
    order = grouping.sorted_order(base, ["school_id", *PROCEDURE_YEAR])
    if order is not None:
        out = out.take(order)
    return out.reset_index(drop=True)


def context_rows(results: pd.DataFrame, context: pd.DataFrame) -> np.ndarray:
    """The position in `context` of each row's school and year (−1 where it has none), as
    results.merge(context, on=["school_id", "year"], how="left", validate="many_to_one")
    pairs them."""
    keys = ["school_id", "year"]
    if context.duplicated(keys).any():
        raise pd.errors.MergeError(
            "Merge keys are not unique in right dataset; not a many-to-one merge"
        )
    both = [pd.concat([results[k], context[k]], ignore_index=True) for k in keys]
    codes = [pd.factorize(column)[0].astype(np.int64) for column in both]
    key = codes[0] * (int(codes[1].max()) + 2 if len(codes[1]) else 1) + codes[1]
    missing = (codes[0] < 0) | (codes[1] < 0)
    key[missing] = -1
    mine, theirs = key[: len(results)], key[len(results) :].copy()
    theirs[theirs < 0] = -2 - np.arange(int((theirs < 0).sum()))  # never matched
    where = pd.Index(theirs).get_indexer(mine)
    where[mine < 0] = -1
    return where


def pupil_spread(base: pd.DataFrame, reliable: np.ndarray, groups: list) -> np.ndarray:
    """σ of one pupil's result for each row (z units): the one the file states
    (`stated_pupil_sd`) where it does; else from the shares of marks of its procedure-year
    (`groups`: the row positions of each) where they exist (spread_from_shares); otherwise
    from how the residuals of the procedure's schools spread as participants fall, pooling the
    years (pupil_variance), which can only err wide."""
    out = np.full(len(base), np.nan)
    if "stated_pupil_sd" in base:
        out = base["stated_pupil_sd"].to_numpy(float, na_value=np.nan).copy()
    z = base["z_score"].to_numpy(float)
    n = base["participants"].to_numpy(float)
    cumulative = cumulative_shares(base)
    if cumulative.shape[1]:
        for rows in groups:
            unknown = np.isnan(out[rows])
            if unknown.any():
                # The region's σ and cuts from all its schools; the unknown rows take theirs.
                own = spread_from_shares(z[rows], cumulative[rows], n[rows])[1]
                out[rows[unknown]] = own[unknown]
    missing = np.isnan(out)
    if missing.any():
        procedure = grouping.group_ids(base, PROCEDURE)
        if procedure is None:  # a missing key: row by row, as pandas groups
            part = base[missing & reliable]
            sigma2 = {
                key: pupil_variance(group["residual"], group["participants"])
                for key, group in part.groupby(PROCEDURE)
            }
            keys = base.loc[missing, PROCEDURE].itertuples(index=False, name=None)
            out[missing] = np.sqrt([sigma2.get(key, np.nan) for key in keys])
            return out
        # Each procedure's σ² from its reliable rows without a σ, then every such row's.
        residual = base["residual"].to_numpy(float)
        fitted = np.full(int(procedure.max()) + 1, np.nan)
        pick = missing & reliable
        for number, rows in pd.Series(np.flatnonzero(pick)).groupby(procedure[pick]):
            rows = rows.to_numpy()
            fitted[number] = pupil_variance(pd.Series(residual[rows]), pd.Series(n[rows]))
        out[missing] = np.sqrt(fitted[procedure[missing]])
    return out


def shrunk_by_procedure(
    base: pd.DataFrame, reliable: np.ndarray, groups: list
) -> tuple[np.ndarray, ...]:
    """Each row's Empirical-Bayes deviation and reliability (analytics.shrinkage), with the
    spread of true deviations τ² of its procedure-year (`groups`: the row positions of each)
    estimated from the schools with enough participants."""
    from analytics import shrinkage

    residual = base["residual"].to_numpy(float)
    se = base["se"].to_numpy(float)
    shrunk = np.full(len(base), np.nan)
    weight = np.full(len(base), np.nan)
    for rows in groups:
        fit = rows[reliable[rows]]
        tau2 = shrinkage.between_variance(residual[fit], se[fit])
        if np.isfinite(tau2):
            shrunk[rows], weight[rows], _ = shrinkage.shrink(residual[rows], se[rows], tau2)
    return shrunk, weight


def combine(
    adjusted: pd.DataFrame,
    by: list[str],
    min_participants: int = SmallNumbers.hide_below,
    magnitude: float = Settings.band_magnitude,
    shrunken: bool = Settings.band_shrunken,
    shrink: bool = True,
) -> pd.DataFrame:
    """Pool procedure residuals into one figure per group, weighted by participants.

    r = Σ nᵢ rᵢ / Σ nᵢ and, the procedures' errors being independent,
    se = √(Σ nᵢ² seᵢ²) / Σ nᵢ. Procedures with too few participants are left out. The pooled
    figure is then shrunk (analytics.shrinkage) with the spread of true pooled results τ²
    estimated over all schools of the same other keys of `by` (the year, say): a school's
    effect is largely common to its procedures, so it is the pooled figure whose noise counts.
    With `shrink` False (groups that are not schools) there is no shrunken figure.

    >>> rows = pd.DataFrame({"school_id": ["a", "a"], "participants": [30, 10],
    ...                      "residual": [0.4, 0.0], "se": [0.1, 0.2]})
    >>> combine(rows, ["school_id"])[["residual", "se"]].round(4).values.tolist()
    [[0.3, 0.0901]]
    """
    sums = pool_sums(adjusted, by, min_participants)
    return combine_sums(sums, by, magnitude, shrunken, shrink)


def pool_sums(
    adjusted: pd.DataFrame, by: list[str], min_participants: int = SmallNumbers.hide_below
) -> pd.DataFrame:
    """What `combine` adds up per group: n = Σ nᵢ, nr = Σ nᵢ rᵢ, n2se2 = Σ (nᵢ seᵢ)² and the
    number of procedures, over the rows with a residual, se and enough participants. Sums of
    finer groups add up to those of coarser ones (the years of a window, say)."""
    pooled, parts = _pooling_parts(adjusted, min_participants)
    return _sums_of(adjusted, by, pooled, parts)


def _pooling_parts(adjusted: pd.DataFrame, min_participants: int) -> tuple:
    """Which rows `combine` pools, and each row's n, nr, n2se2 and procedures (1)."""
    pooled = (
        adjusted["residual"].notna()
        & adjusted["se"].notna()
        & (adjusted["participants"] >= min_participants)
    ).to_numpy(bool)
    n = adjusted["participants"].astype(float)
    parts = pd.DataFrame(
        {
            "n": n,
            "nr": n * adjusted["residual"],
            "n2se2": (n * adjusted["se"]) ** 2,
            "procedures": 1,
        }
    )
    return pooled, parts


def _sums_of(
    adjusted: pd.DataFrame,
    by: list[str],
    rows: np.ndarray,
    parts: pd.DataFrame,
    ids: np.ndarray | None = None,
) -> pd.DataFrame:
    """The sums of `parts` over the rows where `rows` holds, per group of `by` (keys first,
    in the keys' order): groupby's sums of those rows, grouped by integer codes (`ids`, the
    rows' group numbers in the keys' order, when already at hand)."""
    if ids is None:
        ids = grouping.group_ids(adjusted, by, sort=True)
    if ids is None:  # a missing key: as pandas groups
        return grouping.sums_by(pd.concat([adjusted[by], parts], axis=1)[rows], by)
    picked = np.flatnonzero(rows)
    summed = parts.iloc[picked].groupby(ids[picked]).sum()
    first = pd.Series(picked).groupby(ids[picked]).first().to_numpy()
    out = adjusted[by].iloc[first].reset_index(drop=True)
    for column in parts.columns:
        out[column] = summed[column].to_numpy()
    return out


def combine_sums(
    sums: pd.DataFrame,
    by: list[str],
    magnitude: float = Settings.band_magnitude,
    shrunken: bool = Settings.band_shrunken,
    shrink: bool = True,
) -> pd.DataFrame:
    """`combine`'s pooled figures from its sums (`pool_sums`, one row per group of `by`)."""
    out = sums[by].copy()
    out["participants"] = sums["n"].astype(int)
    out["procedures"] = sums["procedures"].astype(int)
    out["residual"] = sums["nr"] / sums["n"]
    out["se"] = np.sqrt(sums["n2se2"]) / sums["n"]
    if shrink:
        out["shrunk"], out["shrunk_se"] = shrunk_pooled(out, [k for k in by if k != "school_id"])
    return with_interval(out, magnitude, shrunken)


def shrunk_pooled(pooled: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The Empirical-Bayes estimate of each pooled figure and its posterior sd, τ² estimated
    over the rows of the same `keys` (all rows when there are none)."""
    from analytics import shrinkage

    residual = pooled["residual"].to_numpy(float)
    se = pooled["se"].to_numpy(float)
    shrunk = np.full(len(pooled), np.nan)
    posterior = np.full(len(pooled), np.nan)
    groups = pooled.groupby(keys, sort=False).indices.values() if keys else [np.arange(len(se))]
    for rows in groups:
        tau2 = shrinkage.between_variance(residual[rows], se[rows])
        if np.isfinite(tau2):
            shrunk[rows], _, posterior[rows] = shrinkage.shrink(residual[rows], se[rows], tau2)
    return shrunk, posterior


def with_interval(
    frame: pd.DataFrame, magnitude: float, shrunken: bool = Settings.band_shrunken
) -> pd.DataFrame:
    """Add the raw 95 % interval and the band (judged on the estimate `judged` picks) to a
    frame with residual and se (and shrunk, shrunk_se where known)."""
    out = frame.copy()
    out["lower"] = out["residual"] - Z95 * out["se"]
    out["upper"] = out["residual"] + Z95 * out["se"]
    out["band"] = judged_band(out, magnitude, shrunken)
    return out


def school_adjusted(
    adjusted: pd.DataFrame,
    min_participants: int = SmallNumbers.hide_below,
    magnitude: float = Settings.band_magnitude,
    shrunken: bool = Settings.band_shrunken,
) -> pd.DataFrame:
    """A school's overall adjusted result per year for every scope of SCOPES (as `combine`
    of each scope's rows; the rows' figures and groups are found once for all scopes)."""
    by = ["school_id", "year"]
    pooled, parts = _pooling_parts(adjusted, min_participants)
    ids = grouping.group_ids(adjusted, by, sort=True)
    exam = adjusted["exam"]
    frames = []
    for scope, exams in SCOPES.items():
        sums = _sums_of(adjusted, by, pooled & exam.isin(exams).to_numpy(bool), parts, ids)
        part = combine_sums(sums, by, magnitude, shrunken)
        part.insert(2, "scope", scope)
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    order = grouping.sorted_order(out, ["school_id", "year", "scope"])
    return out if order is None else out.take(order)


def pooled_over_years(
    adjusted: pd.DataFrame,
    year: int,
    window: int,
    exams: tuple[str, ...],
    min_participants: int = SmallNumbers.hide_below,
    magnitude: float = Settings.band_magnitude,
    shrunken: bool = Settings.band_shrunken,
    sums: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each school's adjusted result pooled over the `window` years up to `year`.

    `sums` is pool_sums(adjusted, ["school_id", "year", "exam"], min_participants) when the
    pooling of many years is wanted: each year then adds up a few sums per school instead of
    going through all the procedure rows again (`adjusted` is not read)."""
    if sums is not None:
        rows = sums[sums["exam"].isin(exams) & sums["year"].between(year - window + 1, year)]
        columns = ["n", "nr", "n2se2", "procedures"]
        pooled = rows.groupby("school_id", as_index=False)[columns].sum()
        return combine_sums(pooled, ["school_id"], magnitude, shrunken)
    rows = adjusted[
        adjusted["exam"].isin(exams) & adjusted["year"].between(year - window + 1, year)
    ]
    return combine(rows, ["school_id"], min_participants, magnitude, shrunken)
