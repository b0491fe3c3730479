"""Earlier states of the database, kept so that any confirmed import can be undone.

Before an import writes, the database file as it was is copied into a folder beside it
(radar.duckdb.versions/), with a note of the import that followed. Undoing an import brings back
the region's rows of that copy through the one write path (radar/store/write.py): the settings
presets and the import history of the current database stay, and the undo is itself recorded in
the history. The number of states kept is RADAR_KEEP_VERSIONS (5 by default); older ones are
removed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from radar.store import db

KEEP_DEFAULT = 5


def keep() -> int:
    try:
        return max(int(os.environ.get("RADAR_KEEP_VERSIONS", KEEP_DEFAULT)), 0)
    except ValueError:
        return KEEP_DEFAULT


def folder(path: Path | str | None = None) -> Path:
    path = Path(path) if path is not None else db.db_path()
    return path.with_name(path.name + ".versions")


@dataclass(frozen=True)
class Version:
    """The database as it was before one import."""

    name: str  # the copy's file stem, e.g. 20261202-165501-123456
    saved_at: datetime
    files: str  # the files of the import that followed
    user_name: str
    size: int  # bytes on disk


def save(path: Path | str | None, files: list[str], user: str) -> Version | None:
    """Copy the database before an import (nothing when there is none yet, or keep() is 0)."""
    path = Path(path) if path is not None else db.db_path()
    if not path.exists() or keep() == 0:
        return None
    target = folder(path)
    try:
        target.mkdir(exist_ok=True)
        moment = datetime.now()
        name = moment.strftime("%Y%m%d-%H%M%S-%f")
        shutil.copyfile(path, target / f"{name}.duckdb")
        note = {"saved_at": moment.isoformat(), "files": ", ".join(files), "user_name": user}
        (target / f"{name}.json").write_text(json.dumps(note, ensure_ascii=False), "utf-8")
    except OSError as exc:
        raise db.DatabaseError(
            "Не удаётся сохранить копию базы для отмены загрузки. " + db.disk_message(exc, target)
        ) from exc
    prune(path)
    return next(v for v in versions(path) if v.name == name)


def versions(path: Path | str | None = None) -> list[Version]:
    """The kept states, newest first."""
    found = []
    for note in folder(path).glob("*.json"):
        copy = note.with_suffix(".duckdb")
        if not copy.exists():
            continue
        try:
            data = json.loads(note.read_text("utf-8"))
            found.append(
                Version(
                    note.stem,
                    datetime.fromisoformat(data["saved_at"]),
                    data.get("files", ""),
                    data.get("user_name", ""),
                    copy.stat().st_size,
                )
            )
        except (OSError, ValueError, KeyError):
            continue
    return sorted(found, key=lambda v: v.saved_at, reverse=True)


def disk_used(path: Path | str | None = None) -> int:
    return sum(v.size for v in versions(path))


def discard(name: str, path: Path | str | None = None) -> None:
    for part in (".duckdb", ".json"):
        (folder(path) / f"{name}{part}").unlink(missing_ok=True)


def prune(path: Path | str | None = None) -> None:
    for old in versions(path)[keep() :]:
        discard(old.name, path)


def restore(
    name: str,
    path: Path | str | None = None,
    user: str = "",
    progress: Callable[[str, float], None] | None = None,
) -> None:
    """Bring back the region's rows as they were before the import of version `name`, and
    recalculate; the presets and the history stay, and the undo is added to the history."""
    from radar.store.refresh import refresh_derived
    from radar.store.spec import TABLES
    from radar.store.write import HistoryRow, write_tables

    path = Path(path) if path is not None else db.db_path()
    chosen = next((v for v in versions(path) if v.name == name), None)
    if chosen is None:
        raise db.DatabaseError(f"Сохранённое состояние базы «{name}» не найдено.")
    step = progress or (lambda _m, _f: None)
    step("Чтение сохранённого состояния", 0.0)
    old = db.connect(folder(path) / f"{name}.duckdb", read_only=True)
    try:
        present = {r[0] for r in old.execute(db.sql("store/table_names")).fetchall()}
        rows = {t: db.read_table(old, t) for t in TABLES if t in present}
    finally:
        old.close()
    when = chosen.saved_at.strftime("%d.%m.%Y %H:%M")
    history = [
        HistoryRow(
            user or chosen.user_name,
            f"отмена загрузки «{chosen.files}» от {when}",
            "",
            "",
            0,
            0,
            0,
            0,
            "база возвращена к состоянию до этой загрузки",
        )
    ]
    write_tables(
        rows,
        "replace",
        path,
        history,
        progress=lambda message, fraction: step(message, 0.1 + 0.5 * fraction),
        after_write=lambda con: refresh_derived(
            con, lambda message, fraction: step(message, 0.6 + 0.4 * fraction)
        ),
        verb="Восстановление",
    )
    step("База возвращена к прежнему состоянию", 1.0)
