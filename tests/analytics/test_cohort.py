"""Cohort value added (analytics.cohort): known answers on synthetic regions, the interval's
coverage in a simulation, the demo region's planted trends, and regions without pairs."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from analytics import cohort
from analytics.context import BAND_TOO_FEW
from radar.store import db

SUBJECTS = ("Математика", "Русский язык")


def region(
    rng: np.random.Generator,
    schools: int = 400,
    slope: float = 0.8,
    sigma: float = 2.0,
    spread: float = 0.2,
    planted: float = 0.0,
    participants: tuple[int, int] = (12, 60),
    centred: bool = False,
) -> tuple[pd.DataFrame, pd.Series]:
    """ВПР grade 5 in 2023 and grade 6 in 2024 of the same schools in two subjects. The true
    later mean is 0.1 + slope·(true earlier mean) + the school's value added (N(0, spread²);
    school 0 gets `planted` more, with 400 pupils); each observed mean is the true one plus
    the mean of its pupils' noise (σ = `sigma`); `centred` starts school 0 at the others'
    mean. Returns the rows and the true value added."""
    ids = [f"S{i:04d}" for i in range(schools)]
    true_va = rng.normal(0, spread, schools)
    true_va[0] = planted
    earlier = rng.normal(0, 1, schools)
    if centred:
        earlier[0] = earlier[1:].mean()
    rows = []
    for subject in SUBJECTS:
        n_e = rng.integers(*participants, schools)
        n_l = rng.integers(*participants, schools)
        n_e[0] = n_l[0] = 400
        x = earlier + rng.normal(0, sigma / np.sqrt(n_e))
        y = 0.1 + slope * earlier + true_va + rng.normal(0, sigma / np.sqrt(n_l))
        for year, grade, n, z in ((2023, 5, n_e, x), (2024, 6, n_l, y)):
            rows.append(
                pd.DataFrame(
                    {
                        "school_id": ids,
                        "year": year,
                        "exam": "ВПР",
                        "subject": subject,
                        "grade": grade,
                        "participants": n,
                        "z_score": z,
                        "pupil_sd": sigma,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True), pd.Series(true_va, index=ids)


def test_a_planted_cohort_is_found_above_the_prediction():
    rows, _ = region(np.random.default_rng(1), planted=1.0)
    out = cohort.cohort_value_added(rows)
    va = out["cohort_value_added"].set_index("school_id")
    assert len(va) == 400 and set(va["link"]) == {"ВПР: 5 → 6 кл."}
    planted = va.loc["S0000"]
    assert planted["subjects"] == 2 and planted["earlier_year"] == 2023 and planted["year"] == 2024
    assert planted["residual"] == pytest.approx(1.0, abs=0.25)
    assert planted["band"] == "выше ожидаемого"
    # The figure is observed − predicted, its interval ±1.96·se around it.
    assert planted["later_result"] - planted["expected"] == pytest.approx(planted["residual"])
    assert planted["upper"] - planted["residual"] == pytest.approx(1.959964 * planted["se"])
    # The region's line per subject: the slope corrected for the noise of the earlier means.
    fits = out["cohort_fits"]
    assert list(fits["subject"]) == list(SUBJECTS) and (fits["schools"] == 400).all()
    assert fits["slope"].to_numpy() == pytest.approx([0.8, 0.8], abs=0.08)
    assert ((fits["reliability"] > 0.8) & (fits["reliability"] < 0.95)).all()


def test_without_noise_the_figure_is_exactly_the_planted_distance():
    rows, _ = region(
        np.random.default_rng(2),
        sigma=1e-6,
        spread=0.0,
        planted=0.5,
        participants=(30, 31),
        centred=True,
    )
    va = cohort.cohort_value_added(rows)["cohort_value_added"].set_index("school_id")
    # Starting at the mean, the planted school leaves the slope alone and lifts the line by
    # its weight: 400 of 400 + 399·30 pupils in each subject.
    lift = 0.5 * 400 / (400 + 399 * 30)
    assert va.loc["S0000", "residual"] == pytest.approx(0.5 - lift, abs=1e-6)
    assert va["residual"].drop("S0000").to_numpy() == pytest.approx(-lift, abs=1e-6)
    assert (va["se"] < 1e-5).all()


def test_the_interval_covers_the_truth_at_about_95_percent():
    """Noisy earlier and later means (σ = 2, 12–60 pupils: reliability about 0.85): the true
    value added lies inside the 95 % interval in about 95 % of the schools. An uncorrected
    slope (regression to the mean) would miss schools that started far from the mean."""
    rng = np.random.default_rng(3)
    covered, total, naive_slopes = 0, 0, []
    for _ in range(25):
        rows, truth = region(rng, schools=400, spread=0.15)
        va = cohort.cohort_value_added(rows)["cohort_value_added"].set_index("school_id")
        inside = (va["lower"] <= truth[va.index]) & (truth[va.index] <= va["upper"])
        covered += int(inside.sum())
        total += len(va)
        first = rows[rows["subject"] == SUBJECTS[0]]
        x = first.loc[first["year"] == 2023, "z_score"].to_numpy()
        y = first.loc[first["year"] == 2024, "z_score"].to_numpy()
        naive_slopes.append(np.polyfit(x, y, 1)[0])
    coverage = covered / total
    assert 0.93 <= coverage <= 0.97, coverage
    assert np.mean(naive_slopes) < 0.75  # what the correction is for (true slope 0.8)


def test_oge_goes_with_ege_two_years_later_in_the_same_subject():
    rng = np.random.default_rng(4)
    rows = []
    for year, exam, grade, subject in (
        (2022, "ОГЭ", 9, "Математика"),
        (2023, "ОГЭ", 9, "Математика"),
        (2024, "ЕГЭ", 11, "Математика (профильная)"),
        (2024, "ЕГЭ", 11, "Обществознание"),
    ):
        rows.append(
            pd.DataFrame(
                {
                    "school_id": [f"S{i}" for i in range(30)],
                    "year": year,
                    "exam": exam,
                    "subject": subject,
                    "grade": grade,
                    "participants": 25,
                    "z_score": rng.normal(0, 1, 30),
                    "pupil_sd": 2.0,
                }
            )
        )
    out = cohort.cohort_value_added(pd.concat(rows, ignore_index=True))
    va, fits = out["cohort_value_added"], out["cohort_fits"]
    assert set(va["link"]) == {"ОГЭ 9 кл. → ЕГЭ 11 кл."} and len(va) == 30
    assert set(zip(va["earlier_year"], va["year"], strict=True)) == {(2022, 2024)}
    assert fits[["earlier_subject", "subject"]].values.tolist() == [
        ["Математика", "Математика (профильная)"]
    ]


def test_small_cohorts_are_said_to_be_small_and_left_out_of_the_line():
    rows, _ = region(np.random.default_rng(5), schools=60)
    small = rows["school_id"] == "S0001"
    rows.loc[small & (rows["year"] == 2023), "participants"] = 4
    va = cohort.cohort_value_added(rows, min_participants=10)["cohort_value_added"]
    row = va.set_index("school_id").loc["S0001"]
    assert row["band"] == BAND_TOO_FEW and np.isnan(row["residual"]) and row["subjects"] == 0
    assert row["earlier_participants"] == 4
    assert va["band"].drop(va.index[va["school_id"] == "S0001"]).ne(BAND_TOO_FEW).all()


def test_a_region_with_one_procedure_year_gets_empty_tables_not_an_error():
    rows, _ = region(np.random.default_rng(6), schools=20)
    one = rows[(rows["year"] == 2023) & (rows["subject"] == "Математика")]
    out = cohort.cohort_value_added(one)
    assert out["cohort_value_added"].empty and out["cohort_fits"].empty
    assert list(out["cohort_value_added"].columns) == cohort.COLUMNS
    empty = cohort.cohort_value_added(one.iloc[:0])
    assert list(empty["cohort_fits"].columns) == cohort.FIT_COLUMNS
    # Too few schools for a line: no figure rather than a wild one.
    few, _ = region(np.random.default_rng(7), schools=cohort.MIN_SCHOOLS - 1)
    assert cohort.cohort_value_added(few)["cohort_value_added"].empty


def test_forty_thousand_schools_take_seconds():
    """Vectorised: 40 000 schools in two subjects in about a second (the demo's 1 100 schools
    with all their links: about 0,3 s)."""
    rows, _ = region(np.random.default_rng(8), schools=40_000)
    start = time.perf_counter()
    va = cohort.cohort_value_added(rows)["cohort_value_added"]
    assert len(va) == 40_000
    assert time.perf_counter() - start < 10


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


def test_the_demo_region_has_both_links_and_its_planted_trends(demo):
    va = demo.execute("select * from cohort_value_added").df()
    links = set(va["link"])
    assert {"ВПР: 4 → 5 кл.", "ВПР: 7 → 8 кл.", "ОГЭ 9 кл. → ЕГЭ 11 кл."} <= links
    # ОГЭ was not held in 2020: no ОГЭ 2020 → ЕГЭ 2022 cohort; ВПР 4 of 2020 neither.
    oge = va[va["earlier_exam"] == "ОГЭ"]
    assert 2020 not in set(oge["earlier_year"]) and (oge["year"] - oge["earlier_year"] == 2).all()
    assert not ((va["earlier_grade"] == 4) & (va["earlier_year"] == 2020)).any()
    shown = va[va["residual"].notna()]
    gap = (shown["later_result"] - shown["expected"]).to_numpy()
    assert gap == pytest.approx(shown["residual"].to_numpy())
    # The generator's improving schools gain about 0,12 SD a year, the declining ones lose it.
    truth = demo.execute(
        "select school_id, kind from demo_truth where kind in ('improving', 'declining')"
    ).df()
    mean = shown.merge(truth, on="school_id").groupby("kind")["residual"].mean()
    assert mean["improving"] > 0.15 and mean["declining"] < -0.15
    # Most cohorts are as expected; the bands are the three readings and «мало участников».
    share = shown["band"].value_counts(normalize=True)
    assert share["в пределах ожидаемого"] > 0.8
    assert set(va["band"]) == {
        "выше ожидаемого",
        "в пределах ожидаемого",
        "ниже ожидаемого",
        BAND_TOO_FEW,
    }
    fits = demo.execute("select * from cohort_fits").df()
    assert fits["slope"].between(0.7, 1.1).all() and (fits["schools"] >= cohort.MIN_SCHOOLS).all()
