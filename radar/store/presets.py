"""Saving named settings presets; an active preset recomputes the derived tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analytics.settings import Settings
from radar.store import db


def active_settings(con) -> Settings:
    """The active preset of the database, or the defaults of analytics.settings."""
    row = con.execute(db.sql("store/active_settings")).fetchone()
    return Settings.from_json(row[0]) if row else Settings()


def save_preset(
    name: str,
    settings: Settings,
    active: bool,
    path: Path | str | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> None:
    """Store `settings` under `name`; if `active`, make it the database's settings and refresh.

    Written through a private copy of the database, so a failure leaves it as it was.
    """
    name = name.strip()
    if not name:
        raise ValueError("Укажите название набора настроек.")
    with db.write_session(path) as con:
        params = {"name": name, "settings_json": settings.to_json(), "active": active}
        con.execute(db.sql("writes/save_preset"), params)
        if active:
            from radar.store.refresh import refresh_derived  # the analytics, when needed

            con.execute(db.sql("writes/deactivate_presets"), {"name": name})
            refresh_derived(con, progress, settings)
