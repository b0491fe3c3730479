"""The school profile's identification block: the status sentence and the table of rules."""

from __future__ import annotations

import pandas as pd

from analytics import fmt
from analytics.settings import RULE_NAMES, Settings


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def status_line(row: pd.Series) -> str:
    """«По расчёту: ШНОР, ШНСУ; резильентная школа.» in Markdown."""
    lists = [name for name, flag in (("ШНОР", "shnor"), ("ШНСУ", "shnsu")) if bool(row[flag])]
    text = "По расчёту: " + (
        ", ".join(f"**{x}**" for x in lists) if lists else "не входит в ШНОР и ШНСУ"
    )
    if bool(row.get("resilient", False)):
        text += "; **резильентная школа**"
    return text + "."


def rules_table(row: pd.Series, settings: Settings) -> pd.DataFrame:
    """Every rule with the school's value, the threshold and whether it fired."""

    def value(v, kind="num", digits=1):
        if _missing(v):
            return fmt.DASH
        return {"num": fmt.num, "pct": fmt.pct, "signed": fmt.signed}[kind](v, digits)

    fail_value = f"{int(row['fail_procedures'])} процедур"
    if isinstance(row.get("fail_repeat_procedure"), str):
        fail_value += f"; два года подряд: {row['fail_repeat_procedure']}"
    gap_value = f"ВПР {value(row['vpr_gap'], 'signed')}; ЕГЭ {value(row['ege_gap'], 'signed')}"
    bottom_value = f"{int(row['bottom_years'])} из {settings.years_window} лет"
    if isinstance(row.get("bottom_procedure"), str):
        bottom_value += f" ({row['bottom_procedure']})"
    rows = [
        (
            "ШНОР",
            "bottom",
            bottom_value,
            f"≥ {settings.years_required} лет в {fmt.pct(settings.bottom_share, 0)} худших",
        ),
        (
            "ШНОР",
            "fail",
            fail_value,
            f"доля «2» ≥ {fmt.pct(settings.fail_share, 0)} в ≥ "
            f"{settings.fail_procedures_same_year} процедурах "
            f"{'и' if settings.fail_rule_combination.upper() == 'AND' else 'или'} два года подряд",
        ),
        (
            "ШНОР",
            "gap",
            gap_value,
            f"ВПР < −{fmt.num(settings.vpr_gap_points, 0)}; "
            f"ЕГЭ < −{fmt.num(settings.ege_gap_points, 0)} баллов",
        ),
        (
            "ШНОР",
            "olympiad",
            value(row["olympiad_share"], "pct"),
            f"< {fmt.pct(settings.olympiad_share, 0)}",
        ),
        (
            "ШНОР",
            "continuation",
            value(row["continuation_share"], "pct"),
            f"< {fmt.pct(settings.continuation_share, 0)}",
        ),
        (
            "ШНСУ",
            "isbsh",
            f"{value(row['isbsh'])} (квартиль {value(row['isbsh_quartile'], digits=0)})",
            f"квартиль ≤ {settings.shnsu_quartile}",
        ),
        (
            "ШНСУ",
            "remote_small",
            f"{value(row['distance_km'], digits=0)} км; {value(row['pupils'], digits=0)} обуч.",
            f"> {fmt.num(settings.remote_km, 0)} км и < {settings.small_school_pupils} обуч.",
        ),
    ]
    active = set(settings.shnor_rules)
    return pd.DataFrame(
        [
            {
                "Список": lst,
                "Правило": RULE_NAMES[key]
                + ("" if lst == "ШНСУ" or key in active else " (не учитывается)"),
                "Значение школы": shown,
                "Порог": threshold,
                "Сработало": "да" if bool(row[f"{key}_fired"]) else "нет",
            }
            for lst, key, shown, threshold in rows
        ]
    )
