"""The school profile's sections: what the page and the school card show, computed once.

Each section reads through `query` (a function like radar.ui.reads.query: an sql file of
sql/pages/school_profile/ and its parameters → frame) and returns the frames and values it
shows, tables already under their Russian headers. The page draws them (pages/school_profile.py);
the card (radar.handouts.reports.school_card) writes the same frames, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import context as cx
from analytics import fmt, labels, risk
from analytics import identification as idn
from analytics import similar as similar_schools
from analytics import trends as tr
from analytics.objectivity import not_available
from analytics.settings import RULE_NAMES, Settings, SmallNumbers
from radar.views import charts

Query = Callable[..., pd.DataFrame]


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def status_line(row: pd.Series, criteria: str | None = None) -> str:
    """«По расчёту (действующие критерии): ШНОР, ШНСУ; резильентная школа.» in Markdown;
    `criteria` names the criteria a user is trying."""
    lists = [name for name, flag in (("ШНОР", "shnor"), ("ШНСУ", "shnsu")) if bool(row[flag])]
    where = f"пробные критерии: {criteria}" if criteria else "действующие критерии"
    text = f"**По расчёту** ({where}): " + (
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
            f"доля «2» {idn.fail_words(settings)} в ≥ "
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


def school_card(query: Query, school_id: str, year: int) -> pd.Series | None:
    """The school's card (name, municipality, kind, ИСБШ, result) for a year, or None."""
    found = query("pages/school_profile/school_card", school_id=school_id, year=year)
    return found.iloc[0] if len(found) else None


def card_caption(card: pd.Series) -> str:
    """«Район · село · обычная · СОШ · код S1», without the attributes the files did not give."""
    parts = [card[k] for k in ("municipality", "settlement_type", "programme_type", "school_level")]
    return " · ".join(str(p) for p in parts if _present(p)) + f" · код {card['school_id']}"


def _present(value) -> bool:
    return not _missing(value)


def card_metrics(card: pd.Series, year: int) -> list[tuple[str, str, str | None]]:
    """The card's five figures: (label, value, help)."""
    pupils = card["passport_pupils"] if _present(card["passport_pupils"]) else card["pupils"]
    quartile = (
        f"Квартиль: {int(card['quartile'])} из 4 (1 — наименее благополучные)."
        if _present(card["quartile"])
        else ""
    )
    return [
        ("Обучающихся", fmt.integer(pupils), None),
        (
            "Малокомплектная",
            ("да" if bool(card["is_small"]) else "нет") if _present(card["is_small"]) else fmt.DASH,
            None,
        ),
        (
            "До центра муниципалитета",
            f"{fmt.num(card['distance_km'])} км" if _present(card["distance_km"]) else fmt.DASH,
            None,
        ),
        (
            f"ИСБШ, {year}",
            fmt.num(card["isbsh"]),
            "Индекс социального благополучия школы, 0–100 (50 — средний уровень региона). "
            + quartile,
        ),
        (
            f"Сводный результат, {year}",
            fmt.num(card["result_index"], 2),
            "Средний по процедурам года результат школы "
            "в стандартных отклонениях от среднего по региону.",
        ),
    ]


def isbsh_place(query: Query, school_id: str, year: int) -> str | None:
    """«ИСБШ 41,2: 120-е место по благополучию из 600 школ региона, квартиль 1 из 4 …»"""
    place = query("pages/school_profile/school_isbsh_place", school_id=school_id, year=year)
    if place.empty:
        return None
    p = place.iloc[0]
    return (
        f"ИСБШ {fmt.num(p['isbsh'])}: {fmt.integer(p['place'])}-е место по благополучию из "
        f"{fmt.integer(p['schools'])} школ региона, квартиль {int(p['quartile'])} из 4 "
        "(1 — наименее благополучные)."
    )


@dataclass(frozen=True)
class Identification:
    """The status sentence, the rules and the suggested partners (None: not computed)."""

    status: str | None
    rules: pd.DataFrame | None
    partners: pd.DataFrame  # under Russian headers
    partner_ids: list[str]


PARTNER_COLUMNS = ("rank", "partner", "municipality", "partner_adjusted", "reason")
PARTNER_HEADERS = {"partner": labels.header("name")}


def identification(
    query: Query, school_id: str, year: int, settings: Settings, criteria: str | None = None
) -> Identification:
    """The school's computed status with every rule, and its partners. `query` reads the
    session's lists (computed with the criteria being tried, named by `criteria`)."""
    status = query("pages/school_profile/school_identification", school_id=school_id, year=year)
    if status.empty:
        return Identification(None, None, pd.DataFrame(), [])
    partners = query("pages/school_profile/school_partners", school_id=school_id, year=year)
    return Identification(
        status_line(status.iloc[0], criteria),
        rules_table(status.iloc[0], settings),
        labels.table(partners, PARTNER_COLUMNS, PARTNER_HEADERS),
        partners["partner_id"].tolist(),
    )


@dataclass(frozen=True)
class RiskProfile:
    year: int
    now: pd.DataFrame  # the year's factors with their short names, for the radar chart
    caption: str
    cluster: str | None  # «Кластер 2: …» in Markdown
    cluster_text: str | None
    high: int
    history: pd.DataFrame | None  # factor × year, when there is more than one year


def risk_profile(query: Query, school_id: str, year: int) -> RiskProfile | None:
    """The risk profile of the year (or the newest one), its cluster and its history."""
    risks = query("pages/school_profile/school_risk_profile", school_id=school_id)
    if risks.empty:
        return None
    years = sorted(risks["year"].unique(), reverse=True)
    chosen = year if year in years else years[0]
    now = risks[risks["year"] == chosen].assign(
        short=lambda d: d["factor_name"].map(risk.short_name)
    )
    derived = bool((now["source"] == risk.SOURCE_DERIVED).all())
    caption = f"{chosen} год. " + (
        "Профиль рассчитан по показателям школы (анкеты «500+» нет): "
        + "; ".join(sorted(set(now["indicator"].dropna())))
        + ". Сравнение — со средним расчётным профилем региона."
        if derived
        else "Профиль по анкете «500+»; сравнение с центром кластера и средним по "
        "участникам «500+» региона."
    )
    cluster = cluster_text = None
    names = now["cluster_name"].dropna()
    if len(names):
        defining = now[now["defining"].fillna(False).astype(bool)]
        cluster = f"**Кластер {int(now['cluster_id'].dropna().iloc[0])}: {names.iloc[0]}**"
        cluster_text = (
            "Кластер выделяют факторы: "
            + ", ".join(
                f"{r.short} (у школы — {r.risk_level})" for r in defining.itertuples(index=False)
            )
            + "."
            if len(defining)
            else "Риски кластера ниже средних по региону."
        )
    elif derived:
        cluster_text = "Школа не участвует в «500+», поэтому не отнесена к кластеру."
    history = risks.assign(short=risks["factor_name"].map(risk.short_name)).pivot_table(
        index="short", columns="year", values="risk_level", aggfunc="first"
    )
    if history.shape[1] > 1:
        history.columns = [str(c) for c in history.columns]
        history = history.rename_axis("Фактор").reset_index()
    else:
        history = None
    return RiskProfile(
        int(chosen),
        now,
        caption,
        cluster,
        cluster_text,
        int((now["risk_level"] == "высокий").sum()),
        history,
    )


TREND_INDICATORS = ("result_index", "adjusted", "share_fail", "isbsh")


@dataclass(frozen=True)
class Trend:
    indicator: str
    label: str
    headline: str  # «**Сводный результат**: зелёный — …»
    figure: go.Figure
    caption: str


def _trend_caption(item: pd.Series, percent: bool) -> str:
    if item["n_points"] < 3:
        return "Меньше трёх лет данных: наклон не считается, цвет — по изменению к прошлому году."
    k = 100 if percent else 1
    return (
        f"Наклон за {int(item['n_points'])} г.: {fmt.signed(item['slope'] * k, 2)} в год "
        f"(95 %: {fmt.signed(item['slope_low'] * k, 2)} … "
        f"{fmt.signed(item['slope_high'] * k, 2)}); "
        f"Тейл — Сен {fmt.signed(item['theil_slope'] * k, 2)}; "
        f"Манн — Кендалл p = {fmt.num(item['mk_p'], 3)}"
    )


@dataclass(frozen=True)
class Trends:
    frame: pd.DataFrame  # the school's trends as of the year, as stored
    items: list[Trend] = field(default_factory=list)

    @property
    def charts(self) -> list[tuple[str, go.Figure]]:
        return [(t.label, t.figure) for t in self.items]


def trends(query: Query, school_id: str, year: int) -> Trends:
    """Each indicator's trend as of the year: colour, chart and slope."""
    frame = query("pages/school_profile/school_trends", school_id=school_id, year=year)
    items = []
    for indicator in [i for i in TREND_INDICATORS if i in set(frame["indicator"])]:
        item = frame.set_index("indicator").loc[indicator]
        label = tr.DEFAULT_CUTS[indicator].label
        percent = indicator == "share_fail"
        headline = f"**{label}**: " + (
            f"{tr.COLOURS[item['colour']][0]} — {item['label']}"
            if isinstance(item["colour"], str)
            else "цвет не определён"
        )
        history = query(
            "pages/school_profile/school_indicator_history",
            school_id=school_id,
            indicator=indicator,
        )
        figure = charts.trend_line(history, item, label, percent)
        items.append(Trend(indicator, label, headline, figure, _trend_caption(item, percent)))
    return Trends(frame, items)


TREND_COLUMNS = ("indicator", "last_value", "change_last", "slope", "label")


# What each trend indicator's figures are, for showing them in one column.
TREND_KINDS = {"share_fail": "share", "high_risks": "count"}


def _by_row(frame: pd.DataFrame, kinds: pd.Series, columns: dict[str, bool]) -> pd.DataFrame:
    """The columns (name → is a change) as text, each row in its own kind (fmt.value_of_kind):
    one column may hold a share in one row and a count in the next."""
    out = frame.copy()
    for column, change in columns.items():
        out[column] = [
            fmt.value_of_kind(v, k, change) for v, k in zip(frame[column], kinds, strict=True)
        ]
    return out


def trends_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The trends as a table (the card's «Динамика»), each indicator by its Russian name and
    its figures in its own units (a share in per cent, a count whole)."""
    kinds = frame["indicator"].map(lambda i: TREND_KINDS.get(i, "index"))
    named = _by_row(frame, kinds, {"last_value": False, "change_last": True, "slope": True}).assign(
        indicator=frame["indicator"].map(
            lambda i: tr.DEFAULT_CUTS[i].label if i in tr.DEFAULT_CUTS else i
        )
    )
    return labels.table(named, TREND_COLUMNS)


STAGE_COLUMNS = ("name", "entry", "intermediate", "final", "change_final")
STAGE_HEADERS = {"name": labels.header("indicator")}


# Units of monitoring indicators (monitoring_indicators.unit) → how their figures read.
UNIT_KINDS = {"доля": "share", "шт.": "count"}


def stages_table(stages: pd.DataFrame) -> pd.DataFrame:
    """The stages of each indicator, its figures in its own units (a share in per cent)."""
    kinds = stages["unit"].map(lambda u: UNIT_KINDS.get(u, "mark"))
    shown = _by_row(
        stages, kinds, {"entry": False, "intermediate": False, "final": False, "change_final": True}
    )
    return labels.table(shown, STAGE_COLUMNS, STAGE_HEADERS)


@dataclass(frozen=True)
class Stages:
    verdict: str  # «**нет положительной динамики** — …»
    table: pd.DataFrame


def stages(query: Query, school_id: str, year: int) -> Stages | None:
    """Monitoring stages of the year and the verdict on the school's dynamics."""
    found = query("pages/school_profile/school_stages", school_id=school_id, year=year)
    if found.empty:
        return None
    verdict = f"**{found['status'].iloc[0]}** — {found['reason'].iloc[0]}"
    return Stages(verdict, stages_table(found))


OBJECTIVITY_COLUMNS = ("name", "value", "threshold", "fired", "evidence")
OBJECTIVITY_HEADERS = {"name": "Признак"}


NO_DATA = "нет данных"
# Signs whose figure is a share of participants; the others are in standard deviations.
SHARE_SIGNS = ("vpr_above_term",)


def objectivity_table(signs: pd.DataFrame) -> pd.DataFrame:
    """The signs computed, then a row «нет данных» for each sign the data do not allow (results
    per task; primary scores and mark boundaries), with what it needs."""
    kinds = signs["flag"].map(lambda f: "share" if f in SHARE_SIGNS else "index")
    shown = _by_row(signs, kinds, {"value": False, "threshold": False})
    shown = shown.assign(fired=signs["fired"].map({True: "да", False: "нет"}))
    missing = pd.DataFrame(
        [
            {
                "name": name,
                "value": fmt.DASH,
                "threshold": fmt.DASH,
                "fired": NO_DATA,
                "evidence": why,
            }
            for name, why in not_available(signs).items()
        ],
        columns=list(OBJECTIVITY_COLUMNS),
    )
    rows = pd.concat([shown[list(OBJECTIVITY_COLUMNS)], missing], ignore_index=True)
    return labels.table(rows, OBJECTIVITY_COLUMNS, OBJECTIVITY_HEADERS)


@dataclass(frozen=True)
class Objectivity:
    warning: str | None  # None: no sign fired
    table: pd.DataFrame
    # The federal list's markers (ФИС ОКО), when loaded: a sentence and the table.
    official: str | None = None
    official_table: pd.DataFrame | None = None


def official_markers(markers: pd.DataFrame, radar_fired: bool | None) -> str:
    """The federal list's verdict on a school in a year, and whether the radar agrees."""
    marked = markers[markers["marker"].astype(bool)]
    if len(marked):
        named = ", ".join(f"{int(r.grade)} кл., {r.subject}" for r in marked.itertuples())
        text = f"В федеральном перечне ФИС ОКО у школы маркеры необъективности: {named}."
    else:
        text = (
            f"В федеральном перечне ФИС ОКО маркеров нет (проверено классов и предметов: "
            f"{len(markers)})."
        )
    if radar_fired is None:
        return text
    agree = radar_fired == bool(len(marked))
    return text + (
        " Признаки радара с ним согласны."
        if agree
        else " Признаки радара с ним расходятся: стоит посмотреть внимательнее."
    )


def objectivity(query: Query, school_id: str, year: int) -> Objectivity | None:
    """The ВПР objectivity signs of the year, the fired ones summed up in a warning, and the
    federal list's markers beside them when they are loaded."""
    signs = query("pages/school_profile/school_objectivity", school_id=school_id, year=year)
    markers = query("pages/school_profile/school_official_markers", school_id=school_id, year=year)
    if signs.empty and markers.empty:
        return None
    fired = signs[signs["fired"].astype(bool)] if len(signs) else signs
    warning = (
        "Есть признаки, которые стоит проверить (это не вывод о необъективности): "
        + "; ".join(f"{r.name} — {r.evidence}" for r in fired.itertuples(index=False))
        if len(fired)
        else None
    )
    official = official_table = None
    if len(markers):
        official = official_markers(markers, bool(len(fired)) if len(signs) else None)
        official_table = labels.table(
            markers.assign(
                grade=markers["grade"].astype(int),
                marker=markers["marker"].map({True: "да", False: "нет"}),
            ),
            ("grade", "subject", "marker"),
        )
    return Objectivity(warning, objectivity_table(signs), official, official_table)


@dataclass(frozen=True)
class Adjusted:
    overall: list[tuple[str, str, str, str]]  # (scope, value, help, band)
    figure: go.Figure


def adjusted(
    query: Query, school_id: str, year: int, settings: Settings | None = None
) -> Adjusted | None:
    """Results against the expected for the school's context; None without reliable ones.

    The bands are judged with the session's settings (the threshold of «значительно» and
    whether the estimate is shrunken), not the ones the tables were refreshed with."""
    settings = settings or Settings()
    magnitude, shrunken = settings.band_magnitude, settings.band_shrunken
    rows = query("pages/school_profile/school_adjusted_procedures", school_id=school_id, year=year)
    rows = rows.assign(shrunk_se=np.sqrt(rows["reliability"]) * rows["se"])
    counted = rows["participants"] >= settings.small_numbers.hide_below
    rows.loc[counted, "band"] = cx.judged_band(rows[counted], magnitude, shrunken)
    reliable = rows[rows["band"].isin(list(charts.BAND_STYLE))]
    if reliable.empty:
        return None
    overall_rows = query(
        "pages/school_profile/school_adjusted_overall", school_id=school_id, year=year
    )
    overall_rows["band"] = cx.judged_band(overall_rows, magnitude, shrunken)
    estimate, se = cx.judged(overall_rows, shrunken)
    overall = []
    for r, value, error in zip(overall_rows.itertuples(index=False), estimate, se, strict=True):
        interval = (
            f"95 %-интервал {fmt.signed(value - cx.Z95 * error, 2)} … "
            f"{fmt.signed(value + cx.Z95 * error, 2)}"
        )
        raw = (
            f"с поправкой на надёжность; без поправки {fmt.signed(r.residual, 2)}; "
            if shrunken and pd.notna(r.shrunk)
            else ""
        )
        overall.append(
            (
                r.scope[0].upper() + r.scope[1:],
                fmt.signed(value, 2),
                f"{r.band}; {raw}{interval}; участников {fmt.integer(r.participants)}.",
                r.band or "",
            )
        )
    figure = charts.adjusted_intervals(reliable, labels.procedure_labels(reliable))
    return Adjusted(overall, figure)


ADJUSTED_NOTE = (
    "Точка — насколько результат школы выше или ниже ожидаемого для школ с таким же ИСБШ, "
    "типом поселения и размером (в стандартных отклонениях); отрезок — 95 %-интервал; "
    "чёрная черта — та же оценка с поправкой на надёжность: чем меньше участников, тем "
    "сильнее она притянута к ожидаемому (надёжность — в подсказке). "
    "Процедуры с малым числом участников не показаны."
)


@dataclass(frozen=True)
class Similar:
    """The school against its group of similar schools (analytics.similar)."""

    about: str
    comparison: pd.DataFrame  # under Russian headers
    figure: go.Figure | None
    peers: pd.DataFrame  # under Russian headers, nearest first
    peer_ids: list[str]


SIMILAR_COLUMNS = (
    "name",
    "municipality",
    "settlement_type",
    "isbsh",
    "pupils",
    "distance_km",
    "result_index",
    "adjusted_result",
)


def _group_range(values: pd.Series, digits: int, unit: str = "") -> str:
    low, high = values.min(), values.max()
    if pd.isna(low):
        return ""
    return f"{fmt.num(low, digits)}–{fmt.num(high, digits)}{unit}"


def similar(query: Query, school_id: str, year: int, settings: Settings) -> Similar | None:
    """The school's group of its most similar schools of the region in the year and how it
    compares with them; None when the school has no context that year."""
    schools = query("pages/school_profile/school_similar", year=year)
    if school_id not in set(schools["school_id"]):
        return None
    estimate, _ = cx.judged(schools, settings.band_shrunken)
    schools = schools.assign(adjusted_result=estimate)
    group = similar_schools.similar_groups(schools, [school_id])
    if group.empty:
        return None
    indexed = schools.set_index("school_id")
    peer_ids = group["peer_id"].tolist()
    peers = indexed.loc[peer_ids]
    kinds = peers["settlement_type"].dropna()
    same = (kinds == indexed.at[school_id, "settlement_type"]).sum()
    ranges = [
        f"ИСБШ {_group_range(peers['isbsh'], 0)}",
        f"{fmt.integer(same)} из {fmt.integer(len(peers))} — того же типа поселения"
        if len(kinds)
        else "",
        f"обучающихся {_group_range(peers['pupils'], 0)}",
        f"до центра муниципалитета {_group_range(peers['distance_km'], 0, ' км')}"
        if peers["distance_km"].notna().any()
        else "",
    ]
    about = (
        f"{fmt.integer(len(peers))} {fmt.plural(len(peers), ('школа', 'школы', 'школ'))} "
        "региона, самых похожих на эту по ИСБШ, типу поселения, численности обучающихся и "
        "удалённости от центра муниципалитета: "
        + "; ".join(r for r in ranges if r)
        + ". С ними школу честнее сравнивать, чем со всем регионом."
    )
    compared = similar_schools.against_group(indexed, school_id, peer_ids)
    comparison = labels.table(
        pd.DataFrame([_compared_row(r) for r in compared.itertuples(index=False)]),
        ["indicator", "school_value", "group_median", "group_middle", "group_place"],
    )
    zscores = [k for k in compared["indicator"] if k != "share_fail"]
    figure = (
        charts.against_group(indexed, school_id, peer_ids, {k: labels.header(k) for k in zscores})
        if zscores
        else None
    )
    shown = labels.table(peers.reset_index(), SIMILAR_COLUMNS)
    return Similar(about, comparison, figure, shown, peer_ids)


def _compared_row(r) -> dict[str, str]:
    """One indicator of analytics.similar.against_group in words."""

    def shown(value: float) -> str:
        return fmt.pct(value, 1) if r.indicator == "share_fail" else fmt.signed(value, 2)

    return {
        "indicator": labels.header(r.indicator),
        "school_value": shown(r.value),
        "group_median": shown(r.median),
        "group_middle": f"{shown(r.q1)} … {shown(r.q3)}",
        "group_place": f"{r.place} из {r.ranked}",
    }


COHORT_COLUMNS = (
    "link",
    "earlier_year",
    "later_year",
    "subjects",
    "earlier_participants",
    "later_participants",
    "earlier_result",
    "later_result",
    "expected_later",
    "value_added",
    "lower",
    "upper",
    "reading",
)
NO_COHORTS = (
    "Прирост когорты оценить нельзя: нужны результаты одного класса в два года подряд "
    "(ВПР одного предмета в соседних классах) или ОГЭ и ЕГЭ через два года, а у школы "
    "таких пар нет."
)
COHORT_NOTE = (
    "Точка — насколько итоговый результат класса выше (+) или ниже (−) ожидаемого у школ "
    "региона, начинавших с того же результата год (ОГЭ → ЕГЭ — два года) назад, в "
    "стандартных отклонениях; отрезок — 95 %-интервал с учётом случайности обоих результатов. "
    "▲ — выше ожидаемого, ○ — в пределах ожидаемого, ▼ — ниже ожидаемого. Предметы одной "
    "когорты сведены в одну оценку."
)


@dataclass(frozen=True)
class Cohorts:
    """The school's cohort value added: the table, the chart (None when no figure is
    reliable) and one line saying what is shown or why nothing is."""

    table: pd.DataFrame | None  # under Russian headers
    figure: go.Figure | None
    line: str


def cohort_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The cohort figures under their Russian headers, «мало участников» where hidden; the
    years as text (a number would be shown with a thousands space)."""
    shown = rows.assign(
        reading=rows["band"].fillna(fmt.DASH),
        earlier_year=rows["earlier_year"].astype(int).astype(str),
        later_year=rows["later_year"].astype(int).astype(str),
    )
    return labels.table(shown, COHORT_COLUMNS)


def cohorts(query: Query, school_id: str, year: int, hide_below: int) -> Cohorts:
    """The school's cohorts up to the year, by link and pair of years (analytics.cohort)."""
    rows = query("pages/school_profile/school_cohort", school_id=school_id, year=year)
    if rows.empty:
        return Cohorts(None, None, NO_COHORTS)
    table = cohort_table(rows)
    shown = rows[rows["value_added"].notna()]
    if shown.empty:
        return Cohorts(
            table,
            None,
            "Прирост когорты не оценивается: в каждом предмете меньше "
            f"{fmt.integer(hide_below)} участников в начале или в итоге.",
        )
    counts = shown["band"].value_counts()
    said = ", ".join(
        f"{word} — {fmt.integer(counts[band])}"
        for band, word in (
            ("выше ожидаемого", "выше ожидаемого"),
            ("в пределах ожидаемого", "в пределах"),
            ("ниже ожидаемого", "ниже"),
        )
        if band in counts
    )
    line = f"Оценок когорт: {fmt.integer(len(shown))} ({said})."
    return Cohorts(table, charts.cohort_intervals(shown), line)


def small_numbers_note(small_numbers: SmallNumbers) -> str:
    return (
        f"Значения школы при числе участников меньше {small_numbers.hide_below} скрыты; "
        f"при числе меньше {small_numbers.unreliable_below} отмечены как ненадёжные."
    )


PROGRAMME_COLUMNS = ("year", "programme", "curator", "curator_organisation", "partner")


def programmes_table(programmes: pd.DataFrame) -> pd.DataFrame:
    return labels.table(programmes, PROGRAMME_COLUMNS)


@dataclass(frozen=True)
class Programmes:
    this_year: list[str]
    table: pd.DataFrame


def official_line(this_year: list[str], year: int) -> str:
    """The official lists of the year the school is on, apart from what the radar computes.

    >>> official_line([], 2025)
    '**В утверждённых списках** 2025 года (ШНОР, ШНСУ, «500+») школы нет.'
    """
    if not this_year:
        return f"**В утверждённых списках** {year} года (ШНОР, ШНСУ, «500+») школы нет."
    return f"**В утверждённых списках** {year} года: " + ", ".join(this_year) + "."


def programmes(query: Query, school_id: str, year: int) -> Programmes:
    """The school's programmes over the years, and those of the year."""
    found = query("pages/school_profile/school_programmes", school_id=school_id)
    return Programmes(
        found.loc[found["year"] == year, "programme"].tolist(), programmes_table(found)
    )


def procedures(query: Query, school_id: str) -> list[tuple[str, str, int]]:
    """Every procedure the school has results of."""
    found = query("pages/school_profile/school_procedures", school_id=school_id)
    return list(zip(found["exam"], found["subject"], found["grade"], strict=True))


@dataclass(frozen=True)
class ResultHistory:
    figure: go.Figure
    trend: str  # the procedure's colours in Markdown, may be empty


def measures(query: Query, school_id: str, procedure: tuple[str, str, int]) -> list[str]:
    """The measures (labels.MEASURES) the procedure has for the region in some year: a ФИС ОКО
    export has marks but no scores, an open-data ЕГЭ file only shares above and below
    thresholds."""
    exam, subject, grade = procedure
    params = {"school_id": school_id, "exam": exam, "subject": subject, "grade": int(grade)}
    history = query("pages/school_profile/school_result_history", **params)
    return [m for m in labels.MEASURES if history[f"region_{m}"].notna().any()]


def result_history(
    query: Query,
    school_id: str,
    procedure: tuple[str, str, int],
    measure: str,
    small_numbers: SmallNumbers,
) -> ResultHistory:
    """One procedure over the years against the municipality and the region."""
    exam, subject, grade = procedure
    params = {"school_id": school_id, "exam": exam, "subject": subject, "grade": int(grade)}
    history = query("pages/school_profile/school_result_history", **params)
    trend = query("pages/school_profile/school_procedure_trend", **params)
    text = " · ".join(
        f"**{'Стандартизованный балл' if r.indicator == 'z_score' else 'Доля «2»'}** "
        f"на {int(r.as_of)} г.: {tr.COLOURS[r.colour][0]} — {r.label}"
        for r in trend.itertuples(index=False)
        if isinstance(r.colour, str)
    )
    return ResultHistory(charts.result_history(history, measure, small_numbers), text)


YEAR_COLUMNS = (
    "procedure",
    "participants",
    "mean_score",
    "region_mean",
    "mean_mark",
    "share_fail",
    "share_low",
    "share_81plus",
    "thresholds",
    "z_score",
)
HIDDEN = ("mean_score", "mean_mark", "share_fail", "share_low", "share_81plus", "z_score")
# The thresholds of ЕГЭ in a subject, unless procedure_thresholds names a procedure's own.
EGE_HIGH = "81 балл и выше"


def thresholds(results: pd.DataFrame) -> pd.Series:
    """What a procedure's threshold shares count: its own named thresholds, or 81 points for
    ЕГЭ in a subject; empty where it has none.

    >>> thresholds(pd.DataFrame({"exam": ["ЕГЭ", "ЕГЭ", "ВПР"], "share_81plus": [0.1, 0.2, None],
    ...     "low_label": [None, "160 и менее", None], "high_label": [None, "более 220", None]}
    ... )).tolist()
    ['выше: 81 балл и выше', 'ниже: 160 и менее; выше: более 220', '']
    """
    named = (
        "ниже: "
        + results["low_label"].astype("string")
        + "; выше: "
        + results["high_label"].astype("string")
    )
    ege = (results["exam"] == "ЕГЭ") & results["share_81plus"].notna()
    default = pd.Series(np.where(ege, f"выше: {EGE_HIGH}", ""), index=results.index)
    return named.fillna(default).astype(object)


def year_results_table(results: pd.DataFrame, hide_below: int) -> pd.DataFrame:
    """Every procedure of the year; figures from fewer than `hide_below` participants empty.
    A procedure without scores (counts above and below thresholds) shows no regional mean:
    its measure is not a score."""
    shown = results.copy()
    shown["share_low"] = shown["share_below_min"].where(shown["low_label"].notna())
    shown["thresholds"] = thresholds(shown)
    shown.loc[shown["participants"] < hide_below, list(HIDDEN)] = float("nan")
    shown.loc[shown["mean_score"].isna() & shown["mean_mark"].isna(), "region_mean"] = float("nan")
    shown["procedure"] = labels.procedure_labels(shown)
    # A column only where some procedure has it (a ФИС ОКО export has no scores, an
    # open-data ЕГЭ file neither scores nor marks; only ЕГЭ has threshold shares).
    filled = {c: shown[c].notna() & (shown[c] != "") for c in YEAR_COLUMNS[2:]}
    columns = [c for c in YEAR_COLUMNS if c not in filled or filled[c].any()]
    return labels.table(shown, columns)


def year_results(query: Query, school_id: str, year: int, hide_below: int) -> pd.DataFrame:
    return year_results_table(
        query("pages/school_profile/school_year_procedures", school_id=school_id, year=year),
        hide_below,
    )


@dataclass(frozen=True)
class Staff:
    metrics: list[tuple[str, str, str | None]]
    figure: go.Figure


def staff(query: Query, school_id: str, year: int) -> Staff | None:
    """The staff of the year (or the last one known) and their ages over the years."""
    found = query("pages/school_profile/school_staff", school_id=school_id)
    if found.empty:
        return None
    now = found[found["year"] == year]
    last = (now if len(now) else found).iloc[-1]
    metrics = [
        ("Педагогов", fmt.integer(last["teachers"]), None),
        ("Вакансий", fmt.integer(last["vacancies"]), None),
        ("Высшая категория", fmt.pct(last["share_highest_category"]), None),
        (
            "Высшее пед. обр.",
            fmt.pct(last["share_higher_ped_ed"]),
            "Доля педагогов с высшим педагогическим образованием",
        ),
    ]
    return Staff(metrics, charts.staff_age(found))


def outcomes(query: Query, school_id: str, year: int) -> list[tuple[str, str]]:
    """Olympiads and continuation to the 10th grade in the year (empty when unknown)."""
    found = query("pages/school_profile/school_outcomes", school_id=school_id)
    now = found[found["year"] == year]
    if now.empty:
        return []
    return [
        ("Участники олимпиад (рег. и закл. этапы)", fmt.pct(now.iloc[0]["share_olympiad"])),
        ("Продолжили обучение в 10 классе", fmt.pct(now.iloc[0]["share_continue_grade10"])),
    ]


def passport(query: Query, school_id: str, year: int) -> go.Figure | None:
    """The social passport against the municipality and the region; None when not loaded."""
    found = query("pages/school_profile/school_passport_compare", school_id=school_id, year=year)
    return charts.passport_compare(found) if found["school"].notna().any() else None
