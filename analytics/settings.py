"""Every threshold and weight of the methodology in one typed object with their defaults."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Settings:
    """Thresholds of identification, the social index and small numbers.

    Every figure a methodologist may need to change lives here, with a Russian description in
    `DESCRIPTIONS`, so that pages can show and edit them and presets can be stored as JSON.

    Examples
    --------
    >>> Settings().bottom_share
    0.1
    >>> Settings.from_json(Settings(bottom_share=0.15).to_json()).bottom_share
    0.15
    """

    # ШНОР: bottom share of the region on a procedure's mean score in enough of the last years.
    bottom_share: float = 0.10
    years_window: int = 3
    years_required: int = 2
    # Rosobrnadzor's risk indicator: share of «2» (below minimum) per procedure.
    fail_share: float = 0.30
    fail_procedures_same_year: int = 2
    fail_rule_combination: str = "OR"  # "AND" / "OR" of the two forms of the rule
    # Gap from the regional mean: ВПР sum over three subjects, ЕГЭ per subject (points).
    vpr_gap_points: float = 10.0
    ege_gap_points: float = 10.0
    vpr_gap_grade: int = 4
    ege_gap_subjects: tuple[str, ...] = ("Русский язык", "Математика")
    olympiad_share: float = 0.01
    continuation_share: float = 0.40
    # ШНСУ and ИСБШ.
    isbsh_method: str = "equal"  # "equal" / "pca"
    isbsh_weights: dict[str, float] = field(default_factory=dict)  # empty: equal weights
    shnsu_quartile: int = 1
    remote_km: float = 50.0
    small_school_pupils: int = 100
    # Small numbers.
    hide_below: int = 10
    unreliable_below: int = 30
    # Which rules make a school ШНОР, and how many of them must fire.
    shnor_rules: tuple[str, ...] = ("bottom", "fail", "gap")
    shnor_min_rules: int = 2
    # ШНСУ: besides the ИСБШ quartile, a small school far from the centre.
    shnsu_remote_small: bool = True
    # Context-adjusted results: the «значительно» bands need both significance and size
    # (in standard deviations of the schools' results).
    band_magnitude: float = 1.0
    # Resilient schools: PISA's two definitions.
    resilient_definition: str = "adjusted"  # "adjusted" / "quartiles"
    resilient_exams: tuple[str, ...] = ("ОГЭ", "ЕГЭ")
    resilient_nonselective_only: bool = True
    # Partners: how many suggestions per ШНОР.
    partners_per_school: int = 5
    # Monitoring stages: which indicators must improve, how many of them, and the risks.
    monitoring_indicators: tuple[str, ...] = (
        "rus_mean_mark",
        "math_mean_mark",
        "rus_share_2",
        "math_share_2",
    )
    monitoring_min_improved_share: float = 0.5
    monitoring_fewer_high_risks: bool = True
    # ВПР objectivity signs.
    objectivity_vpr_high: float = 0.5
    objectivity_vpr_exam_gap: float = 0.8
    objectivity_above_term_share: float = 0.20
    objectivity_cohort_drop: float = 1.0
    # Status × change cut points per indicator: {indicator: {"status": [4], "change": [4]}};
    # indicators not named keep analytics.trends.DEFAULT_CUTS.
    trend_cuts: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
        return cls(**values)

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


DESCRIPTIONS: dict[str, str] = {
    "bottom_share": "Доля худших школ региона по сводному результату ВПР, ОГЭ или ЕГЭ",
    "years_window": "Сколько последних лет рассматривать",
    "years_required": "В скольких из этих лет школа должна попасть в худшие",
    "fail_share": "Порог доли «2» (ниже минимума) на процедуре",
    "fail_procedures_same_year": "Число процедур одного года с долей «2» выше порога",
    "fail_rule_combination": "Сочетание форм правила о доле «2» (И / ИЛИ)",
    "vpr_gap_points": "Отставание суммы баллов ВПР по трём предметам от региона, баллов",
    "ege_gap_points": "Отставание среднего балла ЕГЭ от региона, баллов",
    "vpr_gap_grade": "Класс ВПР, по которому считают отставание суммы баллов",
    "ege_gap_subjects": "Предметы ЕГЭ, по которым считают отставание",
    "olympiad_share": "Порог доли участников олимпиад за три года",
    "continuation_share": "Порог доли выпускников 9 класса, продолживших обучение в 10 классе",
    "isbsh_method": "Способ расчёта ИСБШ (равные веса / первая главная компонента)",
    "isbsh_weights": "Веса долей социального паспорта в ИСБШ",
    "shnsu_quartile": "Квартиль ИСБШ, с которого школа считается ШНСУ",
    "remote_km": "Удалённость от центра муниципалитета, км",
    "small_school_pupils": "Малокомплектная школа: обучающихся меньше",
    "hide_below": "Скрывать показатели, рассчитанные менее чем по … участникам",
    "unreliable_below": "Отмечать как ненадёжные показатели менее чем по … участникам",
    "shnor_rules": "Правила, по которым школа относится к ШНОР",
    "shnor_min_rules": "Сколько из этих правил должно сработать",
    "shnsu_remote_small": "Считать ШНСУ малокомплектную школу, удалённую от центра",
    "band_magnitude": "Порог «значительного» отклонения от ожидаемого "
    "(в стандартных отклонениях школьных результатов)",
    "resilient_definition": "Определение резильентной школы",
    "resilient_exams": "Процедуры, по которым судят о результатах резильентной школы",
    "resilient_nonselective_only": "Не считать резильентными лицеи, гимназии и СОШ с УИОП "
    "(они отбирают учеников)",
    "partners_per_school": "Сколько школ-партнёров предлагать каждой ШНОР",
    "monitoring_indicators": "Показатели мониторинга, по которым судят о положительной динамике",
    "monitoring_min_improved_share": "Доля показателей, которые должны улучшиться",
    "monitoring_fewer_high_risks": "Требовать уменьшения числа факторов высокого риска",
    "objectivity_vpr_high": "ВПР выше среднего по региону не меньше чем на (ст. откл.)",
    "objectivity_vpr_exam_gap": "ВПР выше ОГЭ и ЕГЭ школы не меньше чем на (ст. откл.)",
    "objectivity_above_term_share": "Доля отметок ВПР выше четвертных",
    "objectivity_cohort_drop": "Падение от 4 к 5 классу не меньше чем на (ст. откл.)",
    "trend_cuts": "Пороги уровня и изменения для цвета «уровень × изменение»",
}

RULE_NAMES: dict[str, str] = {
    "bottom": "В числе худших по сводному результату",
    "fail": "Доля «2» выше порога",
    "gap": "Отставание от региона в баллах",
    "olympiad": "Мало участников олимпиад",
    "continuation": "Мало продолжающих обучение в 10 классе",
    "isbsh": "ИСБШ в нижнем квартиле",
    "remote_small": "Малокомплектная удалённая школа",
}
SHNOR_RULES = ("bottom", "fail", "gap", "olympiad", "continuation")
RESILIENT_DEFINITIONS: dict[str, str] = {
    "adjusted": "ИСБШ в нижнем квартиле и результат значительно выше ожидаемого",
    "quartiles": "ИСБШ в нижнем квартиле и результат в верхнем квартиле региона",
}
