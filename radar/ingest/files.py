"""Reading a region's files into frames for the loader: CSV in UTF-8 or Windows-1251."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd

from radar.ingest.loader import Source
from radar.store.spec import TABLES, Table


class FileProblem(ValueError):
    """A file that cannot be read at all, explained in Russian."""


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
    frame = pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)
    frame = frame.replace({"": None})
    frame = frame.rename(columns=header_map(TABLES[name], list(frame.columns)))
    frame.attrs["source"] = Source(
        path.name, "", first_row=2, digest=hashlib.sha256(raw).hexdigest()
    )
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
