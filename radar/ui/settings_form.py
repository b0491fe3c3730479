"""The identification settings as a Streamlit form: every threshold shown and editable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import trends as tr
from analytics.labels import PASSPORT_LABELS
from analytics.settings import (
    DESCRIPTIONS,
    RESILIENT_DEFINITIONS,
    RULE_NAMES,
    SHNOR_RULES,
    Settings,
)
from analytics.social_index import PASSPORT_ORIENTATION

EXAMS = ("ВПР", "ОГЭ", "ЕГЭ")


def _percent(label_key: str, value: float, key: str, column=st) -> float:
    shown = column.number_input(
        DESCRIPTIONS[label_key] + ", %",
        min_value=0.0,
        max_value=100.0,
        value=round(value * 100, 2),
        step=1.0,
        key=key,
    )
    return shown / 100


def settings_form(
    base: Settings,
    prefix: str,
    ege_subjects: list[str],
    monitoring_options: dict[str, str] | None = None,
) -> Settings | None:
    """Draw the form filled from `base`; return the new settings when «Применить» is pressed.

    `prefix` goes into every widget key, so choosing another preset gives fresh widgets
    filled from that preset.
    """

    def k(name: str) -> str:
        return f"{prefix}_{name}"

    with st.form(k("form"), border=False):
        st.markdown("**ШНОР: результаты**")
        c = st.columns(3)
        bottom_share = _percent("bottom_share", base.bottom_share, k("bottom_share"), c[0])
        years_window = c[1].number_input(
            DESCRIPTIONS["years_window"], 1, 7, base.years_window, key=k("years_window")
        )
        years_required = c[2].number_input(
            DESCRIPTIONS["years_required"], 1, 7, base.years_required, key=k("years_required")
        )
        c = st.columns(3)
        fail_share = _percent("fail_share", base.fail_share, k("fail_share"), c[0])
        fail_procedures = c[1].number_input(
            DESCRIPTIONS["fail_procedures_same_year"],
            1,
            20,
            base.fail_procedures_same_year,
            key=k("fail_procedures_same_year"),
        )
        combination = c[2].radio(
            DESCRIPTIONS["fail_rule_combination"],
            ["OR", "AND"],
            index=0 if base.fail_rule_combination.upper() == "OR" else 1,
            format_func={"OR": "ИЛИ (любая форма)", "AND": "И (обе формы)"}.get,
            horizontal=True,
            key=k("fail_rule_combination"),
        )
        c = st.columns(4)
        vpr_gap = c[0].number_input(
            DESCRIPTIONS["vpr_gap_points"],
            0.0,
            100.0,
            float(base.vpr_gap_points),
            1.0,
            key=k("vpr_gap_points"),
        )
        vpr_grade = c[1].selectbox(
            DESCRIPTIONS["vpr_gap_grade"],
            [4, 5, 6, 7, 8],
            index=[4, 5, 6, 7, 8].index(base.vpr_gap_grade)
            if base.vpr_gap_grade in range(4, 9)
            else 0,
            key=k("vpr_gap_grade"),
        )
        ege_gap = c[2].number_input(
            DESCRIPTIONS["ege_gap_points"],
            0.0,
            100.0,
            float(base.ege_gap_points),
            1.0,
            key=k("ege_gap_points"),
        )
        subjects = sorted(set(ege_subjects) | set(base.ege_gap_subjects))
        ege_subjects_chosen = c[3].multiselect(
            DESCRIPTIONS["ege_gap_subjects"],
            subjects,
            placeholder="Выберите…",
            default=list(base.ege_gap_subjects),
            help="Учитываются предметы, название которых начинается с выбранного "
            "(«Математика» — и базовая, и профильная).",
            key=k("ege_gap_subjects"),
        )
        st.markdown("**ШНОР: дополнительные признаки и решение**")
        c = st.columns(2)
        olympiad = _percent("olympiad_share", base.olympiad_share, k("olympiad_share"), c[0])
        continuation = _percent(
            "continuation_share", base.continuation_share, k("continuation_share"), c[1]
        )
        c = st.columns([3, 1])
        rules = c[0].multiselect(
            DESCRIPTIONS["shnor_rules"],
            list(SHNOR_RULES),
            placeholder="Выберите…",
            default=[r for r in base.shnor_rules if r in SHNOR_RULES],
            format_func=RULE_NAMES.get,
            key=k("shnor_rules"),
        )
        min_rules = c[1].number_input(
            DESCRIPTIONS["shnor_min_rules"], 1, 5, base.shnor_min_rules, key=k("shnor_min_rules")
        )
        st.markdown("**ШНСУ**")
        c = st.columns(4)
        quartile = c[0].selectbox(
            DESCRIPTIONS["shnsu_quartile"],
            [0, 1, 2],
            index=[0, 1, 2].index(base.shnsu_quartile) if base.shnsu_quartile in (0, 1, 2) else 1,
            format_func={0: "не учитывать", 1: "нижний квартиль", 2: "два нижних квартиля"}.get,
            key=k("shnsu_quartile"),
        )
        remote_km = c[1].number_input(
            DESCRIPTIONS["remote_km"], 0.0, 1000.0, float(base.remote_km), 5.0, key=k("remote_km")
        )
        small = c[2].number_input(
            DESCRIPTIONS["small_school_pupils"],
            0,
            5000,
            base.small_school_pupils,
            10,
            key=k("small_school_pupils"),
        )
        remote_small = c[3].checkbox(
            DESCRIPTIONS["shnsu_remote_small"], base.shnsu_remote_small, key=k("remote_small")
        )
        st.markdown("**Резильентные школы и партнёры**")
        c = st.columns(3)
        definition = c[0].radio(
            DESCRIPTIONS["resilient_definition"],
            list(RESILIENT_DEFINITIONS),
            index=list(RESILIENT_DEFINITIONS).index(base.resilient_definition)
            if base.resilient_definition in RESILIENT_DEFINITIONS
            else 0,
            format_func=RESILIENT_DEFINITIONS.get,
            key=k("resilient_definition"),
        )
        exams = c[1].multiselect(
            DESCRIPTIONS["resilient_exams"],
            list(EXAMS),
            placeholder="Выберите…",
            default=[e for e in base.resilient_exams if e in EXAMS],
            key=k("resilient_exams"),
        )
        nonselective = c[1].checkbox(
            DESCRIPTIONS["resilient_nonselective_only"],
            base.resilient_nonselective_only,
            key=k("resilient_nonselective_only"),
        )
        magnitude = c[2].number_input(
            DESCRIPTIONS["band_magnitude"],
            0.0,
            5.0,
            float(base.band_magnitude),
            0.1,
            key=k("band_magnitude"),
        )
        partners = c[2].number_input(
            DESCRIPTIONS["partners_per_school"],
            1,
            20,
            base.partners_per_school,
            key=k("partners_per_school"),
        )
        with st.expander("Параметры, которые применяются при пересчёте базы"):
            st.caption(
                "ИСБШ и модель ожидаемых результатов рассчитываются для всей базы. Чтобы "
                "изменить их, сохраните набор настроек как действующий — база будет пересчитана."
            )
            c = st.columns(3)
            method = c[0].radio(
                DESCRIPTIONS["isbsh_method"],
                ["equal", "pca"],
                index=0 if base.isbsh_method == "equal" else 1,
                format_func={"equal": "равные веса", "pca": "первая главная компонента"}.get,
                key=k("isbsh_method"),
            )
            hide = c[1].number_input(
                DESCRIPTIONS["hide_below"], 1, 100, base.hide_below, key=k("hide_below")
            )
            unreliable = c[2].number_input(
                DESCRIPTIONS["unreliable_below"],
                1,
                500,
                base.unreliable_below,
                key=k("unreliable_below"),
            )
            st.markdown(DESCRIPTIONS["isbsh_weights"] + " (при равных весах — все по 1)")
            c = st.columns(4)
            weights = {}
            for i, (column, label) in enumerate(PASSPORT_LABELS.items()):
                if column not in PASSPORT_ORIENTATION:
                    continue
                weights[column] = c[i % 4].number_input(
                    label,
                    0.0,
                    10.0,
                    float(base.isbsh_weights.get(column, 1.0)) if base.isbsh_weights else 1.0,
                    0.5,
                    key=k(f"weight_{column}"),
                )
        with st.expander("Мониторинг этапов, тренды и объективность ВПР (при пересчёте базы)"):
            st.caption(
                "Эти пороги используются в таблицах базы и на страницах «Динамика», "
                "«Мониторинг этапов», «Мои школы». Чтобы они вступили в силу, сохраните набор "
                "как действующий."
            )
            options = monitoring_options or {i: i for i in base.monitoring_indicators}
            c = st.columns([3, 1, 1])
            chosen_monitoring = c[0].multiselect(
                DESCRIPTIONS["monitoring_indicators"],
                list(options),
                placeholder="Выберите…",
                default=[i for i in base.monitoring_indicators if i in options],
                format_func=options.get,
                key=k("monitoring_indicators"),
            )
            improved_share = _percent(
                "monitoring_min_improved_share",
                base.monitoring_min_improved_share,
                k("monitoring_min_improved_share"),
                c[1],
            )
            fewer_risks = c[2].checkbox(
                DESCRIPTIONS["monitoring_fewer_high_risks"],
                base.monitoring_fewer_high_risks,
                key=k("monitoring_fewer_high_risks"),
            )
            c = st.columns(4)
            vpr_high = c[0].number_input(
                DESCRIPTIONS["objectivity_vpr_high"],
                0.0,
                5.0,
                float(base.objectivity_vpr_high),
                0.1,
                key=k("objectivity_vpr_high"),
            )
            vpr_exam_gap = c[1].number_input(
                DESCRIPTIONS["objectivity_vpr_exam_gap"],
                0.0,
                5.0,
                float(base.objectivity_vpr_exam_gap),
                0.1,
                key=k("objectivity_vpr_exam_gap"),
            )
            above_term = _percent(
                "objectivity_above_term_share",
                base.objectivity_above_term_share,
                k("objectivity_above_term_share"),
                c[2],
            )
            cohort_drop = c[3].number_input(
                DESCRIPTIONS["objectivity_cohort_drop"],
                0.0,
                5.0,
                float(base.objectivity_cohort_drop),
                0.1,
                key=k("objectivity_cohort_drop"),
            )
            st.markdown(DESCRIPTIONS["trend_cuts"] + " (четыре порога по возрастанию)")
            current = tr.cuts_from(base.trend_cuts)
            edited = st.data_editor(
                pd.DataFrame(
                    [
                        {
                            "indicator": key,
                            "Показатель": cuts.label,
                            **{f"Уровень {i + 1}": v for i, v in enumerate(cuts.status)},
                            **{f"Изменение {i + 1}": v for i, v in enumerate(cuts.change)},
                        }
                        for key, cuts in current.items()
                    ]
                ),
                column_config={"indicator": None},
                disabled=["Показатель"],
                hide_index=True,
                key=k("trend_cuts"),
            )
        submitted = st.form_submit_button("Применить", type="primary")
    if not submitted:
        return None
    return base.replace(
        bottom_share=float(bottom_share),
        years_window=int(years_window),
        years_required=int(min(years_required, years_window)),
        fail_share=float(fail_share),
        fail_procedures_same_year=int(fail_procedures),
        fail_rule_combination=combination,
        vpr_gap_points=float(vpr_gap),
        vpr_gap_grade=int(vpr_grade),
        ege_gap_points=float(ege_gap),
        ege_gap_subjects=tuple(ege_subjects_chosen),
        olympiad_share=float(olympiad),
        continuation_share=float(continuation),
        shnor_rules=tuple(rules),
        shnor_min_rules=int(min_rules),
        shnsu_quartile=int(quartile),
        remote_km=float(remote_km),
        small_school_pupils=int(small),
        shnsu_remote_small=bool(remote_small),
        resilient_definition=definition,
        resilient_exams=tuple(exams) or ("ОГЭ", "ЕГЭ"),
        resilient_nonselective_only=bool(nonselective),
        band_magnitude=float(magnitude),
        partners_per_school=int(partners),
        monitoring_indicators=tuple(chosen_monitoring) or base.monitoring_indicators,
        monitoring_min_improved_share=float(improved_share),
        monitoring_fewer_high_risks=bool(fewer_risks),
        objectivity_vpr_high=float(vpr_high),
        objectivity_vpr_exam_gap=float(vpr_exam_gap),
        objectivity_above_term_share=float(above_term),
        objectivity_cohort_drop=float(cohort_drop),
        trend_cuts=_changed_cuts(edited),
        isbsh_method=method,
        # Equal weights are stored as «none given», so presets stay readable.
        isbsh_weights={} if len(set(weights.values())) <= 1 else dict(weights),
        hide_below=int(hide),
        unreliable_below=int(unreliable),
    )


def _changed_cuts(edited: pd.DataFrame) -> dict[str, dict[str, list[float]]]:
    """The cut points that differ from analytics.trends.DEFAULT_CUTS (kept short in presets)."""
    out = {}
    for row in edited.to_dict("records"):
        indicator = row["indicator"]
        status = [float(row[f"Уровень {i}"]) for i in range(1, 5)]
        change = [float(row[f"Изменение {i}"]) for i in range(1, 5)]
        if status != sorted(status) or change != sorted(change):
            raise ValueError(f"Пороги для «{row['Показатель']}» должны идти по возрастанию.")
        default = tr.DEFAULT_CUTS[indicator]
        given = {}
        if tuple(status) != default.status:
            given["status"] = status
        if tuple(change) != default.change:
            given["change"] = change
        if given:
            out[indicator] = given
    return out
