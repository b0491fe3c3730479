"""The catalogue of support measures, edited by the methodologist on «Данные»: each measure
answers the risk factors whose name holds its keyword, at a level (регион, муниципалитет,
школа). Checked, compared with what she loaded under the write lock, written all or nothing
with the risk clusters' measures recomputed, and traced (who, when, old → new)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from radar.ingest.entries import ConflictError
from radar.ingest.loader import Problem, ValidationError
from radar.ingest.table_edit import EDITOR
from radar.store import accounts, db

Progress = Callable[[str, float], None]
COLUMNS = ["factor_keyword", "measure", "description", "level", "source"]
HEADERS = {
    "factor_keyword": "Ключевое слово фактора",
    "measure": "Мера",
    "description": "Описание",
    "level": "Уровень",
    "source": "Источник",
}
LEVELS = ("регион", "муниципалитет", "школа")
SHEET = "Каталог мер поддержки"


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=COLUMNS).astype(object)
    out = out.map(
        lambda v: None if v is None or pd.isna(v) or not str(v).strip() else str(v).strip()
    )
    return out.dropna(how="all").reset_index(drop=True)


def check(frame: pd.DataFrame) -> list[Problem]:
    """Each measure needs its keyword and name, a known level, and appears once."""
    problems = []

    def add(row: int, column: str, message: str) -> None:
        problems.append(
            Problem("ошибка", "support_measures", EDITOR, SHEET, row, HEADERS[column], message)
        )

    seen: dict[tuple[str, str], int] = {}
    frame = frame.astype(object).where(frame.notna(), None)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if row.factor_keyword is None:
            add(i, "factor_keyword", "нужно слово из названия фактора риска, например «кадр»")
        if row.measure is None:
            add(i, "measure", "нужно название меры")
        if row.level is not None and row.level not in LEVELS:
            add(i, "level", f"«{row.level}» — уровень бывает: {', '.join(LEVELS)}")
        key = (row.factor_keyword, row.measure)
        if all(key) and key in seen:
            add(i, "measure", f"та же мера для того же слова уже в строке {seen[key]}")
        seen.setdefault(key, i)
    return problems


def save_catalogue(
    user: accounts.User,
    edited: pd.DataFrame,
    seen: pd.DataFrame,
    path: Path | str | None = None,
    progress: Progress | None = None,
) -> list[accounts.Change]:
    """Make `edited` the region's catalogue; `seen` is the catalogue she began from."""
    from radar.store.refresh import refresh_derived, support_catalogue

    if not user.can(accounts.IMPORT):
        raise db.DatabaseError("Каталог мер поддержки правит методист региона.")
    path = Path(path) if path is not None else db.db_path()
    rows = _clean(edited)
    problems = check(rows)
    if problems:
        raise ValidationError(problems)
    with db.writer_lock(path):
        with db.connect(path) as con:
            stored = _clean(support_catalogue(con))
        if not stored.astype(str).equals(_clean(seen).astype(str)):
            raise ConflictError(
                "Пока вы правили каталог мер поддержки, его изменил другой пользователь. "
                "Ничего не записано: обновите страницу и внесите правки снова."
            )
        changes = _changes(stored, rows)
        if not changes and stored.astype(str).equals(rows.astype(str)):
            return []
        step = progress or (lambda _m, _f: None)
        with db.write_session(path) as con:
            con.execute("begin transaction")
            con.execute(db.sql("writes/clear_support_measures"))
            db.register_frame(con, "incoming_rows", rows.assign(position=range(1, len(rows) + 1)))
            con.execute(db.sql("writes/insert_support_measures"))
            con.unregister("incoming_rows")
            con.execute("commit")
            refresh_derived(con, step)
    accounts.Accounts(accounts.accounts_path(path)).record_entries(user.login, changes, "edit")
    return changes


def _changes(before: pd.DataFrame, after: pd.DataFrame) -> list[accounts.Change]:
    def keyed(frame: pd.DataFrame) -> dict[str, pd.Series]:
        return {f"{r['factor_keyword']}/{r['measure']}": r for _, r in frame.iterrows()}

    old, new = keyed(before), keyed(after)
    found = []
    for record in sorted(old.keys() | new.keys()):
        if record not in new:
            found.append(accounts.Change("support_measures", record, "мера удалена", record, None))
        elif record not in old:
            found.append(
                accounts.Change("support_measures", record, "мера добавлена", None, record)
            )
        else:
            for column in ("description", "level", "source"):
                if old[record][column] != new[record][column]:
                    found.append(
                        accounts.Change(
                            "support_measures",
                            record,
                            column,
                            old[record][column],
                            new[record][column],
                        )
                    )
    return found
