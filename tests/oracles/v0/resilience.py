"""Resilient schools (PISA's two definitions) and partner suggestions for ШНОР."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import fmt
from analytics.labels import SELECTIVE
from analytics.settings import Settings
from tests.oracles.v0 import context as cx
from tests.oracles.v0.identification import result_quartiles
from tests.oracles.v0.similar import similar_groups

ABOVE = (cx.BAND_WELL_ABOVE, cx.BAND_ABOVE)


def judged_exams(available, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The procedures resilience is judged on: the chosen ones the region has results of;
    where it has none of them, ВПР, and otherwise whatever it has.

    >>> judged_exams({"ВПР", "ОГЭ"}, ("ОГЭ", "ЕГЭ")), judged_exams({"ВПР"}, ("ОГЭ", "ЕГЭ"))
    (('ОГЭ',), ('ВПР',))
    """
    have = set(available)
    used = tuple(e for e in chosen if e in have)
    if used:
        return used
    if "ВПР" in have:
        return ("ВПР",)
    return tuple(sorted(have))


def exams_in_window(exams: pd.DataFrame, year: int, window: int) -> set[str]:
    """The procedures with results in the years window up to `year` (`exams` is
    identification.exam_results(...))."""
    return set(exams.loc[exams["year"].between(year - window + 1, year), "exam"].unique())


def resilience(
    adjusted: pd.DataFrame,
    exams: pd.DataFrame,
    social: pd.DataFrame,
    schools: pd.DataFrame,
    year: int,
    settings: Settings,
    pooled: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Both definitions for every school of the year, and the one chosen in the settings.

    * «adjusted»: ИСБШ in the bottom quartile and the context-adjusted result, pooled over the
      years window in the chosen exams, «значительно выше ожидаемого»;
    * «quartiles»: ИСБШ in the bottom quartile and the pooled standardised result in the
      region's top quartile.
    The exams are the chosen ones the region has (judged_exams): a region with ВПР only is
    judged on ВПР.
    Selective schools (лицей, гимназия, СОШ с УИОП) are left out unless the settings say
    otherwise: their intake is chosen, so their results say little about resilience.

    `exams` is identification.exam_results(...): each school's result per exam and year.
    `pooled` is the adjusted result pooled per school (sql/analysis/year/adjusted_pooled.sql)
    when read from the database; otherwise it is pooled here from the procedure rows in `adjusted`.

    adjusted_result and adjusted_se are the figure the band judged: the Empirical-Bayes
    estimate with its posterior sd when settings.band_shrunken, the raw pooled residual else.

    Returns school_id, year, adjusted_result, adjusted_se, adjusted_band, result,
    result_quartile, resilient_adjusted, resilient_quartiles, resilient.
    """
    chosen = judged_exams(
        exams_in_window(exams, year, settings.years_window), tuple(settings.resilient_exams)
    )
    if pooled is None:
        pooled = cx.pooled_over_years(
            adjusted, year, settings.years_window, chosen, settings.small_numbers.hide_below
        )
    if "shrunk" not in pooled:
        shrunk, shrunk_se = cx.shrunk_pooled(pooled, [])
        pooled = pooled.assign(shrunk=shrunk, shrunk_se=shrunk_se)
    pooled = cx.with_interval(pooled, settings.band_magnitude, settings.band_shrunken)
    # The figure the band judged: shrunken toward the expected unless the settings say raw.
    estimate, se = cx.judged(pooled, settings.band_shrunken)
    pooled = pd.DataFrame(
        {
            "school_id": pooled["school_id"],
            "adjusted_result": estimate,
            "adjusted_se": se,
            "adjusted_band": pooled["band"],
        }
    )
    quart = result_quartiles(exams, year, settings.years_window, chosen)
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


Z95 = 1.959964


def resilient_reasons(rows: pd.DataFrame, definition: str) -> pd.Series:
    """Why each school is resilient, in a few words by the definition the lists use (short
    enough for a table's cell): its ИСБШ in the region's bottom quartile, and its adjusted
    result with the 95 % interval («adjusted»: the interval lies above what is expected) or its
    result in the region's top quartile («quartiles»). `rows` has isbsh, adjusted_result,
    adjusted_se."""
    out = []
    for r in rows.itertuples(index=False):
        social = f"ИСБШ {fmt.num(r.isbsh, 1)} — нижний квартиль"
        if definition == "quartiles":
            out.append(f"{social}; результат — верхний квартиль")
            continue
        low = r.adjusted_result - Z95 * r.adjusted_se
        high = r.adjusted_result + Z95 * r.adjusted_se
        out.append(
            f"{social}; результат {fmt.signed(r.adjusted_result, 2)} "
            f"(95 %: {fmt.signed(low, 2)} … {fmt.signed(high, 2)})"
        )
    return pd.Series(out, index=rows.index, dtype=object)


def resilience_conditions(rows: pd.DataFrame, settings: Settings) -> list[tuple[str, int]]:
    """The conditions of resilience in turn, each with how many schools of `rows` (one year's
    identification with programme_type) meet it and every condition before it: the first
    condition with 0 is the one nobody met when the list is empty."""
    steps = [("ИСБШ в нижнем квартиле региона", rows["isbsh_quartile"].eq(1).fillna(False))]
    if settings.resilient_nonselective_only:
        steps.append(
            ("не лицей, не гимназия, не СОШ с УИОП", ~rows["programme_type"].isin(SELECTIVE))
        )
    if settings.resilient_definition == "quartiles":
        steps.append(("результат в верхнем квартиле региона", rows["result_quartile"].eq(4)))
    else:
        steps += [
            ("есть результат с учётом контекста", rows["adjusted_result"].notna()),
            (
                "результат значительно выше ожидаемого",
                rows["adjusted_band"].eq(cx.BAND_WELL_ABOVE),
            ),
        ]
    met = pd.Series(True, index=rows.index)
    out = []
    for name, condition in steps:
        met &= condition.fillna(False).astype(bool)
        out.append((name, int(met.sum())))
    return out


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
    order = np.argsort(d, axis=1)[:, : min(k, len(ids) - 1)]  # never the municipality itself
    result = {m: set() for m in municipalities["municipality_id"]}
    result.update({ids[i]: set(ids[order[i]]) - {ids[i]} for i in range(len(ids))})
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
    for resilience) is significantly above expected. Those of the school's group of similar
    schools (analytics.similar) come first, wherever they are; then the others. Each part is
    ordered by tier — the same municipality, a neighbouring one, any other — and within a
    tier by similarity of context: |ΔИСБШ|/10 + 1 for another settlement type + |Δ ln pupils|,
    plus the distance in hundreds of km when both schools have coordinates.

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
    adjusted = dict(zip(res["school_id"], res["adjusted_result"], strict=True))
    near = neighbours(municipalities)
    cand = {
        "id": strong.index.to_numpy(),
        "isbsh": strong["isbsh"].to_numpy(float),
        "log": np.log(strong["pupils"].astype(float).clip(lower=1).to_numpy()),
        "type": strong["settlement_type"].astype(str).to_numpy(),
        "mun": strong["municipality_id"].astype(str).to_numpy(),
        "lat": np.radians(strong["lat"].astype(float).to_numpy()),
        "lon": np.radians(strong["lon"].astype(float).to_numpy()),
    }
    k = settings.partners_per_school
    me = info.loc[shnor]
    # Each ШНОР's similar schools that do better than expected: (ШНОР, candidate index) pairs.
    position = pd.Series(np.arange(len(cand["id"])), index=cand["id"])
    groups = similar_groups(context, shnor)
    groups = groups[groups["peer_id"].isin(position.index)]
    alike = pd.Series(position.loc[groups["peer_id"]].to_numpy(), index=groups["school_id"])
    by_mun: dict[str, np.ndarray] = {
        m: idx for m, idx in pd.Series(cand["mun"]).groupby(cand["mun"]).indices.items()
    }
    rows = []
    # Schools of one municipality at once, against the candidates of their own and the
    # neighbouring municipalities; only a school left with fewer than k looks at all of them.
    own = {
        school: (isbsh, str(settlement))
        for school, isbsh, settlement in zip(
            me.index, me["isbsh"].to_numpy(float), me["settlement_type"], strict=True
        )
    }
    alike_by_mun = {
        m: part for m, part in alike.groupby(me["municipality_id"].astype(str).reindex(alike.index))
    }
    nobody = alike.iloc[:0]
    for mun, group in me.groupby(me["municipality_id"].astype(str), sort=True):
        mine = alike_by_mun.get(mun, nobody)
        local = np.unique(
            np.concatenate(
                [by_mun.get(m, np.array([], dtype=int)) for m in (mun, *near.get(mun, ()))]
                + [mine.to_numpy(dtype=int)]
            )
        ).astype(int)
        picked = _rank_partners(group, mun, near, cand, local, k, mine) if len(local) else {}
        # A school with fewer than k candidates nearby looks at all of them.
        short = [
            school_id
            for school_id in group.index
            if school_id not in picked or len(picked[school_id][0]) < min(k, len(cand["id"]))
        ]
        if short:
            everyone = np.arange(len(cand["id"]))
            picked |= _rank_partners(group.loc[short], mun, near, cand, everyone, k, mine)
        for school_id, (order, tier, similarity, km, peer) in picked.items():
            rows += _partner_rows(
                school_id, year, own[school_id], order, tier, similarity, km, peer, cand, adjusted
            )
    rows.sort(key=lambda r: (r[0], r[2]))
    return pd.DataFrame(rows, columns=columns)


def _rank_partners(group, mun, near, cand, pool, k, alike):
    """For every school of `group` (one municipality): the best k of `pool` (candidate indices)
    — the school's similar schools (`alike`: school → candidate index) first, then by tier,
    score and code; with each pair's tier, similarity, distance and whether it is similar."""
    c = {key: values[pool] for key, values in cand.items()}
    slot = np.full(len(cand["id"]), -1)
    slot[pool] = np.arange(len(pool))
    rows = pd.Series(np.arange(len(group)), index=group.index)
    pairs = alike[alike.index.isin(group.index)]
    columns = slot[pairs.to_numpy(dtype=int)]
    inside = columns >= 0
    peer = np.zeros((len(group), len(pool)), dtype=bool)
    peer[rows.loc[pairs.index].to_numpy()[inside], columns[inside]] = True
    d_isbsh = np.abs(c["isbsh"][None, :] - group["isbsh"].to_numpy(float)[:, None]) / 10
    d_isbsh = np.where(np.isnan(d_isbsh), 2.0, d_isbsh)
    g_log = np.log(group["pupils"].astype(float).clip(lower=1).to_numpy())
    similarity = (
        d_isbsh
        + (c["type"][None, :] != group["settlement_type"].astype(str).to_numpy()[:, None])
        + np.abs(c["log"][None, :] - g_log[:, None])
    )
    km = _haversine(
        np.radians(group["lat"].astype(float).to_numpy())[:, None],
        np.radians(group["lon"].astype(float).to_numpy())[:, None],
        c["lat"][None, :],
        c["lon"][None, :],
    )
    score = similarity + np.where(np.isnan(km), 0.0, km / 100)
    tier_row = np.where(
        c["mun"] == mun, 0, np.where(np.isin(c["mun"], list(near.get(mun, ()))), 1, 2)
    )
    tier = np.broadcast_to(tier_row, score.shape)
    ids = np.broadcast_to(np.arange(len(pool)), score.shape)  # candidates are sorted by code
    order = np.lexsort((ids, score, tier, ~peer), axis=-1)[:, :k]
    picked = {}
    for i, school_id in enumerate(group.index):
        chosen = order[i]
        picked[school_id] = (
            pool[chosen],
            tier[i, chosen],
            similarity[i, chosen],
            km[i, chosen],
            peer[i, chosen],
        )
    return picked


def _partner_rows(school_id, year, me, order, tier, similarity, km, peer, cand, adjusted):
    """Rows of partner_suggestions for one school with the reason in Russian.

    `me` is (ИСБШ, settlement type) of the school; `adjusted` maps a school to its result;
    `peer` says which partners are of the school's group of similar schools."""
    my_isbsh, my_type = me
    rows = []
    for rank, (j, t, sim, dist, alike) in enumerate(
        zip(order, tier, similarity, km, peer, strict=True), 1
    ):
        partner = cand["id"][j]
        reason = [
            *(["из группы похожих школ"] if alike else []),
            ("тот же муниципалитет", "соседний муниципалитет", "другой муниципалитет")[t],
            f"ИСБШ {fmt.num(cand['isbsh'][j], 0)} против {fmt.num(my_isbsh, 0)}",
            (
                f"тот же тип поселения ({cand['type'][j]})"
                if cand["type"][j] == my_type
                else f"тип поселения: {cand['type'][j]}"
            ),
            f"результат выше ожидаемого на {fmt.num(adjusted.get(partner), 2)} ст. откл.",
        ]
        if not np.isnan(dist):
            reason.insert(1 + int(alike), f"{fmt.num(dist, 0)} км")
        rows.append(
            (
                school_id,
                year,
                rank,
                partner,
                int(t),
                float(sim),
                float(dist),
                float(adjusted.get(partner)),
                "; ".join(reason),
            )
        )
    return rows
