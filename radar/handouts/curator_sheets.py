"""A curator's schools on paper: one school to an A4 page, for the visits.

Each page holds what the school's card on «Мои школы» shows (radar.views.curator_card): the
indicators with their colour as a swatch and its meaning, the two small charts of the years,
the monitoring stage and the ВПР objectivity signs, then room for the visit's notes. Printed by
the pipeline of every PDF here (html_report: headless Chromium, A4, a footer on every page).
"""

from __future__ import annotations

import html

from radar.handouts import html_report
from radar.views.curator_card import Card

SHEET_STYLE = """
.sheet { break-after: page; } .sheet:last-child { break-after: auto; }
.sheet h1 { margin-top: 0; }
.figure .swatch { font-size: 9pt; margin-top: 0.2rem; }
.figure .hue { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #666;
  border-radius: 2px; vertical-align: -0.1em; margin-right: 0.25em; }
.line { margin: 0.35rem 0; }
.notes { border: 1px solid #bbb; border-radius: 4px; height: 80mm; margin-top: 0.8rem;
  box-sizing: border-box;
  padding: 0.3rem 0.6rem; color: #777; }
.charts svg { max-width: 100%; height: auto; }
"""


def _figure(item) -> str:
    swatch = ""
    if item.colour:
        swatch = (
            f"<div class='swatch'><span class='hue' style='background:{item.hue}'></span>"
            f"<b>{html.escape(item.colour)}</b>: {html.escape(item.meaning)}</div>"
        )
    return (
        f"<div class='figure'><div class='label'>{html.escape(item.title)}</div>"
        f"<div class='value'>{html.escape(item.value)}</div>{swatch}</div>"
    )


def sheets_html(cards: list[Card], curator: str, year: int, setup: html_report.PrintSetup) -> str:
    """The cards as one printable HTML page, each school on its own A4 sheet; the charts
    drawn as SVG by the open Printer (sheets_pdf opens one if none is)."""
    printer = html_report.Printer.current
    parts = [
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>",
        f"<title>Школы куратора: {html.escape(curator)}, {year}</title>",
        f"<style>{html_report.STYLE}{html_report.PRINT_STYLE}{SHEET_STYLE}"
        f"{setup.page_css()}</style>",
    ]
    parts.append("</head><body>")
    for card in cards:
        parts += [
            "<section class='sheet'>",
            f"<h1>{html.escape(card.name)}</h1>",
            f"<div class='caption'>{html.escape(card.caption)} · куратор "
            f"{html.escape(curator)} · {year} год</div>",
            "<div class='figures'>",
            *(_figure(item) for item in card.indicators),
            "</div>",
        ]
        if card.trends:
            parts.append(f"<div class='charts' style='--columns: {setup.chart_columns}'>")
            for _, figure in card.trends:
                printed = html_report.printed_figure(figure, setup)
                printed.update_layout(height=230)
                parts.append(f"<div class='block'>{printer.svg(printed)}</div>")
            parts.append("</div>")
        parts.append(f"<p class='line'><b>Мониторинг этапов:</b> {html.escape(card.stage)}</p>")
        if card.flags:
            parts.append(
                "<p class='line'><b>Признаки необъективности ВПР:</b> "
                f"{html.escape(card.flags)} (проверить, не вывод)</p>"
            )
        parts.append("<div class='notes'>Заметки по итогам посещения</div></section>")
    parts.append("</body></html>")
    return "".join(parts)


def sheets_pdf(cards: list[Card], curator: str, year: int, setup: html_report.PrintSetup) -> bytes:
    """The cards as an A4 PDF, one school to a page."""
    with html_report.printing():
        return html_report.pdf_from_html(sheets_html(cards, curator, year, setup))
