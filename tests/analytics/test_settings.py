"""Every setting is documented, read by the code, checked, and has its default in one place."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import fields

import pytest

from analytics.settings import (
    NO_UNIT,
    Clusters,
    Group,
    Monitoring,
    Settings,
    SmallNumbers,
    SocialIndex,
    Trends,
    describe,
    setting_fields,
    settings_rows,
    value_at,
)
from radar.store import db

SETTINGS = setting_fields()
SOURCES = [
    p
    for folder in ("analytics", "radar", "pages")
    for p in (db.ROOT / folder).rglob("*.py")
    if p != db.ROOT / "analytics" / "settings.py"
] + [db.ROOT / "app.py"]
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)

# What the settings form and presets wrote before the groups existed (flat keys).
FLAT_PRESET = {
    "bottom_share": 0.15,
    "years_window": 4,
    "years_required": 2,
    "fail_share": 0.25,
    "ege_gap_subjects": ["Русский язык"],
    "isbsh_method": "pca",
    "isbsh_weights": {"share_low_income": 2.0},
    "hide_below": 12,
    "unreliable_below": 40,
    "shnor_rules": ["bottom", "fail"],
    "monitoring_indicators": ["rus_mean_mark"],
    "monitoring_min_improved_share": 0.75,
    "monitoring_fewer_high_risks": False,
    "objectivity_vpr_high": 0.6,
    "objectivity_vpr_exam_gap": 0.9,
    "objectivity_above_term_share": 0.3,
    "objectivity_cohort_drop": 1.2,
    "trend_cuts": {"isbsh": {"status": [10, 20, 30, 40]}},
    "a_key_nobody_knows": 1,
}


def attributes_read() -> set[str]:
    names = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
    return names


@pytest.mark.parametrize("info", SETTINGS, ids=lambda i: i.path)
def test_settings_are_documented(info):
    assert CYRILLIC.search(info.description), "a Russian description"
    assert info.unit == NO_UNIT or info.unit, "a unit, or NO_UNIT said explicitly"
    assert isinstance(info.unit, str) or len(info.unit) == 3
    has_range = info.min_value is not None and info.max_value is not None
    assert has_range or info.choices or info.allowed, "a range, choices or what is allowed"
    if info.choices:
        assert all(CYRILLIC.search(n) for n in info.choices.values())
    assert CYRILLIC.search(info.range_text())


def test_every_setting_is_read_by_the_code():
    read = attributes_read()
    unread = [i.path for i in SETTINGS if i.name not in read]
    assert unread == []


def test_every_group_and_field_is_listed():
    nested = {f.name for f in fields(Settings) if isinstance(getattr(Settings(), f.name), Group)}
    assert {"small_numbers", "monitoring", "objectivity", "clusters", "trends", "isbsh"} <= nested
    assert len({i.path for i in SETTINGS}) == len(SETTINGS)
    rows = list(settings_rows(Settings()))
    assert len(rows) == len(SETTINGS)
    assert all(r["Значение"] and r["Допустимые значения"] for r in rows)


def test_defaults_are_in_one_place():
    assert Settings() == Settings.from_json(Settings().to_json())
    assert Settings().small_numbers == SmallNumbers()
    for info in SETTINGS:
        assert value_at(Settings(), info.path) == info.default


def too_big(info):
    return info.max_value + (1 if isinstance(info.default, int) else 0.5)


@pytest.mark.parametrize(
    "info",
    [i for i in SETTINGS if i.max_value is not None and not isinstance(i.default, dict)],
    ids=lambda i: i.path,
)
def test_a_value_out_of_range_is_refused_in_russian(info):
    with pytest.raises(ValueError, match=re.escape(info.description)) as refused:
        Settings().updated({info.path: too_big(info)})
    assert "недопустимо" in str(refused.value)


@pytest.mark.parametrize(
    "path, value",
    [
        ("fail_rule_combination", "XOR"),
        ("shnor_rules", ("bottom", "nonsense")),
        ("vpr_gap_grade", 11),
        ("isbsh.method", "median"),
        ("clusters.context_features", ("weather",)),
        ("monitoring.fewer_high_risks", "да"),
        ("isbsh.weights", {"share_low_income": 20.0}),
        ("trends.cuts", {"isbsh": {"status": [40, 30, 20, 10]}}),
        ("years_window", 2.5),
    ],
)
def test_a_value_not_allowed_is_refused_naming_the_setting(path, value):
    with pytest.raises(ValueError, match=re.escape(describe(path).description)):
        Settings().updated({path: value})


def test_settings_that_must_agree():
    with pytest.raises(ValueError, match="ненадёжных"):
        SmallNumbers(hide_below=40, unreliable_below=30)
    with pytest.raises(ValueError, match="кластеров"):
        Clusters(k_min=6, k_max=4)
    with pytest.raises(ValueError, match="Процентиль"):
        Clusters(medium_percentile=0.9)
    with pytest.raises(ValueError, match="худшие"):
        Settings(years_window=2, years_required=3)


def test_nested_json_round_trips():
    changed = Settings(
        bottom_share=0.2,
        isbsh=SocialIndex(method="pca", max_missing=2),
        small_numbers=SmallNumbers(hide_below=5, unreliable_below=20),
        monitoring=Monitoring(indicators=("math_share_2",), tolerance=0.05),
        trends=Trends(window=4, warning_share=0.05, cuts={"isbsh": {"change": [-6, -3, 3, 6]}}),
    )
    text = changed.to_json()
    assert json.loads(text)["small_numbers"] == {"hide_below": 5, "unreliable_below": 20}
    assert Settings.from_json(text) == changed
    # The early-warning share is its own setting in nested JSON.
    assert Settings.from_json(text).trends.warning_share == 0.05


def test_flat_json_of_old_presets_is_read():
    settings = Settings.from_json(json.dumps(FLAT_PRESET, ensure_ascii=False))
    assert settings.bottom_share == 0.15 and settings.years_window == 4
    assert settings.ege_gap_subjects == ("Русский язык",)
    assert settings.shnor_rules == ("bottom", "fail")
    assert settings.isbsh == SocialIndex(method="pca", weights={"share_low_income": 2.0})
    assert settings.small_numbers == SmallNumbers(hide_below=12, unreliable_below=40)
    assert settings.monitoring.indicators == ("rus_mean_mark",)
    assert settings.monitoring.min_improved_share == 0.75
    assert not settings.monitoring.fewer_high_risks
    assert settings.objectivity.vpr_high == 0.6 and settings.objectivity.cohort_drop == 1.2
    assert settings.objectivity.above_term_share == 0.3
    assert settings.trends.cuts == {"isbsh": {"status": [10, 20, 30, 40]}}
    # A flat preset's bottom share was also the early-warning share.
    assert settings.trends.warning_share == 0.15
    assert Settings.from_json(settings.to_json()) == settings


def test_values_are_shown_with_their_units():
    rows = {r["Параметр"]: r for r in settings_rows(Settings(remote_km=75.0))}
    assert rows[describe("remote_km").description]["Значение"] == "75 км"
    assert rows[describe("bottom_share").description]["Значение"] == "10 %"
    assert rows[describe("small_numbers.hide_below").description]["Значение"] == "10 участников"
    assert rows[describe("trends.warning_horizon").description]["Значение"] == "2 года"
    hide = rows[describe("small_numbers.hide_below").description]
    assert hide["Допустимые значения"] == "от 1 до 100 участников"
    assert hide["Группа"] == "Малые числа"
