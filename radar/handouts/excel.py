"""Tables as a formatted Excel workbook (.xlsx) built in memory, ready for a download button.

Each :class:`Sheet` becomes one worksheet: an optional bold caption, a bold wrapped header on a
light fill, frozen panes and an autofilter, column widths fitted to the content and number formats
that Excel shows the Russian way (decimal comma, space between thousands) under a Russian locale.

Values are written as real numbers and dates, so the workbook stays sortable and computable.
Every text cell, headers and captions included, passes through :func:`neutralise`, which defuses
spreadsheet formula injection (a school name such as ``=HYPERLINK(...)`` from an uploaded file).

The workbook is written in openpyxl's write-only (streaming) mode: about 40 000 rows × 15 columns
take a few seconds. The frame's index is not written; ``reset_index()`` first if it matters.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics import fmt

__all__ = ["Sheet", "neutralise", "workbook_bytes"]

# Leading characters that make Excel, LibreOffice or a later CSV export treat text as a formula.
FORMULA_STARTS = ("=", "+", "-", "\u2212", "@", "\t", "\r")

YES, NO = "да", "нет"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
CREATOR = "Школьный радар"

MAX_TITLE = 31  # Excel's limit for a sheet name
FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
MAX_TEXT = 32_767  # Excel's limit for the text of one cell
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths, in characters
HEADER_WIDTH = 24  # a longer header wraps instead of widening a narrow column
MAX_HEADER_LINES = 6
LINE_HEIGHT = 15  # points per line of 11 pt Calibri

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
HEADER_BORDER = Border(bottom=Side(style="thin", color="FF9BB7D4"))
YEAR_HEADER = re.compile(r"(?<!\w)год(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a frame whose columns already carry Russian headers.

    ``percent`` names columns holding shares 0..1 (shown as «12,3 %», the values stay 0..1);
    ``digits`` sets decimals per numeric column (default 1 for fractional numbers, 0 for whole
    ones and for percent 1); ``note`` is a one-line caption written in bold above the table.
    """

    title: str
    frame: pd.DataFrame
    percent: tuple[str, ...] = ()
    digits: dict[str, int] = field(default_factory=dict)
    note: str | None = None
    # Columns shaded red (low) → yellow → green (high); a name in ``reverse`` shades the other
    # way (a high share of «2» is bad).
    scale: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()
    # A list to attach to an order: its rows numbered in a first column «№ п/п».
    numbered: bool = False
    # Printed across the page (wide tables); None: when the table has more than 6 columns.
    landscape: bool | None = None


def neutralise(value):
    """Defuse formula injection: text starting with = + - − @ tab or CR gets a leading «'».

    Only ``str`` values are touched; numbers, dates and everything else come back unchanged.
    The quote keeps the text visible as typed while Excel, LibreOffice and any CSV made from the
    workbook see plain text rather than a formula.

    >>> neutralise("=1+2"), neutralise("-5"), neutralise(-5), neutralise("Лицей № 1")
    ("'=1+2", "'-5", -5, 'Лицей № 1')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def workbook_bytes(
    sheets: list[Sheet], title: str | None = None, footer: str | None = None
) -> bytes:
    """Return the .xlsx file content: one worksheet per Sheet, in the given order.

    ``title`` becomes the workbook's document title (File → Properties in Excel). Every sheet
    prints on A4, fitted to the page's width, with its header row on every page and
    «Страница N из M» (and ``footer``: region, date, source) at the foot.
    """
    if not sheets:
        raise ValueError("workbook_bytes() needs at least one Sheet")
    workbook = Workbook(write_only=True)
    workbook.properties.creator = CREATOR
    if title is not None:
        workbook.properties.title = title
    used: set[str] = set()
    for sheet in sheets:
        name = _unique_title(_sheet_title(sheet.title), used)
        _write_sheet(workbook.create_sheet(name), sheet, footer)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- sheet names ------------------------------------------------------------------------------


def _sheet_title(text: str) -> str:
    """A name Excel accepts: no []:*?/\\, no apostrophe at either end, at most 31 characters."""
    name = FORBIDDEN_IN_TITLE.sub("", str(text)).strip().strip("'").strip()
    name = name[:MAX_TITLE].rstrip().rstrip("'").rstrip()
    return name or "Лист"


def _unique_title(name: str, used: set[str]) -> str:
    """Excel compares sheet names ignoring case; add « (2)», « (3)»… to repeated ones."""
    candidate, number = name, 1
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        candidate = name[: MAX_TITLE - len(suffix)].rstrip() + suffix
    used.add(candidate.casefold())
    return candidate


# --- values -----------------------------------------------------------------------------------


def _text(value: str) -> str:
    """Text fit for a cell: no XML-illegal control characters, within Excel's length, defused."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value[:MAX_TEXT])


def _naive(moment: datetime) -> datetime:
    """Excel has no time zones: keep the wall-clock time of an aware datetime."""
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _plain(value):
    """One value as a plain Python object openpyxl writes safely; None for anything missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        value = pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value)
        if value is pd.NaT:
            return None
    elif isinstance(value, np.generic):
        value = value.item()  # numpy int, float, bool → int, float, bool
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime):  # pd.Timestamp included
        return _naive(value.to_pydatetime() if isinstance(value, pd.Timestamp) else value)
    if isinstance(value, date):
        return value
    if isinstance(value, time | timedelta | pd.Timedelta):
        return _text(str(value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return _text(str(value))


def _header(column) -> str:
    if isinstance(column, tuple):  # a MultiIndex column
        return " / ".join(str(part) for part in column if str(part))
    return str(column)


# --- columns ----------------------------------------------------------------------------------


@dataclass
class _Column:
    """One frame column ready to write: plain values, Excel number format and display width."""

    header: str
    values: list
    number_format: str | None  # None: General, no styling needed
    width: int


def _kind(series: pd.Series) -> str:
    """'percent' aside, one of: bool, int, float, date, datetime, text."""
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "boolean":
        return "bool"
    if inferred == "integer":
        return "int"
    if inferred in ("floating", "mixed-integer-float", "decimal"):
        return "float"
    if inferred in ("datetime64", "datetime", "date"):
        return "date"
    return "text"


def _number_format(places: int, grouping: bool = True, percent: bool = False) -> str:
    decimals = "." + "0" * places if places > 0 else ""
    if percent:
        return f"0{decimals}%"
    return f"{'#,##0' if grouping else '0'}{decimals}"


def _numbers_width(values: list, places: int, percent: bool = False) -> int:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return 0
    scale = 100 if percent else 1
    # «1 234,5» and «−1 234,5»: the extremes are the widest
    widest = max(len(f"{v * scale:,.{places}f}") for v in (min(numbers), max(numbers)))
    return widest + (1 if percent else 0)


def _texts_width(values: list) -> int:
    width = 0
    for value in values:
        if value is not None:
            width = max(width, max(map(len, str(value).splitlines() or [""])))
            if width >= MAX_WIDTH:
                break
    return width


def _header_width(header: str) -> int:
    longest_word = max((len(word) for word in header.split()), default=0)
    return max(longest_word, min(len(header), HEADER_WIDTH))


def _column(series: pd.Series, header: str, percent: bool, places: int | None) -> _Column:
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    kind = _kind(series)
    values = [_plain(value) for value in series.tolist()]

    if kind == "date":
        stamps = [v for v in values if isinstance(v, datetime)]
        with_time = any(v.time() != time(0) for v in stamps)
        if not with_time:
            values = [v.date() if isinstance(v, datetime) else v for v in values]
        number_format = DATETIME_FORMAT if with_time else DATE_FORMAT
        content = len("31.12.2025 23:59") if with_time else len("31.12.2025")
    elif percent and kind in ("int", "float", "text"):
        places = 1 if places is None else places
        number_format = _number_format(places, percent=True)
        texts = [v for v in values if isinstance(v, str)]
        content = max(_numbers_width(values, places, percent=True), _texts_width(texts))
    elif kind in ("int", "float"):
        places = (0 if kind == "int" else 1) if places is None else places
        # Years are labels, not quantities: «2025», never «2 025».
        year = kind == "int" and bool(YEAR_HEADER.search(header))
        number_format = _number_format(places, grouping=not year)
        content = _numbers_width(values, places)
    elif kind == "bool":
        number_format, content = None, len(NO)
    else:
        number_format, content = None, _texts_width(values)
        # Dates among other values would otherwise show as «2025-02-01 00:00:00».
        values = [
            v.strftime("%d.%m.%Y %H:%M" if v.time() != time(0) else "%d.%m.%Y")
            if isinstance(v, datetime)
            else v.strftime("%d.%m.%Y")
            if isinstance(v, date)
            else v
            for v in values
        ]
    width = min(MAX_WIDTH, max(MIN_WIDTH, content, _header_width(header)) + 2)
    return _Column(header=header, values=values, number_format=number_format, width=width)


def _header_lines(header: str, width: int) -> int:
    return len(textwrap.wrap(header, max(1, width - 2)) or [""])


# --- worksheets -------------------------------------------------------------------------------


def _styled(worksheet, value, font=None, fill=None, alignment=None, border=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    return cell


def _row_writer(worksheet, columns: list[_Column]) -> Callable[[tuple], list]:
    """A function turning a tuple of plain values into a row for ``worksheet.append``.

    Columns with a number format get one template cell each that is refilled on every row:
    a write-only worksheet serialises each appended row at once, so reusing the cell is safe
    and far cheaper than styling 600 000 new cells. Unstyled values are passed as they are.
    """
    templates, whole = [], []
    for column in columns:
        if column.number_format is None:
            templates.append(None)
            whole.append(None)
        else:
            template = WriteOnlyCell(worksheet)
            template.number_format = column.number_format
            templates.append(template)
            # A count among decimals in one column (a summary's «Значение»): «21», not «21,00».
            decimal = "." in column.number_format and "%" not in column.number_format
            count = WriteOnlyCell(worksheet) if decimal else None
            if count is not None:
                count.number_format = "#,##0"
            whole.append(count)

    if not any(templates):
        return list

    def row(values: tuple) -> list:
        cells = []
        for template, count, value in zip(templates, whole, values, strict=True):
            if template is None or value is None:
                cells.append(value)
            elif count is not None and isinstance(value, int) and not isinstance(value, bool):
                count.value = value
                cells.append(count)
            else:
                template.value = value
                cells.append(template)
        return cells

    return row


NUMBER = "№ п/п"


def _print_setup(worksheet, columns: int, header_row: int, sheet: Sheet, footer: str | None):
    """A4, fitted to the width of one page, the header row repeated on every page, and the
    page number (with the region, date and source) in the footer."""
    landscape = sheet.landscape if sheet.landscape is not None else columns > 6
    worksheet.page_setup.orientation = "landscape" if landscape else "portrait"
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    worksheet.print_title_rows = f"{header_row}:{header_row}"
    worksheet.oddFooter.right.text = "Страница &P из &N"
    worksheet.oddFooter.right.size = 8
    if footer:
        worksheet.oddFooter.left.text = footer.replace("&", "&&")
        worksheet.oddFooter.left.size = 8


def _write_sheet(worksheet, sheet: Sheet, footer: str | None = None) -> None:
    frame = sheet.frame
    if sheet.numbered:
        frame = frame.copy()
        frame.insert(0, NUMBER, range(1, len(frame) + 1))
    columns = [
        _column(
            frame.iloc[:, position],
            _text(_header(name)),
            percent=name in sheet.percent,
            places=sheet.digits.get(name),
        )
        for position, name in enumerate(frame.columns)
    ]

    header_row = 1 if sheet.note is None else 3
    last_row = header_row + len(frame)
    _print_setup(worksheet, len(columns), header_row, sheet, footer)
    # Widths, heights and panes go into the file before the first row in write-only mode.
    for number, column in enumerate(columns, start=1):
        worksheet.column_dimensions[get_column_letter(number)].width = column.width
    if columns:
        lines = max(_header_lines(column.header, column.width) for column in columns)
        if lines > 1:
            worksheet.row_dimensions[header_row].height = LINE_HEIGHT * min(lines, MAX_HEADER_LINES)
        worksheet.freeze_panes = f"A{header_row + 1}"

    if sheet.note is not None:
        worksheet.append([_styled(worksheet, _text(sheet.note), font=HEADER_FONT)])
        worksheet.append([])
    worksheet.append(
        [
            _styled(
                worksheet,
                column.header,
                font=HEADER_FONT,
                fill=HEADER_FILL,
                alignment=HEADER_ALIGNMENT,
                border=HEADER_BORDER,
            )
            for column in columns
        ]
    )
    row = _row_writer(worksheet, columns)
    for values in zip(*(column.values for column in columns), strict=True):
        worksheet.append(row(values))

    if columns:
        last_column = get_column_letter(len(columns))
        worksheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    for position, name in enumerate(frame.columns, start=1):
        if name in sheet.scale and len(frame):
            low, high = ("F8696B", "63BE7B") if name not in sheet.reverse else ("63BE7B", "F8696B")
            letter = get_column_letter(position)
            worksheet.conditional_formatting.add(
                f"{letter}{header_row + 1}:{letter}{last_row}",
                ColorScaleRule(
                    start_type="min",
                    start_color=low,
                    mid_type="percentile",
                    mid_value=50,
                    mid_color="FFEB84",
                    end_type="max",
                    end_color=high,
                ),
            )


def problems_report(problems) -> bytes:
    """The import's problems: a summary sheet (one line per kind) and every row listed."""
    from radar.ingest.loader import problem_groups_frame, problems_frame, problems_summary

    rows = problems_frame(problems)
    note = problems_summary(problems)
    if problems.unlisted:
        note += (
            f" Построчно перечислены первые {fmt.integer(len(rows))} строк, ещё "
            f"{fmt.integer(problems.unlisted)} посчитаны в сводке."
        )
    return workbook_bytes(
        [
            Sheet("Сводка", problem_groups_frame(problems), note=note),
            Sheet("Все строки", rows),
        ],
        title="Проблемы загрузки",
    )
