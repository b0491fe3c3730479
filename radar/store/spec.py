"""What each loadable table holds: columns, Russian headers, types, ranges and keys.

The schema in sql/schema/base.sql enforces the same rules; this description lets the loader find
every problem at once and explain it in Russian (file, sheet, row, column) before writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.labels import EXAMS, PASSPORT_LABELS, PROGRAMME_TYPES


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # str | int | float | share | bool | date
    required: bool = False
    choices: tuple = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # column(s) -> (table, column(s)) that must exist
    references: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


STAGES = ("входной", "промежуточный", "итоговый")
RISK_LEVELS = ("высокий", "средний", "низкий")
PROGRAMMES = ("ШНОР", "ШНСУ", "500+")
YEAR = Column("year", "Год", "int", True, min=2000, max=2100)
SCHOOL = Column("school_id", "Код школы", "str", True)


def _share(name: str, label: str) -> Column:
    return Column(name, label, "share", min=0, max=1)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "municipalities",
            "Муниципалитеты",
            (
                Column("municipality_id", "Код муниципалитета", "str", True),
                Column("name", "Муниципалитет", "str", True),
                Column(
                    "kind",
                    "Тип муниципалитета",
                    "str",
                    False,
                    ("столица", "город", "сельский район", "горный район"),
                ),
                Column("center_lat", "Широта центра", "float", min=-90, max=90),
                Column("center_lon", "Долгота центра", "float", min=-180, max=180),
            ),
            ("municipality_id",),
        ),
        Table(
            "schools",
            "Школы",
            (
                SCHOOL,
                Column("name", "Наименование школы", "str", True),
                Column("short_name", "Краткое наименование", "str"),
                Column("municipality_id", "Код муниципалитета", "str", True),
                # Optional: a region's own files may name only the school.
                Column(
                    "settlement_type", "Тип поселения", "str", False, ("город", "посёлок", "село")
                ),
                Column("school_level", "Уровень школы", "str", False, ("НОШ", "ООШ", "СОШ")),
                Column(
                    "programme_type",
                    "Вид школы",
                    "str",
                    False,
                    PROGRAMME_TYPES,
                ),
                Column("pupils", "Число обучающихся", "int", False, min=0),
                Column("is_small", "Малокомплектная", "bool", False),
                Column("distance_km", "Расстояние до центра, км", "float", min=0),
                Column("lat", "Широта", "float", min=-90, max=90),
                Column("lon", "Долгота", "float", min=-180, max=180),
                # How other files name the school (radar/ingest/identity.py finds it by them).
                Column("fis_login", "Логин ФИС ОКО", "str"),
                Column("ogrn", "ОГРН", "str"),
                Column("inn", "ИНН", "str"),
            ),
            ("school_id",),
            ((("municipality_id",), "municipalities", ("municipality_id",)),),
        ),
        Table(
            "exam_results",
            "Результаты оценочных процедур",
            (
                SCHOOL,
                YEAR,
                Column("exam", "Процедура", "str", True, EXAMS),
                Column("subject", "Предмет", "str", True),
                Column("grade", "Класс", "int", True, min=4, max=11),
                Column("participants", "Участников", "int", True, min=0),
                Column("mean_score", "Средний балл", "float", min=0),
                _share("share_2", "Доля «2»"),
                _share("share_3", "Доля «3»"),
                _share("share_4", "Доля «4»"),
                _share("share_5", "Доля «5»"),
                _share("share_below_min", "Доля ниже минимума"),
                _share("share_81plus", "Доля 81+ баллов"),
                Column("pupil_sd", "Стандартное отклонение баллов учеников", "float", min=0),
            ),
            ("school_id", "year", "exam", "subject", "grade"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "procedure_thresholds",
            "Пороги процедур",
            (
                Column("exam", "Процедура", "str", True, EXAMS),
                Column("subject", "Предмет", "str", True),
                Column("grade", "Класс", "int", True, min=4, max=11),
                Column("low_label", "Нижний порог", "str", True),
                Column("high_label", "Верхний порог", "str", True),
            ),
            ("exam", "subject", "grade"),
        ),
        Table(
            "mark_boundaries",
            "Границы отметок",
            (
                YEAR,
                Column("exam", "Процедура", "str", True, EXAMS),
                Column("subject", "Предмет", "str", True),
                Column("grade", "Класс", "int", True, min=1, max=11),
                Column("max_score", "Максимальный балл", "int", True, min=1),
                Column("min_3", "Балл на «3» от", "int", True, min=1),
                Column("min_4", "Балл на «4» от", "int", True, min=1),
                Column("min_5", "Балл на «5» от", "int", True, min=1),
            ),
            ("year", "exam", "subject", "grade"),
        ),
        Table(
            "score_distributions",
            "Распределение первичных баллов",
            (
                SCHOOL,
                YEAR,
                Column("exam", "Процедура", "str", True, EXAMS),
                Column("subject", "Предмет", "str", True),
                Column("grade", "Класс", "int", True, min=1, max=11),
                Column("score", "Первичный балл", "int", True, min=0),
                Column("share", "Доля участников", "share", True, min=0, max=1),
            ),
            ("school_id", "year", "exam", "subject", "grade", "score"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "official_objectivity_markers",
            "Маркеры необъективности ФИС ОКО",
            (
                SCHOOL,
                YEAR,
                Column("grade", "Класс", "int", True, min=1, max=11),
                Column("subject", "Предмет", "str", True),
                Column("marker", "Маркер необъективности", "bool", True),
            ),
            ("school_id", "year", "grade", "subject"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "term_marks",
            "Отметки ВПР и четвертные отметки",
            (
                SCHOOL,
                YEAR,
                Column("exam", "Процедура", "str", True, EXAMS),
                Column("subject", "Предмет", "str", True),
                Column("grade", "Класс", "int", True, min=1, max=11),
                Column("participants", "Участников", "int", True, min=0),
                _share("share_term_2", "Доля «2» по журналу"),
                _share("share_term_3", "Доля «3» по журналу"),
                _share("share_term_4", "Доля «4» по журналу"),
                _share("share_term_5", "Доля «5» по журналу"),
                _share("share_exam_below_term", "Понизили отметку"),
                _share("share_exam_equal_term", "Подтвердили отметку"),
                _share("share_exam_above_term", "Повысили отметку"),
            ),
            ("school_id", "year", "exam", "subject", "grade"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "social_passport",
            "Социальный паспорт",
            (
                SCHOOL,
                YEAR,
                Column("pupils", "Число обучающихся", "int", True, min=0),
                *(_share(name, label) for name, label in PASSPORT_LABELS.items()),
            ),
            ("school_id", "year"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "staff",
            "Кадры",
            (
                SCHOOL,
                YEAR,
                Column("teachers", "Число педагогов", "int", True, min=0),
                _share("share_highest_category", "С высшей категорией"),
                _share("share_higher_ped_ed", "С высшим педагогическим образованием"),
                _share("share_age_under_35", "Моложе 35 лет"),
                _share("share_age_35_55", "35–55 лет"),
                _share("share_age_55_plus", "55 лет и старше"),
                Column("vacancies", "Вакансии", "int", min=0),
            ),
            ("school_id", "year"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "olympiads_continuation",
            "Олимпиады и продолжение обучения",
            (
                SCHOOL,
                YEAR,
                _share("share_olympiad", "Участники региональных и заключительных этапов"),
                Column("grade9_leavers", "Выпускников 9 класса", "int", min=0),
                _share("share_continue_grade10", "Продолжили обучение в 10 классе"),
            ),
            ("school_id", "year"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "risk_factors",
            "Факторы риска «500+»",
            (
                YEAR,
                Column("factor_code", "Номер фактора", "int", True, min=1),
                Column("factor_name", "Фактор риска", "str", True),
            ),
            ("year", "factor_code"),
        ),
        Table(
            "risk_profiles",
            "Рисковые профили",
            (
                SCHOOL,
                YEAR,
                Column("factor_code", "Номер фактора", "int", True, min=1),
                Column("risk_level", "Уровень риска", "str", True, RISK_LEVELS),
            ),
            ("school_id", "year", "factor_code"),
            (
                (("school_id",), "schools", ("school_id",)),
                (("year", "factor_code"), "risk_factors", ("year", "factor_code")),
            ),
        ),
        Table(
            "curators",
            "Кураторы",
            (
                Column("curator_id", "Код куратора", "str", True),
                Column("full_name", "ФИО куратора", "str", True),
                Column("organisation", "Организация", "str"),
                Column("municipality_id", "Код муниципалитета", "str"),
            ),
            ("curator_id",),
            ((("municipality_id",), "municipalities", ("municipality_id",)),),
        ),
        Table(
            "programme_membership",
            "Участие в программах",
            (
                SCHOOL,
                YEAR,
                Column("programme", "Программа", "str", True, PROGRAMMES),
                Column("curator_id", "Код куратора", "str"),
                Column("partner_school_id", "Код школы-партнёра", "str"),
            ),
            ("school_id", "year", "programme"),
            (
                (("school_id",), "schools", ("school_id",)),
                (("curator_id",), "curators", ("curator_id",)),
                (("partner_school_id",), "schools", ("school_id",)),
            ),
        ),
        Table(
            "monitoring_indicators",
            "Показатели мониторинга",
            (
                Column("indicator", "Код показателя", "str", True),
                Column("name", "Показатель", "str", True),
                Column("unit", "Единица", "str", True),
                Column("higher_is_better", "Больше — лучше", "bool", True),
            ),
            ("indicator",),
        ),
        Table(
            "monitoring_stages",
            "Этапы мониторинга",
            (
                SCHOOL,
                YEAR,
                Column("stage", "Этап", "str", True, STAGES),
                Column("indicator", "Код показателя", "str", True),
                Column("value", "Значение", "float", True),
                Column("stage_date", "Дата этапа", "date"),
            ),
            ("school_id", "year", "stage", "indicator"),
            (
                (("school_id",), "schools", ("school_id",)),
                (("indicator",), "monitoring_indicators", ("indicator",)),
            ),
        ),
        Table(
            "roadmap_events",
            "Мероприятия дорожной карты",
            (
                Column("event_id", "Код мероприятия", "str", True),
                Column("level", "Уровень", "str", True, ("регион", "муниципалитет", "школа")),
                Column("municipality_id", "Код муниципалитета", "str"),
                Column("school_id", "Код школы", "str"),
                YEAR,
                Column("title", "Мероприятие", "str", True),
                Column("period_start", "Начало", "date", True),
                Column("period_end", "Окончание", "date", True),
                Column("responsible", "Ответственный", "str"),
                Column("expected_result", "Ожидаемый результат", "str"),
                Column(
                    "status",
                    "Статус",
                    "str",
                    True,
                    ("запланировано", "выполняется", "выполнено", "не выполнено"),
                ),
                Column("evidence", "Подтверждение", "str"),
            ),
            ("event_id",),
            (
                (("municipality_id",), "municipalities", ("municipality_id",)),
                (("school_id",), "schools", ("school_id",)),
            ),
        ),
        Table(
            "demo_truth",
            "Заложенная структура демо-региона",
            (
                SCHOOL,
                Column(
                    "kind",
                    "Вид",
                    "str",
                    True,
                    (
                        "archetype",
                        "resilient",
                        "inflated_vpr",
                        "bunching",
                        "improving",
                        "declining",
                    ),
                ),
                Column("value", "Значение", "str"),
            ),
            ("school_id", "kind"),
            ((("school_id",), "schools", ("school_id",)),),
        ),
        Table(
            "region_info",
            "Сведения о регионе",
            (
                Column("key", "Ключ", "str", True),
                Column("value", "Значение", "str", True),
            ),
            ("key",),
        ),
    )
}

# Parents before children, so that foreign keys are satisfied while loading.
LOAD_ORDER: tuple[str, ...] = tuple(TABLES)
