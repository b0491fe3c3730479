"""Changes of scale: a region-wide jump that moves nearly every school is found; the usual
year-to-year movement is not."""

from __future__ import annotations

import pandas as pd

from analytics import scale


def years(shares, up, pairs=100) -> pd.DataFrame:
    n = len(shares)
    return pd.DataFrame(
        {
            "year": range(2020, 2020 + n),
            "exam": "ВПР",
            "subject": "Математика",
            "grade": 5,
            "share_fail": shares,
            "mean_score": [20.0] * n,
            "schools": pairs,
            "fail_pairs": [None, *[pairs] * (n - 1)],
            "fail_up": [None, *up],
            "fail_down": [None, *[pairs - u for u in up]],
            "mean_pairs": [None, *[pairs] * (n - 1)],
            "mean_up": [None, *[50] * (n - 1)],
            "mean_down": [None, *[50] * (n - 1)],
        }
    )


def test_a_jump_that_moves_nearly_every_school_is_a_change_of_scale():
    found = scale.scale_shifts(years([0.027, 0.030, 0.028, 0.093, 0.090], [55, 45, 93, 48]))
    assert found[["year", "measure"]].values.tolist() == [[2023, "share_fail"]]
    row = found.iloc[0]
    assert row["before"] == 0.028 and row["after"] == 0.093 and row["moved"] == 0.93
    said = scale.warning(found, 2023).replace("\u00a0", " ").replace("\u202f", " ")
    assert said.startswith("Похоже на изменение шкалы") and "2,8 % → 9,3 %" in said
    assert "у 93 % школ выросла" in said
    assert scale.warning(found, 2021) is None  # the rules of 2021 do not read 2023


def test_ordinary_movement_and_a_decline_of_some_schools_are_not():
    # The same jump made by 60 % of schools: a decline somewhere, not a new scale.
    assert scale.scale_shifts(years([0.027, 0.030, 0.028, 0.093], [55, 45, 60])).empty
    # Every school moving a little, as a good year does: below the floor.
    assert scale.scale_shifts(years([0.10, 0.11, 0.12, 0.13], [90, 90, 90])).empty
