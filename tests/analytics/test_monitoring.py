"""Monitoring stages and ВПР objectivity signs: known answers and the planted demo truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import fmt
from analytics import monitoring as mon
from analytics.objectivity import flagged_schools, objectivity_flags
from analytics.settings import Monitoring, Objectivity
from radar.store import db

INDICATORS = pd.DataFrame(
    {
        "indicator": [
            "rus_mean_mark",
            "math_mean_mark",
            "rus_share_2",
            "math_share_2",
            "high_risks",
        ],
        "name": [
            "Средняя отметка по русскому языку",
            "Средняя отметка по математике",
            "Доля «2» по русскому языку",
            "Доля «2» по математике",
            "Число факторов высокого риска",
        ],
        "unit": ["балл", "балл", "доля", "доля", "шт."],
        "higher_is_better": [True, True, False, False, False],
    }
)


def stages(school, values):
    """values: indicator → (entry, intermediate, final); None leaves a stage out."""
    rows = []
    for indicator, trio in values.items():
        for stage, value in zip(mon.STAGES, trio, strict=True):
            if value is not None:
                rows.append((school, 2025, stage, indicator, value))
    return rows


def test_stage_changes_are_oriented_and_positive_dynamics_has_a_reason():
    rows = stages(
        "A",
        {
            "rus_mean_mark": (3.1, 3.2, 3.4),  # better
            "math_mean_mark": (3.0, 3.0, 2.9),  # worse
            "rus_share_2": (0.20, 0.15, 0.10),  # fewer «2»: better
            "math_share_2": (0.20, 0.20, 0.20),  # no change
            "high_risks": (4, 3, 2),
        },
    )
    rows += stages("B", {"rus_mean_mark": (3.0, 3.1, None), "high_risks": (2, 2, None)})
    rows += stages(
        "C",
        {
            "rus_mean_mark": (3.0, 3.2, 3.5),
            "math_mean_mark": (3.0, 3.2, 3.5),
            "rus_share_2": (0.3, 0.2, 0.1),
            "math_share_2": (0.3, 0.2, 0.1),
            "high_risks": (3, 3, 3),  # risks did not fall
        },
    )
    frame = pd.DataFrame(rows, columns=["school_id", "year", "stage", "indicator", "value"])
    table = mon.stage_table(frame, INDICATORS).set_index(["school_id", "indicator"])
    assert table.loc[("A", "rus_share_2"), "change_final"] == pytest.approx(0.10)
    assert table.loc[("A", "math_mean_mark"), "change_final"] == pytest.approx(-0.1)
    assert table.loc[("A", "rus_mean_mark"), "change_intermediate"] == pytest.approx(0.1)
    progress = mon.progress(table.reset_index()).set_index("school_id")
    assert progress.loc["A", "improved"] == 2 and progress.loc["A", "positive"]
    assert progress.loc["A", "reason"].startswith("улучшились 2 из 4 показателей")
    assert "высоких рисков: 4 → 2" in progress.loc["A", "reason"]
    assert progress.loc["B", "status"] == mon.NO_FINAL and pd.isna(progress.loc["B", "positive"])
    assert not progress.loc["C", "positive"]  # all improved but the high risks stayed
    relaxed = mon.progress(table.reset_index(), Monitoring(fewer_high_risks=False))
    assert relaxed.set_index("school_id").loc["C", "positive"]
    strict = mon.progress(table.reset_index(), Monitoring(min_improved_share=0.75))
    assert not strict.set_index("school_id").loc["A", "positive"]


def test_dynamics_as_of_the_intermediate_stage_compare_it_with_the_entry():
    rows = stages(
        "A",
        {
            "rus_mean_mark": (3.0, 3.3, 2.9),  # better by the intermediate stage, worse at the end
            "rus_share_2": (0.2, 0.1, 0.3),
            "high_risks": (3, 2, 4),
        },
    )
    rows += stages("B", {"rus_mean_mark": (3.0, None, None), "high_risks": (1, None, None)})
    frame = pd.DataFrame(rows, columns=["school_id", "year", "stage", "indicator", "value"])
    table = mon.stage_table(frame, INDICATORS)
    interim = mon.progress_at(table, "intermediate").set_index("school_id")
    assert interim.loc["A", "positive"] and interim.loc["A", "improved"] == 2
    assert "высоких рисков: 3 → 2" in interim.loc["A", "reason"]
    assert interim.loc["B", "status"] == "нет данных промежуточного этапа"
    final = mon.progress_at(table, "final").set_index("school_id")
    assert not final.loc["A", "positive"] and final.loc["B", "status"] == mon.NO_FINAL
    with pytest.raises(ValueError, match="промежуточном или итоговом"):
        mon.progress_at(table, "entry")


def test_positive_shares_by_group_leave_out_schools_without_final_data():
    progress = pd.DataFrame(
        {
            "school_id": ["a", "b", "c", "d"],
            "year": 2025,
            "positive": pd.array([True, False, True, pd.NA], dtype="boolean"),
        }
    )
    groups = pd.DataFrame({"school_id": ["a", "b", "c", "d"], "curator": ["X", "X", "Y", "Y"]})
    shares = mon.positive_shares(progress, groups, "curator").set_index("curator")
    assert shares.loc["X", "share_positive"] == pytest.approx(0.5)
    assert shares.loc["Y", "share_positive"] == pytest.approx(1.0)
    assert shares.loc["Y", "no_final"] == 1


def test_each_objectivity_sign_with_its_value_and_threshold():
    results = pd.DataFrame(
        {
            "school_id": ["A", "B", "L"],
            "year": 2025,
            "vpr_index": [1.2, 0.3, 1.5],
            "oge_index": [-0.2, 0.2, 0.1],
            "ege_index": [np.nan, 0.4, 0.1],
        }
    )
    term = pd.DataFrame(
        {
            "school_id": ["A", "B"],
            "year": 2025,
            "participants": [40, 5],
            "share_exam_above_term": [0.25, 0.9],
        }
    )
    cohort = pd.DataFrame(
        {"school_id": ["B"], "year": [2025], "grade4_previous": [0.9], "grade5": [-0.2]}
    )
    schools = pd.DataFrame(
        {"school_id": ["A", "B", "L"], "programme_type": ["обычная", "обычная", "лицей"]}
    )
    flags = objectivity_flags(results, term, cohort, schools)
    got = flags.set_index(["school_id", "flag"])
    assert got.loc[("A", "vpr_above_exams"), "fired"]
    assert got.loc[("A", "vpr_above_exams"), "value"] == pytest.approx(1.4)
    assert got.loc[("A", "vpr_above_exams"), "evidence"].startswith("ВПР +1,20, ОГЭ и ЕГЭ −0,20")
    assert not got.loc[("B", "vpr_above_exams"), "fired"]
    assert ("L", "vpr_above_exams") not in got.index  # a lyceum selects its pupils
    assert got.loc[("A", "vpr_above_term"), "fired"]
    assert ("B", "vpr_above_term") not in got.index  # five participants: too few to judge
    assert got.loc[("B", "cohort_drop"), "fired"]
    assert got.loc[("B", "cohort_drop"), "value"] == pytest.approx(1.1)
    strict = objectivity_flags(results, term, cohort, schools, Objectivity(cohort_drop=1.2))
    assert not strict.set_index(["school_id", "flag"]).loc[("B", "cohort_drop"), "fired"]
    summary = flagged_schools(flags).set_index("school_id")
    assert summary.loc["A", "flags"] == 2 and summary.loc["B", "flags"] == 1


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("year", [2021, 2025])
def test_planted_inflated_vpr_schools_are_flagged_and_few_others(demo, year):
    truth = {
        r[0]
        for r in demo.execute(
            "select school_id from demo_truth where kind = 'inflated_vpr'"
        ).fetchall()
    }
    flags = demo.execute("select * from objectivity_flags where year = $y", {"y": year}).df()
    flagged = set(flags.loc[flags["fired"], "school_id"])
    checked = set(flags["school_id"])
    assert len(flagged & truth) / len(truth) >= 0.8
    assert len(flagged - truth) / len(checked - truth) <= 0.05


def test_demo_improving_schools_show_positive_dynamics(demo):
    rows = demo.execute(
        "select t.kind, avg(p.positive::int) from monitoring_progress p "
        "join demo_truth t using (school_id) where t.kind in ('improving', 'declining') "
        "group by t.kind"
    ).fetchall()
    shares = dict(rows)
    assert shares.get("improving", 1.0) >= 0.8
    assert shares.get("declining", 0.0) <= 0.2


def _progress_one_by_one(table: pd.DataFrame, settings: Monitoring) -> pd.DataFrame:
    """The rule as the methodology states it, school by school: the oracle of the grouped
    implementation in analytics.monitoring.progress."""
    chosen = table[table["indicator"].isin(settings.indicators)]
    rows = []
    risk = table[table["indicator"] == mon.RISK_INDICATOR].set_index(["school_id", "year"])
    for (school, year), part in chosen.groupby(["school_id", "year"], sort=True):
        known = part.dropna(subset=["entry", "final"])
        risks = risk.loc[(school, year)] if (school, year) in risk.index else None
        entry_risk = float(risks["entry"]) if risks is not None else np.nan
        final_risk = float(risks["final"]) if risks is not None else np.nan
        if known.empty:
            rows.append(
                (school, year, 0, 0, entry_risk, final_risk, pd.NA, mon.NO_FINAL, mon.NO_FINAL)
            )
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
        status = mon.POSITIVE if positive else mon.NOT_POSITIVE
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


@pytest.mark.parametrize(
    "settings",
    [
        Monitoring(),
        Monitoring(fewer_high_risks=False, min_improved_share=0.3),
        Monitoring(tolerance=0.5),
    ],
)
def test_grouped_progress_equals_the_rule_school_by_school(demo, settings):
    """On the demo's stages (with schools lacking the final stage, risks or indicators) and
    with other settings, the grouped rule gives row for row what the loop gives."""
    stages = demo.execute(db.sql("analysis/monitoring_stages")).df()
    indicators = demo.execute(db.sql("analysis/monitoring_indicators")).df()
    table = mon.stage_table(stages, indicators)
    # Knock out some final values so that every branch is reached.
    table.loc[table.index % 7 == 0, "final"] = np.nan
    table.loc[table.index % 7 == 0, "change_final"] = np.nan
    fast = mon.progress(table, settings)
    slow = _progress_one_by_one(table, settings)
    assert len(fast) == len(slow) > 100
    if settings == Monitoring():
        assert set(fast["status"]) == {mon.NO_FINAL, mon.POSITIVE, mon.NOT_POSITIVE}
    pd.testing.assert_frame_equal(
        fast.reset_index(drop=True), slow.reset_index(drop=True), check_dtype=False
    )
