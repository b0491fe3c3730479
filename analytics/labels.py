"""Every Russian word the pages and hand-outs show about data, defined once.

Labels of indicators, kinds and statuses; the procedures' names (`procedure_label`); the exams,
the school kinds and the social passport's shares; and `COLUMNS`, the registry of table
columns: for each column key its Russian header and its display format. Pages and exports
rename their frames through `table` / `rename` and take the formats from `formats`, so a header
or a format is changed here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

APP_TITLE = "Школьный радар"
ALL_MUNICIPALITIES = "Все муниципалитеты"
ALL_VISIBLE_MUNICIPALITIES = "Все доступные муниципалитеты"

EXAMS = ("ВПР", "ОГЭ", "ЕГЭ")
# Selective schools (лицеи, гимназии, СОШ с углублённым изучением предметов): their results
# are not compared with ordinary schools' in resilience and in the ВПР objectivity signs.
SELECTIVE = ("лицей", "гимназия", "СОШ с УИОП")
PROGRAMME_TYPES = ("обычная", *SELECTIVE)

PASSPORT_LABELS = {
    "share_parents_higher_ed": "Оба родителя с высшим образованием",
    "share_single_parent": "Неполные семьи",
    "share_low_income": "Малоимущие семьи",
    "share_large_family": "Многодетные семьи",
    "share_registered": "На учёте (ВШУ, ПДН)",
    "share_non_native": "Русский язык не родной",
    "share_disabled": "Обучающиеся с ОВЗ",
    "share_difficult_situation": "В трудной жизненной ситуации",
}

SERIES_LABELS = {"school": "Школа", "municipality": "Муниципалитет", "region": "Регион"}

MEASURES = {
    "mean_score": "Средний балл",
    "mean_mark": "Средняя отметка",
    "share_fail": "Доля «2» (ниже минимума)",
    "share_high": "Доля выше верхнего порога",
}

STATUS_LABELS = {
    "shnor_shnsu": "ШНОР и ШНСУ",
    "shnor": "ШНОР",
    "shnsu": "ШНСУ",
    "other": "Прочие школы",
}

RESULT_INDEX = "Сводный результат (z)"
ISBSH = "ИСБШ (0–100)"

# Context indicators that may be added to the risk levels when clustering (higher is worse).
CONTEXT_FEATURES = {
    "isbsh_risk": "ИСБШ (неблагополучие)",
    "result_risk": "Сводный результат (отставание)",
    "share_fail": "Доля «2»",
}


def procedure_label(
    exam: str | tuple[str, str, int], subject: str | None = None, grade: int | None = None
) -> str:
    """The one name of a procedure, on every page and in every hand-out; takes the exam, the
    subject and the grade, or the three as one tuple (a selectbox's format_func).

    >>> procedure_label("ОГЭ", "Математика", 9)
    'ОГЭ, Математика, 9 кл.'
    >>> procedure_label(("ВПР", "Русский язык", 5))
    'ВПР, Русский язык, 5 кл.'
    """
    if isinstance(exam, tuple):
        exam, subject, grade = exam
    return f"{exam}, {subject}, {int(grade)} кл."


def procedure_labels(frame: pd.DataFrame) -> list[str]:
    """procedure_label of every row of a frame with exam, subject and grade."""
    return [
        procedure_label(e, s, g)
        for e, s, g in zip(frame["exam"], frame["subject"], frame["grade"], strict=True)
    ]


def cohort_link(earlier_exam: str, earlier_grade: int, later_exam: str, later_grade: int) -> str:
    """The name of a cohort link (analytics.cohort): the same class from one procedure to a
    later one.

    >>> cohort_link("ВПР", 4, "ВПР", 5)
    'ВПР: 4 → 5 кл.'
    >>> cohort_link("ОГЭ", 9, "ЕГЭ", 11)
    'ОГЭ 9 кл. → ЕГЭ 11 кл.'
    """
    if earlier_exam == later_exam:
        return f"{earlier_exam}: {int(earlier_grade)} → {int(later_grade)} кл."
    return f"{earlier_exam} {int(earlier_grade)} кл. → {later_exam} {int(later_grade)} кл."


# Display formats of a column.
TEXT = "text"  # shown as it is
COUNT = "count"  # an integer count: 1 234
SHARE = "share"  # a share 0..1 shown in per cent: 12,3 %
SCORE = "score"  # a score or a mean, one decimal: 15,2
INDEX = "index"  # a standardised value or a slope, two decimals: −0,35
P_VALUE = "p"  # a p-value, three decimals
YEAR = "year"  # a year, plain: 2025
FLAG = "flag"  # yes / no

DIGITS = {SCORE: 1, INDEX: 2, P_VALUE: 3, SHARE: 1}


@dataclass(frozen=True)
class Label:
    header: str
    kind: str = TEXT


def _registry(**columns: tuple[str, str] | str) -> dict[str, Label]:
    return {
        key: Label(value) if isinstance(value, str) else Label(*value)
        for key, value in columns.items()
    }


# Column key (as the SQL and the analytics name it) → Russian header and display format.
# A page may give one key another header where the context needs it (`names` below), e.g. the
# «name» of a municipality in the regional overview.
COLUMNS: dict[str, Label] = _registry(
    # schools and municipalities
    school_id="Код школы",
    name="Школа",
    municipality="Муниципалитет",
    kind="Тип",
    settlement_type="Тип поселения",
    programme_type="Вид школы",
    school_level="Уровень школы",
    schools=("Школ", COUNT),
    pupils=("Обучающихся", COUNT),
    small_schools=("Малокомплектных", COUNT),
    distance_km=("До центра, км", SCORE),
    year=("Год", YEAR),
    # ВПР objectivity: the radar's signs against the federal list (ФИС ОКО)
    judged_schools=("Школ оценено обоими", COUNT),
    official_marked=("С маркерами ФИС ОКО", COUNT),
    radar_marked=("С признаками радара", COUNT),
    both_marked=("Отмечены обоими", COUNT),
    only_radar=("Только признаком радара", COUNT),
    only_official=("Только маркером ФИС ОКО", COUNT),
    neither_marked=("Никем не отмечены", COUNT),
    agreement=("Согласие", SHARE),
    kappa=("Каппа Коэна", INDEX),
    sign="Признак",
    # mark boundaries of a procedure (primary scores)
    max_score=("Максимальный балл", COUNT),
    min_3=("Балл на «3» от", COUNT),
    min_4=("Балл на «4» от", COUNT),
    min_5=("Балл на «5» от", COUNT),
    marker="Маркер ФИС ОКО",
    # procedures and results
    procedure="Процедура",
    exam="Процедура",
    subject="Предмет",
    grade=("Класс", COUNT),
    participants=("Участников", COUNT),
    mean_score=("Средний балл", SCORE),
    region_mean=("Средний балл по региону", SCORE),
    municipality_mean=("Средний балл: муниципалитет", SCORE),
    mean_mark=("Средняя отметка", INDEX),
    share_fail=("Доля «2»", SHARE),
    municipality_share_fail=("Доля «2»: муниципалитет", SHARE),
    region_share_fail=("Доля «2»: регион", SHARE),
    share_2=("Доля «2»", SHARE),
    share_3=("Доля «3»", SHARE),
    share_4=("Доля «4»", SHARE),
    share_5=("Доля «5»", SHARE),
    share_81plus=("Доля выше верхнего порога", SHARE),
    share_low=("Доля на нижнем пороге и ниже", SHARE),
    colour="Цвет",
    thresholds="Пороги",
    z_score=("Отклонение от региона (z)", INDEX),
    result_index=("Сводный результат", INDEX),
    vpr_index=("ВПР (z)", INDEX),
    oge_index=("ОГЭ (z)", INDEX),
    ege_index=("ЕГЭ (z)", INDEX),
    # the school against its similar schools
    school_value="Школа",
    group_median="Медиана похожих школ",
    group_middle="Половина похожих школ — в пределах",
    group_place="Место среди похожих (1 — лучшее)",
    isbsh=("ИСБШ", SCORE),
    isbsh_quartile=("Квартиль ИСБШ", COUNT),
    # context
    result=("Результат (z)", INDEX),
    residual=("С учётом контекста", INDEX),
    lower=("Нижняя граница", INDEX),
    upper=("Верхняя граница", INDEX),
    band="Оценка",
    shrunk=("С поправкой на надёжность", INDEX),
    reliability=("Надёжность", SHARE),
    resilient=("Резильентная", FLAG),
    adjusted_result=("Результат с учётом контекста", INDEX),
    adjusted_band="Оценка с учётом контекста",
    result_quartile=("Квартиль результата", COUNT),
    partner_adjusted=("Результат с учётом контекста", INDEX),
    # cohort value added (analytics.cohort)
    link="Когорта",
    earlier_year=("Год начала", YEAR),
    later_year=("Год итога", YEAR),
    subjects=("Предметов", COUNT),
    earlier_participants=("Участников в начале", COUNT),
    later_participants=("Участников в итоге", COUNT),
    earlier_result=("Результат в начале (z)", INDEX),
    later_result=("Результат в итоге (z)", INDEX),
    expected_later=("Ожидаемый итог (z)", INDEX),
    value_added=("Выше или ниже ожидаемого (z)", INDEX),
    reading="Оценка",
    above=("Выше ожидаемого", COUNT),
    within=("В пределах ожидаемого", COUNT),
    below=("Ниже ожидаемого", COUNT),
    too_few=("Мало участников", COUNT),
    cohort_slope=("Наклон линии региона", INDEX),
    cohort_reliability=("Надёжность начального результата", SHARE),
    # lists and programmes
    shnor=("ШНОР", COUNT),
    shnsu=("ШНСУ", COUNT),
    p500=("«500+»", COUNT),
    reasons="Сработавшие правила",
    bottom_years=("Лет в числе худших", COUNT),
    bottom_procedure="Процедура (худшие)",
    fail_procedures=("Процедур с долей «2» выше порога", COUNT),
    fail_repeat_procedure="Доля «2» выше порога два года подряд",
    vpr_gap=("Отставание ВПР, баллов", SCORE),
    ege_gap=("Отставание ЕГЭ, баллов", SCORE),
    olympiad_share=("Доля участников олимпиад", SHARE),
    continuation_share=("Доля продолживших обучение в 10 классе", SHARE),
    official_status="Сравнение с официальным списком",
    change="Изменение",
    rank=("№", COUNT),
    partner="Школа-партнёр",
    reason="Почему",
    programme="Программа",
    curator="Куратор",
    curator_organisation="Организация куратора",
    # trends
    indicator="Показатель",
    last_value=("Значение", INDEX),
    change_last=("К прошлому году", INDEX),
    slope=("Наклон в год", INDEX),
    theil_slope=("Наклон в год", INDEX),
    projected=("Через два года", INDEX),
    threshold=("Порог", INDEX),
    mk_p=("p (Манн — Кендалл)", P_VALUE),
    label="Уровень и изменение",
    # monitoring stages
    entry=("Входной", INDEX),
    intermediate=("Промежуточный", INDEX),
    final=("Итоговый", INDEX),
    change_final=("Улучшение к итоговому", INDEX),
    cluster="Кластер рисков",
    status="Итог",
    # ВПР objectivity
    value=("Значение", INDEX),
    fired="Сработал",
    evidence="Основание",
    # risk clusters
    cluster_id=("Кластер", COUNT),
    cluster_name="Название кластера",
    distance=("Расстояние до центра", INDEX),
    factor_name="Фактор риска",
    measure="Мера",
    description="Содержание",
    level="Уровень",
    source="Источник",
    k=("Число кластеров", COUNT),
    silhouette=("Силуэт", P_VALUE),
    chosen="Выбрано",
    # roadmap
    title="Мероприятие",
    period_start="Начало",
    period_end="Окончание",
    responsible="Ответственный",
    overdue=("Просрочено", FLAG),
    school="Школа",
    # import history
    imported_at="Когда",
    user_name="Кто",
    file_name="Файл",
    file_hash="Контрольная сумма (SHA-256)",
    table_name="Таблица",
    rows_in_file=("Строк", COUNT),
    added=("Новых", COUNT),
    changed=("Изменённых", COUNT),
    unchanged=("Без изменений", COUNT),
    outcome="Итог",
)


def header(key: str, names: Mapping[str, str] | None = None) -> str:
    """The Russian header of a column key (or the one `names` gives it here)."""
    if names and key in names:
        return names[key]
    return COLUMNS[key].header


def headers(keys: Iterable[str], names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Key → header for every key; a key not in the registry is an error."""
    unknown = [k for k in [*keys, *(names or {})] if k not in COLUMNS]
    if unknown:
        raise KeyError(f"columns missing from analytics.labels.COLUMNS: {unknown}")
    return {k: header(k, names) for k in keys}


def rename(frame: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame with every known column key renamed to its Russian header."""
    known = [c for c in frame.columns if c in COLUMNS]
    return frame.rename(columns=headers(known, names))


def table(
    frame: pd.DataFrame, keys: Sequence[str], names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The columns `keys` of a frame, in that order, under their Russian headers."""
    return frame[list(keys)].rename(columns=headers(keys, names))


def formats(keys: Iterable[str], names: Mapping[str, str] | None = None) -> dict:
    """`digits` and `percent` for the headers of these keys, as radar.ui.layout.style_table
    and radar.handouts.excel.Sheet take them (counts, text and years need no argument)."""
    keys = list(keys)
    shown = headers(keys, names)
    kinds = {k: COLUMNS[k].kind for k in keys}
    return {
        "digits": {shown[k]: DIGITS[kind] for k, kind in kinds.items() if kind in DIGITS},
        "percent": tuple(shown[k] for k, kind in kinds.items() if kind == SHARE),
    }
