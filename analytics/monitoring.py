"""Monitoring stages of the programme year: входной → промежуточный → итоговый.

For each school and year: the value of every indicator at each stage, the change between
stages (oriented so that a positive change is an improvement) and «положительная динамика»:
enough of the chosen indicators improved from the entry to the final stage and, if required,
the number of high risks fell. The reason is said in Russian. Schools without final data are
not judged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import fmt
from analytics.settings import Monitoring

STAGES = ("входной", "промежуточный", "итоговый")
NO_FINAL = "нет итоговых данных"
POSITIVE = "положительная динамика"
NOT_POSITIVE = "нет положительной динамики"


# The indicator counting a school's high risks: its fall is judged apart from the others.
RISK_INDICATOR = "high_risks"


def stage_table(stages: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per school, year and indicator with the three stage values and the changes.

    stages: school_id, year, stage, indicator, value; indicators: indicator, name, unit,
    higher_is_better. Changes are oriented: positive means better.
    """
    wide = stages.pivot_table(
        index=["school_id", "year", "indicator"], columns="stage", values="value", aggfunc="first"
    )
    wide = wide.reindex(columns=list(STAGES)).reset_index()
    wide.columns.name = None
    wide = wide.rename(
        columns={"входной": "entry", "промежуточный": "intermediate", "итоговый": "final"}
    )
    meta = indicators.set_index("indicator")
    sign = wide["indicator"].map(meta["higher_is_better"]).map({True: 1.0, False: -1.0})
    wide["name"] = wide["indicator"].map(meta["name"])
    wide["unit"] = wide["indicator"].map(meta["unit"])
    wide["higher_is_better"] = wide["indicator"].map(meta["higher_is_better"])
    wide["change_intermediate"] = (wide["intermediate"] - wide["entry"]) * sign
    wide["change_final"] = (wide["final"] - wide["entry"]) * sign
    return wide


def progress(table: pd.DataFrame, settings: Monitoring | None = None) -> pd.DataFrame:
    """«Положительная динамика» per school and year with the reason.

    Returns school_id, year, indicators_known, improved, high_risks_entry, high_risks_final,
    positive (bool or <NA> without final data), status and reason.
    """
    settings = settings or Monitoring()
    chosen = table[table["indicator"].isin(settings.indicators)]
    rows = []
    risk = table[table["indicator"] == RISK_INDICATOR].set_index(["school_id", "year"])
    for (school, year), part in chosen.groupby(["school_id", "year"], sort=True):
        known = part.dropna(subset=["entry", "final"])
        risks = risk.loc[(school, year)] if (school, year) in risk.index else None
        entry_risk = float(risks["entry"]) if risks is not None else np.nan
        final_risk = float(risks["final"]) if risks is not None else np.nan
        if known.empty:
            rows.append((school, year, 0, 0, entry_risk, final_risk, pd.NA, NO_FINAL, NO_FINAL))
            continue
        better = known["change_final"] > settings.tolerance
        improved = int(better.sum())
        enough = improved >= settings.min_improved_share * len(known)
        reason = [f"улучшились {improved} из {len(known)} показателей"]
        if improved:
            reason[0] += " (" + ", ".join(known.loc[better, "name"].map(fmt.in_sentence)) + ")"
        risk_ok = True
        if settings.fewer_high_risks and not np.isnan(entry_risk) and not np.isnan(final_risk):
            if entry_risk > 0:
                risk_ok = final_risk < entry_risk
            reason.append(f"высоких рисков: {fmt.integer(entry_risk)} → {fmt.integer(final_risk)}")
        positive = bool(enough and risk_ok)
        status = POSITIVE if positive else NOT_POSITIVE
        rows.append(
            (
                school,
                year,
                len(known),
                improved,
                entry_risk,
                final_risk,
                positive,
                status,
                "; ".join(reason),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "school_id",
            "year",
            "indicators_known",
            "improved",
            "high_risks_entry",
            "high_risks_final",
            "positive",
            "status",
            "reason",
        ],
    ).astype({"positive": "boolean"})


# The stages a note or a page can be «as of», with the words for each.
STAGE_KEYS = ("entry", "intermediate", "final")
NO_STAGE = {"intermediate": "нет данных промежуточного этапа", "final": NO_FINAL}


def progress_at(
    table: pd.DataFrame, stage: str, settings: Monitoring | None = None
) -> pd.DataFrame:
    """«Положительная динамика» as of a stage: from the entry to the intermediate stage (after
    it, before the final one is known) or to the final stage (`progress`). The columns are
    progress's; high_risks_final then holds the risks at the stage."""
    if stage not in NO_STAGE:
        raise ValueError(f"динамику судят на промежуточном или итоговом этапе, не «{stage}»")
    if stage == "final":
        return progress(table, settings)
    interim = table.assign(final=table["intermediate"], change_final=table["change_intermediate"])
    out = progress(interim, settings)
    missing = out["status"] == NO_FINAL
    out.loc[missing, ["status", "reason"]] = NO_STAGE[stage]
    return out


def positive_shares(progress_frame: pd.DataFrame, groups: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of schools with positive dynamics per group (municipality, cluster, curator).

    `groups` maps school_id (and year, if present) to the `by` column. Schools without final
    data are counted separately and left out of the share.
    """
    keys = ["school_id", "year"] if "year" in groups.columns else ["school_id"]
    merged = progress_frame.merge(groups, on=keys, how="left")
    merged[by] = merged[by].fillna("не указано")
    out = merged.groupby(by).agg(
        schools=("school_id", "size"),
        judged=("positive", "count"),
        positive=("positive", "sum"),
    )
    out["no_final"] = out["schools"] - out["judged"]
    out["share_positive"] = out["positive"] / out["judged"].replace(0, np.nan)
    return out.reset_index().sort_values("share_positive", ascending=False)
