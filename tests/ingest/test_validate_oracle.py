"""Validation made fast (issue 16) types the frames and finds the problems exactly as before:
the loader of commit 7067caa is kept as an oracle in tests/oracles/v0/loader.py. Generated
regions and a tiny region full of what files get wrong (text numbers, per cent, quoted
formulas, repeated rows and keys, unknown schools, missing values) are validated by both."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from radar.ingest import loader
from radar.ingest.loader import Source
from tests.conftest import tiny_frames
from tests.oracles.v0 import loader as loader_v0


def assert_same(frames: dict[str, pd.DataFrame]) -> None:
    old_typed, old_problems = loader_v0.validate({k: v.copy() for k, v in frames.items()})
    new_typed, new_problems = loader.validate({k: v.copy() for k, v in frames.items()})
    assert list(old_typed) == list(new_typed)
    for name, old in old_typed.items():
        new = new_typed[name]
        pd.testing.assert_frame_equal(old, new, check_exact=True, obj=name)
        assert old.attrs["carried"] == new.attrs["carried"], name
        assert vars(old.attrs["source"]) == vars(new.attrs["source"]), name
    assert [vars(p) for p in old_problems] == [vars(p) for p in new_problems]
    assert [vars(g) for g in old_problems.groups] == [vars(g) for g in new_problems.groups]
    assert old_problems.unlisted == new_problems.unlisted
    assert old_problems.bad_rows == new_problems.bad_rows
    assert old_problems.unskippable == new_problems.unskippable


@pytest.mark.parametrize("schools, seed", [(150, 7), (400, 2025)])
def test_generated_regions_are_typed_as_before(schools, seed):
    from data.generator import generate_region

    assert_same(generate_region(seed=seed, n_schools=schools))


def awkward_frames() -> dict[str, pd.DataFrame]:
    """The tiny region as a careless file would give it."""
    frames = tiny_frames()
    results = frames["exam_results"].astype(object)
    results.loc[0, "mean_score"] = "26,0"
    results.loc[1, "share_2"] = "10%"
    results.loc[2, "participants"] = "1 234"
    results.loc[3, "subject"] = "  Математика "
    results.loc[4, "share_3"] = "много"
    results.loc[5, "year"] = "2024/2025"
    results.loc[5, "school_id"] = "S9"  # no such school
    # An exact repeat of a row, and a row with a repeated key and other values.
    repeated = results.iloc[[0]].copy()
    other = results.iloc[[1]].copy()
    other["mean_score"] = 99.0
    results = pd.concat([results, repeated, other], ignore_index=True)
    results.attrs["source"] = Source("результаты.xlsx", "ОГЭ", first_row=3)
    frames["exam_results"] = results
    schools = frames["schools"].astype(object)
    schools.loc[0, "name"] = "'=HYPERLINK(1)"
    schools.loc[1, "short_name"] = "'обычный текст"
    schools.loc[2, "is_small"] = "да"
    schools.loc[1, "pupils"] = np.nan
    schools.loc[2, "settlement_type"] = "хутор"
    schools.loc[0, "distance_km"] = "-3"
    frames["schools"] = schools
    passport = frames["social_passport"].astype(object)
    passport.loc[0, "share_low_income"] = "5,5 %"
    passport.loc[1, "school_id"] = None
    frames["social_passport"] = passport
    roadmap = frames["roadmap_events"].astype(object)
    roadmap.loc[0, "period_start"] = "01.04.2025"
    frames["roadmap_events"] = roadmap
    return frames


def test_tiny_and_awkward_regions_are_typed_and_refused_as_before():
    assert_same(tiny_frames())
    assert_same(awkward_frames())
