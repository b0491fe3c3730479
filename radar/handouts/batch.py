"""Hand-outs written to a folder without the browser (`radar report`, scheduled runs): the
municipality report, school cards, the ШНОР/ШНСУ lists and the analytical note, for one
municipality or for all of them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import duckdb

from analytics.settings import Settings
from radar.handouts import file_stem, html_report, note, reports
from radar.handouts import municipality_report as meeting
from radar.store import db
from radar.store.refresh import active_settings

# Kind → the formats it comes in (the first is the default).
KINDS = {
    "municipality": ("pdf", "xlsx", "html"),
    "card": ("pdf", "xlsx", "html"),
    "lists": ("xlsx", "pdf"),
    "note": ("docx", "pdf", "html"),
}
NAMES = {
    "municipality": "Отчёт",
    "card": "Карточка",
    "lists": "ШНОР_ШНСУ",
    "note": "Справка_мониторинг",
}
Progress = Callable[[str, float], None]


class ReportError(ValueError):
    """A request that cannot be met, in Russian (an unknown municipality, say)."""


def _query(con: duckdb.DuckDBPyConnection):
    return lambda name, **params: con.execute(db.sql(name), params).df()


def write_handouts(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    folder: Path,
    year: int | None = None,
    form: str | None = None,
    municipality: str | None = None,
    school: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    stage: str = "final",
) -> list[Path]:
    """Write the hand-outs of `kind` into `folder` and return their paths. `municipality`:
    a code, «all» (one file per municipality), or None (the region: lists and the note;
    a municipality report needs one). A card is for `school`, or for every school of
    `municipality`. The note follows `stage` of the monitoring (entry, intermediate, final)."""
    if kind not in KINDS:
        raise ReportError(f"неизвестный вид материала «{kind}»; есть: {', '.join(KINDS)}")
    form = form or KINDS[kind][0]
    if form not in KINDS[kind]:
        raise ReportError(
            f"материал «{kind}» бывает в форматах: {', '.join(KINDS[kind])} (не «{form}»)"
        )
    if stage not in note.STAGE_WORDS:
        raise ReportError(f"этап мониторинга бывает: {', '.join(note.STAGE_WORDS)} (не «{stage}»)")
    step = progress or (lambda _m, _f: None)
    query = _query(con)
    names = con.execute(db.sql("handouts/municipality_names")).df()
    named = dict(zip(names["municipality_id"], names["name"], strict=True))
    year = year or int(con.execute(db.sql("handouts/latest_year")).fetchone()[0])
    if municipality == "all":
        chosen = list(named)
    elif municipality is None:
        chosen = [None]
    elif municipality in named:
        chosen = [municipality]
    else:
        by_name = [code for code, name in named.items() if name == municipality]
        if not by_name:
            raise ReportError(f"муниципалитет «{municipality}» не найден в базе")
        chosen = by_name
    folder.mkdir(parents=True, exist_ok=True)
    settings = active_settings(con)
    today = today or date.today()
    jobs = _jobs(con, kind, chosen, school, year)
    written = []
    # Many PDFs through one Chromium: its start is most of one PDF's time.
    with html_report.printing() if form == "pdf" else nullcontext():
        for done, (code, school_id) in enumerate(jobs):
            label = named.get(code, "регион") if school_id is None else school_id
            step(f"{NAMES[kind]}: {label}", done / max(len(jobs), 1))
            content, stem = _one(
                query, kind, form, year, code, named, school_id, settings, today, stage
            )
            path = folder / f"{stem}.{form}"
            path.write_bytes(content)
            written.append(path)
    step("Готово", 1.0)
    return written


def _jobs(con, kind: str, chosen: list, school: str | None, year: int) -> list[tuple]:
    """(municipality, school) per file to write."""
    if kind == "card":
        if school is not None:
            return [(None, school)]
        if chosen == [None]:
            raise ReportError("для карточек укажите школу (--school) или муниципалитет")
        schools = con.execute(db.sql("handouts/municipality_schools")).df()
        return [
            (code, s)
            for code in chosen
            for s in schools.loc[schools["municipality_id"] == code, "school_id"]
        ]
    if kind == "municipality" and chosen == [None]:
        raise ReportError("для отчёта муниципалитета укажите его (--municipality КОД или all)")
    return [(code, None) for code in chosen]


def _one(
    query, kind, form, year, code, named, school_id, settings: Settings, today: date, stage: str
):
    """One hand-out's bytes and file name."""
    name = named.get(code)
    if kind == "municipality":
        about = meeting.Meeting(
            query,
            code,
            name,
            year,
            tuple(meeting.default_procedures(meeting.procedures(query))),
            settings.small_numbers.hide_below,
            today,
        )
        content = {
            "pdf": lambda: meeting.report_pdf(about),
            "xlsx": lambda: meeting.workbook_bytes(about),
            "html": lambda: meeting.report_html(about).encode("utf-8"),
        }[form]()
        return content, file_stem(NAMES[kind], name, year)
    if kind == "card":
        card = reports.school_card(query, school_id, year, settings)
        if card is None:
            raise ReportError(f"школа «{school_id}» не найдена в базе")
        content = {
            "pdf": card.pdf,
            "xlsx": card.workbook,
            "html": lambda: card.html().encode("utf-8"),
        }[form]()
        return content, file_stem(NAMES[kind], school_id, year)
    if kind == "lists":
        ident = query("handouts/identification_year", year=year, municipality=code)
        if form == "pdf":
            content = reports.lists_pdf(
                ident,
                query("pages/identification/school_names"),
                settings,
                year,
                name or "все муниципалитеты",
                html_report.print_setup(query, today=today),
            )
            return content, file_stem(NAMES[kind], name, year)
        previous = query("handouts/identification_year", year=year - 1, municipality=code)
        indicators = query("pages/monitoring/monitoring_indicator_list")
        content = reports.identification_workbook(
            ident,
            previous,
            query("pages/identification/analysis_membership"),
            query("pages/identification/school_names"),
            settings,
            year,
            f"{name or 'все муниципалитеты'}, {year} год",
            dict(zip(indicators["indicator"], indicators["name"], strict=True)),
            html_report.print_setup(query, today=today),
        )
        return content, file_stem(NAMES[kind], name, year)
    written = note.analytical_note(query, year, stage, code, name, settings.monitoring, today)
    content = {
        "docx": written.docx,
        "pdf": written.pdf,
        "html": lambda: written.html().encode("utf-8"),
    }[form]()
    return content, note.file_stem_of(year, stage, name)
