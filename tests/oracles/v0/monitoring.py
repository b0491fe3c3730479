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

    Every school-year with a row of a chosen indicator is judged on those known at the entry
    and the final stage: enough of them improved beyond the tolerance and, if required, the
    number of high risks fell (when there were any). Grouped sums, no loop per school.

    Returns school_id, year, indicators_known, improved, high_risks_entry, high_risks_final,
    positive (bool or <NA> without final data), status and reason.
    """
    settings = settings or Monitoring()
    keys = ["school_id", "year"]
    chosen = table[table["indicator"].isin(settings.indicators)]
    known = chosen.dropna(subset=["entry", "final"])
    better = known[known["change_final"] > settings.tolerance]
    out = chosen[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    out = out.merge(known.groupby(keys).size().rename("indicators_known"), on=keys, how="left")
    out = out.merge(better.groupby(keys).size().rename("improved"), on=keys, how="left")
    names = (
        better.assign(shown=better["name"].map(fmt.in_sentence))
        .groupby(keys, sort=False)["shown"]
        .agg(", ".join)
        .rename("names")
    )
    out = out.merge(names, on=keys, how="left")
    risks = table.loc[table["indicator"] == RISK_INDICATOR, [*keys, "entry", "final"]]
    risks = risks.rename(columns={"entry": "high_risks_entry", "final": "high_risks_final"})
    out = out.merge(risks, on=keys, how="left", validate="one_to_one")
    out["indicators_known"] = out["indicators_known"].fillna(0).astype(int)
    out["improved"] = out["improved"].fillna(0).astype(int)
    entry = out["high_risks_entry"].astype(float)
    final = out["high_risks_final"].astype(float)
    out["high_risks_entry"], out["high_risks_final"] = entry, final

    judged = out["indicators_known"] > 0
    enough = out["improved"] >= settings.min_improved_share * out["indicators_known"]
    risks_known = settings.fewer_high_risks & entry.notna() & final.notna()
    risk_ok = ~(risks_known & (entry > 0)) | (final < entry)
    positive = (enough & risk_ok).astype("boolean")
    positive[~judged] = pd.NA
    out["positive"] = positive
    out["status"] = np.where(~judged, NO_FINAL, np.where(enough & risk_ok, POSITIVE, NOT_POSITIVE))
    listed = (" (" + out["names"].astype(object).fillna("") + ")").where(out["improved"] > 0, "")
    said_risks = pd.Series("", index=out.index, dtype=object)
    if risks_known.any():
        said_risks[risks_known] = (
            "; высоких рисков: "
            + entry[risks_known].map(fmt.integer).astype(object)
            + " → "
            + final[risks_known].map(fmt.integer).astype(object)
        )
    reason = (
        "улучшились "
        + out["improved"].astype(str)
        + " из "
        + out["indicators_known"].astype(str)
        + " показателей"
        + listed
        + said_risks
    )
    out["reason"] = reason.where(judged, NO_FINAL).astype(object)
    out["status"] = out["status"].astype(object)
    return out.drop(columns="names")


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
