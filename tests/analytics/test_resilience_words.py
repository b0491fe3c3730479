"""Why a school is resilient and, when none is, which condition nobody met."""

from __future__ import annotations

import dataclasses

import pandas as pd

from analytics import context as cx
from analytics import resilience
from analytics.settings import Settings


def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "school_id": ["A", "B", "C", "D"],
            "programme_type": ["обычная", "гимназия", "обычная", "обычная"],
            "isbsh": [-1.234, -1.5, 0.8, -0.9],
            "isbsh_quartile": [1, 1, 3, 1],
            "adjusted_result": [0.5, 0.7, 0.9, None],
            "adjusted_se": [0.1, 0.1, 0.1, None],
            "adjusted_band": [cx.BAND_WELL_ABOVE, cx.BAND_WELL_ABOVE, cx.BAND_WELL_ABOVE, None],
            "result_quartile": [4, 4, 4, 2],
        }
    )


def test_the_reason_gives_the_isbsh_and_the_interval():
    reasons = resilience.resilient_reasons(rows().iloc[:1], "adjusted")
    assert reasons.iloc[0] == ("ИСБШ −1,2 — нижний квартиль; результат +0,50 (95 %: +0,30 … +0,70)")
    quartiles = resilience.resilient_reasons(rows().iloc[:1], "quartiles")
    assert quartiles.iloc[0] == "ИСБШ −1,2 — нижний квартиль; результат — верхний квартиль"


def test_the_conditions_count_schools_that_meet_each_one_and_those_before():
    steps = resilience.resilience_conditions(rows(), Settings())
    assert steps == [
        ("ИСБШ в нижнем квартиле региона", 3),
        ("не лицей, не гимназия, не СОШ с УИОП", 2),
        ("есть результат с учётом контекста", 1),
        ("результат значительно выше ожидаемого", 1),
    ]
    none_above = rows().assign(adjusted_band=cx.BAND_AS_EXPECTED)
    first_zero = next(
        n for n, c in resilience.resilience_conditions(none_above, Settings()) if c == 0
    )
    assert first_zero == "результат значительно выше ожидаемого"
    quartiles = dataclasses.replace(
        Settings(), resilient_definition="quartiles", resilient_nonselective_only=False
    )
    assert resilience.resilience_conditions(rows(), quartiles) == [
        ("ИСБШ в нижнем квартиле региона", 3),
        ("результат в верхнем квартиле региона", 2),
    ]
