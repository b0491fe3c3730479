"""Reading a region's files into frames for the loader: CSV in UTF-8 or Windows-1251."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from radar.ingest.limits import Limits
from radar.ingest.loader import Source
from radar.store.spec import TABLES, Table


class FileProblem(ValueError):
    """A file that cannot be read at all, explained in Russian."""


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ROW = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_CELL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]+"')
# Columns past Z: the only ones that can make a sheet too wide (or too large) for the limits.
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})[0-9]+"')


def _sheet_names(book: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part (xl/worksheets/sheet1.xml) → the sheet's name in the workbook."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_REVERSED.findall(rels)})
    names = {}
    for name, rid in _SHEET.findall(workbook):
        target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        names[part] = html.unescape(name.decode("utf-8", "replace"))
    return names


_CHECKED: dict[tuple[bytes, Limits], None] = {}


def check_workbook(name: str, content: bytes, limits: Limits | None = None) -> None:
    """Refuse a workbook that is not one, or that would need more memory than the limits allow
    once read: too much unpacked content, or a sheet whose used range (up to its farthest cell,
    whatever its declared dimension) is too large. A workbook that passed is not checked again."""
    limits = limits or Limits.current()
    token = (hashlib.sha1(content).digest(), limits)
    if token in _CHECKED:
        return
    _check_workbook(name, content, limits)
    if len(_CHECKED) > 64:
        _CHECKED.clear()
    _CHECKED[token] = None


def _check_workbook(name: str, content: bytes, limits: Limits) -> None:
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(f"{name}: файл повреждён или это не книга Excel (.xlsx)") from exc
    unpacked = sum(m.file_size for m in members)
    budget = limits.unpacked_mb * 1024 * 1024
    if unpacked > budget:
        raise FileProblem(
            f"{name}: книга слишком велика — в распакованном виде "
            f"{unpacked / 1024**2:,.0f} МБ при допустимых {limits.unpacked_mb:,} МБ; "
            "разделите её на несколько файлов".replace(",", "\u00a0")
        )
    names = _sheet_names(book)
    for member in members:
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        sheet = names.get(member.filename, member.filename.rsplit("/", 1)[-1])
        rows = columns = 0
        read = 0
        tail = b""
        try:
            with book.open(member) as stream:
                while chunk := stream.read(1 << 22):
                    read += len(chunk)
                    if read > budget:
                        raise FileProblem(f"{name}, лист «{sheet}»: лист слишком велик")
                    text = tail + chunk
                    found = _ROW.findall(text)
                    if found:
                        rows = max(rows, max(map(int, found)))
                    cells = _WIDE_CELL if limits.columns >= 26 else _CELL
                    for letters in set(cells.findall(text)):
                        columns = max(columns, _column_number(letters))
                    tail = text[-64:]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileProblem(f"{name}, лист «{sheet}»: файл повреждён") from exc
        problem = (
            f"{rows:,} строк".replace(",", "\u00a0")
            if rows > limits.rows
            else f"{columns:,} столбцов".replace(",", "\u00a0")
            if columns > limits.columns
            else "слишком много ячеек"
            if rows * columns > limits.cells
            else ""
        )
        if problem:
            raise FileProblem(
                f"{name}, лист «{sheet}»: на листе {problem} (заполненная ячейка в строке "
                f"{rows:,}, столбце {columns:,}); допустимо строк до {limits.rows:,}, "
                f"столбцов до {limits.columns:,}. Удалите лишние ячейки или разделите "
                "лист".replace(",", "\u00a0")
            )


def detect_encoding(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem("кодировка не распознана: сохраните файл в UTF-8 или Windows-1251")


def detect_separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        return ";" if sample.count(";") > sample.count(",") else ","


def decode(name: str, raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding; a Russian message naming the file if neither
    UTF-8 nor Windows-1251 fits."""
    try:
        encoding = detect_encoding(raw)
    except FileProblem as exc:
        raise FileProblem(f"{name}: {exc}") from exc
    return raw.decode(encoding), encoding


def header_map(table: Table, headers: list[str]) -> dict[str, str]:
    """Column codes or Russian headers (any case) → the table's column codes."""
    known = {}
    for col in table.columns:
        known[col.name.lower()] = col.name
        known[col.label.lower()] = col.name
    return {h: known[h.strip().lower()] for h in headers if h.strip().lower() in known}


def read_csv_table(path: Path, table_name: str | None = None) -> tuple[str, pd.DataFrame, str]:
    """Read one CSV as the table named by `table_name` or by the file's stem.

    Returns the table name, the frame (text cells, for the loader to type-check) and a Russian
    note on the detected encoding and separator.
    """
    name = table_name or path.stem
    if name not in TABLES:
        known = ", ".join(TABLES)
        raise FileProblem(
            f"{path.name}: не понятно, какая это таблица; назовите файл одним из: {known}"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise FileProblem(f"{path.name}: файл пуст")
    text, encoding = decode(path.name, raw)
    sep = detect_separator(text)
    frame = pd.read_csv(
        path,
        sep=sep,
        encoding=encoding,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    )
    frame = frame.replace({"": None}).dropna(how="all")
    # The file's rows: the header is row 1, and empty lines are dropped but still counted.
    rows = tuple(int(i) + 2 for i in frame.index)
    frame = frame.reset_index(drop=True)
    # A CSV saved from the template keeps its marks of required columns («Код школы *»).
    frame.columns = [str(c).strip().rstrip("*").strip() for c in frame.columns]
    frame = frame.rename(columns=header_map(TABLES[name], list(frame.columns)))
    frame.attrs["source"] = Source(path.name, "", rows=rows, digest=hashlib.sha256(raw).hexdigest())
    sep_name = {";": "точка с запятой", ",": "запятая", "\t": "табуляция"}[sep]
    enc_name = "UTF-8" if encoding.startswith("utf") else "Windows-1251"
    return (
        name,
        frame,
        f"{path.name}: кодировка {enc_name}, разделитель — {sep_name}, строк: {len(frame)}",
    )


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every NAME.csv in a folder, one table each."""
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise FileProblem(f"В папке {folder} нет файлов .csv")
    frames, notes = {}, []
    for path in files:
        name, frame, note = read_csv_table(path)
        frames[name] = frame
        notes.append(note)
    return frames, notes
