"""A curator's card of one school: what «Мои школы» shows and what its print-out holds,
computed once.

Each indicator carries its colour (name and hue) and what it means in words true to the
quantity (where lower is better, «низкий уровень» of «2» is the good one and «снижение» the
good change); two small charts show the school's years. The page draws the cards
(pages/my_schools.py) and the hand-out prints them one school to an A4 page
(radar.handouts.curator_sheets), so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analytics import fmt
from analytics import trends as tr
from radar.views import charts

# The quantity's own direction: 0 falls a lot … 4 grows a lot.
ARROWS = {0: "⬇⬇", 1: "⬇", 2: "➡", 3: "⬆", 4: "⬆⬆"}
# Indicator key, title, decimals, shown as per cent.
INDICATORS = (
    ("result_index", "Сводный результат", 2, False),
    ("share_fail", "Доля «2»", 1, True),
    ("adjusted", "С учётом контекста", 2, False),
    ("high_risks", "Высоких рисков", 0, False),
)
TRENDS = (
    ("result_index", "Сводный результат по годам", False),
    ("share_fail", "Доля «2» по годам", True),
)
NO_MONITORING = "нет данных мониторинга"


@dataclass(frozen=True)
class Indicator:
    title: str
    value: str
    colour: str | None  # the colour's name («красный»), None where the school has none
    hue: str | None  # its hex code
    meaning: str  # «⬇ очень низкий уровень, снижение»


@dataclass(frozen=True)
class Card:
    school_id: str
    name: str
    caption: str
    indicators: tuple[Indicator, ...]
    trends: tuple[tuple[str, go.Figure], ...]  # (indicator key, small chart)
    stage: str
    flags: str | None


def _known(value) -> bool:
    return isinstance(value, str) and value != ""


def meaning(item: pd.Series, higher_is_better: bool) -> str:
    """«⬇ очень низкий уровень, снижение»: the status and change in the quantity's words."""
    if pd.isna(item["status"]) or pd.isna(item["change"]):
        return ""
    status, change = int(item["status"]), int(item["change"])
    level, moved = tr.level_words(status, change, higher_is_better)
    return f"{ARROWS[tr.direction(change, higher_is_better)]} {level} уровень, {moved}"


def cards(
    schools: pd.DataFrame,
    colours: pd.DataFrame,
    history: pd.DataFrame,
    cuts: dict[str, tr.IndicatorCuts] | None = None,
) -> list[Card]:
    """One card per school of `schools` (sql/pages/my_schools/curator_schools.sql), with its
    `colours` (…/curator_colours.sql) and `history` (…/curator_history.sql)."""
    cuts = cuts or tr.cuts_from(None)
    out = []
    for row in schools.itertuples(index=False):
        mine = colours[colours["school_id"] == row.school_id].set_index("indicator")
        items = []
        for indicator, title, digits, percent in INDICATORS:
            if indicator not in mine.index:
                items.append(Indicator(title, fmt.DASH, None, None, ""))
                continue
            item = mine.loc[indicator]
            value = fmt.pct(item["last_value"]) if percent else fmt.num(item["last_value"], digits)
            higher = cuts[indicator].higher_is_better if indicator in cuts else True
            if _known(item["colour"]):
                name, hue, _ = tr.COLOURS[item["colour"]]
                items.append(Indicator(title, value, name, hue, meaning(item, higher)))
            else:
                items.append(Indicator(title, value, None, None, ""))
        years = history[history["school_id"] == row.school_id]
        trends = []
        for column, title, percent in TRENDS:
            known = years.dropna(subset=[column])
            if len(known) >= 2:
                trends.append(
                    (column, charts.small_trend(known["year"], known[column], title, percent))
                )
        stage = row.stage_status if _known(row.stage_status) else NO_MONITORING
        if _known(row.stage_reason) and row.stage_reason != stage:
            stage += f" — {row.stage_reason}"
        out.append(
            Card(
                school_id=row.school_id,
                name=row.name,
                caption=f"{row.municipality} · {row.programmes}"
                + (f" · кластер «{row.cluster_name}»" if _known(row.cluster_name) else ""),
                indicators=tuple(items),
                trends=tuple(trends),
                stage=stage,
                flags=row.flag_names if row.flags and _known(row.flag_names) else None,
            )
        )
    return out
