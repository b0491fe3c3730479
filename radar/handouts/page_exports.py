"""Downloads of the analytical pages: what the page shows, as sheets ready to print
(«Контекст и результаты»: the resilient schools with the reasons; «Динамика»: the 5×5 grid
with its schools; «Обзор»: the municipalities). The pages call these with their frames."""

from __future__ import annotations

import pandas as pd

from analytics import fmt, labels
from analytics import trends as tr
from analytics.settings import RESILIENT_DEFINITIONS
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
    "band",
    "resilient",
]
RESILIENT_COLUMNS = ["name", "municipality", "settlement_type", "isbsh", "result", "residual"]


def context_table(points: pd.DataFrame) -> pd.DataFrame:
    """The page's table of schools: Russian headers, the largest deviation first."""
    return (
        points.assign(band=points["band"].str.capitalize())
        .pipe(labels.table, CONTEXT_COLUMNS)
        .sort_values(labels.header("residual"), ascending=False)
    )


def resilient_sheets(points: pd.DataFrame, definition: str, about: str) -> list[Sheet]:
    """The resilient schools, each with why it is, and every school of the page's table."""
    chosen = points[points["resilient"]].sort_values("residual", ascending=False)
    reasons = [
        f"ИСБШ {fmt.num(r.isbsh, 1)} (квартиль {fmt.integer(r.quartile)} из 4); {r.band}: с "
        f"учётом контекста {fmt.signed(r.residual, 2)} ст. откл. "
        f"(95 %: {fmt.signed(r.lower, 2)} … {fmt.signed(r.upper, 2)})"
        for r in chosen.itertuples(index=False)
    ]
    keys = [*RESILIENT_COLUMNS, "reason"]
    return [
        Sheet(
            "Резильентные школы",
            labels.table(chosen.assign(reason=reasons), keys),
            note=f"Резильентные школы ({RESILIENT_DEFINITIONS[definition]}): {about}",
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
