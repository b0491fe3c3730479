"""A slice of a base table edited in a page's table (the methodologist's programme lists: who
is in ШНОР, ШНСУ and «500+», with which curator and partner school).

Saved the way an import is saved: the rows are checked by the loader's rules, and the slice as
stored is compared with the slice the person loaded, under the database's write lock, before
anything is written: a row someone else changed meanwhile refuses the save and names it. Rows
the person deleted are deleted, the others written over, all or nothing, and only the years the
slice holds are recomputed. Each changed value goes to the history (who, when, old → new).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from radar.ingest.entries import ConflictError
from radar.ingest.loader import Source, ValidationError, validate
from radar.store import accounts, db
from radar.store.spec import TABLES
from radar.store.write import HistoryRow, without_keys, write_tables

Progress = Callable[[str, float], None]
EDITOR = "таблица на странице «Данные»"


@dataclass(frozen=True)
class Edit:
    written: int
    deleted: int
    changes: list[accounts.Change]


def _key_text(row: pd.Series, key: list[str]) -> str:
    return "/".join(str(row[k]) for k in key)


def _comparable(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows as text, missing values alike, sorted: equal slices compare equal."""
    out = frame[columns].astype(object).where(frame[columns].notna(), None).astype(str)
    return out.sort_values(columns).reset_index(drop=True)


def changes_between(name: str, before: pd.DataFrame, after: pd.DataFrame) -> list[accounts.Change]:
    """Each value added, changed or removed, row by row (keys as «a/b/c»)."""
    table = TABLES[name]
    key = list(table.key)
    columns = [c.name for c in table.columns if c.name not in key]
    old = {_key_text(r, key): r for _, r in before.iterrows()}
    new = {_key_text(r, key): r for _, r in after.iterrows()}
    found = []
    for record in sorted(old.keys() | new.keys()):
        for column in columns:
            was = old[record][column] if record in old and column in old[record] else None
            now = new[record][column] if record in new and column in new[record] else None
            was = None if was is None or pd.isna(was) else was
            now = None if now is None or pd.isna(now) else now
            if record in old and record not in new:
                found.append(accounts.Change(name, record, "строка удалена", record, None))
                break
            if str(was) != str(now) and not (was is None and now is None):
                found.append(accounts.Change(name, record, column, was, now))
    return found


def save_slice(
    user: accounts.User,
    name: str,
    edited: pd.DataFrame,
    seen: pd.DataFrame,
    stored_sql: str,
    params: Mapping[str, object],
    years: set[int] | None,
    path: Path | str | None = None,
    progress: Progress | None = None,
) -> Edit:
    """Make `edited` (columns by their table names) the stored slice that sql/`stored_sql`
    reads with `params`; `seen` is the slice as the person loaded it."""
    if not user.can(accounts.IMPORT):
        raise db.DatabaseError("Списки и справочники региона правит методист региона.")
    path = Path(path) if path is not None else db.db_path()
    table = TABLES[name]
    key = list(table.key)
    frame = edited.dropna(how="all").reset_index(drop=True).astype(object)
    frame.attrs["source"] = Source(EDITOR, table.label, first_row=1)
    with db.writer_lock(path):
        with db.connect(path) as con:
            stored = con.execute(db.sql(stored_sql), dict(params)).df()
            columns = [c for c in stored.columns if c in seen.columns]
            if not _comparable(stored, columns).equals(_comparable(seen, columns)):
                raise ConflictError(
                    f"Пока вы правили таблицу «{table.label}», её изменил другой пользователь "
                    "или загрузка. Ничего не записано: обновите страницу, проверьте новые строки "
                    "и внесите свои правки снова."
                )
            typed, problems = validate({name: frame}, con)
        if problems.errors:
            raise ValidationError(problems)
        rows = typed[name]
        removed = without_keys(table, stored[key], rows)
        changes = changes_between(name, stored, rows)
        if not changes:
            return Edit(len(rows), 0, [])
        digest = hashlib.sha256(rows.to_csv(index=False).encode("utf-8")).hexdigest()
        history = HistoryRow(user.login, EDITOR, digest, name, len(rows), 0, 0, 0, "сохранено")
        step = progress or (lambda _m, _f: None)
        from radar.store.refresh import refresh_derived

        touched = {name: None if years is None else set(years)}
        write_tables(
            {name: rows},
            "update",
            path,
            [history],
            progress=lambda m, f: step(m, 0.3 * f),
            after_write=lambda con: refresh_derived(
                con, lambda m, f: step(m, 0.3 + 0.7 * f), touched=touched
            ),
            verb="Запись",
            removed={name: removed},
        )
    accounts.Accounts(accounts.accounts_path(path)).record_entries(user.login, changes, "edit")
    return Edit(len(rows), len(removed), changes)
