"""Resilient schools (PISA's two definitions) and partner suggestions for ШНОР."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import context as cx
from analytics.identification import result_quartiles
from analytics.settings import Settings
from radar import fmt

SELECTIVE = ("лицей", "гимназия", "СОШ с УИОП")
ABOVE = (cx.BAND_WELL_ABOVE, cx.BAND_ABOVE)


def resilience(
    adjusted: pd.DataFrame,
    results: pd.DataFrame,
    social: pd.DataFrame,
    schools: pd.DataFrame,
    year: int,
    settings: Settings,
) -> pd.DataFrame:
    """Both definitions for every school of the year, and the one chosen in the settings.

    * «adjusted»: ИСБШ in the bottom quartile and the context-adjusted result, pooled over the
      years window in the chosen exams, «значительно выше ожидаемого»;
    * «quartiles»: ИСБШ in the bottom quartile and the pooled standardised result in the
      region's top quartile.
    Selective schools (лицей, гимназия, СОШ с УИОП) are left out unless the settings say
    otherwise: their intake is chosen, so their results say little about resilience.

    Returns school_id, year, adjusted_result, adjusted_se, adjusted_band, result,
    result_quartile, resilient_adjusted, resilient_quartiles, resilient.
    """
    exams = tuple(settings.resilient_exams)
    pooled = cx.pooled_over_years(
        adjusted, year, settings.years_window, exams, settings.hide_below, settings.band_magnitude
    ).rename(columns={"residual": "adjusted_result", "se": "adjusted_se", "band": "adjusted_band"})[
        ["school_id", "adjusted_result", "adjusted_se", "adjusted_band"]
    ]
    quart = result_quartiles(results, year, settings.years_window, exams, settings.hide_below)
    year_social = social[social["year"] == year][["school_id", "isbsh_quartile"]]
    out = schools[["school_id", "programme_type"]].merge(year_social, on="school_id", how="left")
    out = out.merge(pooled, on="school_id", how="left").merge(quart, on="school_id", how="left")
    eligible = out["isbsh_quartile"].eq(1).fillna(False)
    if settings.resilient_nonselective_only:
        eligible &= ~out["programme_type"].isin(SELECTIVE)
    out["resilient_adjusted"] = eligible & out["adjusted_band"].eq(cx.BAND_WELL_ABOVE).fillna(False)
    out["resilient_quartiles"] = eligible & out["result_quartile"].eq(4).fillna(False)
    chosen = (
        "resilient_quartiles"
        if settings.resilient_definition == "quartiles"
        else ("resilient_adjusted")
    )
    out["resilient"] = out[chosen].astype(bool)
    out.insert(1, "year", int(year))
    return out.drop(columns=["programme_type", "isbsh_quartile"]).reset_index(drop=True)


def neighbours(municipalities: pd.DataFrame, k: int = 3) -> dict[str, set[str]]:
    """The k municipalities with the nearest centres to each one (empty without coordinates)."""
    known = municipalities.dropna(subset=["center_lat", "center_lon"])
    if len(known) < 2:
        return {m: set() for m in municipalities["municipality_id"]}
    ids = known["municipality_id"].to_numpy()
    lat = np.radians(known["center_lat"].to_numpy(float))
    lon = np.radians(known["center_lon"].to_numpy(float))
    d = _haversine(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1)[:, :k]
    result = {m: set() for m in municipalities["municipality_id"]}
    result.update({ids[i]: set(ids[order[i]]) for i in range(len(ids))})
    return result


def _haversine(lat1, lon1, lat2, lon2):
    """Great-circle distance in km."""
    dlat, dlon = (lat2 - lat1) / 2, (lon2 - lon1) / 2
    a = np.sin(dlat) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def suggest_partners(
    identification: pd.DataFrame,
    context: pd.DataFrame,
    res: pd.DataFrame,
    municipalities: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    """Up to `partners_per_school` partners for each ШНОР of one year, with the reason.

    Candidates are schools that are not ШНОР themselves and whose adjusted result (pooled as
    for resilience) is significantly above expected. They are ordered by tier — the same
    municipality, a neighbouring one, any other — and within a tier by similarity of context:
    |ΔИСБШ|/10 + 1 for another settlement type + |Δ ln pupils|, plus the distance in hundreds
    of km when both schools have coordinates.

    Parameters
    ----------
    identification : identify() output for the year (school_id, shnor).
    context : school_id, municipality_id, settlement_type, pupils, isbsh, lat, lon (the year).
    res : resilience() output for the year (adjusted_result, adjusted_band).
    """
    columns = [
        "school_id",
        "year",
        "rank",
        "partner_id",
        "tier",
        "similarity",
        "distance_km",
        "partner_adjusted",
        "reason",
    ]
    if identification.empty:
        return pd.DataFrame(columns=columns)
    year = int(identification["year"].iloc[0])
    info = context.set_index("school_id")
    shnor = [s for s in identification.loc[identification["shnor"], "school_id"] if s in info.index]
    strong_ids = set(res.loc[res["adjusted_band"].isin(ABOVE), "school_id"]) - set(shnor)
    strong = info.loc[sorted(s for s in strong_ids if s in info.index)]
    if not shnor or strong.empty:
        return pd.DataFrame(columns=columns)
    adjusted = res.set_index("school_id")["adjusted_result"]
    near = neighbours(municipalities)
    c_isbsh = strong["isbsh"].to_numpy(float)
    c_log = np.log(strong["pupils"].astype(float).clip(lower=1).to_numpy())
    c_type = strong["settlement_type"].astype(str).to_numpy()
    c_mun = strong["municipality_id"].astype(str).to_numpy()
    c_lat = np.radians(strong["lat"].astype(float).to_numpy())
    c_lon = np.radians(strong["lon"].astype(float).to_numpy())
    rows = []
    for school_id in shnor:
        me = info.loc[school_id]
        d_isbsh = np.abs(c_isbsh - float(me["isbsh"])) / 10
        d_isbsh = np.where(np.isnan(d_isbsh), 2.0, d_isbsh)
        similarity = (
            d_isbsh
            + (c_type != str(me["settlement_type"]))
            + np.abs(c_log - np.log(max(float(me["pupils"]), 1.0)))
        )
        km = _haversine(np.radians(float(me["lat"])), np.radians(float(me["lon"])), c_lat, c_lon)
        score = similarity + np.where(np.isnan(km), 0.0, km / 100)
        mun = str(me["municipality_id"])
        tier = np.where(c_mun == mun, 0, np.where(np.isin(c_mun, list(near.get(mun, ()))), 1, 2))
        order = np.lexsort((strong.index.to_numpy(), score, tier))[: settings.partners_per_school]
        for rank, j in enumerate(order, start=1):
            partner = strong.index[j]
            reason = [
                ("тот же муниципалитет", "соседний муниципалитет", "другой муниципалитет")[tier[j]],
                f"ИСБШ {fmt.num(c_isbsh[j], 0)} против {fmt.num(me['isbsh'], 0)}",
                (
                    f"тот же тип поселения ({c_type[j]})"
                    if c_type[j] == str(me["settlement_type"])
                    else f"тип поселения: {c_type[j]}"
                ),
                f"результат выше ожидаемого на {fmt.num(adjusted.get(partner), 2)} ст. откл.",
            ]
            if not np.isnan(km[j]):
                reason.insert(1, f"{fmt.num(km[j], 0)} км")
            rows.append(
                (
                    school_id,
                    year,
                    rank,
                    partner,
                    int(tier[j]),
                    float(similarity[j]),
                    float(km[j]),
                    float(adjusted.get(partner)),
                    "; ".join(reason),
                )
            )
    return pd.DataFrame(rows, columns=columns)
