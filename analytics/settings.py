"""Every threshold and weight of the methodology in one typed object, with its defaults.

Each field says in its `field(metadata=...)` what it means in Russian, its unit, the values it
may take (a range or named choices) and, where useful, the step of its widget; a value outside
them is refused when a Settings is built, with a Russian message naming the setting. Pages, the
settings form, the methodology and the hand-outs read the descriptions from here (`describe`,
`setting_fields`, `settings_rows`), so changing a default or a range is one edit.

Thresholds of identification stay at the top level of `Settings`; those of the analyses
computed when the database is refreshed are nested groups (`settings.small_numbers.hide_below`,
`settings.monitoring.min_improved_share`, `settings.clusters.k_min`, …), and each analysis
takes its group.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from typing import Any, ClassVar

from analytics import fmt, labels
from analytics import trends as tr

NO_UNIT = ""  # said explicitly: a choice, yes/no or a list has no unit
PERCENT = "%"  # the value is a share 0..1, shown and edited in per cent
SD = "ст. откл."
YEARS = ("год", "года", "лет")
PARTICIPANTS = ("участник", "участника", "участников")

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
ISBSH_METHODS = {"equal": "равные веса", "pca": "первая главная компонента"}
EXAMS = {exam: exam for exam in labels.EXAMS}
YES_NO = {True: "да", False: "нет"}


def meta(
    description: str,
    unit: str | tuple[str, str, str],
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    choices: Mapping[Any, str] | None = None,
    allowed: str = "",
    step: float | None = None,
    help: str = "",
    section: str = "",
    check: Callable[[Any], None] | None = None,
    show: Callable[[Any], str] | None = None,
) -> dict[str, Any]:
    """The metadata of a setting: its description, unit and allowed values.

    `unit` is a word (shown after the value and in the widget's label: «км», «баллов») or the
    three Russian forms of a counted noun (1 год, 2 года, 5 лет). The allowed values are a
    range (`min_value`, `max_value`, in the stored units: a share is 0..1), named `choices`
    (for a tuple: of each element), or, where the options come from the data, `allowed` — a
    Russian sentence saying what may be chosen (shown instead of the range). A range of a
    dict applies to each of its values. `section` is the heading of a top-level field (the
    nested groups have a title). A table of values may bring its own `check` (raising a
    Russian ValueError) and `show` (the value in Russian).
    """
    return {
        "description": description,
        "unit": unit,
        "min": min_value,
        "max": max_value,
        "choices": dict(choices) if choices is not None else None,
        "allowed": allowed,
        "step": step,
        "help": help,
        "section": section,
        "check": check,
        "show": show,
    }


def setting(default: Any, description: str, unit: str | tuple[str, str, str], **kwargs) -> Any:
    """A dataclass field with an immutable default and its `meta`data (yes/no for a bool)."""
    if isinstance(default, bool):
        kwargs["choices"] = YES_NO
    return field(default=default, metadata=meta(description, unit, **kwargs))


@dataclass(frozen=True)
class SettingInfo:
    """One setting as the form, the methodology and the hand-outs describe it."""

    path: str  # "bottom_share", "small_numbers.hide_below"
    group: str  # Russian heading: a section of the top level or the title of a group
    description: str
    unit: str | tuple[str, str, str]
    min_value: float | None
    max_value: float | None
    choices: dict[Any, str] | None
    allowed: str
    step: float | None
    help: str
    default: Any
    on_refresh: bool  # takes effect when the database is refreshed with these settings
    check_table: Callable[[Any], None] | None = None
    show_table: Callable[[Any], str] | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def unit_label(self) -> str:
        """The unit as a word: «км», «%», «участников» (the form used after 5)."""
        return self.unit[2] if isinstance(self.unit, tuple) else self.unit

    @property
    def is_share(self) -> bool:
        return self.unit == PERCENT

    def number(self, value: float) -> str:
        """A number with its unit in Russian: «10 %», «50 км», «3 года»."""
        if self.is_share:
            return f"{value * 100:g} %".replace(".", ",")
        text = f"{value:g}".replace(".", ",").replace("-", fmt.MINUS)
        if isinstance(self.unit, tuple):
            return f"{text} {fmt.plural(value, self.unit)}" if value == int(value) else text
        return f"{text} {self.unit}" if self.unit else text

    def show(self, value: Any, names: Mapping[str, str] | None = None) -> str:
        """The value as a reader sees it: names of choices (or of the data's own codes in
        `names`, such as the region's monitoring indicators), «да»/«нет», per cent, units."""
        if self.choices is not None and not isinstance(value, tuple | list):
            return self.choices.get(value, str(value))
        if isinstance(value, tuple | list):
            names = {**(names or {}), **(self.choices or {})}
            return ", ".join(names.get(v, str(v)) for v in value) or fmt.DASH
        if isinstance(value, dict) and self.show_table is not None:
            return self.show_table(value)
        return self.number(value)

    def range_text(self) -> str:
        """The allowed values in Russian: «от 1 до 100 участников», «да / нет», …"""
        if self.choices is not None:
            return " / ".join(self.choices.values())
        if self.allowed:
            return self.allowed
        if self.min_value is not None and self.max_value is not None:
            low = self.number(self.min_value).split(" ")[0]
            return f"от {low} до {self.number(self.max_value)}"
        return self.allowed

    def check(self, value: Any) -> None:
        """Raise a Russian ValueError naming the setting when `value` is not allowed."""
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                self._refuse(value)
            return
        if isinstance(self.default, tuple):
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"Настройка «{self.description}»: нужен список значений.")
            wrong = [v for v in value if self.choices is not None and v not in self.choices]
            if wrong:
                self._refuse(", ".join(map(str, wrong)))
            return
        if isinstance(self.default, dict):
            self._check_dict(value)
            return
        if self.choices is not None:
            if value not in self.choices or type(value) is not type(self.default):
                self._refuse(value)
            return
        self._check_number(value)

    def _check_number(self, value: Any) -> None:
        wanted = int if isinstance(self.default, int) else int | float
        if isinstance(value, bool) or not isinstance(value, wanted):
            kind = "целое число" if wanted is int else "число"
            raise ValueError(f"Настройка «{self.description}»: нужно {kind}, а не «{value}».")
        if not self.min_value <= value <= self.max_value:
            self._refuse(self.number(value))

    def _check_dict(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise ValueError(f"Настройка «{self.description}»: нужна таблица значений.")
        if self.check_table is not None:
            try:
                self.check_table(value)
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(f"Настройка «{self.description}»: {exc}") from None
            return
        for item in value.values():
            self._check_number(item)

    def _refuse(self, value: Any) -> None:
        if self.choices is not None:
            allowed = f"одно из значений: {self.range_text()}"
        else:
            allowed = self.range_text()
        raise ValueError(
            f"Настройка «{self.description}»: значение «{value}» недопустимо, допустимо {allowed}."
        )


def _show_weights(weights: dict[str, float]) -> str:
    if not weights:
        return "равные"
    return ", ".join(
        f"{labels.PASSPORT_LABELS.get(k, k)}: {fmt.num(v, 1)}" for k, v in weights.items()
    )


def _check_cuts(cuts: dict) -> None:
    tr.cuts_from(cuts)


def _show_cuts(cuts: dict) -> str:
    """The cut points a preset changes, or «по умолчанию»."""
    if not cuts:
        return "по умолчанию"
    current = tr.cuts_from(cuts)
    return "; ".join(
        f"{current[key].label}: уровень {', '.join(fmt.num(c, 2) for c in current[key].status)}"
        f", изменение {', '.join(fmt.num(c, 2) for c in current[key].change)}"
        for key in cuts
        if key in current
    )


class Group:
    """A nested group of settings: its values are checked when it is built."""

    title: ClassVar[str]
    on_refresh: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for f in fields(self):
            _coerce_tuple(self, f)
            _info(f, f.name, self.title, self.on_refresh).check(getattr(self, f.name))
        self.check_together()

    def check_together(self) -> None:
        """Checks that involve several fields of the group (none by default)."""

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class SocialIndex(Group):
    title: ClassVar[str] = "ИСБШ"

    method: str = setting(
        "equal",
        "Способ расчёта ИСБШ",
        NO_UNIT,
        choices=ISBSH_METHODS,
    )
    # Weight per passport share for method "equal"; empty: equal weights.
    weights: dict[str, float] = field(
        default_factory=dict,
        metadata=meta(
            "Веса долей социального паспорта в ИСБШ",
            NO_UNIT,
            min_value=0.0,
            max_value=10.0,
            step=0.5,
            allowed="вес каждой доли от 0 до 10; пусто — равные веса",
            show=_show_weights,
        ),
    )
    max_missing: int = setting(
        3,
        "Сколько долей паспорта может не хватать, чтобы ИСБШ ещё рассчитывался",
        ("доля", "доли", "долей"),
        min_value=0,
        max_value=7,
        help="Недостающие доли заменяются средним по региону; если их больше — ИСБШ школы "
        "не рассчитывается.",
    )


@dataclass(frozen=True)
class SmallNumbers(Group):
    title: ClassVar[str] = "Малые числа"

    hide_below: int = setting(
        10,
        "Скрывать показатели, рассчитанные менее чем по … участникам",
        PARTICIPANTS,
        min_value=1,
        max_value=100,
    )
    unreliable_below: int = setting(
        30,
        "Отмечать как ненадёжные показатели менее чем по … участникам",
        PARTICIPANTS,
        min_value=1,
        max_value=500,
    )

    def check_together(self) -> None:
        if self.unreliable_below < self.hide_below:
            raise ValueError(
                "Порог ненадёжных показателей не может быть меньше порога скрытых: "
                f"{self.unreliable_below} < {self.hide_below} участников."
            )


@dataclass(frozen=True)
class Clusters(Group):
    title: ClassVar[str] = "Кластеры рисков и расчётные профили"

    k_min: int = setting(
        2,
        "Наименьшее число кластеров",
        ("кластер", "кластера", "кластеров"),
        min_value=2,
        max_value=20,
    )
    k_max: int = setting(
        8,
        "Наибольшее число кластеров (выбирается по силуэту)",
        ("кластер", "кластера", "кластеров"),
        min_value=2,
        max_value=20,
    )
    context_features: tuple[str, ...] = setting(
        (),
        "Показатели контекста, добавляемые к уровням рисков",
        NO_UNIT,
        choices=labels.CONTEXT_FEATURES,
    )
    medium_percentile: float = setting(
        0.5,
        "Расчётный профиль: средний риск от процентиля показателя по региону",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
    )
    high_percentile: float = setting(
        0.8,
        "Расчётный профиль: высокий риск от процентиля показателя по региону",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
    )
    name_threshold: float = setting(
        0.5,
        "Фактор входит в название кластера, если выше среднего по региону не меньше чем на",
        SD,
        min_value=0.0,
        max_value=5.0,
        step=0.1,
    )

    def check_together(self) -> None:
        if self.k_min > self.k_max:
            raise ValueError(
                f"Наименьшее число кластеров ({self.k_min}) больше наибольшего ({self.k_max})."
            )
        if self.medium_percentile > self.high_percentile:
            raise ValueError(
                "Процентиль среднего риска не может быть выше процентиля высокого: "
                f"{fmt.pct(self.medium_percentile, 0)} > {fmt.pct(self.high_percentile, 0)}."
            )


@dataclass(frozen=True)
class Monitoring(Group):
    title: ClassVar[str] = "Мониторинг этапов"

    indicators: tuple[str, ...] = setting(
        ("rus_mean_mark", "math_mean_mark", "rus_share_2", "math_share_2"),
        "Показатели мониторинга, по которым судят о положительной динамике",
        NO_UNIT,
        allowed="показатели мониторинга из загруженных данных",
    )
    min_improved_share: float = setting(
        0.5,
        "Доля показателей, которые должны улучшиться",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
    )
    fewer_high_risks: bool = setting(
        True, "Требовать уменьшения числа факторов высокого риска", NO_UNIT
    )
    tolerance: float = setting(
        0.0,
        "Изменение показателя меньше этого не считается улучшением",
        "ед. показателя",
        min_value=0.0,
        max_value=100.0,
        step=0.01,
    )


@dataclass(frozen=True)
class Objectivity(Group):
    title: ClassVar[str] = "Объективность ВПР"

    vpr_high: float = setting(
        0.5,
        "ВПР выше среднего по региону не меньше чем на",
        SD,
        min_value=0.0,
        max_value=5.0,
        step=0.1,
    )
    vpr_exam_gap: float = setting(
        0.8,
        "ВПР выше ОГЭ и ЕГЭ школы не меньше чем на",
        SD,
        min_value=0.0,
        max_value=5.0,
        step=0.1,
    )
    above_term_share: float = setting(
        0.20,
        "Доля отметок ВПР выше четвертных",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
    )
    cohort_drop: float = setting(
        1.0,
        "Падение от 4 к 5 классу не меньше чем на",
        SD,
        min_value=0.0,
        max_value=5.0,
        step=0.1,
    )
    bunching_z: float = setting(
        3.0,
        "Скопление баллов сразу над границами отметок: z-оценка не меньше",
        "z",
        min_value=1.0,
        max_value=10.0,
        step=0.1,
    )
    shape_z: float = setting(
        3.5,
        "Отличие распределения баллов от школ того же уровня: z-оценка не меньше",
        "z",
        min_value=1.0,
        max_value=10.0,
        step=0.1,
    )
    distribution_min_participants: int = setting(
        20,
        "Распределение баллов оценивается при числе участников не меньше",
        PARTICIPANTS,
        min_value=5,
        max_value=200,
    )


@dataclass(frozen=True)
class Trends(Group):
    title: ClassVar[str] = "Тренды и раннее предупреждение"

    window: int = setting(
        5,
        "Сколько последних лет берётся для наклона тренда",
        YEARS,
        min_value=3,
        max_value=10,
    )
    # {indicator: {"status": [4], "change": [4]}}; indicators not named keep
    # analytics.trends.DEFAULT_CUTS.
    cuts: dict[str, dict[str, list[float]]] = field(
        default_factory=dict,
        metadata=meta(
            "Пороги уровня и изменения для цвета «уровень × изменение»",
            NO_UNIT,
            allowed="четыре порога по возрастанию для уровня и для изменения каждого показателя",
            check=_check_cuts,
            show=_show_cuts,
        ),
    )
    warning_horizon: int = setting(
        2,
        "Раннее предупреждение: на сколько лет вперёд продлевается тренд",
        YEARS,
        min_value=1,
        max_value=5,
    )
    warning_share: float = setting(
        0.10,
        "Раннее предупреждение: доля школ региона с самым низким сводным результатом",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
        help="Граница — квантиль сводного результата по всем процедурам среди всех школ "
        "региона (а не место в каждой процедуре, как в правиле ШНОР о худших школах).",
    )


SHNOR_RESULTS = "ШНОР: результаты"
SHNOR_MORE = "ШНОР: дополнительные признаки и решение"
SHNSU = "ШНСУ"
RESILIENT = "Резильентные школы и партнёры"


@dataclass(frozen=True)
class Settings:
    """Thresholds of identification, and the groups of the analyses of the database.

    Examples
    --------
    >>> Settings().bottom_share
    0.1
    >>> Settings.from_json(Settings(bottom_share=0.15).to_json()).bottom_share
    0.15
    >>> Settings().small_numbers.hide_below
    10
    """

    # ШНОР: bottom share of the region on a procedure's mean score in enough of the last years.
    bottom_share: float = setting(
        0.10,
        "Доля худших школ региона по сводному результату ВПР, ОГЭ или ЕГЭ",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
        help="Школы ранжируются внутри каждой процедуры (ВПР, ОГЭ, ЕГЭ) и года.",
        section=SHNOR_RESULTS,
    )
    years_window: int = setting(
        3,
        "Сколько последних лет рассматривать",
        YEARS,
        min_value=1,
        max_value=7,
        section=SHNOR_RESULTS,
    )
    years_required: int = setting(
        2,
        "В скольких из этих лет школа должна попасть в худшие",
        YEARS,
        min_value=1,
        max_value=7,
        section=SHNOR_RESULTS,
    )
    # Rosobrnadzor's risk indicator: share of «2» (below minimum) per procedure.
    fail_share: float = setting(
        0.30,
        "Порог доли «2» (ниже минимума) на процедуре",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
        section=SHNOR_RESULTS,
    )
    # A change of scale (higher cut scores one year) moves every school's share of «2»: the
    # relative form compares a school with the region's share of the same procedure-year.
    fail_relative: bool = setting(
        False,
        "Доля «2» относительно региона (вместо порога в процентах)",
        NO_UNIT,
        section=SHNOR_RESULTS,
    )
    fail_relative_ratio: float = setting(
        2.5,
        "Во сколько раз доля «2» школы выше доли по региону",
        "раз",
        min_value=1.0,
        max_value=20.0,
        step=0.1,
        section=SHNOR_RESULTS,
    )
    fail_procedures_same_year: int = setting(
        2,
        "Число процедур одного года с долей «2» выше порога",
        ("процедура", "процедуры", "процедур"),
        min_value=1,
        max_value=20,
        section=SHNOR_RESULTS,
    )
    fail_rule_combination: str = setting(
        "OR",
        "Сочетание форм правила о доле «2» (И / ИЛИ)",
        NO_UNIT,
        choices={"OR": "ИЛИ (любая форма)", "AND": "И (обе формы)"},
        section=SHNOR_RESULTS,
    )
    # Gap from the regional mean: ВПР sum over three subjects, ЕГЭ per subject (points).
    vpr_gap_points: float = setting(
        10.0,
        "Отставание суммы баллов ВПР по трём предметам от региона",
        "баллов",
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        section=SHNOR_RESULTS,
    )
    vpr_gap_grade: int = setting(
        4,
        "Класс ВПР, по которому считают отставание суммы баллов",
        NO_UNIT,
        choices={g: f"{g} класс" for g in range(4, 9)},
        section=SHNOR_RESULTS,
    )
    ege_gap_points: float = setting(
        10.0,
        "Отставание среднего балла ЕГЭ от региона",
        "баллов",
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        section=SHNOR_RESULTS,
    )
    ege_gap_subjects: tuple[str, ...] = setting(
        ("Русский язык", "Математика"),
        "Предметы ЕГЭ, по которым считают отставание",
        NO_UNIT,
        allowed="предметы ЕГЭ из загруженных данных",
        help="Учитываются предметы, название которых начинается с выбранного "
        "(«Математика» — и базовая, и профильная).",
        section=SHNOR_RESULTS,
    )
    olympiad_share: float = setting(
        0.01,
        "Порог доли участников олимпиад за три года",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
        section=SHNOR_MORE,
    )
    continuation_share: float = setting(
        0.40,
        "Порог доли выпускников 9 класса, продолживших обучение в 10 классе",
        PERCENT,
        min_value=0.0,
        max_value=1.0,
        section=SHNOR_MORE,
    )
    # Which rules make a school ШНОР, and how many of them must fire.
    shnor_rules: tuple[str, ...] = setting(
        ("bottom", "fail", "gap"),
        "Правила, по которым школа относится к ШНОР",
        NO_UNIT,
        choices={r: RULE_NAMES[r] for r in SHNOR_RULES},
        section=SHNOR_MORE,
    )
    shnor_min_rules: int = setting(
        2,
        "Сколько из этих правил должно сработать",
        ("правило", "правила", "правил"),
        min_value=1,
        max_value=5,
        section=SHNOR_MORE,
    )
    # ШНСУ: the ИСБШ quartile, or a small school far from the centre.
    shnsu_quartile: int = setting(
        1,
        "Квартиль ИСБШ, с которого школа считается ШНСУ",
        NO_UNIT,
        choices={0: "не учитывать", 1: "нижний квартиль", 2: "два нижних квартиля"},
        section=SHNSU,
    )
    remote_km: float = setting(
        50.0,
        "Удалённость от центра муниципалитета",
        "км",
        min_value=0.0,
        max_value=1000.0,
        step=5.0,
        section=SHNSU,
    )
    small_school_pupils: int = setting(
        100,
        "Малокомплектная школа: обучающихся меньше",
        ("обучающийся", "обучающихся", "обучающихся"),
        min_value=0,
        max_value=5000,
        step=10,
        section=SHNSU,
    )
    shnsu_remote_small: bool = setting(
        True, "Считать ШНСУ малокомплектную школу, удалённую от центра", NO_UNIT, section=SHNSU
    )
    # Resilient schools: PISA's two definitions.
    resilient_definition: str = setting(
        "adjusted",
        "Определение резильентной школы",
        NO_UNIT,
        choices=RESILIENT_DEFINITIONS,
        section=RESILIENT,
    )
    resilient_exams: tuple[str, ...] = setting(
        ("ОГЭ", "ЕГЭ"),
        "Процедуры, по которым судят о результатах резильентной школы",
        NO_UNIT,
        choices=EXAMS,
        section=RESILIENT,
    )
    resilient_nonselective_only: bool = setting(
        True,
        "Не считать резильентными лицеи, гимназии и СОШ с УИОП (они отбирают учеников)",
        NO_UNIT,
        section=RESILIENT,
    )
    # Context-adjusted results: the «значительно» bands need both significance and size.
    band_magnitude: float = setting(
        1.0,
        "Порог «значительного» отклонения от ожидаемого (в стандартных отклонениях школьных "
        "результатов)",
        SD,
        min_value=0.0,
        max_value=5.0,
        step=0.1,
        section=RESILIENT,
    )
    # Empirical Bayes: a school's figure drawn toward what is expected by as much as its noise
    # calls for, so that a small school's luck does not put it in a band or a list.
    band_shrunken: bool = setting(
        True,
        "Оценивать отклонение от ожидаемого с поправкой на надёжность (малые школы не попадают "
        "в крайние оценки из-за случайного разброса)",
        NO_UNIT,
        section=RESILIENT,
    )
    partners_per_school: int = setting(
        5,
        "Сколько школ-партнёров предлагать каждой ШНОР",
        ("школа", "школы", "школ"),
        min_value=1,
        max_value=20,
        section=RESILIENT,
    )
    # The groups of the analyses computed when the database is refreshed.
    isbsh: SocialIndex = field(default_factory=SocialIndex)
    small_numbers: SmallNumbers = field(default_factory=SmallNumbers)
    clusters: Clusters = field(default_factory=Clusters)
    monitoring: Monitoring = field(default_factory=Monitoring)
    objectivity: Objectivity = field(default_factory=Objectivity)
    trends: Trends = field(default_factory=Trends)

    def __post_init__(self) -> None:
        for f in fields(self):
            if _is_group(f):
                if not isinstance(getattr(self, f.name), f.default_factory):
                    raise ValueError(f"Группа настроек «{f.default_factory.title}» задана неверно.")
                continue
            _coerce_tuple(self, f)
            _info(f, f.name, f.metadata["section"], False).check(getattr(self, f.name))
        if self.years_required > self.years_window:
            raise ValueError(
                f"В худшие школа должна попасть не больше чем в {self.years_window} "
                f"{fmt.plural(self.years_window, YEARS)} из рассматриваемых, а не в "
                f"{self.years_required}."
            )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Settings from a preset's JSON: nested, or flat as presets were first written."""
        return cls.from_values(_nested(json.loads(text)))

    @classmethod
    def from_values(cls, data: Mapping[str, Any]) -> Settings:
        """Settings from nested plain values (lists for tuples); unknown keys are ignored."""
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            if _is_group(f):
                group = f.default_factory
                known = {g.name for g in fields(group)}
                given = data[f.name]
                values[f.name] = group(**{k: _plain(v) for k, v in given.items() if k in known})
            else:
                values[f.name] = _plain(data[f.name])
        return cls(**values)

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    def updated(self, values: Mapping[str, Any]) -> Settings:
        """A copy with values given by path: {"bottom_share": 0.2, "trends.window": 4}."""
        data = asdict(self)
        for path, value in values.items():
            group, _, name = path.rpartition(".")
            (data[group] if group else data)[name] = value
        return Settings.from_values(data)


# Keys of the flat JSON the first presets were stored in → their place now.
FLAT_KEYS: dict[str, str] = {
    "isbsh_method": "isbsh.method",
    "isbsh_weights": "isbsh.weights",
    "hide_below": "small_numbers.hide_below",
    "unreliable_below": "small_numbers.unreliable_below",
    "monitoring_indicators": "monitoring.indicators",
    "monitoring_min_improved_share": "monitoring.min_improved_share",
    "monitoring_fewer_high_risks": "monitoring.fewer_high_risks",
    "objectivity_vpr_high": "objectivity.vpr_high",
    "objectivity_vpr_exam_gap": "objectivity.vpr_exam_gap",
    "objectivity_above_term_share": "objectivity.above_term_share",
    "objectivity_cohort_drop": "objectivity.cohort_drop",
    "trend_cuts": "trends.cuts",
}


def _nested(data: dict[str, Any]) -> dict[str, Any]:
    """Flat preset keys moved into their groups. In a flat preset `bottom_share` was the
    early-warning share too, so it becomes `trends.warning_share` as well."""
    out = {k: v for k, v in data.items() if k not in FLAT_KEYS}
    for old, new in FLAT_KEYS.items():
        if old in data:
            group, name = new.split(".")
            out.setdefault(group, {})[name] = data[old]
    if "bottom_share" in data and "trends" not in data:
        out.setdefault("trends", {})["warning_share"] = data["bottom_share"]
    return out


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _is_group(f: dataclasses.Field) -> bool:
    return isinstance(f.default_factory, type) and issubclass(f.default_factory, Group)


def _coerce_tuple(obj: object, f: dataclasses.Field) -> None:
    """A list given for a tuple setting (read from JSON, chosen in a widget) becomes a tuple."""
    if isinstance(f.default, tuple) and isinstance(getattr(obj, f.name), list):
        object.__setattr__(obj, f.name, tuple(getattr(obj, f.name)))


def _info(f: dataclasses.Field, path: str, group: str, on_refresh: bool) -> SettingInfo:
    m = f.metadata
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
    return SettingInfo(
        path=path,
        group=group,
        description=m["description"],
        unit=m["unit"],
        min_value=m["min"],
        max_value=m["max"],
        choices=m["choices"],
        allowed=m["allowed"],
        step=m["step"],
        help=m["help"],
        check_table=m["check"],
        show_table=m["show"],
        default=default,
        on_refresh=on_refresh,
    )


@cache
def setting_fields() -> tuple[SettingInfo, ...]:
    """Every setting, the nested ones too, in the order of the dataclasses."""
    out = []
    for f in fields(Settings):
        if _is_group(f):
            group = f.default_factory
            out += [
                _info(g, f"{f.name}.{g.name}", group.title, group.on_refresh) for g in fields(group)
            ]
        else:
            out.append(_info(f, f.name, f.metadata["section"], False))
    return tuple(out)


def describe(path: str) -> SettingInfo:
    """The description of one setting by its path: describe("small_numbers.hide_below")."""
    for info in setting_fields():
        if info.path == path:
            return info
    raise KeyError(path)


def value_at(settings: Settings, path: str) -> Any:
    value: Any = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value


def settings_rows(
    settings: Settings, names: Mapping[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """Every setting with its group, description, value (with the unit) and allowed values,
    in Russian, for the methodology and the hand-outs; `names`: the Russian names of the
    data's codes a setting lists (monitoring indicators)."""
    for info in setting_fields():
        yield {
            "Группа": info.group,
            "Параметр": info.description,
            "Значение": info.show(value_at(settings, info.path), names),
            "Допустимые значения": info.range_text(),
        }
