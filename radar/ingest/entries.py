"""What a curator records in the app: a school's monitoring stage values and a roadmap event's
status with its evidence.

Each entry goes the way an import goes: the rows are checked by the loader's rules, written by
the one write path (all or nothing, the database's write lock held from reading the stored
values to swapping the new file in), and only the years they touch are recomputed. Before
writing, the stored values are compared with those the person saw when she began: if someone
else changed them meanwhile, nothing is written and she is told who changed what. Every value
changed is kept in the history (who, when, old → new) with an audit entry.

Evidence files are kept beside the database, in NAME.evidence/<event>/.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analytics import fmt
from radar.ingest.loader import Problem, Source, ValidationError, validate
from radar.store import access, accounts, db
from radar.store.spec import TABLES
from radar.store.write import HistoryRow, write_tables

Progress = Callable[[str, float], None]
SOURCE = "Запись в панели"
MAX_FILE_BYTES = 20 * 1024**2
LINK = re.compile(r"^https?://\S+$")


class ConflictError(db.DatabaseError):
    """Someone changed the values after the person began: nothing was written."""


@dataclass(frozen=True)
class Saved:
    changes: list[accounts.Change]
    refreshed: bool


def evidence_folder(path: Path | str | None = None) -> Path:
    path = Path(path) if path is not None else db.db_path()
    return path.with_name(f"{path.stem}.evidence")


def _same(a: object, b: object) -> bool:
    missing_a = a is None or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or (isinstance(b, float) and math.isnan(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-9
    return str(a) == str(b)


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "пусто"
    if isinstance(value, float):
        return fmt.num(value, 2)
    return str(value)


def _allowed(con, user: accounts.User, school_id: str) -> None:
    if not user.can(accounts.ENTER):
        raise db.DatabaseError(
            "Записи в панели делают кураторы и методисты региона: у вашей учётной записи нет "
            "такой роли."
        )
    if user.access.region:
        return
    if school_id not in access.visible(con, user.access).schools:
        raise db.DatabaseError(
            f"Школа {school_id} не входит в число ваших школ: записать по ней нельзя."
        )


def _conflict(
    path: Path, table: str, record: str, differences: list[tuple[str, str, object, object]]
) -> ConflictError:
    """Who changed what meanwhile, as far as the history knows (an import says nothing)."""
    store = accounts.Accounts(accounts.accounts_path(path))
    lines = []
    for field, label, seen, now in differences:
        last = store.last_entry(table, record, field)
        who = f"{last[0]}, {last[1][:16]}" if last else "загрузкой файла или другим путём"
        lines.append(f"«{label}»: вы видели {_shown(seen)}, сейчас {_shown(now)} (изменил: {who})")
    return ConflictError(
        "Пока вы вносили значения, их изменил другой пользователь. Ничего не записано; "
        "проверьте новые значения и внесите свои снова.\n" + "\n".join(lines)
    )


def _checked(name: str, rows: pd.DataFrame, con, labels: list[str]) -> pd.DataFrame:
    """The rows typed and checked by the import's rules; a ValidationError naming the
    entry's line (its label) otherwise."""
    rows = rows.copy()
    rows.attrs["source"] = Source(SOURCE, TABLES[name].label, first_row=1)
    typed, problems = validate({name: rows}, con)
    if problems.errors:
        named = [
            p.__class__(
                p.severity,
                p.table,
                p.file,
                p.sheet if p.row is None else labels[p.row - 1],
                None,
                p.column,
                p.message,
                p.kind,
            )
            for p in problems
        ]
        raise ValidationError(named)
    return typed[name]


def record_stage(
    user: accounts.User,
    school_id: str,
    year: int,
    stage: str,
    stage_date: date | None,
    values: Mapping[str, float | None],
    seen: Mapping[str, float | None],
    names: Mapping[str, str] | None = None,
    path: Path | str | None = None,
    progress: Progress | None = None,
) -> Saved:
    """Write a school's values of one monitoring stage (indicator → value; None clears it).
    `seen` are the values shown when the person began: if the stored ones differ, nothing is
    written (ConflictError)."""
    path = Path(path) if path is not None else db.db_path()
    names = dict(names or {})
    record = f"{school_id}/{year}/{stage}"
    with db.writer_lock(path):
        with db.connect(path) as con:
            _allowed(con, user, school_id)
            stored = con.execute(
                db.sql("store/entry_stage_values"),
                {"school_id": school_id, "year": int(year), "stage": stage},
            ).df()
            units = dict(con.execute(db.sql("store/indicator_units")).fetchall())
        _check_ranges(values, units, names)
        now = dict(zip(stored["indicator"], stored["value"], strict=True))
        differences = [
            (indicator, names.get(indicator, indicator), seen.get(indicator), now.get(indicator))
            for indicator in values
            if not _same(seen.get(indicator), now.get(indicator))
        ]
        if differences:
            raise _conflict(path, "monitoring_stages", record, differences)
        old_date = (
            stored["stage_date"].dropna().iloc[0] if stored["stage_date"].notna().any() else None
        )
        old_date = pd.Timestamp(old_date).date() if old_date is not None else None
        new_date = stage_date if stage_date is not None else old_date
        changes = [
            accounts.Change("monitoring_stages", record, indicator, now.get(indicator), value)
            for indicator, value in values.items()
            if not _same(value, now.get(indicator))
        ]
        if not _same(new_date, old_date):
            changes.append(
                accounts.Change("monitoring_stages", record, "stage_date", old_date, new_date)
            )
        if not changes:
            return Saved([], refreshed=False)
        final = {**now, **{k: v for k, v in values.items()}}
        kept = {k: v for k, v in final.items() if not _same(v, None)}
        rows = pd.DataFrame(
            {
                "school_id": school_id,
                "year": int(year),
                "stage": stage,
                "indicator": list(kept),
                "value": list(kept.values()),
                "stage_date": new_date,
            }
        )
        with db.connect(path) as con:
            typed = _checked("monitoring_stages", rows, con, [names.get(i, i) for i in kept])
        cleared = [k for k, v in final.items() if _same(v, None) and k in now]
        removed = (
            {
                "monitoring_stages": pd.DataFrame(
                    {
                        "school_id": school_id,
                        "year": int(year),
                        "stage": stage,
                        "indicator": cleared,
                    }
                )
            }
            if cleared
            else None
        )
        _write(
            "monitoring_stages",
            typed,
            user,
            path,
            progress,
            {"monitoring_stages": {int(year)}},
            removed=removed,
        )
    accounts.Accounts(accounts.accounts_path(path)).record_entries(user.login, changes)
    return Saved(changes, refreshed=True)


def record_event(
    user: accounts.User,
    event_id: str,
    status: str,
    note: str,
    link: str,
    seen_status: str,
    seen_evidence: str | None,
    file: tuple[str, bytes] | None = None,
    path: Path | str | None = None,
    progress: Progress | None = None,
) -> Saved:
    """Write a roadmap event's status and its evidence: a note, a link, a file kept beside
    the database. `seen_*` are what the person saw when she began."""
    path = Path(path) if path is not None else db.db_path()
    link = link.strip()
    if link and not LINK.match(link):
        raise ValidationError(
            [_problem("evidence", f"ссылка «{link}» должна начинаться с http:// или https://")]
        )
    if file is not None and len(file[1]) > MAX_FILE_BYTES:
        size = fmt.num(len(file[1]) / 1024**2, 1)
        raise ValidationError(
            [_problem("evidence", f"файл «{file[0]}» весит {size} МБ, больше 20 МБ")]
        )
    with db.writer_lock(path):
        with db.connect(path) as con:
            stored = con.execute(db.sql("store/entry_event"), {"event_id": event_id}).df()
            if stored.empty:
                raise db.DatabaseError(f"Мероприятия {event_id} в базе нет.")
            row = stored.iloc[0]
            school = row["school_id"]
            if school is None or pd.isna(school):
                if not user.can(accounts.IMPORT):
                    raise db.DatabaseError(
                        "Мероприятия региона и муниципалитетов отмечает методист региона."
                    )
            else:
                _allowed(con, user, school)
        differences = [
            (field, label, seen, row[field])
            for field, label, seen in (
                ("status", "Статус", seen_status),
                ("evidence", "Подтверждение", seen_evidence),
            )
            if not _same(seen, None if pd.isna(row[field]) else row[field])
        ]
        if differences:
            raise _conflict(path, "roadmap_events", event_id, differences)
        saved_file = _keep_file(path, event_id, file) if file is not None else None
        parts = [note.strip()] if note.strip() else []
        if link:
            parts.append(f"ссылка: {link}")
        if saved_file:
            parts.append(f"файл: {saved_file}")
        old_evidence = None if pd.isna(row["evidence"]) else row["evidence"]
        evidence = "; ".join(parts) if parts else old_evidence
        changes = [
            accounts.Change("roadmap_events", event_id, field, old, new)
            for field, old, new in (
                ("status", row["status"], status),
                ("evidence", old_evidence, evidence),
            )
            if not _same(old, new)
        ]
        if not changes:
            return Saved([], refreshed=False)
        frame = stored.copy()
        frame.loc[:, "status"] = status
        frame.loc[:, "evidence"] = evidence
        try:
            with db.connect(path) as con:
                typed = _checked("roadmap_events", frame, con, [row["title"]])
            _write(
                "roadmap_events",
                typed,
                user,
                path,
                progress,
                {"roadmap_events": {int(row["year"])}},
            )
        except BaseException:
            if saved_file:
                (evidence_folder(path) / saved_file).unlink(missing_ok=True)
            raise
    accounts.Accounts(accounts.accounts_path(path)).record_entries(user.login, changes)
    return Saved(changes, refreshed=False)


def _check_ranges(
    values: Mapping[str, float | None], units: Mapping[str, str], names: Mapping[str, str]
) -> None:
    """A share is 0–100 %, any other indicator (a count, a mark) is not negative."""
    problems = []
    for indicator, value in values.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        name = names.get(indicator, indicator)
        if indicator not in units:
            problems.append((name, "такого показателя нет в списке показателей мониторинга"))
        elif units[indicator] == "доля" and not 0 <= value <= 1:
            problems.append((name, f"{fmt.pct(value, 1)} — доля должна быть от 0 до 100 %"))
        elif value < 0:
            problems.append((name, f"{fmt.num(value, 2)} — значение не может быть меньше нуля"))
    if problems:
        table = TABLES["monitoring_stages"]
        raise ValidationError(
            [
                Problem("ошибка", table.name, SOURCE, name, None, "Значение", message)
                for name, message in problems
            ]
        )


def _problem(column: str, message: str):
    return Problem(
        "ошибка", "roadmap_events", SOURCE, "Мероприятия дорожной карты", None, column, message
    )


def _keep_file(path: Path, event_id: str, file: tuple[str, bytes]) -> str:
    """The file under NAME.evidence/<event>/, named by the moment and its own name; the name
    relative to that folder."""
    name = re.sub(r"[^\w.\-]+", "_", Path(file[0]).name).strip("._") or "файл"
    relative = Path(re.sub(r"[^\w\-]+", "_", event_id)) / f"{datetime.now():%Y%m%d-%H%M%S}_{name}"
    target = evidence_folder(path) / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file[1])
    except OSError as exc:
        raise db.DatabaseError(db.disk_message(exc, target.parent)) from exc
    return relative.as_posix()


def _write(name, typed, user, path, progress, touched, removed=None) -> None:
    from radar.store.refresh import refresh_derived

    history = [
        HistoryRow(
            user.login,
            SOURCE,
            "",
            name,
            len(typed),
            0,
            len(typed),
            0,
            "записано в панели",
        )
    ]
    step = progress or (lambda _m, _f: None)
    write_tables(
        {name: typed},
        "update",
        path,
        history,
        progress=lambda m, f: step(m, 0.3 * f),
        after_write=lambda con: refresh_derived(
            con, lambda m, f: step(m, 0.3 + 0.7 * f), touched=touched
        ),
        verb="Запись",
        removed=removed,
    )
