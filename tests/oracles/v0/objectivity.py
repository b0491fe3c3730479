"""Signs that a school's ВПР results may not be objective: flags with evidence, never verdicts.

Each sign is computed with its value and threshold, so that a methodologist can check it. Signs
that need data a region may not have (results per task; the distribution of primary scores and
the mark boundaries) are reported as «нет данных», not guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from analytics import fmt
from analytics.labels import SELECTIVE
from analytics.settings import Objectivity, SmallNumbers

FLAG_NAMES = {
    "vpr_above_exams": "ВПР значительно выше ОГЭ и ЕГЭ той же школы",
    "vpr_above_term": "Много отметок ВПР выше четвертных",
    "cohort_drop": "Резкое падение результатов от 4 к 5 классу",
    "easy_hard": "Лёгкие задания хуже региона, трудные — лучше",
    "bunching": "Баллы скапливаются у границ отметок",
    "shape": "Распределение баллов не похоже на школы того же уровня",
}
# Signs that cannot be computed without data a region may lack: why, when none is computed.
NOT_AVAILABLE = {
    "easy_hard": "нужны результаты по заданиям ВПР",
    "bunching": "нужны распределение первичных баллов ВПР и границы отметок",
    "shape": "нужны распределение первичных баллов ВПР и границы отметок",
}
FLAG_COLUMNS = ["school_id", "year", "flag", "value", "threshold", "fired", "evidence"]
PROCEDURE = ["year", "exam", "subject", "grade"]
# «Just below» and «just above» a boundary: this many primary scores on each side; the two
# windows further out on each side give the local slope of a smooth distribution.
WINDOW = 2


def objectivity_flags(
    school_results: pd.DataFrame,
    term: pd.DataFrame,
    cohort: pd.DataFrame,
    schools: pd.DataFrame,
    settings: Objectivity | None = None,
    min_participants: int = SmallNumbers.hide_below,
    scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every sign for every school-year with its value, threshold and whether it fired.

    Parameters
    ----------
    school_results : school_id, year, vpr_index, oge_index, ege_index (school_year_results).
    term : school_id, year, participants, share_exam_above_term (ВПР, pooled over subjects).
    cohort : school_id, year, grade4_previous (grade 4 ВПР z of year − 1), grade5 (grade 5 z).
    schools : school_id, programme_type.
    settings : the thresholds of the signs.
    min_participants : the share above term marks is judged only with this many participants.
    scores : primary-score distributions with participants and the mark boundaries of the
        year (sql/analysis/objectivity_scores.sql); None or empty: those signs are not computed.

    Returns
    -------
    Long frame: school_id, year, flag, name, value, threshold, fired, evidence (Russian).
    """
    settings = settings or Objectivity()
    kinds = schools.set_index("school_id")["programme_type"]
    exams = school_results.copy()
    exams["state_index"] = exams[["oge_index", "ege_index"]].mean(axis=1)
    exams["gap"] = exams["vpr_index"] - exams["state_index"]
    selective = exams["school_id"].map(kinds).isin(SELECTIVE)
    known = exams["vpr_index"].notna() & exams["state_index"].notna() & ~selective
    above = exams[known]
    parts = [
        _signs(
            above,
            "vpr_above_exams",
            above["gap"],
            settings.vpr_exam_gap,
            (above["vpr_index"] >= settings.vpr_high) & (above["gap"] >= settings.vpr_exam_gap),
            _joined(
                "ВПР ",
                fmt.each(fmt.signed, above["vpr_index"], 2),
                ", ОГЭ и ЕГЭ ",
                fmt.each(fmt.signed, above["state_index"], 2),
                " ст. откл. от среднего по региону",
            ),
        )
    ]

    term_rows = term[term["participants"] >= min_participants]
    share = term_rows["share_exam_above_term"].astype(float)
    parts.append(
        _signs(
            term_rows,
            "vpr_above_term",
            share,
            settings.above_term_share,
            share >= settings.above_term_share,
            _joined("у ", fmt.each(fmt.pct, share, 0), " участников отметка ВПР выше четвертной"),
        )
    )

    drop = cohort.dropna(subset=["grade4_previous", "grade5"])
    fall = (drop["grade4_previous"] - drop["grade5"]).astype(float)
    parts.append(
        _signs(
            drop,
            "cohort_drop",
            fall,
            settings.cohort_drop,
            fall >= settings.cohort_drop,
            _joined(
                "4 класс годом ранее ",
                fmt.each(fmt.signed, drop["grade4_previous"], 2),
                ", 5 класс ",
                fmt.each(fmt.signed, drop["grade5"], 2),
                " ст. откл.",
            ),
        )
    )
    rows = pd.concat(parts, ignore_index=True)
    out = rows[FLAG_COLUMNS]
    if scores is not None and len(scores):
        counted = score_counts(scores, settings.distribution_min_participants)
        # Integer codes for the text keys: pandas groups and joins millions of rows by
        # numbers many times faster than by strings. The signs get their names back after.
        schools_code, school_names = pd.factorize(counted["school_id"])
        counted = counted.assign(
            school_id=schools_code,
            exam=pd.factorize(counted["exam"])[0],
            subject=pd.factorize(counted["subject"])[0],
        )
        signs = pd.concat(
            [bunching_signs(counted, settings), shape_signs(counted, settings)],
            ignore_index=True,
        )
        signs["school_id"] = np.asarray(school_names, dtype=object)[
            signs["school_id"].to_numpy(dtype=int)
        ]
        out = pd.concat([out, signs], ignore_index=True)
    out.insert(3, "name", out["flag"].map(FLAG_NAMES))
    out["year"] = out["year"].astype(int)
    return out.sort_values(["school_id", "year", "flag"]).reset_index(drop=True)


def _joined(*pieces) -> list[str]:
    """Texts and columns of texts joined row by row."""
    columns = [p if isinstance(p, list) else None for p in pieces]
    n = next(len(c) for c in columns if c is not None)
    return [
        "".join(row)
        for row in zip(*[c or [p] * n for c, p in zip(columns, pieces, strict=True)], strict=True)
    ]


def _signs(rows, flag, value, threshold, fired, evidence) -> pd.DataFrame:
    """One sign's rows of the objectivity_flags frame."""
    return pd.DataFrame(
        {
            "school_id": rows["school_id"].to_numpy(),
            "year": rows["year"].to_numpy(),
            "flag": flag,
            "value": np.asarray(value, dtype=float),
            "threshold": float(threshold),
            "fired": np.asarray(fired, dtype=bool),
            "evidence": evidence,
        },
        columns=FLAG_COLUMNS,
    )


def flagged_schools(flags: pd.DataFrame) -> pd.DataFrame:
    """Per school-year: how many signs fired, and which (for lists and the profile)."""
    fired = flags[flags["fired"]]
    if fired.empty:
        return pd.DataFrame(columns=["school_id", "year", "flags", "names"])
    grouped = fired.groupby(["school_id", "year"])
    out = grouped.size().rename("flags").reset_index()
    out["names"] = grouped["name"].agg("; ".join).to_numpy()
    return out


def share_flagged(flags: pd.DataFrame, year: int) -> float:
    """Share of schools with at least one sign among those checked in the year."""
    year_flags = flags[flags["year"] == year]
    checked = year_flags["school_id"].nunique()
    if not checked:
        return np.nan
    return year_flags.loc[year_flags["fired"], "school_id"].nunique() / checked


def not_available(flags: pd.DataFrame) -> dict[str, str]:
    """The signs of NOT_AVAILABLE that `flags` (of a school, a year or the region) lacks: name →
    why, to say «нет данных» instead of keeping silent."""
    present = set(flags["flag"]) if len(flags) else set()
    return {FLAG_NAMES[f]: why for f, why in NOT_AVAILABLE.items() if f not in present}


def score_counts(scores: pd.DataFrame, min_participants: int) -> pd.DataFrame:
    """Distributions turned into counts of pupils per primary score, for the procedures with
    known boundaries and at least `min_participants` participants."""
    known = scores.dropna(subset=["participants", "max_score", "min_3", "min_4", "min_5"])
    known = known[known["participants"] >= min_participants]
    return known.assign(count=(known["share"] * known["participants"]).round())


def _windows(counted: pd.DataFrame) -> pd.DataFrame:
    """Per procedure of a school and mark boundary: pupils in the windows below and above it
    (below: the WINDOW scores under the boundary; above: the boundary and the scores after),
    and in the windows next to those (further below, further above)."""
    names = {1: "below", 2: "above", 3: "further_below", 4: "further_above"}
    keys = ["school_id", *PROCEDURE]
    base = counted[[*keys, "score", "max_score", "count"]]
    parts = []
    for mark, column in ((3, "min_3"), (4, "min_4"), (5, "min_5")):
        boundary = counted[column].to_numpy(float)
        rel = counted["score"].to_numpy(float) - boundary
        window = np.select(
            [
                (rel >= -WINDOW) & (rel <= -1),
                (rel >= 0) & (rel <= WINDOW - 1),
                (rel >= -2 * WINDOW) & (rel <= -WINDOW - 1),
                (rel >= WINDOW) & (rel <= 2 * WINDOW - 1),
            ],
            list(names),
            default=0,
        )
        room = (boundary - 2 * WINDOW >= 0) & (
            boundary + 2 * WINDOW - 1 <= counted["max_score"].to_numpy(float)
        )
        keep = (window > 0) & room
        parts.append(base[keep].assign(mark=mark, window=window[keep]))
    long = pd.concat(parts, ignore_index=True)
    wide = long.groupby([*keys, "mark", "window"], sort=False)["count"].sum().unstack("window")
    wide = wide.reindex(columns=list(names)).rename(columns=names)
    wide.columns.name = None
    # A procedure-boundary with no pupil near it at all still counts as judged (zeros).
    judged = counted.drop_duplicates(keys)[keys]
    return wide.fillna(0.0).reset_index().merge(judged, on=keys)


def bunching_excess(windows: pd.DataFrame) -> pd.DataFrame:
    """Excess of pupils just above a boundary over just below it, beyond the local slope.

    A smooth distribution (up to a quadratic) has above − below = (further above − further
    below) / 3 for windows of equal width side by side; the excess is what exceeds that. Its
    variance is estimated as for independent Poisson counts.
    """
    expected = (windows["further_above"] - windows["further_below"]) / 3
    return windows.assign(
        expected=expected,
        excess=windows["above"] - windows["below"] - expected,
        variance=windows["above"]
        + windows["below"]
        + (windows["further_above"] + windows["further_below"]) / 9,
    )


def bunching_signs(counted: pd.DataFrame, settings: Objectivity | None = None) -> pd.DataFrame:
    """«Баллы скапливаются у границ отметок» per school-year: the excess pooled over the
    procedures and boundaries, as a z-score; fired at settings.bunching_z or more."""
    settings = settings or Objectivity()
    if counted.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    excess = bunching_excess(_windows(counted))
    per = excess.groupby(["school_id", "year"]).agg(
        above=("above", "sum"),
        below=("below", "sum"),
        expected=("expected", "sum"),
        excess=("excess", "sum"),
        variance=("variance", "sum"),
        procedures=("subject", "size"),
    )
    per = per[per["variance"] > 0].reset_index()
    z = per["excess"] / np.sqrt(per["variance"])
    boundaries = per["procedures"].astype(int)
    evidence = [
        f"сразу на границах и над ними ({WINDOW} балла) — {fmt.integer(a)} участн., сразу под "
        f"ними — {fmt.integer(b)}; при плавном распределении разница была бы около "
        f"{fmt.signed(e, 1)}, а она {fmt.signed(a - b, 0)} (z = {fmt.num(zz, 1)}; границ "
        f"отметок: {k})"
        for a, b, e, zz, k in zip(
            per["above"], per["below"], per["expected"], z, boundaries, strict=True
        )
    ]
    return _signs(per, "bunching", z, settings.bunching_z, z >= settings.bunching_z, evidence)


def shape_statistics(counted: pd.DataFrame, groups: int = 10) -> pd.DataFrame:
    """Per procedure of a school: the G statistic of its distribution against the pooled one of
    the region's schools of the same level (the same tenth by mean primary score) in the same
    procedure, scores in bins of WINDOW points, with Williams' correction, and its degrees of
    freedom."""
    keys = ["school_id", *PROCEDURE]
    school = counted.groupby(keys)["count"].sum().rename("n").to_frame()
    weighted = (counted["count"] * counted["score"]).groupby([counted[k] for k in keys]).sum()
    school["mean"] = weighted / school["n"]
    school = school[school["n"] > 0].reset_index()
    rank = school.groupby(PROCEDURE)["mean"].rank(pct=True, method="average")
    school["level"] = np.ceil(rank * groups).clip(1, groups).astype(int)
    binned = counted.assign(bin=counted["score"] // WINDOW).merge(
        school[[*keys, "n", "level"]], on=keys
    )
    binned = binned.groupby([*keys, "level", "bin"], as_index=False).agg(
        count=("count", "sum"), n=("n", "first")
    )
    reference = binned.groupby([*PROCEDURE, "level", "bin"], as_index=False)["count"].sum()
    reference["p"] = reference["count"] / reference.groupby([*PROCEDURE, "level"])[
        "count"
    ].transform("sum")
    # Every bin the reference has, for every school of that level (a zero count is evidence).
    cells = school[[*keys, "n", "level"]].merge(
        reference[[*PROCEDURE, "level", "bin", "p"]], on=[*PROCEDURE, "level"]
    )
    cells = cells.merge(binned[[*keys, "bin", "count"]], on=[*keys, "bin"], how="left")
    cells["count"] = cells["count"].fillna(0.0)
    expected = cells["n"] * cells["p"]
    ratio = np.where(cells["count"] > 0, cells["count"] / expected, 1.0)
    cells["g"] = 2 * cells["count"] * np.log(ratio)
    out = cells.groupby(keys).agg(g=("g", "sum"), bins=("bin", "size"), n=("n", "first"))
    out = out[out["bins"] > 1].reset_index()
    out["df"] = out["bins"] - 1
    out["g_corrected"] = out["g"] / (1 + (out["bins"] + 1) / (6 * out["n"]))
    return out


def shape_signs(counted: pd.DataFrame, settings: Objectivity | None = None) -> pd.DataFrame:
    """«Распределение баллов не похоже на школы того же уровня» per school-year: the G
    statistics summed over its procedures, its chance under sampling noise alone (χ²) as a
    z-score; fired at settings.shape_z or more."""
    settings = settings or Objectivity()
    if counted.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    stats = shape_statistics(counted)
    per = stats.groupby(["school_id", "year"], as_index=False).agg(
        g=("g_corrected", "sum"), df=("df", "sum"), procedures=("subject", "size")
    )
    p = chi2.sf(per["g"], per["df"])
    z = np.clip(norm.isf(np.clip(p, 1e-300, 1.0)), -10, 40)
    evidence = [
        f"G = {fmt.num(g, 1)} при {int(d)} степенях свободы: случайно такое отличие бывает с "
        f"вероятностью {_chance(pp)} (z = {fmt.num(zz, 1)}; процедур: {int(k)})"
        for g, d, pp, zz, k in zip(per["g"], per["df"], p, z, per["procedures"], strict=True)
    ]
    return _signs(per, "shape", z, settings.shape_z, z >= settings.shape_z, evidence)


def _chance(p: float) -> str:
    if p < 0.0001:
        return "меньше 0,0001"
    return fmt.num(p, 4)


AGREEMENT_COLUMNS = [
    "year",
    "sign",
    "judged_schools",
    "both_marked",
    "only_radar",
    "only_official",
    "neither_marked",
    "agreement",
    "kappa",
]
ANY_SIGN = "Любой признак радара"


def agreement(flags: pd.DataFrame, markers: pd.DataFrame) -> pd.DataFrame:
    """How far the radar's signs agree with the federal list of markers (ФИС ОКО), per year:
    for any sign and for each sign, over the school-years both judged, the schools marked by
    both, only by the radar, only by the list and by neither, the share of agreement and
    Cohen's kappa (agreement beyond chance: 1 full, 0 as by chance)."""
    if flags.empty or markers.empty:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    official = markers.groupby(["school_id", "year"])["marker"].any().rename("official")
    signs = flags.assign(fired=flags["fired"].astype(bool))
    per_sign = signs.groupby(["school_id", "year", "name"])["fired"].any().reset_index()
    pooled = signs.groupby(["school_id", "year"])["fired"].any().reset_index()
    both = pd.concat([pooled.assign(name=ANY_SIGN), per_sign], ignore_index=True)
    both = both.merge(official.reset_index(), on=["school_id", "year"])
    if both.empty:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    radar, listed = both["fired"], both["official"].astype(bool)
    both = both.assign(
        both_marked=radar & listed,
        only_radar=radar & ~listed,
        only_official=~radar & listed,
        neither_marked=~radar & ~listed,
    )
    cells = ["both_marked", "only_radar", "only_official", "neither_marked"]
    out = both.groupby(["year", "name"], sort=False)[cells].sum().reset_index()
    n = out[cells].sum(axis=1)
    observed = (out["both_marked"] + out["neither_marked"]) / n
    radar_share = (out["both_marked"] + out["only_radar"]) / n
    list_share = (out["both_marked"] + out["only_official"]) / n
    chance = radar_share * list_share + (1 - radar_share) * (1 - list_share)
    kappa = ((observed - chance) / (1 - chance)).where(chance < 1)
    out = out.assign(judged_schools=n, agreement=observed, kappa=kappa).rename(
        columns={"name": "sign"}
    )
    order = {ANY_SIGN: -1} | {name: i for i, name in enumerate(FLAG_NAMES.values())}
    out = out.sort_values(["year", "sign"], key=lambda c: c.map(order) if c.name == "sign" else c)
    return out[AGREEMENT_COLUMNS].reset_index(drop=True)
