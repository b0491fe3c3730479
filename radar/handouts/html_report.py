"""A self-contained HTML report with interactive charts that works offline, and its PDF.

The HTML carries plotly.js inside it (no network needed at the meeting). The PDF is printed
from the same HTML by headless Chromium where it is installed; `chromium_path()` says whether.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics import fmt

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium")
STYLE = """
body { font-family: 'Segoe UI', Arial, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.8rem; margin-bottom: 0.2rem; } .caption { color: #666; margin-bottom: 1.5rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5rem; margin-bottom: 1.5rem; }
.figure { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 1rem; min-width: 10rem; }
.figure .label { color: #555; font-size: 0.9rem; } .figure .value { font-size: 1.8rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #ddebf7; } .chart { page-break-inside: avoid; }
@media print { body { margin: 0.5cm; } }
"""


def _cell(value, column: str, percent: tuple[str, ...], digits: dict[str, int]) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return fmt.DASH
    if isinstance(value, bool | np.bool_):
        return "да" if value else "нет"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return fmt.pct(value) if column in percent else fmt.integer(value)
    if isinstance(value, float | np.floating):
        if column in percent:
            return fmt.pct(value)
        return fmt.num(value, digits.get(column, 2))
    if isinstance(value, pd.Timestamp | date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def _table(
    frame: pd.DataFrame, percent: tuple[str, ...] = (), digits: dict[str, int] | None = None
) -> str:
    """A frame as an HTML table with numbers the Russian way; shares in `percent` as «12,3 %»."""
    digits = digits or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = (
            _cell(value, str(column), percent, digits)
            for value, column in zip(row, frame.columns, strict=True)
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_html(
    title: str,
    caption: str,
    figures: list[tuple[str, str]],
    charts: list[tuple[str, go.Figure]],
    tables: list,
) -> str:
    """One page: key figures, interactive charts (plotly.js embedded once) and tables, given as
    (heading, frame) pairs or as Excel `Sheet`s (their percent and digits are kept)."""
    parts = [
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><div class='caption'>{html.escape(caption)}</div>",
        "<div class='figures'>",
        *(
            f"<div class='figure'><div class='label'>{html.escape(label)}</div>"
            f"<div class='value'>{html.escape(value)}</div></div>"
            for label, value in figures
        ),
        "</div>",
    ]
    for i, (heading, figure) in enumerate(charts):
        parts.append(f"<h2>{html.escape(heading)}</h2><div class='chart'>")
        parts.append(
            pio.to_html(
                figure,
                include_plotlyjs=(i == 0),  # the library once, inline: works offline
                full_html=False,
                config={"displaylogo": False, "locale": "ru"},
            )
        )
        parts.append("</div>")
    for item in tables:
        if isinstance(item, tuple):
            heading, frame = item
            parts.append(f"<h2>{html.escape(heading)}</h2>{_table(frame)}")
            continue
        note = f"<div class='caption'>{html.escape(item.note)}</div>" if item.note else ""
        table = _table(item.frame, tuple(item.percent), dict(item.digits))
        parts.append(f"<h2>{html.escape(item.title)}</h2>{note}{table}")
    parts.append("</body></html>")
    return "".join(parts)


def chromium_path() -> str | None:
    """The Chromium that can print PDF here, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) if not candidate.startswith("/") else candidate
        if found and Path(found).exists():
            return found
    return None


def pdf_from_html(text: str, timeout: float = 120) -> bytes:
    """Print the HTML to PDF with headless Chromium; a Russian error when it is not there."""
    chromium = chromium_path()
    if chromium is None:
        raise RuntimeError(
            "PDF не построен: на этом компьютере нет Chromium (установите пакет chromium). "
            "Скачайте отчёт в HTML и напечатайте его из браузера."
        )
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        pdf = Path(tmp) / "report.pdf"
        page.write_text(text, encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=10000",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return pdf.read_bytes()
