"""A self-contained HTML report with interactive charts that works offline, and its PDF.

The HTML carries plotly.js inside it (no network needed at the meeting). The PDF is printed
from the same content by headless Chromium (`pdf_from_html`), laid out for paper by a
`PrintSetup`: A4 portrait or landscape from CSS @page; a footer on every page with the region,
the date, the data's source and «Страница N из M» (@page margin boxes); charts drawn static at
the printable width with room for their labels and no toolbar; headings kept with what follows
and tables split between pages with their header repeated.

Why Chromium: it is the browser the end-to-end tests already need, it prints plotly's charts
as vectors from the same figures the pages draw (no second renderer, no image files), and it
supports CSS paged media (@page size and margin boxes, counter(pages)) since version 131.
WeasyPrint and Typst would need every chart turned into an image first, by kaleido, which
itself drives a Chrome. Measured on the demo: a municipality's PDF of five A4 pages in about
2 s, most of it Chromium's start (see `make bench`).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import html
import io
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics import fmt
from radar.handouts.excel import YEAR_HEADER
from radar.views import plotly_ru

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
.table-wrap { overflow-x: auto; }
"""
# For paper: the page box comes from PrintSetup.page_css; these keep things together.
PRINT_STYLE = """
body { margin: 0; font-size: 10pt; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin: 0.9rem 0 0.3rem; break-after: avoid; }
.caption { margin-bottom: 0.6rem; } .figure .value { font-size: 15pt; }
.figures { gap: 0.5rem; margin-bottom: 0.6rem; }
.figure { padding: 0.3rem 0.6rem; break-inside: avoid; }
.block { break-inside: avoid; } .table-wrap { overflow: visible; }
.charts { display: grid; grid-template-columns: repeat(var(--columns), 1fr); column-gap: 16px; }
table { width: 100%; font-size: 8pt; margin: 0.2rem 0 0.8rem; }
thead { display: table-header-group; } tr { break-inside: avoid; }
th, td { padding: 0.15rem 0.3rem; overflow-wrap: break-word; }
"""
# An HTML hand-out's charts: Russian toolbar, no logo, and no button that would send the
# chart's data to plotly's cloud service (shown by default in this plotly.js).
CHART_CONFIG = {"displaylogo": False, "locale": "ru", "showSendToCloud": False}
# The plotly.js file beside a page being printed (see report_html and Printer).
PLOTLY_FILE = "plotly.min.js"
# Printable widths in CSS pixels (96 per inch) inside the @page margins below.
MARGIN_MM = 12
A4_MM = (210, 297)


@dataclass(frozen=True)
class PrintSetup:
    """How a report goes on paper: A4 portrait (cards, notes) or landscape (wide tables), and
    what the footer of every page says."""

    region: str
    source: str
    printed_on: date
    landscape: bool = False
    chart_columns: int = 1  # charts side by side (a card's small trend charts: 2)

    @property
    def width_px(self) -> int:
        """The printable width, in CSS pixels, less a little for borders."""
        width_mm = (A4_MM[1] if self.landscape else A4_MM[0]) - 2 * MARGIN_MM
        return int(width_mm / 25.4 * 96) - 8

    @property
    def height_px(self) -> int:
        """The printable height, in CSS pixels, above the footer's margin."""
        height_mm = (A4_MM[0] if self.landscape else A4_MM[1]) - MARGIN_MM - 16
        return int(height_mm / 25.4 * 96)

    @property
    def chart_width_px(self) -> int:
        return (self.width_px - 16 * (self.chart_columns - 1)) // self.chart_columns

    @property
    def chart_height_px(self) -> int:
        """Two rows of charts with their headings to a page."""
        if self.chart_columns > 1:
            return 260
        return 290 if self.landscape else 340

    @property
    def footer(self) -> str:
        return f"{self.region} · {self.printed_on:%d.%m.%Y} · Источник: {self.source}"

    def page_css(self) -> str:
        orientation = "landscape" if self.landscape else "portrait"
        box = "font: 7.5pt 'Segoe UI', Arial, sans-serif; color: #555;"
        return (
            f"@page {{ size: A4 {orientation}; margin: {MARGIN_MM}mm {MARGIN_MM}mm 16mm; "
            f"@bottom-left {{ content: {_css_string(self.footer)}; {box} }} "
            '@bottom-right { content: "Страница " counter(page) " из " counter(pages); '
            f"{box} }} }}"
        )


def print_setup(
    query, landscape: bool = False, today: date | None = None, chart_columns: int = 1
) -> PrintSetup:
    """The print setup of a hand-out of the database behind `query` (sql name → frame): its
    region and the source of its data, as the footer names them."""
    row = query("handouts/document_source").iloc[0]
    loaded = row["loaded_at"]
    if isinstance(row["generator"], str):
        source = "демонстрационные данные (генератор «Школьного радара»)"
        if isinstance(row["loaded_file"], str) and row["loaded_file"] != "демо-генератор":
            source += f", дополненные файлом «{row['loaded_file']}» от {loaded:%d.%m.%Y}"
    elif isinstance(row["loaded_file"], str):
        source = f"данные региона, последняя загрузка «{row['loaded_file']}» от {loaded:%d.%m.%Y}"
    else:
        source = "данные региона"
    region = row["region"] if isinstance(row["region"], str) else "Регион"
    return PrintSetup(region, source, today or date.today(), landscape, chart_columns)


def _css_string(text: str) -> str:
    r"""Text as a CSS string literal.

    >>> print(_css_string('Регион «А» "Б"'))
    "Регион «А» \"Б\""
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def printed_figure(figure: go.Figure, setup: PrintSetup) -> go.Figure:
    """A copy of the figure at a fixed print size, its axes' margins grown to fit their
    labels (nothing cut at the page's edge)."""
    width = setup.chart_width_px
    height = min(figure.layout.height or 360, setup.chart_height_px)
    meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
    if "print_size" in meta:  # a chart drawn in fixed pixels (the 5×5 grid) keeps its size
        width, height = min(meta["print_size"][0], width), meta["print_size"][1]
    elif meta.get("rows_grow"):  # a bar per group: as high as its bars need, up to a page
        height = min(int(figure.layout.height or 360), setup.height_px - 60)
    return _sized(figure, width, height)


def _sized(figure: go.Figure, width: int, height: int) -> go.Figure:
    """A copy of the figure at a fixed size in pixels, its axes' margins grown to fit their
    labels."""
    fig = copy.deepcopy(figure)
    # The same white paper in every process: a figure made where Streamlit is imported
    # carries Streamlit's template, one made by the CLI plotly's grey default.
    fig.update_layout(template="plotly_white", width=width, height=height, autosize=False)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _white(figure: go.Figure) -> go.Figure:
    """A picture's background is the paper's."""
    figure.update_layout(paper_bgcolor="white")
    return figure


def _cell(value, column: str, percent: tuple[str, ...], digits: dict[str, int]) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return fmt.DASH
    if isinstance(value, bool | np.bool_):
        return "да" if value else "нет"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if YEAR_HEADER.search(column):  # a year is a name: «2025», never «2 025»
            return str(int(value))
        return fmt.pct(value) if column in percent else fmt.integer(value)
    if isinstance(value, float | np.floating):
        if column in percent:
            return fmt.pct(value)
        return fmt.num(value, digits.get(column, 2))
    if isinstance(value, pd.Timestamp | date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def table_html(
    frame: pd.DataFrame, percent: tuple[str, ...] = (), digits: dict[str, int] | None = None
) -> str:
    """A frame as an HTML table with numbers the Russian way; shares in `percent` as «12,3 %»."""
    digits = digits or {}
    nowrap = " style='white-space: nowrap'"  # «№ п/п» in one line, not broken at «/»
    head = "".join(
        f"<th{nowrap if str(c) == '№ п/п' else ''}>{html.escape(str(c))}</th>"
        for c in frame.columns
    )
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
    printed: PrintSetup | None = None,
) -> str:
    """One page: key figures, charts (plotly.js embedded once) and tables, given as
    (heading, frame) pairs or as Excel `Sheet`s (their percent and digits are kept). With
    `printed`, laid out for paper (see PrintSetup): static charts at the printable width."""
    style = STYLE + (PRINT_STYLE + printed.page_css() if printed else "")
    parts = [
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><div class='caption'>{html.escape(caption)}</div>",
        "<div class='figures'>",
        *(
            f"<div class='figure'><div class='label'>{html.escape(label)}</div>"
            f"<div class='value'>{html.escape(value)}</div></div>"
            for label, value in figures
        ),
        "</div>",
    ]
    config = dict(CHART_CONFIG)
    if printed:
        config |= {"staticPlot": True, "displayModeBar": False}
        if Printer.current is None:  # else the charts come as SVG, and nothing runs
            # Printed from the Printer's folder, which holds the library.
            parts.append(f"<script src='{PLOTLY_FILE}'></script>")
    if charts and not printed:
        parts.append(plotly_library())
    if printed and charts:
        parts.append(f"<div class='charts' style='--columns: {printed.chart_columns}'>")
    for heading, figure in charts:
        # A heading stays with its chart: the two are one block that a page never splits.
        parts.append(f"<div class='block'><h2>{html.escape(heading)}</h2><div class='chart'>")
        if printed and Printer.current is not None:  # drawn once as SVG: nothing to run
            parts.append(Printer.current.svg(printed_figure(figure, printed)))
            parts.append("</div></div>")
            continue
        parts.append(
            pio.to_html(
                printed_figure(figure, printed) if printed else figure,
                include_plotlyjs=False,  # once, above: the HTML works offline
                full_html=False,
                config=config,
            )
        )
        parts.append("</div></div>")
    if printed and charts:
        parts.append("</div>")
    for item in tables:
        if isinstance(item, tuple):
            heading, frame = item
            parts.append(
                f"<h2>{html.escape(heading)}</h2><div class='table-wrap'>{table_html(frame)}</div>"
            )
            continue
        note = f"<div class='caption'>{html.escape(item.note)}</div>" if item.note else ""
        frame = item.frame
        if item.numbered:
            frame = frame.copy()
            frame.insert(0, "№ п/п", range(1, len(frame) + 1))
        table = table_html(frame, tuple(item.percent), dict(item.digits))
        parts.append(
            f"<h2>{html.escape(item.title)}</h2>{note}<div class='table-wrap'>{table}</div>"
        )
    parts.append("</body></html>")
    return "".join(parts)


# The flags of every headless Chromium run here (the printer, the chart pictures).
HEADLESS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run")


def _chromium(what: str) -> str:
    """The Chromium to run, or a Russian error saying that `what` cannot be made without it."""
    chromium = chromium_path()
    if chromium is None:
        raise RuntimeError(
            f"{what}: на этом компьютере нет Chromium (установите пакет chromium). "
            "Скачайте отчёт в HTML и напечатайте его из браузера."
        )
    return chromium


def chromium_path() -> str | None:
    """The Chromium that can print PDF here, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) if not candidate.startswith("/") else candidate
        if found and Path(found).exists():
            return found
    return None


class Printer:
    """One headless Chromium kept open to print many PDFs (`radar report … all`): each page is
    opened in a new tab over the DevTools protocol and printed with the page size its CSS
    @page asks for. Starting Chromium takes most of a single PDF's time; this pays it once.

    Use as a context manager; `pdf_from_html` prints through the open one, if any."""

    current: Printer | None = None

    def __init__(self, timeout: float = 120) -> None:
        self.timeout = timeout
        self._process: subprocess.Popen | None = None
        self._socket = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self._next = 0
        self._renderer = ""
        self._lock = threading.Lock()

    def __enter__(self) -> Printer:
        import re as _re

        from websockets.sync.client import connect

        chromium = _chromium("PDF не построен")
        # Chromium's helpers may still be writing its profile as it quits: tidy what is left.
        self._folder = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self._process = subprocess.Popen(
            [
                chromium,
                *HEADLESS,
                "--remote-debugging-port=0",
                f"--user-data-dir={self._folder.name}/profile",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        address = None
        for line in self._process.stderr:  # «DevTools listening on ws://127.0.0.1:…»
            found = _re.search(r"(ws://\S+)", line)
            if found:
                address = found.group(1)
                break
        if address is None:
            self.close()
            raise RuntimeError("PDF не построен: Chromium не запустился.")
        self._stack = contextlib.ExitStack()
        self._socket = self._stack.enter_context(
            connect(address, max_size=None, open_timeout=self.timeout)
        )
        _write_plotly(Path(self._folder.name))
        # A tab that keeps plotly.js loaded and draws every chart as SVG: loading the library
        # is most of a page's time, so it is done once.
        renderer = Path(self._folder.name) / "renderer.html"
        renderer.write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><script src='{PLOTLY_FILE}'>"
            "</script></head><body></body></html>",
            encoding="utf-8",
        )
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._renderer = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self._call("Page.navigate", {"url": renderer.as_uri()}, self._renderer)
        self._evaluate(
            "new Promise(done => { const go = () => done(typeof Plotly); "
            "document.readyState === 'complete' ? go() : addEventListener('load', go); })",
            self._renderer,
        )
        Printer.current = self
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if Printer.current is self:
            Printer.current = None
        if self._socket is not None:
            self._stack.close()
            self._socket = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _call(self, method: str, params: dict | None = None, session: str | None = None):
        import json

        # One call at a time: a printer kept by the server serves every session's thread.
        with self._lock:
            self._next += 1
            number = self._next
            message = {"id": number, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            self._socket.send(json.dumps(message))
            while True:
                reply = json.loads(self._socket.recv(timeout=self.timeout))
                if reply.get("id") == number:
                    if "error" in reply:
                        raise RuntimeError(f"PDF не построен: {reply['error'].get('message')}")
                    return reply.get("result", {})

    def _evaluate(self, expression: str, session: str):
        result = self._call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        if "exceptionDetails" in result:
            raise RuntimeError("Диаграмма не построена: ошибка в plotly.js.")
        return result["result"].get("value")

    def svg(self, figure: go.Figure) -> str:
        """The figure as SVG markup at its layout's width and height, no script needed."""
        from urllib.parse import unquote

        return unquote(self._image(figure, "svg", 1).split(",", 1)[1])

    def png(self, figure: go.Figure, scale: int = 2) -> bytes:
        """The figure as a PNG picture at `scale` times its layout's size (for Word)."""
        import base64

        return base64.b64decode(self._image(figure, "png", scale).split(",", 1)[1])

    def _image(self, figure: go.Figure, form: str, scale: int) -> str:
        """Plotly.toImage's data address of the figure, drawn in the renderer tab."""
        import json

        spec = figure.to_json()
        width, height = int(figure.layout.width or 700), int(figure.layout.height or 360)
        return self._evaluate(
            f"Plotly.toImage(JSON.parse({json.dumps(spec)}), "
            f"{{format: '{form}', width: {width}, height: {height}, scale: {scale}}})",
            self._renderer,
        )

    def pdf(self, text: str) -> bytes:
        import base64

        # A name of its own: two sessions' threads print at once, and one's file must not be
        # overwritten, or deleted when the other is done, before it has loaded.
        page = Path(self._folder.name) / f"page-{uuid.uuid4().hex}.html"
        page.write_text(text, encoding="utf-8")
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        try:
            self._call("Page.navigate", {"url": page.as_uri()}, session)
            # Loaded and its scripts run (a background tab gets no animation frames: a timer).
            self._evaluate(
                "new Promise(done => { const go = () => setTimeout(done, 0); "
                "document.readyState === 'complete' ? go() : addEventListener('load', go); })",
                session,
            )
            result = self._call(
                "Page.printToPDF",
                {"preferCSSPageSize": True, "printBackground": True},
                session,
            )
            return base64.b64decode(result["data"])
        finally:
            self._call("Target.closeTarget", {"targetId": target})
            page.unlink(missing_ok=True)


def plotly_library() -> str:
    """plotly.js inline (an HTML hand-out works offline) with its toolbar in Russian."""
    from plotly.offline import get_plotlyjs

    return f"<script>{get_plotlyjs()}</script>{plotly_ru.register_script()}"


def _write_plotly(folder: Path) -> None:
    from plotly.offline import get_plotlyjs

    (folder / PLOTLY_FILE).write_text(get_plotlyjs(), encoding="utf-8")


@contextlib.contextmanager
def printing() -> Iterator[Printer]:
    """The open Printer, or a new one for the time of the block."""
    if Printer.current is not None and Printer.current.alive():
        yield Printer.current
        return
    with Printer() as printer:
        yield printer


_KEEPING = threading.Lock()


def keep_printer() -> None:
    """Start a Printer that stays open for the life of the process (the server): each PDF a
    user downloads then skips Chromium's start and loading plotly.js. Started again if it
    died; closed when the process ends."""
    with _KEEPING:
        if Printer.current is not None and Printer.current.alive():
            return
        if Printer.current is not None:
            Printer.current.close()
        printer = Printer().__enter__()
        atexit.register(printer.close)


def pdf_from_html(text: str) -> bytes:
    """Print the HTML to PDF with headless Chromium (the open Printer, or one for this page);
    a Russian error when Chromium is not there."""
    with printing() as printer:
        return printer.pdf(text)


def chart_images(
    figures: list[go.Figure], width: int = 900, height: int = 420, timeout: float = 120
) -> list[bytes]:
    """The figures as PNG images (for a Word document), drawn by one headless Chromium run:
    all of them stacked on one page, `width` CSS pixels wide and each as high as its layout
    says (or `height`), at twice that density, photographed once and cut apart. One browser
    start for every chart of a document; none where a Printer is open (the server's): it
    draws each one."""
    if not figures:
        return []
    scale = 2
    if Printer.current is not None and Printer.current.alive():
        return [
            Printer.current.png(_white(_sized(f, width, int(f.layout.height or height))), scale)
            for f in figures
        ]
    chromium = _chromium("Диаграммы не построены")
    from PIL import Image  # Pillow comes with Streamlit

    heights = [int(f.layout.height or height) for f in figures]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<style>body { margin: 0; background: white; }</style></head><body>",
    ]
    config = {"staticPlot": True, "displayModeBar": False, "locale": "ru"}
    for i, (figure, high) in enumerate(zip(figures, heights, strict=True)):
        fig = _white(_sized(figure, width, high))
        parts.append(f"<div style='width: {width}px; height: {high}px'>")
        parts.append(pio.to_html(fig, include_plotlyjs=(i == 0), full_html=False, config=config))
        parts.append("</div>")
    parts.append("</body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "charts.html"
        shot = Path(tmp) / "charts.png"
        page.write_text("".join(parts), encoding="utf-8")
        subprocess.run(
            [
                chromium,
                *HEADLESS,
                "--hide-scrollbars",
                f"--force-device-scale-factor={scale}",
                f"--window-size={width},{sum(heights)}",
                "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=10000",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        picture = Image.open(shot)
        images, top = [], 0
        for high in heights:
            box = (0, top * scale, width * scale, (top + high) * scale)
            out = io.BytesIO()
            picture.crop(box).save(out, format="PNG")
            images.append(out.getvalue())
            top += high
        return images
