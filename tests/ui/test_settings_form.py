"""The settings form generated from the metadata gives back exactly what it was filled with."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.settings import Monitoring, Settings, SocialIndex, Trends, setting_fields
from analytics.social_index import PASSPORT_ORIENTATION

SUBJECTS = ["Русский язык", "Математика (профильная)", "Физика"]
MONITORING = {
    "rus_mean_mark": "Средняя отметка по русскому языку",
    "math_mean_mark": "Средняя отметка по математике",
    "rus_share_2": "Доля «2» по русскому языку",
    "math_share_2": "Доля «2» по математике",
    "high_risks": "Факторы высокого риска",
}


def form_app():
    import streamlit as st

    from analytics.settings import Settings
    from radar.ui.settings_form import settings_form

    base = Settings.from_json(st.session_state["base"])
    try:
        out = settings_form(base, "t", st.session_state["subjects"], st.session_state["options"])
    except ValueError as exc:
        st.session_state["refused"] = str(exc)
    else:
        if out is not None:
            st.session_state["out"] = out.to_json()


def run_form(base: Settings) -> AppTest:
    at = AppTest.from_function(form_app, default_timeout=60)
    at.session_state["base"] = base.to_json()
    at.session_state["subjects"] = SUBJECTS
    at.session_state["options"] = MONITORING
    at.run()
    assert not at.exception
    return at


def apply(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Применить").click().run()
    assert not at.exception
    return at


CHANGED = Settings(
    bottom_share=0.15,
    fail_rule_combination="AND",
    vpr_gap_grade=5,
    ege_gap_subjects=("Физика",),
    shnor_rules=("bottom", "olympiad"),
    shnsu_quartile=2,
    shnsu_remote_small=False,
    resilient_definition="quartiles",
    isbsh=SocialIndex(
        method="pca",
        weights={c: 2.0 if i == 0 else 1.0 for i, c in enumerate(PASSPORT_ORIENTATION)},
    ),
    monitoring=Monitoring(indicators=("math_share_2",), min_improved_share=0.75),
    trends=Trends(window=4, cuts={"isbsh": {"status": [10.0, 20.0, 30.0, 40.0]}}),
)


@pytest.mark.parametrize("base", [Settings(), CHANGED], ids=["defaults", "changed"])
def test_the_form_gives_back_its_base_settings(base):
    at = apply(run_form(base))
    assert Settings.from_json(at.session_state["out"]) == base


def test_every_setting_has_a_widget_with_the_key_pattern():
    at = run_form(Settings())
    keys = {w.key for w in at.main if getattr(w, "key", None)}
    for info in setting_fields():
        key = f"t_{info.path.replace('.', '_')}"
        assert key in keys or any(k.startswith(key + "_") for k in keys), key


def test_edited_widgets_change_the_settings():
    at = run_form(Settings())
    at.number_input(key="t_bottom_share").set_value(20.0)  # shown in per cent
    at.number_input(key="t_small_numbers_hide_below").set_value(5)
    at.number_input(key="t_trends_warning_share").set_value(5.0)
    at.number_input(key="t_years_required").set_value(5)  # more than the window of 3
    at.selectbox(key="t_vpr_gap_grade").set_value(6)
    out = Settings.from_json(apply(at).session_state["out"])
    assert out == Settings().updated(
        {
            "bottom_share": 0.2,
            "small_numbers.hide_below": 5,
            "trends.warning_share": 0.05,
            "years_required": 3,
            "vpr_gap_grade": 6,
        }
    )


def test_settings_that_disagree_are_refused_in_russian():
    at = run_form(Settings())
    at.number_input(key="t_clusters_k_min").set_value(9)
    at = apply(at)
    assert "кластеров" in at.session_state["refused"]
    assert "out" not in at.session_state


def test_numbers_are_written_the_russian_way_in_the_form():
    """Whole numbers and whole per cent need no decimals; a fraction is written with a
    decimal comma («1,0») and taken with it; a word instead of a number is refused in Russian."""
    at = run_form(Settings())
    assert all(float(n.value) == int(n.value) for n in at.number_input)
    decimal = at.text_input(key="t_band_magnitude")
    assert decimal.value == "1,0"
    decimal.set_value("0,7")
    out = Settings.from_json(apply(at).session_state["out"])
    assert out.band_magnitude == pytest.approx(0.7)
    at.text_input(key="t_band_magnitude").set_value("много")
    apply(at)
    assert "введите число" in at.session_state["refused"]
