"""ИСБШ: known answers for the index, its quartiles and the handling of missing shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.pipeline import compute_social
from analytics.settings import Settings, SocialIndex
from analytics.social_index import compute_social_index, oriented_z_scores, quartile


def passport(**shares):
    n = len(next(iter(shares.values())))
    return pd.DataFrame({"school_id": [f"S{i}" for i in range(n)], "year": 2025, **shares})


def test_equal_weights_average_the_oriented_z_scores():
    df = passport(share_low_income=[0.1, 0.2, 0.3], share_parents_higher_ed=[0.5, 0.3, 0.1])
    out = compute_social_index(df)
    # Both shares say the same: S0 best off, S2 worst; z = ±1 and 0 for each.
    np.testing.assert_allclose(out["index_raw"], [1.0, 0.0, -1.0], atol=1e-12)
    assert out["isbsh"].iloc[1] == pytest.approx(50.0)
    assert out["isbsh"].iloc[0] > 80 and out["isbsh"].iloc[2] < 20
    assert out["quartile"].tolist() == [3, 2, 1]


def test_orientation_of_each_share():
    df = passport(share_low_income=[0.1, 0.3], share_parents_higher_ed=[0.1, 0.3])
    z = oriented_z_scores(df)
    assert z["share_low_income"].iloc[0] > 0  # fewer low-income families: better off
    assert z["share_parents_higher_ed"].iloc[0] < 0


def test_weights_and_pca():
    df = passport(
        share_low_income=[0.1, 0.2, 0.3, 0.4],
        share_non_native=[0.4, 0.3, 0.2, 0.1],
    )
    only_income = compute_social_index(df, weights={"share_low_income": 1.0})
    assert only_income["quartile"].tolist() == [4, 3, 2, 1]
    pca = compute_social_index(df.assign(share_disabled=[0.01, 0.02, 0.03, 0.05]), "pca")
    assert pca["index_raw"].notna().all()
    with pytest.raises(ValueError, match="весов"):
        compute_social_index(df, weights={"share_registered": 0.0})


def test_the_pipeline_step_uses_the_settings_of_the_index():
    df = passport(
        share_low_income=[0.1, 0.2, 0.3, 0.4],
        share_non_native=[0.1, 0.3, 0.2, np.nan],
        share_disabled=[0.01, 0.02, 0.05, 0.03],
    )
    inputs = {"social_passport": df}
    only_non_native = {"share_non_native": 1.0}
    cases = [
        (SocialIndex(), compute_social_index(df)),
        (SocialIndex(weights=only_non_native), compute_social_index(df, weights=only_non_native)),
        (SocialIndex(method="pca"), compute_social_index(df, "pca")),
        (SocialIndex(max_missing=0), compute_social_index(df, max_missing=0)),
    ]
    for isbsh, expected in cases:
        out = compute_social(inputs, Settings(isbsh=isbsh))
        assert list(out) == ["social_index"]
        pd.testing.assert_frame_equal(out["social_index"], expected)
    # Each setting changes the index, so the step could not pass by ignoring it.
    default = cases[0][1]
    assert not any(default.equals(expected) for _, expected in cases[1:])


def test_a_few_missing_shares_are_imputed_and_counted():
    df = passport(
        share_low_income=[0.1, 0.2, np.nan],
        share_parents_higher_ed=[0.5, 0.3, 0.1],
    )
    out = compute_social_index(df)
    assert out["n_missing"].tolist() == [0, 0, 1]
    assert out["imputed"].tolist() == [False, False, True]
    assert out["isbsh"].notna().all()


def test_a_share_the_region_does_not_collect_is_excluded_not_imputed():
    """Only three of seven shares (as in England's data): the index uses those three."""
    df = passport(
        share_low_income=[0.1, 0.2, 0.3, 0.4],
        share_non_native=[0.0, 0.1, 0.1, 0.5],
        share_disabled=[0.05, 0.1, 0.1, 0.2],
        share_registered=[np.nan] * 4,
        share_single_parent=[np.nan] * 4,
    )
    out = compute_social_index(df)
    assert out["isbsh"].notna().all()
    assert (out["n_missing"] == 0).all() and not out["imputed"].any()
    assert set(out["excluded"].iloc[0].split(", ")) == {"share_registered", "share_single_parent"}
    assert out["quartile"].tolist() == [4, 3, 2, 1]


def test_quartiles_of_small_groups():
    assert quartile(pd.Series([2.0, 1.0])).tolist() == [3, 1]
    assert quartile(pd.Series([np.nan, 1.0, 2.0, 3.0, 4.0])).isna().tolist() == [
        True,
        False,
        False,
        False,
        False,
    ]
