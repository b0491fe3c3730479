"""ВПР objectivity from score distributions: known answers of the detectors, the planted
bunching of the demo found, the agreement with the federal list, and «нет данных» without
distributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import objectivity as ob
from analytics.settings import Objectivity
from radar.store import db
from radar.views import profile

BOUNDS = {"max_score": 20, "min_3": 6, "min_4": 10, "min_5": 14}


def distribution(school: str, counts: dict[int, int], subject: str = "Математика") -> pd.DataFrame:
    n = sum(counts.values())
    return pd.DataFrame(
        {
            "school_id": school,
            "year": 2025,
            "exam": "ВПР",
            "subject": subject,
            "grade": 4,
            "score": list(counts),
            "share": [c / n for c in counts.values()],
            "participants": n,
            **BOUNDS,
        }
    )


def flat(per_score: int = 5) -> dict[int, int]:
    return dict.fromkeys(range(21), per_score)


def test_windows_and_excess_by_hand():
    # Around the boundary 10: scores 6–7 further below, 8–9 below, 10–11 above, 12–13 further
    # above. A linear slope (one more pupil per score) is no bunching at all.
    linear = {s: s for s in range(21)}
    counted = ob.score_counts(distribution("A", linear), 10)
    windows = ob.bunching_excess(ob._windows(counted)).set_index("mark")
    assert windows.loc[4, ["further_below", "below", "above", "further_above"]].tolist() == [
        13,
        17,
        21,
        25,
    ]
    assert windows.loc[4, "expected"] == pytest.approx(4.0)
    assert windows["excess"].abs().max() == pytest.approx(0.0)
    assert windows.loc[4, "variance"] == pytest.approx(17 + 21 + 38 / 9)


def test_bunching_fires_on_pupils_pushed_over_the_boundaries_only():
    bunched = flat()
    for b in (6, 10, 14):
        for s in (b - 2, b - 1):
            bunched[s] -= 4
            bunched[b] += 4
    counted = ob.score_counts(
        pd.concat([distribution("A", flat()), distribution("B", bunched)]), 10
    )
    signs = ob.bunching_signs(counted).set_index("school_id")
    assert not signs.loc["A", "fired"] and signs.loc["A", "value"] == pytest.approx(0.0)
    # Each boundary: above 13 + 5 = 18, below 1 + 1 = 2. The windows further out are the
    # neighbours' (boundaries 4 apart): at 6 further below 10, further above 2 (the pushed-out
    # 8–9): expected −8/3; at 10: 18 and 2, −16/3; at 14: 18 and 10, −8/3. Excess 3 · 16 + 32/3,
    # variance 3 · 20 + (12 + 20 + 28) / 9.
    assert signs.loc["B", "value"] == pytest.approx((48 + 32 / 3) / np.sqrt(60 + 60 / 9))
    assert signs.loc["B", "fired"]
    assert "z = 7,2" in signs.loc["B", "evidence"]
    strict = ob.bunching_signs(counted, Objectivity(bunching_z=7.5)).set_index("school_id")
    assert not strict.loc["B", "fired"]


def test_too_few_participants_or_no_boundaries_are_not_judged():
    few = distribution("A", dict.fromkeys(range(21), 1))  # 21 participants
    assert ob.score_counts(few, 30).empty
    unknown = distribution("A", flat()).assign(min_3=np.nan)
    assert ob.score_counts(unknown, 10).empty


def test_shape_fires_when_far_from_schools_of_the_same_level():
    rng = np.random.default_rng(1)
    frames = []
    for i in range(40):
        scores = np.clip(np.rint(rng.normal(10, 3.5, 60)), 0, 20).astype(int)
        counts = pd.Series(scores).value_counts().to_dict()
        frames.append(distribution(f"S{i:02d}", counts))
    # Same mean, no spread at all: everyone on 9–11.
    frames.append(distribution("Z", {9: 20, 10: 20, 11: 20}))
    counted = ob.score_counts(pd.concat(frames, ignore_index=True), 20)
    signs = ob.shape_signs(counted).set_index("school_id")
    assert signs.loc["Z", "fired"] and signs.loc["Z", "value"] > 6
    assert signs.drop(index="Z")["fired"].mean() <= 0.05
    assert signs.loc["Z", "evidence"].startswith("G = ")
    stats = ob.shape_statistics(counted).set_index("school_id")
    assert stats.loc["Z", "df"] == stats.loc["Z", "bins"] - 1


def test_agreement_counts_and_kappa_by_hand():
    flags = pd.DataFrame(
        {
            "school_id": ["a", "b", "c", "d", "a", "b", "c", "d"],
            "year": 2025,
            "flag": ["bunching"] * 4 + ["shape"] * 4,
            "name": [ob.FLAG_NAMES["bunching"]] * 4 + [ob.FLAG_NAMES["shape"]] * 4,
            "fired": [True, True, False, False, False, False, False, True],
        }
    )
    markers = pd.DataFrame(
        {"school_id": ["a", "b", "c", "d"], "year": 2025, "marker": [True, False, True, False]}
    )
    table = ob.agreement(flags, markers).set_index("sign")
    bunching = table.loc[ob.FLAG_NAMES["bunching"]]
    assert bunching[["both_marked", "only_radar", "only_official", "neither_marked"]].tolist() == [
        1,
        1,
        1,
        1,
    ]
    assert bunching["agreement"] == pytest.approx(0.5) and bunching["kappa"] == pytest.approx(0)
    any_sign = table.loc[ob.ANY_SIGN]  # a, b, d fired
    assert any_sign["both_marked"] == 1 and any_sign["only_radar"] == 2
    assert any_sign["only_official"] == 1 and any_sign["neither_marked"] == 0
    # po = 1/4; radar 3/4, list 1/2: pe = 3/8 + 1/8 = 1/2; kappa = (1/4 − 1/2) / (1/2)
    assert any_sign["kappa"] == pytest.approx(-0.5)
    assert table.index[0] == ob.ANY_SIGN


def test_without_distributions_the_signs_say_no_data():
    results = pd.DataFrame(
        {"school_id": ["A"], "year": [2025], "vpr_index": [0.1], "oge_index": [0.0]}
    ).assign(ege_index=np.nan)
    empty = pd.DataFrame(columns=["school_id", "year", "participants", "share_exam_above_term"])
    cohort = pd.DataFrame(columns=["school_id", "year", "grade4_previous", "grade5"])
    schools = pd.DataFrame({"school_id": ["A"], "programme_type": ["обычная"]})
    flags = ob.objectivity_flags(results, empty, cohort, schools, scores=None)
    assert ob.FLAG_NAMES["bunching"] in ob.not_available(flags)
    table = profile.objectivity_table(flags)
    rows = table.set_index("Признак")
    assert rows.loc[ob.FLAG_NAMES["bunching"], "Сработал"] == "нет данных"
    assert rows.loc[ob.FLAG_NAMES["shape"], "Сработал"] == "нет данных"
    assert rows.loc[ob.FLAG_NAMES["vpr_above_exams"], "Сработал"] == "нет"


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_planted_bunching_is_found_and_few_other_schools_flagged(demo, year):
    truth = {
        r[0]
        for r in demo.execute("select school_id from demo_truth where kind = 'bunching'").fetchall()
    }
    flags = demo.execute(
        "select school_id, fired from objectivity_flags where flag = 'bunching' and year = $y",
        {"y": year},
    ).df()
    checked = set(flags["school_id"])
    flagged = set(flags.loc[flags["fired"], "school_id"])
    planted = truth & checked
    assert len(planted) >= 0.9 * len(truth)  # the planted schools are large enough to judge
    assert len(flagged & planted) / len(planted) >= 0.8
    assert len(flagged - truth) / len(checked - truth) <= 0.05
    shape = demo.execute(
        "select school_id, fired from objectivity_flags where flag = 'shape' and year = $y",
        {"y": year},
    ).df()
    others = shape[~shape["school_id"].isin(truth)]
    assert others["fired"].mean() <= 0.05


def test_demo_boundaries_fall_back_to_the_nearest_earlier_year(demo):
    # The demo's boundaries are given for 2019 only; its distributions are of 2023–2025.
    got = demo.execute(
        "select distinct d.year, d.subject, d.grade, b.min_3 from score_distributions as d "
        "join mark_boundaries as b using (exam, subject, grade) where b.year = 2019"
    ).df()
    assert len(got) and set(got["year"]) == {2023, 2024, 2025}
    from radar.store.refresh import read_inputs

    scores = read_inputs(demo, ("objectivity_scores",))["objectivity_scores"]
    maths4 = scores[(scores["subject"] == "Математика") & (scores["grade"] == 4)]
    assert set(maths4["min_3"]) == {6} and maths4["participants"].notna().all()
