"""Similar schools: each school's comparison group, and partners preferring it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import similar
from radar.store import db


def _region(n: int = 200, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "school_id": [f"S{i:03d}" for i in range(n)],
            "isbsh": rng.uniform(0, 100, n),
            "pupils": rng.integers(20, 1500, n),
            "distance_km": rng.uniform(0, 120, n),
            "settlement_type": rng.choice(["город", "посёлок", "село"], n),
        }
    )


def test_a_group_is_the_nearest_schools_never_the_school_itself():
    region = _region()
    groups = similar.similar_groups(region)
    assert len(groups) == len(region) * similar.GROUP_SIZE
    assert (groups["school_id"] != groups["peer_id"]).all()
    assert groups.groupby("school_id")["peer_id"].nunique().eq(similar.GROUP_SIZE).all()
    # Nearest first, and nobody outside the group is nearer than its farthest member.
    x = similar.likeness_features(region.sort_values("school_id").reset_index(drop=True))
    one = groups[groups["school_id"] == "S017"]
    assert one["distance"].is_monotonic_increasing
    gaps = np.sqrt(((x - x[17]) ** 2).sum(axis=1))
    gaps[17] = np.inf
    outside = np.setdiff1d(np.arange(len(region)), [int(p[1:]) for p in one["peer_id"]] + [17])
    assert gaps[outside].min() >= one["distance"].max() - 1e-12


def test_the_group_shares_the_settlement_type_where_enough_schools_do():
    region = _region(600)
    groups = similar.similar_groups(region)
    kinds = region.set_index("school_id")["settlement_type"]
    same = (groups["school_id"].map(kinds) == groups["peer_id"].map(kinds)).mean()
    assert same > 0.95


def test_known_group_on_a_line_of_the_social_index():
    """Ten village schools alike but for ИСБШ 0, 10, …, 90: the two nearest to ИСБШ 40 are
    those of 30 and 50, then 20 and 60."""
    region = pd.DataFrame(
        {
            "school_id": [f"A{i}" for i in range(10)],
            "isbsh": np.arange(10) * 10.0,
            "pupils": 100,
            "distance_km": None,
            "settlement_type": "село",
        }
    )
    groups = similar.similar_groups(region, ["A4"], size=4)
    assert set(groups["peer_id"].iloc[:2]) == {"A3", "A5"}
    assert set(groups["peer_id"].iloc[2:]) == {"A2", "A6"}


def test_a_region_without_distances_or_settlements_still_gets_groups():
    region = _region(50).assign(distance_km=np.nan, settlement_type=None)
    groups = similar.similar_groups(region, size=30)
    assert groups.groupby("school_id").size().eq(30).all()
    assert similar.similar_groups(region.iloc[:1]).empty


def test_place_in_the_group_counts_lower_share_of_fails_as_better():
    values = pd.DataFrame(
        {"share_fail": [0.05, 0.10, 0.01, 0.20], "result_index": [0.0, 0.5, -0.5, 1.0]},
        index=["me", "a", "b", "c"],
    )
    rows = similar.against_group(values, "me", ["a", "b", "c"]).set_index("indicator")
    assert rows.loc["share_fail", "place"] == 2  # only b has fewer «2»
    assert rows.loc["result_index", "place"] == 3  # a and c are higher
    assert rows.loc["result_index", "ranked"] == 4


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


def test_partners_of_the_group_come_first(demo):
    """A ШНОР's suggested partners: those of its group of similar schools rank before the
    others, and each is said to be one."""
    year = demo.execute("select max(year) from partner_suggestions").fetchone()[0]
    partners = demo.execute(
        "select school_id, rank, partner_id, reason from partner_suggestions where year = $y",
        {"y": year},
    ).df()
    context = demo.execute(db.sql("pages/school_profile/school_similar"), {"year": year}).df()
    groups = similar.similar_groups(context, sorted(partners["school_id"].unique()))
    pairs = set(zip(groups["school_id"], groups["peer_id"], strict=True))
    partners["alike"] = [
        (s, p) in pairs for s, p in zip(partners["school_id"], partners["partner_id"], strict=True)
    ]
    assert partners["alike"].mean() > 0.3
    said = partners["reason"].str.startswith("из группы похожих школ")
    assert (said == partners["alike"]).all()
    for _, rows in partners.sort_values("rank").groupby("school_id"):
        flags = rows["alike"].to_numpy()
        assert (np.diff(flags.astype(int)) <= 0).all(), rows
