"""Identification rules on hand-made frames: each rule's value, threshold and flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import identification as idn
from analytics.resilience import neighbours, resilience, suggest_partners
from analytics.settings import Settings


def result(school, year, exam, subject, grade, n, mean, region_mean, z, fail):
    return {
        "school_id": school,
        "year": year,
        "exam": exam,
        "subject": subject,
        "grade": grade,
        "participants": n,
        "mean_score": mean,
        "region_mean": region_mean,
        "z_score": z,
        "share_fail": fail,
    }


def ten_schools(years=(2023, 2024, 2025)):
    """Ten schools on one ОГЭ procedure; S0 is last every year, S1 only in 2025."""
    rows = []
    for year in years:
        for i in range(10):
            z = float(i)
            if year == 2025 and i == 1:
                z = -1.0
            rows.append(result(f"S{i}", year, "ОГЭ", "Математика", 9, 20, 10 + z, 14, z, 0.1))
    return pd.DataFrame(rows)


def register(ids, **columns):
    frame = pd.DataFrame({"school_id": ids, "pupils": 300, "is_small": False, "distance_km": 5.0})
    for key, values in columns.items():
        frame[key] = values
    return frame


EMPTY_SOCIAL = pd.DataFrame(columns=["school_id", "year", "isbsh", "isbsh_quartile", "pupils"])
EMPTY_OLYMPIADS = pd.DataFrame(
    columns=["school_id", "year", "share_olympiad", "share_continue_grade10"]
)


def run(results, schools=None, social=EMPTY_SOCIAL, olympiads=EMPTY_OLYMPIADS, **settings):
    schools = register(sorted(results["school_id"].unique())) if schools is None else schools
    out = idn.identify(results, schools, social, olympiads, 2025, Settings(**settings))
    return out.set_index("school_id")


def test_bottom_rule_counts_years_in_the_bottom_decile():
    out = run(ten_schools())
    assert out.loc["S0", "bottom_years"] == 2  # 2025 it is second to last, above S1
    assert out.loc["S0", "bottom_fired"]
    assert out.loc["S0", "bottom_procedure"] == "ОГЭ"
    assert out.loc["S1", "bottom_years"] == 1
    assert not out.loc["S1", "bottom_fired"]
    assert out.loc["S5", "bottom_years"] == 0
    # Three years required: nobody qualifies.
    assert not run(ten_schools(), years_required=3)["bottom_fired"].any()
    # A bottom fifth (two of ten schools) catches S0 in all three years.
    assert run(ten_schools(), bottom_share=0.2).loc["S0", "bottom_years"] == 3


def test_bottom_rule_ignores_results_of_too_few_pupils():
    rows = ten_schools()
    rows.loc[rows["school_id"] == "S0", "participants"] = 5
    out = run(rows)
    assert out.loc["S0", "bottom_years"] == 0
    assert out.loc["S1", "bottom_years"] == 3  # now last in every year


def fail_rows(spec):
    """spec: (school, year, subject, share of «2»)."""
    return pd.DataFrame(
        [result(s, y, "ВПР", subj, 5, 25, 20, 20, 0.0, f) for s, y, subj, f in spec]
    )


def test_fail_rule_two_procedures_in_one_year_or_one_procedure_two_years():
    rows = fail_rows(
        [
            ("A", 2025, "Русский язык", 0.35),
            ("A", 2025, "Математика", 0.30),  # exactly at the threshold counts
            ("B", 2024, "Математика", 0.40),
            ("B", 2025, "Математика", 0.31),
            ("C", 2025, "Русский язык", 0.29),
            ("C", 2025, "Математика", 0.50),
        ]
    )
    out = run(rows)
    assert out.loc["A", "fail_procedures"] == 2 and out.loc["A", "fail_fired"]
    assert out.loc["B", "fail_procedures"] == 1 and out.loc["B", "fail_fired"]
    assert out.loc["B", "fail_repeat_procedure"] == "ВПР, Математика, 5 кл."
    assert out.loc["C", "fail_procedures"] == 1 and not out.loc["C", "fail_fired"]
    both = run(rows, fail_rule_combination="AND")
    assert not both.loc["A", "fail_fired"] and not both.loc["B", "fail_fired"]


def test_gap_rule_sums_primary_vpr_and_takes_main_ege_subjects():
    rows = pd.DataFrame(
        [
            result("A", 2025, "ВПР", "Русский язык", 4, 20, 20, 24, 0, 0.1),
            result("A", 2025, "ВПР", "Математика", 4, 20, 10, 14, 0, 0.1),
            result("A", 2025, "ВПР", "Окружающий мир", 4, 20, 16, 19, 0, 0.1),  # sum −11
            result("A", 2025, "ВПР", "Русский язык", 5, 20, 0, 40, 0, 0.1),  # grade 5 ignored
            result("B", 2025, "ЕГЭ", "Русский язык", 11, 20, 60, 70.5, 0, 0.0),  # −10.5
            result("B", 2025, "ЕГЭ", "Биология", 11, 20, 20, 60, 0, 0.0),  # elective ignored
            result("C", 2025, "ЕГЭ", "Математика (профильная)", 11, 20, 51, 60, 0, 0.0),
        ]
    )
    out = run(rows)
    assert out.loc["A", "vpr_gap"] == pytest.approx(-11)
    assert out.loc["A", "gap_fired"]
    assert out.loc["B", "ege_gap"] == pytest.approx(-10.5)
    assert out.loc["B", "gap_fired"]
    assert out.loc["C", "ege_gap"] == pytest.approx(-9)
    assert not out.loc["C", "gap_fired"]
    assert run(rows, ege_gap_points=5).loc["C", "gap_fired"]
    assert "ВПР −11,0 б." in out.loc["A", "reasons"]


def test_olympiad_continuation_isbsh_and_remote_small_rules():
    rows = fail_rows([("A", 2025, "Математика", 0.1), ("B", 2025, "Математика", 0.1)])
    olympiads = pd.DataFrame(
        {
            "school_id": ["A", "A", "A", "B"],
            "year": [2023, 2024, 2025, 2025],
            "share_olympiad": [0.0, 0.01, 0.017, 0.02],  # A: mean 0.009 < 1 %
            "share_continue_grade10": [0.9, 0.9, 0.39, 0.41],
        }
    )
    social = pd.DataFrame(
        {
            "school_id": ["A", "B"],
            "year": [2025, 2025],
            "isbsh": [12.0, 60.0],
            "isbsh_quartile": [1, 3],
            "pupils": [80, 900],
        }
    )
    schools = register(["A", "B"], distance_km=[70.0, 70.0])
    out = run(rows, schools, social, olympiads)
    assert out.loc["A", "olympiad_share"] == pytest.approx(0.009)
    assert out.loc["A", "olympiad_fired"] and not out.loc["B", "olympiad_fired"]
    assert out.loc["A", "continuation_fired"] and not out.loc["B", "continuation_fired"]
    assert out.loc["A", "isbsh_fired"] and not out.loc["B", "isbsh_fired"]
    # A: 80 pupils this year (passport) and 70 km away; B is far but large.
    assert out.loc["A", "remote_small_fired"] and not out.loc["B", "remote_small_fired"]
    assert out.loc["A", "shnsu"] and not out.loc["B", "shnsu"]
    # Olympiads and continuation count for ШНОР only when the settings say so.
    assert not out.loc["A", "shnor"]
    chosen = run(rows, schools, social, olympiads, shnor_rules=("olympiad", "continuation"))
    assert chosen.loc["A", "shnor"] and chosen.loc["A", "shnor_rules_fired"] == 2
    assert "Мало участников олимпиад (0,9" in chosen.loc["A", "reasons"]
    no_remote = run(rows, schools, social, olympiads, shnsu_remote_small=False, shnsu_quartile=0)
    assert not no_remote["shnsu"].any()


def test_shnor_needs_the_set_number_of_rules():
    rows = ten_schools()
    extra = fail_rows([("S0", 2025, "Русский язык", 0.5), ("S0", 2025, "Математика", 0.5)])
    rows = pd.concat([rows, extra], ignore_index=True)
    assert run(rows).loc["S0", "shnor_rules_fired"] == 2
    assert run(rows).loc["S0", "shnor"]
    assert not run(rows, shnor_min_rules=3).loc["S0", "shnor"]
    assert run(rows, shnor_min_rules=1).loc["S0", "shnor"]


def test_compare_with_previous_year_and_official_list():
    now = pd.DataFrame({"school_id": ["a", "b", "c"], "shnor": [True, True, False]})
    before = pd.DataFrame({"school_id": ["b", "c"], "shnor": [True, True]})
    status = idn.compare_years(now, before, "shnor").set_index("school_id")["status"]
    assert status.to_dict() == {
        "a": idn.STATUS_ENTERED,
        "b": idn.STATUS_STAYED,
        "c": idn.STATUS_LEFT,
    }
    membership = pd.DataFrame(
        {"school_id": ["b", "d", "a"], "year": [2025, 2025, 2024], "programme": ["ШНОР"] * 3}
    )
    official = idn.compare_official(now, membership, "shnor", "ШНОР", 2025)
    assert official.set_index("school_id")["official_status"].to_dict() == {
        "b": idn.OFFICIAL_BOTH,
        "a": idn.OFFICIAL_ONLY_COMPUTED,
        "d": idn.OFFICIAL_ONLY_LIST,
    }


def adjusted_rows(values):
    """values: school → (residual, se) for one ОГЭ procedure in 2025 with 50 participants."""
    return pd.DataFrame(
        [
            {
                "school_id": s,
                "year": 2025,
                "exam": "ОГЭ",
                "subject": "Математика",
                "grade": 9,
                "participants": 50,
                "residual": r,
                "se": se,
            }
            for s, (r, se) in values.items()
        ]
    )


def test_resilience_both_definitions():
    adjusted = adjusted_rows(
        {"R": (1.5, 0.2), "L": (1.5, 0.2), "N": (0.3, 0.2), "T": (0.0, 0.2), "W": (-1, 0.2)}
    )
    results = pd.DataFrame(
        [
            result(s, 2025, "ОГЭ", "Математика", 9, 50, 0, 0, z, 0.0)
            for s, z in {"R": 0.1, "L": 2.0, "N": 1.5, "T": 1.0, "W": -1.0}.items()
        ]
    )
    social = pd.DataFrame(
        {
            "school_id": list("RLNTW"),
            "year": 2025,
            "isbsh_quartile": [1, 1, 1, 3, 2],
            "isbsh": [10.0, 12, 15, 60, 40],
            "pupils": 500,
        }
    )
    schools = register(
        list("RLNTW"), programme_type=["обычная", "лицей", "обычная", "обычная", "обычная"]
    )
    exams = idn.exam_results(results, 10)
    out = resilience(adjusted, exams, social, schools, 2025, Settings()).set_index("school_id")
    assert out["resilient_adjusted"].to_dict() == {
        "R": True,
        "L": False,  # selective
        "N": False,  # above expected but not «значительно»
        "T": False,
        "W": False,
    }
    # Quartiles: only L is in the top quartile of results, and it is selective.
    assert out["result_quartile"].to_dict() == {"R": 1, "L": 4, "N": 3, "T": 2, "W": 1}
    assert not out["resilient_quartiles"].any()
    open_door = Settings(resilient_nonselective_only=False, resilient_definition="quartiles")
    out2 = resilience(adjusted, exams, social, schools, 2025, open_door).set_index("school_id")
    assert out2.loc["L", "resilient_quartiles"] and out2.loc["L", "resilient"]
    assert not out2.loc["R", "resilient_quartiles"]


def test_partners_prefer_same_municipality_then_similar_context():
    ident = pd.DataFrame({"school_id": ["W", "P1", "P2", "P3", "X"], "year": 2025})
    ident["shnor"] = [True, False, False, False, True]
    context = pd.DataFrame(
        {
            "school_id": ["W", "P1", "P2", "P3", "X"],
            "municipality_id": ["M1", "M2", "M1", "M1", "M1"],
            "settlement_type": ["село", "село", "город", "село", "село"],
            "pupils": [200, 200, 200, 220, 200],
            "isbsh": [20.0, 20.0, 25.0, 22.0, 20.0],
            "lat": np.nan,
            "lon": np.nan,
        }
    )
    res = pd.DataFrame(
        {
            "school_id": ["W", "P1", "P2", "P3", "X"],
            "adjusted_result": [-1.0, 1.2, 1.1, 0.4, 2.0],
            "adjusted_band": [
                "значительно ниже ожидаемого",
                "значительно выше ожидаемого",
                "значительно выше ожидаемого",
                "выше ожидаемого",
                "значительно выше ожидаемого",  # ШНОР itself: never a partner
            ],
        }
    )
    municipalities = pd.DataFrame(
        {"municipality_id": ["M1", "M2"], "center_lat": [43.0, 43.1], "center_lon": [47, 47.1]}
    )
    partners = suggest_partners(ident, context, res, municipalities, Settings())
    mine = partners[partners["school_id"] == "W"]
    assert mine["partner_id"].tolist() == ["P3", "P2", "P1"]  # same municipality first
    assert mine["tier"].tolist() == [0, 0, 1]
    assert "X" not in set(partners["partner_id"])
    # In a region this small every school is in every other's group of similar schools.
    assert mine.iloc[0]["reason"].startswith("из группы похожих школ; тот же муниципалитет")
    assert "тот же тип поселения (село)" in mine.iloc[0]["reason"]
    assert (
        len(suggest_partners(ident, context, res, municipalities, Settings(partners_per_school=1)))
        == 2
    )


def test_neighbours_by_centre_distance():
    municipalities = pd.DataFrame(
        {
            "municipality_id": ["A", "B", "C", "D"],
            "center_lat": [43.0, 43.1, 45.0, None],
            "center_lon": [47.0, 47.1, 49.0, None],
        }
    )
    near = neighbours(municipalities, k=1)
    assert near == {"A": {"B"}, "B": {"A"}, "C": {"B"}, "D": set()}
