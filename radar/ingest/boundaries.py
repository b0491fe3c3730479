"""The mark boundaries edited on the page «Данные»: checked like an imported sheet and written
through the one write path (all or nothing), with the derived tables recalculated."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

import pandas as pd

from radar.ingest.loader import Source, ValidationError, validate
from radar.store import db
from radar.store.refresh import refresh_derived
from radar.store.spec import TABLES
from radar.store.write import HistoryRow, without_keys, write_tables

TABLE = TABLES["mark_boundaries"]
EDITOR = "таблица на странице «Данные»"


def save_boundaries(
    edited: pd.DataFrame, path: Path | str | None = None, user: str | None = None
) -> int:
    """Check the edited boundaries (columns by their table names) and make them the stored
    ones: the editor shows them all, so a stored row whose year, procedure, subject and grade
    the table no longer holds was deleted there and is deleted, and the others are written over.
    Raises ValidationError (nothing written) while any error stands, each naming the table, row
    and column; returns the rows written."""
    frame = edited.dropna(how="all").reset_index(drop=True).astype(object)
    frame.attrs["source"] = Source(EDITOR, TABLE.label, first_row=1)
    con = db.connect(path, read_only=True)
    try:
        typed, problems = validate({TABLE.name: frame}, con)
        stored = con.execute(db.sql("pages/data/mark_boundaries")).df()
    finally:
        con.close()
    if problems.errors:
        raise ValidationError(problems)
    rows = typed[TABLE.name]
    removed = without_keys(TABLE, stored[list(TABLE.key)], rows)
    digest = hashlib.sha256(rows.to_csv(index=False).encode("utf-8")).hexdigest()
    history = HistoryRow(
        user or getpass.getuser(), EDITOR, digest, TABLE.name, len(rows), 0, 0, 0, "сохранено"
    )
    write_tables(
        {TABLE.name: rows},
        "update",
        path,
        [history],
        after_write=refresh_derived,
        verb="Запись",
        removed={TABLE.name: removed},
    )
    return len(rows)


def removed_count(stored: pd.DataFrame, edited: pd.DataFrame) -> int:
    """How many stored rows (by year, procedure, subject and grade) the edited table lacks."""
    key = list(TABLE.key)
    return len(without_keys(TABLE, stored[key].astype(str), edited[key].dropna().astype(str)))
