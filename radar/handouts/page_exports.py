"""Downloads of the analytical pages: what the page shows, as sheets ready to print
(«Контекст и результаты»: the resilient schools with the reasons; «Динамика»: the 5×5 grid
with its schools; «Обзор»: the municipalities). The pages call these with their frames."""

from __future__ import annotations

import pandas as pd

from analytics import fmt, labels, resilience
from analytics import trends as tr
from analytics.settings import RESILIENT_DEFINITIONS, YEARS, Settings
from radar.handouts.excel import Sheet

CONTEXT_COLUMNS = [
    "name",
    "municipality",
    "settlement_type",
    "isbsh",
    "participants",
    "result",
    "residual",
    "lower",
    "upper",
    "shrunk",
    "band",
    "resilient",
]
# The reason first after the school: it is what the list is read for; the figures follow.
RESILIENT_COLUMNS = [
    "name",
    "municipality",
    "reason",
    "isbsh",
    "adjusted_result",
    "result_quartile",
    "settlement_type",
]


# The region's cohort value added per link (sql/pages/context/cohort_summary.sql).
COHORT_SUMMARY_COLUMNS = [
    "link",
    "earlier_year",
    "schools",
    "above",
    "within",
    "below",
    "too_few",
    "cohort_slope",
    "cohort_reliability",
]


def cohort_summary_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per link: schools above, within and below what the region's line predicts, and the
    line's slope (the later year is the page's); the years as text (no thousands space)."""
    shown = rows.assign(earlier_year=rows["earlier_year"].astype(int).astype(str))
    return labels.table(shown, COHORT_SUMMARY_COLUMNS).reset_index(drop=True)


def context_table(points: pd.DataFrame) -> pd.DataFrame:
    """The page's table of schools: Russian headers, the largest deviation first."""
    return (
        points.assign(band=points["band"].str.capitalize())
        .pipe(labels.table, CONTEXT_COLUMNS)
        .sort_values(labels.header("residual"), ascending=False)
    )


def resilient_table(rows: pd.DataFrame, definition: str) -> pd.DataFrame:
    """The resilient schools of `rows` (sql/pages/context/resilience_rows.sql), each with why
    it is one, the largest adjusted result first: the page shows it and the workbook holds it."""
    chosen = rows[rows["resilient"]].sort_values(
        ["adjusted_result", "school_id"], ascending=[False, True]
    )
    chosen = chosen.assign(reason=resilience.resilient_reasons(chosen, definition))
    return labels.table(chosen, RESILIENT_COLUMNS).reset_index(drop=True)


def resilient_about(settings: Settings, judged: tuple[str, ...] | None = None) -> str:
    """What the list of resilient schools is judged by, in one sentence: `judged` are the
    procedures used (resilience.judged_exams), where they differ from the chosen ones."""
    used = judged if judged is not None else tuple(settings.resilient_exams)
    exams = ", ".join(used)
    if judged is not None and tuple(judged) != tuple(settings.resilient_exams):
        exams += f" (результатов {', '.join(settings.resilient_exams)} в регионе нет)"
    years = settings.years_window
    selective = (
        "; лицеи, гимназии и СОШ с УИОП не рассматриваются"
        if settings.resilient_nonselective_only
        else ""
    )
    shrunken = (
        "; результат с учётом контекста — с поправкой на надёжность"
        if settings.band_shrunken and settings.resilient_definition == "adjusted"
        else ""
    )
    return (
        f"{fmt.capital(RESILIENT_DEFINITIONS[settings.resilient_definition])}; результаты "
        f"{exams} за {fmt.integer(years)} {fmt.plural(years, YEARS)}{selective}{shrunken}"
    )


def resilient_sheets(
    rows: pd.DataFrame,
    points: pd.DataFrame,
    settings: Settings,
    about: str,
    judged: tuple[str, ...] | None = None,
    cohorts: pd.DataFrame | None = None,
) -> list[Sheet]:
    """The resilient schools, each with why it is, every school of the page's table and, when
    given, the region's cohort value added per link (cohort_summary_table)."""
    keys = RESILIENT_COLUMNS
    extra = (
        [
            Sheet(
                "Прирост когорт",
                cohort_summary_table(cohorts),
                note="Прирост когорт: школы выше, в пределах и ниже ожидаемого по линии региона",
                **labels.formats(COHORT_SUMMARY_COLUMNS),
            )
        ]
        if cohorts is not None and len(cohorts)
        else []
    )
    return [
        Sheet(
            "Резильентные школы",
            resilient_table(rows, settings.resilient_definition),
            note=f"Резильентные школы: {resilient_about(settings, judged)}. {about}",
            numbered=True,
            **labels.formats(keys),
        ),
        Sheet(
            "Все школы",
            context_table(points),
            note=f"Результаты с учётом контекста: {about}",
            numbered=True,
            **labels.formats(CONTEXT_COLUMNS),
        ),
        *extra,
    ]


GRID_COLUMNS = ["name", "municipality", "status", "change", "colour", "last_value"]
GRID_COLUMNS += ["change_last", "slope"]
GRID_NAMES = {"status": "Уровень"}


def grid_sheets(cells: pd.DataFrame, schools: pd.DataFrame, title: str) -> list[Sheet]:
    """The 5×5 grid (schools per cell: level down, change across) and every school with its
    cell and colour."""
    levels = dict(enumerate(tr.STATUS_LEVELS))
    changes = dict(enumerate(tr.CHANGE_LEVELS))
    counts = (
        cells.assign(
            status=cells["status"].astype(int).map(levels),
            change=cells["change"].astype(int).map(changes),
        )
        .pivot_table(index="status", columns="change", values="schools", aggfunc="sum")
        .reindex(index=list(tr.STATUS_LEVELS), columns=list(tr.CHANGE_LEVELS))
        .fillna(0)
        .astype(int)
        .rename_axis(index="Уровень / изменение", columns=None)
        .reset_index()
    )
    named = schools.assign(
        colour=[
            tr.COLOURS[tr.GRID[int(a)][int(b)]][0]
            for a, b in zip(schools["status"], schools["change"], strict=True)
        ],
        status=schools["status"].astype(int).map(levels),
        change=schools["change"].astype(int).map(changes),
    )
    return [
        Sheet("Сетка 5×5", counts, note=title),
        Sheet(
            "Школы",
            labels.table(named, GRID_COLUMNS, GRID_NAMES),
            note=title,
            numbered=True,
            **labels.formats(GRID_COLUMNS, GRID_NAMES),
        ),
    ]
