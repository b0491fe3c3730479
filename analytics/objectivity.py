"""Signs that a school's ВПР results may not be objective: flags with evidence, never verdicts.

Each sign is computed with its value and threshold, so that a methodologist can check it. Two
signs of the methodology need data a region rarely has (results per task, the distribution of
primary scores); they are reported as «нет данных», not guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import fmt
from analytics.labels import SELECTIVE
from analytics.settings import Objectivity, SmallNumbers

FLAG_NAMES = {
    "vpr_above_exams": "ВПР значительно выше ОГЭ и ЕГЭ той же школы",
    "vpr_above_term": "Много отметок ВПР выше четвертных",
    "cohort_drop": "Резкое падение результатов от 4 к 5 классу",
    "easy_hard": "Лёгкие задания хуже региона, трудные — лучше",
    "bunching": "Баллы скапливаются у границ отметок",
}
NOT_AVAILABLE = {
    "easy_hard": "нужны результаты по заданиям ВПР",
    "bunching": "нужно распределение первичных баллов ВПР",
}


def objectivity_flags(
    school_results: pd.DataFrame,
    term: pd.DataFrame,
    cohort: pd.DataFrame,
    schools: pd.DataFrame,
    settings: Objectivity | None = None,
    min_participants: int = SmallNumbers.hide_below,
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

    Returns
    -------
    Long frame: school_id, year, flag, name, value, threshold, fired, evidence (Russian).
    """
    settings = settings or Objectivity()
    kinds = schools.set_index("school_id")["programme_type"]
    rows = []

    exams = school_results.copy()
    exams["state_index"] = exams[["oge_index", "ege_index"]].mean(axis=1)
    exams["gap"] = exams["vpr_index"] - exams["state_index"]
    selective = exams["school_id"].map(kinds).isin(SELECTIVE)
    known = exams["vpr_index"].notna() & exams["state_index"].notna() & ~selective
    fired = (
        known & (exams["vpr_index"] >= settings.vpr_high) & (exams["gap"] >= settings.vpr_exam_gap)
    )
    for row, hit in zip(exams[known].itertuples(index=False), fired[known], strict=True):
        rows.append(
            (
                row.school_id,
                row.year,
                "vpr_above_exams",
                float(row.gap),
                settings.vpr_exam_gap,
                bool(hit),
                f"ВПР {fmt.signed(row.vpr_index, 2)}, ОГЭ и ЕГЭ "
                f"{fmt.signed(row.state_index, 2)} ст. откл. от среднего по региону",
            )
        )

    term_rows = term[term["participants"] >= min_participants]
    for row in term_rows.itertuples(index=False):
        rows.append(
            (
                row.school_id,
                row.year,
                "vpr_above_term",
                float(row.share_exam_above_term),
                settings.above_term_share,
                bool(row.share_exam_above_term >= settings.above_term_share),
                f"у {fmt.pct(row.share_exam_above_term, 0)} участников отметка ВПР выше четвертной",
            )
        )

    drop = cohort.dropna(subset=["grade4_previous", "grade5"])
    for row in drop.itertuples(index=False):
        fall = float(row.grade4_previous - row.grade5)
        rows.append(
            (
                row.school_id,
                row.year,
                "cohort_drop",
                fall,
                settings.cohort_drop,
                bool(fall >= settings.cohort_drop),
                f"4 класс годом ранее {fmt.signed(row.grade4_previous, 2)}, 5 класс "
                f"{fmt.signed(row.grade5, 2)} ст. откл.",
            )
        )
    out = pd.DataFrame(
        rows,
        columns=["school_id", "year", "flag", "value", "threshold", "fired", "evidence"],
    )
    out.insert(3, "name", out["flag"].map(FLAG_NAMES))
    out["year"] = out["year"].astype(int)
    return out.sort_values(["school_id", "year", "flag"]).reset_index(drop=True)


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
