"""School trends as of each year, the colours, and the early-warning list."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import dynamics as dy
from analytics.settings import Trends
from radar.store import db


def values(rows):
    return pd.DataFrame(rows, columns=["school_id", "indicator", "year", "value"])


def test_trend_as_of_a_year_uses_only_the_years_up_to_it():
    rows = [
        ("A", "result_index", y, v)
        for y, v in zip(range(2019, 2026), [0, 0, 0, 0.2, 0.4, 0.6, 0.8], strict=True)
    ]
    out = dy.school_trends(values(rows), [2021, 2025]).set_index("as_of")
    assert out.loc[2021, "slope"] == pytest.approx(0.0)
    assert out.loc[2021, "colour"] == "Y"  # medium status, no change
    assert out.loc[2025, "slope"] == pytest.approx(0.2)  # 2021–2025
    assert out.loc[2025, "n_points"] == 5
    assert out.loc[2025, "change"] == 3  # «рост» (0,1…0,3 a year)
    assert out.loc[2025, "status"] == 3  # 0,8 is «высокий»
    assert out.loc[2025, "colour"] == "G"
    assert out.loc[2025, "label"] == "высокий уровень, рост"


def test_a_year_without_the_value_gets_no_trend_and_two_years_use_the_change():
    rows = [("A", "share_fail", 2023, 0.30), ("A", "share_fail", 2024, 0.22)]
    out = dy.school_trends(values(rows), [2024, 2025])
    assert out["as_of"].tolist() == [2024]  # no value in 2025: nothing «as of» 2025
    row = out.iloc[0]
    assert pd.isna(row["slope"])
    assert row["change_rate"] == pytest.approx(-0.08)
    assert row["change"] == 4  # fewer «2» by 0,08: significant improvement
    assert row["status"] == 1  # 22 % of «2» is a low status (20–30 %)


def test_early_warning_projects_the_robust_slope():
    rows = []
    for school, start, step in (("fall", 0.5, -0.3), ("flat", 0.0, 0.0), ("low", -2.0, 0.0)):
        rows += [(school, "result_index", y, start + step * (y - 2021)) for y in range(2021, 2026)]
    rows += [
        (f"x{i}", "result_index", y, -1.0 + i / 10) for i in range(20) for y in range(2021, 2026)
    ]
    trend = dy.school_trends(values(rows), [2025])
    ident = pd.DataFrame({"school_id": ["low"], "year": [2025], "shnor": [True]})
    membership = pd.DataFrame({"school_id": [], "year": []})
    warned = dy.early_warning(trend, ident, membership, Trends(warning_share=0.1))
    assert warned["school_id"].tolist() == ["fall"]
    row = warned.iloc[0]
    assert row["projected"] == pytest.approx(-0.7 - 0.6)
    assert row["projected"] < row["threshold"] <= row["last_value"]


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


def test_planted_improving_and_declining_schools_get_matching_colours(demo):
    rows = demo.execute(
        "select t.kind, s.colour, s.change from status_change s "
        "join demo_truth t using (school_id) "
        "where s.indicator = 'result_index' and s.as_of = 2025 "
        "and t.kind in ('improving', 'declining')"
    ).df()
    improving = rows[rows["kind"] == "improving"]
    declining = rows[rows["kind"] == "declining"]
    assert improving["colour"].isin(["G", "B"]).mean() >= 0.8
    assert declining["colour"].isin(["R", "O"]).mean() >= 0.8
    assert (improving["change"] >= 3).mean() >= 0.8
    assert (declining["change"] <= 1).mean() >= 0.8


def test_demo_trend_tables_cover_every_school_and_indicator(demo):
    counts = dict(
        demo.execute(
            "select indicator, count(distinct school_id) from trends where as_of = 2025 "
            "group by indicator"
        ).fetchall()
    )
    schools = demo.execute("select count(*) from schools").fetchone()[0]
    assert counts["result_index"] >= 0.95 * schools
    assert set(counts) == set(dy.SCHOOL_INDICATORS)
    # A trend never has more points than years up to its date.
    early = demo.execute("select max(n_points) from trends where as_of = 2021").fetchone()[0]
    assert early == 3
