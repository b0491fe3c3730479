"""Cohort value added: how a school's cohort did later against what its earlier result predicts.

What the figure means. The same cohort of a school is followed from an earlier procedure to a
later one (LINKS): ВПР of grade g in year t → ВПР of grade g + 1 in year t + 1 in the same
subject, and ОГЭ (grade 9) in year t → ЕГЭ (grade 11) in year t + 2 in the same subject (a
qualifier in brackets is ignored: ОГЭ «Математика» goes with ЕГЭ «Математика (профильная)»).
For every link, pair of subjects and year a region-wide regression of the schools' later
standardised result y on their earlier one x, weighted by the later participants, gives what a
school that started at x is expected to reach: ŷ = a + b·x. The school's cohort value added is

    r = y − ŷ   (standard deviations of school results of the later procedure):

above zero, the cohort did better than cohorts of the region that started where it started;
below zero, worse. Subjects of a link are pooled into one figure per school, link and year,
weighted by the later participants, as analytics.context.combine pools procedures. It is a
comparison of a school's classes over a year (two for ОГЭ → ЕГЭ), not of pupils: only school
means are known, and a class changes (pupils leave after grade 9 and not all take a subject).

The interval. Both means are means of a sample of pupils: the earlier has error variance
σₑ²/nₑ and the later σₗ²/nₗ, with σ the pupil-level spread analytics.context estimates for its
intervals (its `pupil_sd`) and n the participants of each procedure. The noise of the earlier
mean would flatten an ordinary slope (regression to the mean: a small school with an unlucky
earlier year would look good later), so the slope is corrected by the reliability of x (errors
in variables, method of moments): b = Sxy / (Sxx − Σ w·σₑ²/nₑ·(1 − w/W)), the reliability
kept at MIN_RELIABILITY or above. Then r estimates the school's departure from the region's
line through the true means, and its 95 % interval is r ± 1.96·se with

    se² = σₗ²/nₗ + b²·σₑ²/nₑ.

The two errors are taken as independent; where the same pupils sat both, the true error is
smaller and the interval errs wide. The uncertainty of a and b (hundreds of schools) is left
out. The reading is three-way: «выше ожидаемого» when the interval lies above zero, «ниже
ожидаемого» when below, otherwise «в пределах ожидаемого»; «мало участников» when every subject
has fewer than the small-numbers threshold of participants at either end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import labels
from analytics.settings import SmallNumbers
from tests.oracles.v0 import context as cx

# The reliability of the earlier school means below which the slope is not corrected further.
MIN_RELIABILITY = 0.3
# Fewer schools than this with enough participants at both ends: no regression, no figure.
MIN_SCHOOLS = 10


@dataclass(frozen=True)
class Link:
    """An earlier procedure and the later one the same cohort sits `years` later (its grade
    `years` higher)."""

    earlier_exam: str
    later_exam: str
    years: int


LINKS = (Link("ВПР", "ВПР", 1), Link("ОГЭ", "ЕГЭ", 2))
INPUT_COLUMNS = ["school_id", "year", "exam", "subject", "grade", "participants"]
INPUT_COLUMNS += ["z_score", "pupil_sd"]
LINK_COLUMNS = ["link", "earlier_exam", "earlier_grade", "later_exam", "later_grade"]
# One figure per school, link and pair of years.
KEY = ["school_id", *LINK_COLUMNS, "earlier_year", "year"]
# One regression per link, pair of subjects and pair of years.
FIT_KEY = [*LINK_COLUMNS, "earlier_subject", "subject", "earlier_year", "year"]
COLUMNS = [
    *KEY,
    "subjects",
    "earlier_participants",
    "participants",
    "earlier_result",
    "later_result",
    "expected",
    "residual",
    "se",
    "lower",
    "upper",
    "band",
]
FIT_COLUMNS = [*FIT_KEY, "schools", "slope", "intercept", "reliability"]


def subject_key(subject: pd.Series) -> pd.Series:
    """The subject without a qualifier in brackets, to match ОГЭ with ЕГЭ.

    >>> subject_key(pd.Series(["Математика (профильная)", "Русский язык"])).tolist()
    ['Математика', 'Русский язык']
    """
    return subject.astype("string").str.replace(r"\s*\(.*\)\s*$", "", regex=True).str.strip()


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j) of every pair with left[i] == right[j] (an inner join of two integer
    keys, by sorting: faster than a merge of frames at millions of rows).

    >>> _join(np.array([5, 7, 9]), np.array([7, 5, 7]))
    (array([0, 1, 1]), array([1, 0, 2]))
    """
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    low = np.searchsorted(ordered, left, "left")
    count = np.searchsorted(ordered, left, "right") - low
    i = np.repeat(np.arange(len(left)), count)
    within = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count)
    return i, order[np.repeat(low, count) + within]


def pairs(results: pd.DataFrame, links: tuple[Link, ...] = LINKS) -> tuple[pd.DataFrame, dict]:
    """Each earlier result of a school beside the later result of the same cohort and subject.

    `results` holds INPUT_COLUMNS (the rows of analytics.context.context_adjusted). Returns a
    frame of codes and numbers (school, link, earlier_subject, subject as integer codes; the
    years; x and y, the earlier and later z; the participants and σ of both ends), joined on
    integer keys so that 40 000 schools take seconds, and the names of the codes.
    """
    rows = results[INPUT_COLUMNS].reset_index(drop=True)
    school, school_names = pd.factorize(rows["school_id"])
    subject, subject_names = pd.factorize(rows["subject"])
    # Each name's topic once, not each row's: ЕГЭ «Математика (профильная)» → «Математика».
    topic_of_name, _ = pd.factorize(subject_key(pd.Series(subject_names)))
    topic = np.where(subject >= 0, topic_of_name[subject], -1)
    year = rows["year"].to_numpy(np.int64) - 1900
    grade = rows["grade"].to_numpy(np.int64)
    exam, exam_names = pd.factorize(rows["exam"])
    exam_code = {name: number for number, name in enumerate(exam_names)}

    # School, year, grade and subject of each row as one integer; a cohort `d` years on has
    # the key + d·STEP (its year and its grade both d higher).
    key = ((school.astype(np.int64) * 512 + year) * 64 + grade) * 4096 + topic
    step = 64 * 4096 + 4096
    found_i, found_j, found_link = [], [], []
    for number, link in enumerate(links):
        early = np.flatnonzero(exam == exam_code.get(link.earlier_exam, -2))
        late = np.flatnonzero(exam == exam_code.get(link.later_exam, -2))
        i, j = _join(key[early] + link.years * step, key[late])
        found_i.append(early[i])
        found_j.append(late[j])
        found_link.append(np.full(len(i), number, dtype=np.int64))
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    joined = pd.DataFrame({"link": np.concatenate(found_link)})
    # A link of one pair of grades is one figure: ВПР 4 → 5 apart from ВПР 5 → 6.
    ends, code = np.unique(
        (joined["link"].to_numpy(np.int64) * 64 + grade[i]) * 64 + grade[j], return_inverse=True
    )
    link_table = pd.DataFrame(
        [
            (
                c,
                links[e // 4096].earlier_exam,
                int(e // 64 % 64),
                links[e // 4096].later_exam,
                int(e % 64),
            )
            for c, e in enumerate(ends.tolist())
        ],
        columns=["code", *LINK_COLUMNS[1:]],
    )
    link_table.insert(
        1,
        "link",
        [labels.cohort_link(*r) for r in link_table[LINK_COLUMNS[1:]].itertuples(index=False)],
    )
    n = rows["participants"].to_numpy(float)
    z = rows["z_score"].to_numpy(float)
    sd = rows["pupil_sd"].to_numpy(float)
    matched = pd.DataFrame(
        {
            "school": school[i],
            "link": code,
            "earlier_subject": subject[i],
            "subject": subject[j],
            "earlier_year": year[i] + 1900,
            "year": year[j] + 1900,
            "x": z[i],
            "y": z[j],
            "earlier_participants": n[i],
            "participants": n[j],
            "earlier_sd": sd[i],
            "later_sd": sd[j],
        }
    )
    names = {
        "school": np.asarray(school_names, dtype=object),
        "subject": np.asarray(subject_names, dtype=object),
        "links": link_table,
    }
    return matched, names


# The codes pairs() gives: one regression per link, pair of subjects and pair of years; one
# figure per school, link and pair of years.
FIT_CODES = ["link", "earlier_subject", "subject", "earlier_year", "year"]
KEY_CODES = ["school", "link", "earlier_year", "year"]


def fit(frame: pd.DataFrame, min_participants: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The region's line of each FIT_KEY group (participant-weighted, slope corrected for the
    noise of the earlier means) and each row's group number."""
    group = frame.groupby(FIT_CODES, sort=False).ngroup().to_numpy()
    n_groups = int(group.max()) + 1 if len(group) else 0
    x = frame["x"].to_numpy(float)
    y = frame["y"].to_numpy(float)
    n_e = frame["earlier_participants"].to_numpy(float)
    n_l = frame["participants"].to_numpy(float)
    v_x = frame["earlier_sd"].to_numpy(float) ** 2 / n_e
    usable = (
        (n_e >= min_participants)
        & (n_l >= min_participants)
        & np.isfinite(x)
        & np.isfinite(y)
        & np.isfinite(v_x)
    )
    w = np.where(usable, n_l, 0.0)
    x0, y0, v0 = (np.where(usable, a, 0.0) for a in (x, y, v_x))

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=w * values, minlength=n_groups)

    weight = total(np.ones(len(w)))
    schools = np.bincount(group, weights=usable.astype(float), minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_x, mean_y = total(x0) / weight, total(y0) / weight
        dx = np.where(usable, x0 - mean_x[group], 0.0)
        dy = np.where(usable, y0 - mean_y[group], 0.0)
        sxx, sxy = total(dx * dx), total(dx * dy)
        noise = total(v0) - np.bincount(group, weights=w * w * v0, minlength=n_groups) / weight
        reliability = np.clip((sxx - noise) / sxx, MIN_RELIABILITY, 1.0)
        slope = sxy / sxx / reliability
    ok = (schools >= MIN_SCHOOLS) & (sxx > 0)
    slope = np.where(ok, slope, np.nan)
    first = pd.Series(np.arange(len(group))).groupby(group).first().to_numpy()
    lines = frame.iloc[first][FIT_CODES].reset_index(drop=True)
    lines["schools"] = schools.astype(int)
    lines["slope"] = slope
    lines["intercept"] = np.where(ok, mean_y - slope * mean_x, np.nan)
    lines["reliability"] = np.where(ok, reliability, np.nan)
    return lines, group


def cohort_value_added(
    results: pd.DataFrame,
    min_participants: int = SmallNumbers.hide_below,
    links: tuple[Link, ...] = LINKS,
) -> dict[str, pd.DataFrame]:
    """Every school's cohort value added per link and pair of years, with its 95 % interval.

    Parameters
    ----------
    results : the rows of analytics.context.context_adjusted (INPUT_COLUMNS: the standardised
        result z_score of a school's procedure-year, its participants and the pupil-level σ
        `pupil_sd` of its interval).
    min_participants : a subject with fewer participants at either end neither shapes the
        region's line nor enters the school's figure.

    Returns
    -------
    {"cohort_value_added": COLUMNS, one row per school, link and pair of years (earlier_year,
    year — the year of the later result); "cohort_fits": FIT_COLUMNS, the region's lines}.
    """
    empty = {
        "cohort_value_added": pd.DataFrame(columns=COLUMNS),
        "cohort_fits": pd.DataFrame(columns=FIT_COLUMNS),
    }
    if results.empty:
        return empty
    matched, names = pairs(results, links)
    if matched.empty:
        return empty
    lines, group = fit(matched, min_participants)
    slope = lines["slope"].to_numpy(float)[group]
    matched["expected"] = lines["intercept"].to_numpy(float)[group] + slope * matched["x"]
    matched["residual"] = matched["y"] - matched["expected"]
    matched["se"] = np.sqrt(
        matched["later_sd"] ** 2 / matched["participants"]
        + slope**2 * matched["earlier_sd"] ** 2 / matched["earlier_participants"]
    )
    matched = matched[matched["expected"].notna()].copy()
    small = matched["earlier_participants"] < min_participants
    matched.loc[small, "residual"] = np.nan  # left out of the pooled figure (combine)
    # The reading is three-way: the interval decides, no «значительно».
    pooled = cx.combine(matched, KEY_CODES, min_participants, magnitude=np.inf, shrink=False)
    used = matched[matched["residual"].notna() & (matched["participants"] >= min_participants)]
    n = used["participants"]
    sums = (
        used[KEY_CODES]
        .assign(
            n=n,
            nx=n * used["x"],
            ny=n * used["y"],
            nyhat=n * used["expected"],
            ne=used["earlier_participants"],
            nl=used["participants"],
        )
        .groupby(KEY_CODES, as_index=False)
        .agg(
            n=("n", "sum"),
            nx=("nx", "sum"),
            ny=("ny", "sum"),
            nyhat=("nyhat", "sum"),
            ne=("ne", "max"),
            nl=("nl", "max"),
        )
    )
    sums["earlier_result"] = sums["nx"] / sums["n"]
    sums["later_result"] = sums["ny"] / sums["n"]
    sums["expected"] = sums["nyhat"] / sums["n"]
    figures = pooled.drop(columns=["participants"]).rename(columns={"procedures": "subjects"})
    figures = figures.merge(
        sums[[*KEY_CODES, "earlier_result", "later_result", "expected", "ne", "nl"]],
        on=KEY_CODES,
        how="left",
    )
    # Pairs whose every subject is too small: a row that says so instead of a figure.
    everyone = (
        matched.groupby(KEY_CODES, as_index=False)
        .agg(earlier_all=("earlier_participants", "max"), later_all=("participants", "max"))
        .merge(figures, on=KEY_CODES, how="left")
    )
    none = everyone["residual"].isna()
    everyone.loc[none, "band"] = cx.BAND_TOO_FEW
    everyone["subjects"] = everyone["subjects"].fillna(0).astype(int)
    everyone["earlier_participants"] = everyone["ne"].fillna(everyone["earlier_all"]).astype(int)
    everyone["participants"] = everyone["nl"].fillna(everyone["later_all"]).astype(int)
    everyone["school_id"] = names["school"][everyone["school"].to_numpy()]
    out = named(everyone, names["links"])[COLUMNS]
    lines["earlier_subject"] = names["subject"][lines["earlier_subject"].to_numpy()]
    lines["subject"] = names["subject"][lines["subject"].to_numpy()]
    fits = named(lines, names["links"])[FIT_COLUMNS]
    return {
        "cohort_value_added": out.sort_values(KEY).reset_index(drop=True),
        "cohort_fits": fits.sort_values(FIT_KEY).reset_index(drop=True),
    }


def named(frame: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The link code of each row replaced by the link's name, exams and grades."""
    return frame.rename(columns={"link": "code"}).merge(links, on="code", how="left")
