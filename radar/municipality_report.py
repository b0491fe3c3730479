"""The municipality's meeting report: the schools that need attention and why, and the offline
HTML hand-out (key figures, roadmap, the procedures the user picks over the years against the
region, the 5×5 grid, every school's figures).

`query` is a function like `store.query` (sql file name and parameters → frame), so the report
is built the same way on the page and in tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analytics import trends as tr
from radar import charts, fmt, html_report

Query = Callable[..., pd.DataFrame]
Procedure = tuple[str, str, int]

# The procedures a municipal meeting usually looks at first, where the region has them.
USUAL = (("ОГЭ", "Математика", 9), ("ОГЭ", "Русский язык", 9))


def procedure_label(procedure: Procedure) -> str:
    """
    >>> procedure_label(("ОГЭ", "Математика", 9))
    'ОГЭ, Математика, 9 кл.'
    """
    exam, subject, grade = procedure
    return f"{exam}, {subject}, {int(grade)} кл."


def procedures(query: Query) -> list[Procedure]:
    """The region's procedures with results, the most common first within each exam."""
    found = query("dynamics_procedures")
    return [
        (e, s, int(g))
        for e, s, g in zip(found["exam"], found["subject"], found["grade"], strict=True)
    ]


def default_procedures(available: list[Procedure]) -> list[Procedure]:
    """ОГЭ mathematics and Russian where the region has them, otherwise its first two.

    >>> default_procedures([("ВПР", "Математика", 4), ("ОГЭ", "Математика", 9)])
    [('ОГЭ', 'Математика', 9)]
    >>> default_procedures([("ОГЭ", "Attainment 8", 9)])
    [('ОГЭ', 'Attainment 8', 9)]
    """
    usual = [p for p in USUAL if p in available]
    return usual or available[:2]


def attention_reasons(attention: pd.DataFrame) -> pd.DataFrame:
    """The schools that need attention with their reasons in Russian, one line each."""
    reasons = []
    for r in attention.itertuples(index=False):
        falling = isinstance(r.colour, str) and r.colour in ("R", "O")
        hits = (
            ("ШНОР", r.shnor),
            (f"{tr.COLOURS[r.colour][0]}: {r.label}" if falling else "", falling),
            ("нет положительной динамики", r.stage_status == "нет положительной динамики"),
            ("признаки необъективности ВПР", r.signs > 0),
            ("раннее предупреждение", r.early_warning),
        )
        reasons.append("; ".join(why for why, hit in hits if hit))
    return pd.DataFrame({"Школа": attention["name"].tolist(), "Почему": reasons})


def schools_for_people(schools: pd.DataFrame) -> pd.DataFrame:
    """The municipality_schools rows as people read them: shares in per cent, yes or no."""
    out = schools.copy()
    for column in out.columns:
        if column.startswith("Доля"):
            out[column] = out[column].map(fmt.pct)
        elif out[column].dtype == bool:
            out[column] = out[column].map({True: "да", False: "нет"})
    return out


def report_html(
    query: Query,
    municipality: str,
    name: str,
    year: int,
    chosen: list[Procedure],
    min_participants: int,
    as_of,
) -> str:
    """The whole HTML hand-out for one municipality and year."""
    card = query("municipality_card", year=year, municipality=municipality).iloc[0]
    roadmap = query("municipality_roadmap", year=year, municipality=municipality, as_of=as_of)
    done = int((roadmap["status"] == "выполнено").sum())
    overdue = int(roadmap["overdue"].sum())
    figures = [
        ("Школ", fmt.integer(card["schools"])),
        ("ШНОР", fmt.integer(card["shnor"])),
        ("ШНСУ", fmt.integer(card["shnsu"])),
        ("Сводный результат", fmt.num(card["result_index"], 2)),
        ("Доля «2»", fmt.pct(card["share_fail"])),
        ("Положительная динамика", fmt.pct(card["positive_share"])),
        ("Дорожная карта", f"{fmt.integer(done)} из {fmt.integer(len(roadmap))}"),
        ("Просрочено", fmt.integer(overdue)),
    ]
    plots = [("Дорожная карта", charts.roadmap_bars(roadmap["status"].value_counts(), overdue))]
    for procedure in chosen:
        exam, subject, grade = procedure
        history = query(
            "dynamics_region",
            exam=exam,
            subject=subject,
            grade=grade,
            municipality=municipality,
            min_participants=min_participants,
        )
        if len(history):
            plots.append(
                (
                    f"{procedure_label(procedure)}: муниципалитет и регион по годам",
                    charts.region_band(history, True),
                )
            )
    grid = query("status_grid", year=year, indicator="result_index", municipality=municipality)
    plots.append(
        (
            "Школы по уровню и изменению сводного результата",
            charts.status_grid(grid, tr.STATUS_LEVELS, tr.CHANGE_LEVELS, tr.GRID),
        )
    )
    attention = attention_reasons(
        query("municipality_attention", year=year, municipality=municipality)
    )
    schools = schools_for_people(
        query("municipality_schools", year=year, municipality=municipality)
    )
    return html_report.report_html(
        name,
        f"{year} год. Подготовлено «Школьным радаром».",
        figures,
        plots,
        [("Школы, которым нужно внимание", attention), ("Все школы муниципалитета", schools)],
    )
