"""Identification of ШНОР and ШНСУ: every rule with its value, threshold and whether it fired.

A methodologist must be able to defend the list, so nothing here is a black box: for each
school and year the function returns one column per rule value and one flag per rule, and a
Russian sentence naming the rules that fired. All thresholds come from `Settings`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import fmt as fmt_ru
from analytics import grouping
from analytics.labels import procedure_label
from analytics.settings import RULE_NAMES, Settings
from analytics.social_index import quartile

PROCEDURE = ["exam", "subject", "grade"]

STATUS_ENTERED = "вошла в список"
STATUS_LEFT = "вышла из списка"
STATUS_STAYED = "осталась в списке"
OFFICIAL_BOTH = "в расчёте и в официальном списке"
OFFICIAL_ONLY_COMPUTED = "только по расчёту"
OFFICIAL_ONLY_LIST = "только в официальном списке"


def exam_results(results: pd.DataFrame, min_participants: int) -> pd.DataFrame:
    """Each school's overall result per exam (ВПР, ОГЭ, ЕГЭ) and year.

    The participant-weighted mean of the school's standardised mean scores over its subjects
    and grades with at least `min_participants` participants: n (participants) and nz (their
    sum of n·z), so that results can be pooled further, and exam_result = nz / n.
    sql/analysis/year/school_exam_results.sql computes the same in the database.
    """
    rows = results[(results["participants"] >= min_participants) & results["z_score"].notna()]
    n = rows["participants"].astype(float)
    sums = grouping.sums_by(
        pd.DataFrame(
            {
                "school_id": rows["school_id"],
                "year": rows["year"],
                "exam": rows["exam"],
                "n": n,
                "nz": n * rows["z_score"],
            }
        ),
        ["school_id", "year", "exam"],
    )
    sums["exam_result"] = sums["nz"] / sums["n"]
    return sums


def bottom_ranks(exams: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Each school's place in the region on its overall exam result (see `exam_results`).

    Pooling over subjects and grades means a school with twenty procedures does not get twenty
    chances to fall into the bottom by chance. `bottom` marks the lowest ⌈bottom_share·N⌉ of
    the N schools (ties at the border count against the rule).
    """
    sums = exams.copy()
    groups = sums.groupby(["year", "exam"])["exam_result"]
    sums["rank"] = groups.rank(method="max")
    sums["rank_pct"] = sums["rank"] / groups.transform("size")
    # The bottom share rounded up: a region of nine schools still has a bottom school.
    sums["bottom"] = sums["rank"] <= np.ceil(settings.bottom_share * groups.transform("size"))
    return sums[["school_id", "year", "exam", "exam_result", "rank_pct", "bottom"]]


def procedure_labels(rows: pd.DataFrame) -> np.ndarray:
    """labels.procedure_label of each row (exam, subject, grade), each procedure's written once:
    a region has a few dozen procedures and a hundred thousand rows of them."""
    ids = grouping.group_ids(rows, PROCEDURE)
    if ids is None:
        return np.array(
            [procedure_label(*p) for p in rows[PROCEDURE].itertuples(index=False)], dtype=object
        )
    first = grouping.first_rows(ids, int(ids.max()) + 1 if len(ids) else 0)
    names = [procedure_label(*p) for p in rows[PROCEDURE].iloc[first].itertuples(index=False)]
    return np.array(names, dtype=object)[ids]


def rule_bottom(ranked: pd.DataFrame, year: int, settings: Settings) -> pd.DataFrame:
    """Years (of the last `years_window`) in the bottom group on the same exam.

    Returns school_id, bottom_years (the most over the school's exams), bottom_procedure
    (which exam) and bottom_fired (bottom_years ≥ years_required).
    """
    window = ranked[ranked["year"].between(year - settings.years_window + 1, year)]
    counts = (
        window[window["bottom"]]
        .groupby(["school_id", "exam"], as_index=False)["year"]
        .nunique()
        .rename(columns={"year": "bottom_years"})
        .sort_values(["school_id", "bottom_years", "exam"], ascending=[True, False, True])
        .drop_duplicates("school_id")
    )
    out = counts.rename(columns={"exam": "bottom_procedure"})[
        ["school_id", "bottom_years", "bottom_procedure"]
    ].copy()
    out["bottom_fired"] = out["bottom_years"] >= settings.years_required
    return out


def fail_threshold(results: pd.DataFrame, settings: Settings) -> pd.Series | float:
    """The share of «2» at which a procedure counts: `fail_share`, or in the relative form
    `fail_relative_ratio` times the region's share of that procedure-year (a change of the
    scale then moves the threshold with it).

    >>> rows = pd.DataFrame({"region_share_fail": [0.04, 0.10]})
    >>> relative = Settings(fail_relative=True, fail_relative_ratio=2.5)
    >>> fail_threshold(rows, relative).round(3).tolist(), fail_threshold(rows, Settings())
    ([0.1, 0.25], 0.3)
    """
    if settings.fail_relative and "region_share_fail" in results:
        return settings.fail_relative_ratio * results["region_share_fail"]
    return settings.fail_share


def fail_words(settings: Settings) -> str:
    """The «2» rule's threshold in words: «≥ 30 %» or «≥ 2,5 × доли по региону»."""
    if settings.fail_relative:
        return f"≥ {fmt_ru.num(settings.fail_relative_ratio, 1)} × доли по региону"
    return f"≥ {fmt_ru.pct(settings.fail_share, 0)}"


def rule_fail(results: pd.DataFrame, year: int, settings: Settings) -> pd.DataFrame:
    """Rosobrnadzor's indicator: share of «2» at or above the threshold.

    Two forms: in at least `fail_procedures_same_year` procedures of the year, or in the same
    procedure in this and the previous year; combined by OR (default) or AND.
    """
    reliable = results[
        (results["participants"] >= settings.small_numbers.hide_below)
        & results["share_fail"].notna()
    ]
    failing = reliable[reliable["share_fail"] >= fail_threshold(reliable, settings)]
    now = failing[failing["year"] == year]
    before = failing[failing["year"] == year - 1]
    per_school = now.groupby("school_id").size().rename("fail_procedures")
    repeated = now.merge(before[["school_id", *PROCEDURE]], on=["school_id", *PROCEDURE])
    repeat_label = (
        repeated.assign(label=procedure_labels(repeated))
        .groupby("school_id")["label"]
        .first()
        .rename("fail_repeat_procedure")
    )
    out = pd.concat([per_school, repeat_label], axis=1).reset_index(names="school_id")
    out["fail_procedures"] = out["fail_procedures"].fillna(0).astype(int)
    same_year = out["fail_procedures"] >= settings.fail_procedures_same_year
    running = out["fail_repeat_procedure"].notna()
    both = settings.fail_rule_combination.upper() == "AND"
    out["fail_fired"] = (same_year & running) if both else (same_year | running)
    return out


def rule_gap(results: pd.DataFrame, year: int, settings: Settings) -> pd.DataFrame:
    """Points behind the region: ВПР of one grade and ЕГЭ in the main subjects.

    vpr_gap is the sum over the grade's ВПР subjects of (school mean − regional mean) for the
    grade `vpr_gap_grade` (primary school by default); ege_gap is the most negative such
    difference over the ЕГЭ subjects whose name starts with one of `ege_gap_subjects`
    (Russian and mathematics by default). The rule fires when either is beyond its threshold.
    """
    rows = results[
        (results["year"] == year)
        & (results["participants"] >= settings.small_numbers.hide_below)
        & results["mean_score"].notna()
        & results["region_mean"].notna()
    ]
    diff = rows.assign(diff=rows["mean_score"] - rows["region_mean"])
    vpr_rows = diff[(diff["exam"] == "ВПР") & (diff["grade"] == settings.vpr_gap_grade)]
    vpr = vpr_rows.groupby("school_id")["diff"].sum().rename("vpr_gap")
    main = diff["subject"].astype(str).str.startswith(tuple(settings.ege_gap_subjects))
    ege = diff[(diff["exam"] == "ЕГЭ") & main].groupby("school_id")["diff"].min().rename("ege_gap")
    out = pd.concat([vpr, ege], axis=1).reset_index(names="school_id")
    out["gap_fired"] = (out["vpr_gap"] < -settings.vpr_gap_points) | (
        out["ege_gap"] < -settings.ege_gap_points
    )
    return out


def rule_olympiad_continuation(
    olympiads: pd.DataFrame, year: int, settings: Settings
) -> pd.DataFrame:
    """Olympiad share averaged over the years window; continuation to grade 10 this year."""
    window = olympiads[olympiads["year"].between(year - settings.years_window + 1, year)]
    olympiad = window.groupby("school_id")["share_olympiad"].mean()
    continuation = olympiads[olympiads["year"] == year].set_index("school_id")[
        "share_continue_grade10"
    ]
    out = pd.concat(
        [olympiad.rename("olympiad_share"), continuation.rename("continuation_share")], axis=1
    ).reset_index(names="school_id")
    out["olympiad_fired"] = out["olympiad_share"] < settings.olympiad_share
    out["continuation_fired"] = out["continuation_share"] < settings.continuation_share
    return out


SHNOR_RULES = ("bottom", "fail", "gap", "olympiad", "continuation")
SHNSU_RULES = ("isbsh", "remote_small")


def reasons(
    frame: pd.DataFrame, settings: Settings, rules: tuple[str, ...] = SHNOR_RULES + SHNSU_RULES
) -> list[str]:
    """One Russian sentence per school naming the fired rules among `rules` (those of one
    list, say) with their values; "" where none fired. The sentences are written only for the
    rows where a rule fired, each figure once (fmt.Memo)."""
    texts = [""] * len(frame)
    flags = [f"{rule}_fired" for rule in rules if f"{rule}_fired" in frame]
    if not len(frame) or not flags:
        return texts
    fired = frame[flags].fillna(False).astype(bool).any(axis=1).to_numpy()
    num, pct, signed = fmt_ru.Memo(fmt_ru.num), fmt_ru.Memo(fmt_ru.pct), fmt_ru.Memo(fmt_ru.signed)
    fail_detail = f"процедур с долей «2» {fail_words(settings)}: "
    for position, row in zip(
        np.flatnonzero(fired),
        frame.iloc[np.flatnonzero(fired)].itertuples(index=False),
        strict=True,
    ):
        parts = []
        if row.bottom_fired and "bottom" in rules:
            parts.append(
                f"{RULE_NAMES['bottom']}: {row.bottom_years} из {settings.years_window} лет "
                f"({row.bottom_procedure})"
            )
        if row.fail_fired and "fail" in rules:
            detail = fail_detail + f"{row.fail_procedures}"
            if isinstance(row.fail_repeat_procedure, str):
                detail += f"; два года подряд: {row.fail_repeat_procedure}"
            parts.append(f"{RULE_NAMES['fail']} ({detail})")
        if row.gap_fired and "gap" in rules:
            gaps = []
            if row.vpr_gap < -settings.vpr_gap_points:
                gaps.append(f"ВПР {signed(row.vpr_gap)} б.")
            if row.ege_gap < -settings.ege_gap_points:
                gaps.append(f"ЕГЭ {signed(row.ege_gap)} б.")
            parts.append(f"{RULE_NAMES['gap']} ({', '.join(gaps)})")
        if row.olympiad_fired and "olympiad" in rules:
            parts.append(f"{RULE_NAMES['olympiad']} ({pct(row.olympiad_share)})")
        if row.continuation_fired and "continuation" in rules:
            parts.append(f"{RULE_NAMES['continuation']} ({pct(row.continuation_share)})")
        if row.isbsh_fired and "isbsh" in rules:
            parts.append(f"{RULE_NAMES['isbsh']} (ИСБШ {num(row.isbsh)})")
        if row.remote_small_fired and "remote_small" in rules:
            parts.append(
                f"{RULE_NAMES['remote_small']} ({num(row.distance_km, 0)} км, "
                f"{num(row.pupils, 0)} обуч.)"
            )
        texts[position] = "; ".join(parts)
    return texts


def rule_rows(results: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The procedure rows the rules of `identify` read besides the bottom ranks (shares of «2»
    at the threshold, ВПР of the gap grade, ЕГЭ in the gap subjects), of every year: what
    `identify` needs as `results` when `ranked` is given, a few per cent of all rows (as
    sql/analysis/year/identification_rows.sql reads them for the page)."""
    reliable = (results["participants"] >= settings.small_numbers.hide_below).to_numpy(bool)
    share = results["share_fail"]
    with np.errstate(invalid="ignore"):
        failing = (share.notna() & (share >= fail_threshold(results, settings))).to_numpy(bool)
    exam = results["exam"]
    main = results["subject"].astype(str).str.startswith(tuple(settings.ege_gap_subjects))
    gap = (
        results["mean_score"].notna()
        & results["region_mean"].notna()
        & (
            ((exam == "ВПР") & (results["grade"] == settings.vpr_gap_grade))
            | ((exam == "ЕГЭ") & main)
        )
    ).to_numpy(bool)
    return results[reliable & (failing | gap)]


def identify(
    results: pd.DataFrame,
    schools: pd.DataFrame,
    social: pd.DataFrame,
    olympiads: pd.DataFrame,
    year: int,
    settings: Settings,
    ranked: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """ШНОР and ШНСУ for one year: every school with each rule's value and flag.

    Parameters
    ----------
    results : procedure results (school_id, year, exam, subject, grade, participants,
        mean_score, region_mean, share_fail).
    schools : the register (school_id, pupils, is_small, distance_km).
    social : ИСБШ per school-year (school_id, year, isbsh, isbsh_quartile, pupils).
    olympiads : school_id, year, share_olympiad, share_continue_grade10.
    ranked : `bottom_ranks(exam_results(results, ...), settings)` when already computed; then
        `results` need only hold the rows of this and the previous year that the other rules
        read (shares of «2» at the threshold, ВПР of the gap grade, ЕГЭ).
    """
    if ranked is None:
        ranked = bottom_ranks(exam_results(results, settings.small_numbers.hide_below), settings)
    base = schools[["school_id", "distance_km", "is_small", "pupils"]].copy()
    year_social = social[social["year"] == year][["school_id", "isbsh", "isbsh_quartile", "pupils"]]
    base = base.merge(year_social, on="school_id", how="left", suffixes=("_register", ""))
    base["pupils"] = base["pupils"].astype(float).fillna(base.pop("pupils_register").astype(float))
    for part in (
        rule_bottom(ranked, year, settings),
        rule_fail(results, year, settings),
        rule_gap(results, year, settings),
        rule_olympiad_continuation(olympiads, year, settings),
    ):
        base = base.merge(part, on="school_id", how="left")
    for flag in ("bottom_fired", "fail_fired", "gap_fired", "olympiad_fired", "continuation_fired"):
        base[flag] = base[flag].astype("boolean").fillna(False).astype(bool)
    base["bottom_years"] = base["bottom_years"].fillna(0).astype(int)
    base["fail_procedures"] = base["fail_procedures"].fillna(0).astype(int)
    base["isbsh_fired"] = (base["isbsh_quartile"] <= settings.shnsu_quartile).fillna(False)
    base["isbsh_fired"] = base["isbsh_fired"].astype(bool)
    remote = base["distance_km"] > settings.remote_km
    small = base["is_small"].astype("boolean").fillna(False) | (
        base["pupils"] < settings.small_school_pupils
    )
    base["remote_small_fired"] = (remote & small).fillna(False).astype(bool)
    active = [f"{rule}_fired" for rule in settings.shnor_rules]
    base["shnor_rules_fired"] = base[active].sum(axis=1).astype(int) if active else 0
    base["shnor"] = base["shnor_rules_fired"] >= max(settings.shnor_min_rules, 1)
    base["shnsu"] = base["isbsh_fired"] | (settings.shnsu_remote_small & base["remote_small_fired"])
    base["reasons"] = reasons(base, settings)
    base.insert(1, "year", int(year))
    return base.sort_values("school_id").reset_index(drop=True)


def compare_years(current: pd.DataFrame, previous: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Who entered, left or stayed on a list (flag «shnor» or «shnsu») since last year.

    >>> now = pd.DataFrame({"school_id": ["a", "b"], "shnor": [True, True]})
    >>> before = pd.DataFrame({"school_id": ["b", "c"], "shnor": [True, True]})
    >>> compare_years(now, before, "shnor")["status"].tolist()
    ['вошла в список', 'осталась в списке', 'вышла из списка']
    """
    now = set(current.loc[current[flag], "school_id"])
    before = set(previous.loc[previous[flag], "school_id"]) if len(previous) else set()
    rows = [(s, STATUS_ENTERED) for s in sorted(now - before)]
    rows += [(s, STATUS_STAYED) for s in sorted(now & before)]
    rows += [(s, STATUS_LEFT) for s in sorted(before - now)]
    return pd.DataFrame(rows, columns=["school_id", "status"])


def compare_official(
    computed: pd.DataFrame, membership: pd.DataFrame, flag: str, programme: str, year: int
) -> pd.DataFrame:
    """The computed list against the official one (programme_membership) for the year."""
    mine = set(computed.loc[computed[flag], "school_id"])
    official = set(
        membership.loc[
            (membership["programme"] == programme) & (membership["year"] == year), "school_id"
        ]
    )
    rows = [(s, OFFICIAL_BOTH) for s in sorted(mine & official)]
    rows += [(s, OFFICIAL_ONLY_COMPUTED) for s in sorted(mine - official)]
    rows += [(s, OFFICIAL_ONLY_LIST) for s in sorted(official - mine)]
    return pd.DataFrame(rows, columns=["school_id", "official_status"])


def result_quartiles(
    exams: pd.DataFrame, year: int, window: int, chosen: tuple[str, ...]
) -> pd.DataFrame:
    """Each school's standardised result pooled over the window and the chosen exams, with its
    quartile in the region (4 = top). `exams` is `exam_results(...)`."""
    rows = exams[exams["exam"].isin(chosen) & exams["year"].between(year - window + 1, year)]
    sums = rows.groupby("school_id", as_index=False)[["n", "nz"]].sum()
    sums["result"] = sums["nz"] / sums["n"]
    sums["result_quartile"] = quartile(sums["result"]).astype(int)
    return sums[["school_id", "result", "result_quartile"]]
