"""Signs that a school's ВПР results may not be objective: flags with evidence, never verdicts.

Each sign is computed with its value and threshold, so that a methodologist can check it. Signs
that need data a region may not have (results per task; the distribution of primary scores and
the mark boundaries) are reported as «нет данных», not guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import fmt, grouping
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
        # Integer codes for the text keys: pandas groups and joins millions of rows by
        # numbers many times faster than by strings. The signs get their names back after.
        # Coded before the rows are picked (no text is copied), then numbered again in the
        # order the picked rows show them.
        names = {}
        coded = scores.copy(deep=False)
        for column in ("school_id", "exam", "subject"):
            coded[column], names[column] = pd.factorize(scores[column])
        counted = score_counts(coded, settings.distribution_min_participants)
        renumbered = {}
        for column in ("school_id", "exam", "subject"):
            code, uniques = pd.factorize(counted[column].to_numpy())
            renumbered[column] = code
            names[column] = np.asarray(names[column], dtype=object)[uniques]
        counted = counted.assign(**renumbered)
        school_names = names["school_id"]
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
    order = grouping.sorted_order(out, ["school_id", "year", "flag"])  # one row per key
    return (out if order is None else out.take(order)).reset_index(drop=True)


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
    needed = ["participants", "max_score", "min_3", "min_4", "min_5"]
    keep = scores[needed].notna().all(axis=1) & (scores["participants"] >= min_participants)
    known = scores[keep.to_numpy(bool)]  # the rows copied once
    return known.assign(count=(known["share"] * known["participants"]).round())


def _procedures(counted: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's procedure of a school (school and PROCEDURE) as a number, and the keys of
    each number (in the order they first appear)."""
    keys = ["school_id", *PROCEDURE]
    ids = grouping.group_ids(counted, keys)
    if ids is None:  # a missing key: pandas' own numbering, such rows in no procedure
        ids = counted.groupby(keys, sort=False).ngroup().to_numpy(np.int64)
    n = int(ids.max()) + 1 if len(ids) else 0
    first = grouping.first_rows(ids[ids >= 0], n) if n else np.array([], dtype=np.int64)
    first = np.flatnonzero(ids >= 0)[first] if n else first
    return ids, counted[keys].iloc[first].reset_index(drop=True)


def _windows(counted: pd.DataFrame) -> pd.DataFrame:
    """Per procedure of a school and mark boundary: pupils in the windows below and above it
    (below: the WINDOW scores under the boundary; above: the boundary and the scores after),
    and in the windows next to those (further below, further above). A procedure-boundary
    whose scores do not reach its windows has no row; one whose windows hold no pupil has
    zeros. Counted by integer codes: millions of score rows in a second."""
    names = ["below", "above", "further_below", "further_above"]
    ids, keys = _procedures(counted)
    n = len(keys)
    score = counted["score"].to_numpy(float)
    count = counted["count"].to_numpy(float)
    top = counted["max_score"].to_numpy(float)
    marks = (3, 4, 5)
    totals = np.zeros((len(marks), n, len(names)))
    seen = np.zeros((len(marks), n), dtype=bool)
    kept = []
    for m, column in enumerate(f"min_{mark}" for mark in marks):
        boundary = counted[column].to_numpy(float)
        rel = score - boundary
        window = np.select(
            [
                (rel >= -WINDOW) & (rel <= -1),
                (rel >= 0) & (rel <= WINDOW - 1),
                (rel >= -2 * WINDOW) & (rel <= -WINDOW - 1),
                (rel >= WINDOW) & (rel <= 2 * WINDOW - 1),
            ],
            [1, 2, 3, 4],
            default=0,
        )
        room = (boundary - 2 * WINDOW >= 0) & (boundary + 2 * WINDOW - 1 <= top)
        keep = (window > 0) & room & (ids >= 0)
        cell = ids[keep] * len(names) + window[keep] - 1
        totals[m] = grouping.sums(cell, n * len(names), count[keep]).reshape(n, len(names))
        seen[m, ids[keep]] = True
        kept.append(keep)
    mark_of, proc_of = np.nonzero(seen)
    out = keys.iloc[proc_of].reset_index(drop=True)
    out["mark"] = np.asarray(marks)[mark_of]
    for w, name in enumerate(names):
        out[name] = totals[mark_of, proc_of, w]
    # In the order pandas' groupby and unstack of the rows near the boundaries (marks one
    # after another) leave them: by each key's order of first appearance there. The
    # school-year sums then add the same numbers in the same order, to the last bit.
    order = []
    for column in ["school_id", *PROCEDURE, "mark"]:
        if column == "mark":
            seen_order = pd.unique(np.asarray(marks)[[k.any() for k in kept]])
        else:
            values = counted[column].to_numpy()
            seen_order = pd.unique(np.concatenate([pd.unique(values[k]) for k in kept]))
        order.append(pd.Index(seen_order).get_indexer(out[column].to_numpy()))
    return out.take(np.lexsort(order[::-1])).reset_index(drop=True)


def _in_key_order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    order = grouping.sorted_order(frame, keys)
    return frame if order is None else frame.take(order).reset_index(drop=True)


def _row_sums(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each row's sum of its present values, column by column with the compensated (Kahan)
    summation of pandas' groupby sum, so that the sums are pandas' to the last bit."""
    total = np.zeros(len(values))
    compensation = np.zeros(len(values))
    for j in range(values.shape[1]):
        on = present[:, j]
        y = values[on, j] - compensation[on]
        t = total[on] + y
        c = t - total[on] - y
        compensation[on] = np.where(np.isnan(c), 0.0, c)
        total[on] = t
    return total


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
    integer, signed, num = fmt.Memo(fmt.num), fmt.Memo(fmt.signed), fmt.Memo(fmt.num)
    evidence = [
        f"сразу на границах и над ними ({WINDOW} балла) — {integer(a, 0)} участн., сразу под "
        f"ними — {integer(b, 0)}; при плавном распределении разница была бы около "
        f"{signed(e, 1)}, а она {signed(a - b, 0)} (z = {num(zz, 1)}; границ "
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
    freedom.

    Computed on a table of procedures × bins (integer codes, no merges): a reference bin is
    one where some school of the level has a row; each school of the level is judged on
    every such bin, a zero count being evidence."""
    columns = ["school_id", *PROCEDURE, "g", "bins", "n", "df", "g_corrected"]
    ids, keys = _procedures(counted)
    inside = ids >= 0
    ids = ids[inside]
    n_proc = len(keys)
    if not n_proc:
        return pd.DataFrame(columns=columns)
    count = counted["count"].to_numpy(float)[inside]
    score = counted["score"].to_numpy(float)[inside]
    n = grouping.sums(ids, n_proc, count)
    mean = grouping.sums(ids, n_proc, count * score) / np.where(n > 0, n, np.nan)
    judged = n > 0
    # The procedure-year of each school's procedure, and the school's level within it: the
    # tenth of its mean's percentile rank (ties share their average rank).
    procedure = grouping.group_ids(keys, PROCEDURE)
    if procedure is None:
        procedure = keys.groupby(PROCEDURE, sort=False).ngroup().to_numpy(np.int64)
    rank = pd.Series(mean[judged]).groupby(procedure[judged]).rank(pct=True, method="average")
    level = np.zeros(n_proc, dtype=np.int64)
    level[judged] = np.ceil(rank.to_numpy() * groups).clip(1, groups).astype(np.int64)
    # Bins of WINDOW scores: a row per procedure, a column per bin.
    bins = (np.floor_divide(score, WINDOW)).astype(np.int64)
    low = int(bins.min())
    width = int(bins.max()) - low + 1
    cell = ids * width + (bins - low)
    counts = grouping.sums(cell, n_proc * width, count).reshape(n_proc, width)
    has_row = np.bincount(cell, minlength=n_proc * width).reshape(n_proc, width) > 0
    # The reference of each procedure-year and level: bins where some school has a row, and
    # the share of the pooled pupils in each.
    group = np.where(judged, procedure * (groups + 1) + level, -1)
    n_groups = int(group.max()) + 1
    mine = judged
    reference = np.zeros((n_groups, width))
    np.add.at(reference, group[mine], counts[mine])
    present = np.zeros((n_groups, width), dtype=bool)
    np.logical_or.at(present, group[mine], has_row[mine])
    with np.errstate(invalid="ignore", divide="ignore"):
        p = reference / reference.sum(axis=1, keepdims=True)
        sel = group[mine]
        cells = present[sel]
        c = counts[mine]
        expected = n[mine][:, None] * p[sel]
        ratio = np.where(c > 0, c / expected, 1.0)
        g_cells = np.where(cells, 2 * c * np.log(ratio), 0.0)
    out = keys[mine].reset_index(drop=True)
    out["g"] = _row_sums(g_cells, cells)
    out["bins"] = cells.sum(axis=1)
    out["n"] = n[mine]
    out = out[out["bins"] > 1].reset_index(drop=True)
    out["df"] = out["bins"] - 1
    out["g_corrected"] = out["g"] / (1 + (out["bins"] + 1) / (6 * out["n"]))
    return _in_key_order(out, ["school_id", *PROCEDURE])


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
    from scipy.stats import chi2, norm  # kept out of the pages' imports

    p = chi2.sf(per["g"], per["df"])
    z = np.clip(norm.isf(np.clip(p, 1e-300, 1.0)), -10, 40)
    num = fmt.Memo(fmt.num)
    evidence = [
        f"G = {num(g, 1)} при {int(d)} степенях свободы: случайно такое отличие бывает с "
        f"вероятностью {_chance(pp)} (z = {num(zz, 1)}; процедур: {int(k)})"
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
