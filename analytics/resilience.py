"""Resilient schools (PISA's two definitions) and partner suggestions for ШНОР."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import context as cx
from analytics import fmt
from analytics.identification import result_quartiles
from analytics.labels import SELECTIVE
from analytics.settings import Settings
from analytics.similar import similar_groups

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
    near: dict[str, set[str]] | None = None,
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
    near : neighbours(municipalities) when already at hand (every year of a refresh).
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
    near = neighbours(municipalities) if near is None else near
    cand = _places(strong)
    k = settings.partners_per_school
    me = info.loc[shnor]
    mine = _places(me)
    # Settlement types and municipalities as integer codes, compared without text.
    for key in ("type", "mun"):
        codes, names = pd.factorize(np.concatenate([cand[key], mine[key]]))
        cand[f"{key}_code"], mine[f"{key}_code"] = codes[: len(cand[key])], codes[len(cand[key]) :]
        if key == "mun":
            code_of = {name: number for number, name in enumerate(names)}
    # Each ШНОР's similar schools that do better than expected: (ШНОР, candidate) positions.
    position = pd.Series(np.arange(len(cand["id"])), index=cand["id"])
    me_position = pd.Series(np.arange(len(shnor)), index=me.index)
    groups = similar_groups(context, shnor)
    groups = groups[groups["peer_id"].isin(position.index)]
    pair_me = me_position.loc[groups["school_id"]].to_numpy()
    pair_cand = position.loc[groups["peer_id"]].to_numpy()
    by_mun: dict[str, np.ndarray] = {
        m: idx for m, idx in pd.Series(cand["mun"]).groupby(cand["mun"]).indices.items()
    }
    nobody = np.array([], dtype=int)
    pairs_of = _split(pair_me, mine["mun"])
    everyone = np.arange(len(cand["id"]))
    picked = []
    # Schools of one municipality at once, against the candidates of their own and the
    # neighbouring municipalities and their similar schools; a municipality with fewer than k
    # candidates so found looks at all of them.
    for mun, members in sorted(pd.Series(mine["mun"]).groupby(mine["mun"]).indices.items()):
        pairs = pairs_of.get(mun, nobody)
        local = np.unique(
            np.concatenate(
                [by_mun.get(m, nobody) for m in (mun, *near.get(mun, ()))] + [pair_cand[pairs]]
            )
        ).astype(int)
        pool = local if len(local) and len(local) >= min(k, len(everyone)) else everyone
        nearby = np.array([code_of[m] for m in near.get(mun, ()) if m in code_of], dtype=np.int64)
        found = _rank_partners(
            mine, members, code_of[mun], nearby, cand, pool, k, pair_me[pairs], pair_cand[pairs]
        )
        width = found[0].shape[1]
        rank = np.tile(np.arange(1, width + 1), len(members))
        picked.append((np.repeat(members, width), rank, *(f.ravel() for f in found)))
    return _partner_frame(picked, year, mine, cand, adjusted, columns)


def _partner_frame(picked, year, mine, cand, adjusted, columns) -> pd.DataFrame:
    """The rows of partner_suggestions from the ranked pairs (school position, rank,
    candidate, tier, similarity, distance, similar?) of every municipality, with the reasons
    in Russian, ordered by school and rank."""
    school, rank, chosen, tier, similarity, km, peer = (
        np.concatenate(p) for p in zip(*picked, strict=True)
    )
    names = pd.factorize(mine["id"], sort=True)[0]
    order = np.lexsort((rank, names[school]))
    school, chosen, tier, similarity, km, peer, rank = (
        a[order] for a in (school, chosen, tier, similarity, km, peer, rank)
    )
    partner = cand["id"][chosen]
    result = np.array([adjusted.get(p) for p in partner], dtype=float)
    # Each distinct figure written once (whole numbers rounded first: the same text).
    km_text = _written(np.rint(km), 0)
    theirs = _written(np.rint(cand["isbsh"][chosen]), 0)
    mine_text = _written(np.rint(mine["isbsh"][school]), 0)
    result_text = _written(result, 2)
    kinds = cand["type"][chosen]
    same = kinds == mine["type"][school]
    words = ("тот же муниципалитет", "соседний муниципалитет", "другой муниципалитет")
    far = np.isnan(km)
    reasons = [
        ("из группы похожих школ; " if alike else "")
        + words[t]
        + ("" if no_km else f"; {k} км")
        + f"; ИСБШ {a} против {b}; "
        + (f"тот же тип поселения ({kind})" if alike_type else f"тип поселения: {kind}")
        + f"; результат выше ожидаемого на {r} ст. откл."
        for alike, t, no_km, k, a, b, kind, alike_type, r in zip(
            peer, tier, far, km_text, theirs, mine_text, kinds, same, result_text, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "school_id": pd.array(mine["id"][school].tolist(), dtype="str"),
            "year": np.full(len(school), year, dtype=np.int64),
            "rank": rank.astype(np.int64),
            "partner_id": pd.array(partner.tolist(), dtype="str"),
            "tier": tier.astype(np.int64),
            "similarity": similarity.astype(float),
            "distance_km": km.astype(float),
            "partner_adjusted": result,
            "reason": pd.array(reasons, dtype="str"),
        },
        columns=columns,
    )


def _written(values: np.ndarray, digits: int) -> np.ndarray:
    """fmt.num of each value, each distinct value written once."""
    codes, distinct = pd.factorize(values)
    texts = [fmt.num(v, digits) for v in distinct] + [fmt.num(np.nan, digits)]
    return np.array(texts, dtype=object)[codes]


def _places(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """What partners are ranked on, of each school of `frame` (indexed by school_id)."""
    return {
        "id": frame.index.to_numpy(),
        "isbsh": frame["isbsh"].to_numpy(float),
        "log": np.log(frame["pupils"].astype(float).clip(lower=1).to_numpy()),
        "type": frame["settlement_type"].astype(str).to_numpy(),
        "mun": frame["municipality_id"].astype(str).to_numpy(),
        "lat": np.radians(frame["lat"].astype(float).to_numpy()),
        "lon": np.radians(frame["lon"].astype(float).to_numpy()),
    }


def _split(positions: np.ndarray, keys: np.ndarray) -> dict[str, np.ndarray]:
    """The indices into `positions` grouped by keys[positions]."""
    if not len(positions):
        return {}
    return dict(pd.Series(keys[positions]).groupby(keys[positions]).indices.items())


def _rank_partners(me, members, mun, nearby, cand, pool, k, pair_me, pair_cand):
    """For the schools `members` of `me` (positions; one municipality, code `mun`, its
    neighbours' codes `nearby`): the best k of `pool` (candidate indices) — the school's
    similar schools (pairs of positions `pair_me`, `pair_cand`) first, then by tier, score
    and code; with each pair's tier, similarity, distance and whether it is similar. Returns
    arrays of k columns, a row per member."""
    c = {key: values[pool] for key, values in cand.items()}
    slot = np.full(len(cand["id"]), -1)
    slot[pool] = np.arange(len(pool))
    row_of = np.full(len(me["id"]), -1)
    row_of[members] = np.arange(len(members))
    rows = row_of[pair_me]
    columns = slot[pair_cand]
    inside = (rows >= 0) & (columns >= 0)
    peer = np.zeros((len(members), len(pool)), dtype=bool)
    peer[rows[inside], columns[inside]] = True
    d_isbsh = np.abs(c["isbsh"][None, :] - me["isbsh"][members][:, None]) / 10
    d_isbsh = np.where(np.isnan(d_isbsh), 2.0, d_isbsh)
    similarity = (
        d_isbsh
        + (c["type_code"][None, :] != me["type_code"][members][:, None])
        + np.abs(c["log"][None, :] - me["log"][members][:, None])
    )
    km = _haversine(
        me["lat"][members][:, None],
        me["lon"][members][:, None],
        c["lat"][None, :],
        c["lon"][None, :],
    )
    score = similarity + np.where(np.isnan(km), 0.0, km / 100)
    tier_row = np.where(c["mun_code"] == mun, 0, np.where(np.isin(c["mun_code"], nearby), 1, 2))
    tier = np.broadcast_to(tier_row, score.shape)
    ids = np.broadcast_to(np.arange(len(pool)), score.shape)  # candidates are sorted by code
    order = np.lexsort((ids, score, tier, ~peer), axis=-1)[:, :k]
    picked = np.take_along_axis
    return (
        pool[order],
        picked(tier, order, axis=1),
        picked(similarity, order, axis=1),
        picked(km, order, axis=1),
        picked(peer, order, axis=1),
    )
