"""ИСБШ — the school social well-being index built from the social passport."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.settings import SocialIndex

# Passport shares and their orientation: +1 where a higher share means pupils are better off.
PASSPORT_ORIENTATION: dict[str, int] = {
    "share_parents_higher_ed": 1,
    "share_single_parent": -1,
    "share_low_income": -1,
    "share_registered": -1,
    "share_non_native": -1,
    "share_disabled": -1,
    "share_difficult_situation": -1,
}


def oriented_z_scores(passport: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Regional z-scores of each passport share within its year, oriented so higher is better.

    Missing shares stay missing here; `compute_social_index` decides what to do with them.

    Examples
    --------
    >>> df = pd.DataFrame({"school_id": ["a", "b"], "year": [2024, 2024],
    ...                    "share_low_income": [0.1, 0.3]})
    >>> oriented_z_scores(df, ["share_low_income"])["share_low_income"].round(3).tolist()
    [0.707, -0.707]
    """
    columns = columns or [c for c in PASSPORT_ORIENTATION if c in passport.columns]
    values = passport[columns].astype(float)
    by_year = values.groupby(passport["year"])
    mean = by_year.transform("mean")
    std = by_year.transform("std").replace(0, np.nan)
    z = (values - mean) / std
    sign = pd.Series({c: PASSPORT_ORIENTATION[c] for c in columns})
    return z * sign


def quartile(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Quartile 1–4 of each value within its group (1 = lowest); missing values get none.

    The lowest value always gets 1 and the highest 4 as soon as there are four values, so a
    region of three schools still has a bottom quartile.

    >>> quartile(pd.Series([5.0, 1.0, 3.0])).tolist()
    [3, 1, 2]
    >>> quartile(pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8])).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4]
    """
    grouped = values.groupby(groups if groups is not None else pd.Series(0, index=values.index))
    rank = grouped.rank(method="average")
    size = grouped.transform("count")
    q = np.floor((rank - 1) / size * 4) + 1
    return q.clip(1, 4).astype("Int64")


def compute_social_index(
    passport: pd.DataFrame,
    method: str = SocialIndex.method,
    weights: Mapping[str, float] | None = None,
    max_missing: int = SocialIndex.max_missing,
) -> pd.DataFrame:
    """ИСБШ per school-year: 0–100 (higher is better off) with its quartile within the year.

    Parameters
    ----------
    passport : frame with school_id, year and the passport shares of PASSPORT_ORIENTATION.
    method : "equal" (weighted mean of oriented z-scores; equal weights unless `weights` given)
        or "pca" (first principal component of the oriented z-scores, signed so that it
        rises with the well-being indicators).
    weights : optional weight per share for method="equal"; shares not named get weight 0.
    max_missing : school-years missing more shares than this get no index; fewer missing
        shares are imputed with the regional mean of the year (z = 0), and counted.

    Returns
    -------
    Frame with school_id, year, index_raw (in z units), isbsh (0–100, the normal CDF of the
    standardised raw index, so 50 is the regional average), quartile (1 = least well-off),
    n_missing and imputed (bool).

    Examples
    --------
    >>> df = pd.DataFrame({"school_id": list("abcd"), "year": 2024,
    ...                    "share_low_income": [0.1, 0.2, 0.3, 0.4]})
    >>> compute_social_index(df)["quartile"].tolist()
    [4, 3, 2, 1]
    """
    z = oriented_z_scores(passport)
    # A share nobody in the year reported (the region does not collect it) is left out of the
    # index for that year rather than imputed; `excluded` says which were left out.
    collected = z.notna().groupby(passport["year"]).transform("any")
    z = z.where(collected, 0.0)
    columns = list(z.columns)
    n_missing = (z.isna() & collected).sum(axis=1)
    filled = z.fillna(0.0)
    if method == "equal":
        w = (
            pd.Series({c: 1.0 for c in columns})
            if weights is None
            else pd.Series({c: float(weights.get(c, 0.0)) for c in columns})
        )
        if w.sum() <= 0:
            raise ValueError("Сумма весов ИСБШ должна быть положительной")
        raw = filled.mul(w, axis=1).sum(axis=1) / w.sum()
    elif method == "pca":
        raw = pd.Series(np.nan, index=passport.index)
        for _, rows in filled.groupby(passport["year"]):
            if len(rows) < 3:
                raw.loc[rows.index] = rows.mean(axis=1)
                continue
            from sklearn.decomposition import PCA  # only the PCA weighting needs it

            pca = PCA(n_components=1, random_state=0).fit(rows)
            loadings = pca.components_[0]
            score = rows.to_numpy() @ loadings
            # The component's sign is arbitrary: make it agree with the oriented shares.
            if loadings.sum() < 0:
                score = -score
            raw.loc[rows.index] = score
    else:
        raise ValueError(f"Неизвестный способ расчёта ИСБШ: {method}")
    raw = raw.where(n_missing <= max_missing)
    out = passport[["school_id", "year"]].copy()
    out["index_raw"] = raw.astype(float)
    by_year = out.groupby("year")["index_raw"]
    standard = (out["index_raw"] - by_year.transform("mean")) / by_year.transform("std")
    from scipy.special import ndtr  # Φ; scipy only where the index is computed

    out["isbsh"] = 100 * ndtr(standard.fillna(0)) if len(out) > 1 else 50.0
    out.loc[out["index_raw"].isna(), "isbsh"] = np.nan
    out["quartile"] = quartile(out["index_raw"], out["year"])
    out["n_missing"] = n_missing.astype(int)
    out["excluded"] = [
        ", ".join(c for c, kept in zip(columns, row, strict=True) if not kept)
        for row in collected.to_numpy()
    ]
    out["imputed"] = (n_missing > 0) & out["index_raw"].notna()
    return out.reset_index(drop=True)
