"""One active_settings: the store reads the active preset, the pages' cached one calls it."""

from __future__ import annotations

import streamlit as st

from analytics.settings import Settings, SmallNumbers
from radar.ingest.loader import load_region
from radar.store import db
from radar.store.presets import save_preset
from radar.store.refresh import active_settings
from radar.ui import live, reads


def both(path) -> tuple[Settings, Settings]:
    con = db.connect(path, read_only=True)
    try:
        stored = active_settings(con)
    finally:
        con.close()
    st.cache_data.clear()
    try:
        return stored, live.active_settings()
    finally:
        reads.close()


def test_the_active_preset_is_what_both_return(frames, tmp_path, monkeypatch):
    path = tmp_path / "r.duckdb"
    monkeypatch.setenv("RADAR_DB", str(path))
    load_region(frames, path)
    # No preset saved: the defaults of analytics.settings.
    assert both(path) == (Settings(), Settings())

    strict = Settings(fail_share=0.2, small_numbers=SmallNumbers(hide_below=12))
    save_preset("Строже", strict, True, path)
    save_preset("Не действует", Settings(fail_share=0.4), False, path)
    assert both(path) == (strict, strict)


def test_the_page_reads_the_store_function():
    # The UI keeps no query of its own for the active preset.
    source = (db.ROOT / "radar" / "ui" / "live.py").read_text(encoding="utf-8")
    assert "store/active_settings" not in source
    assert "presets.active_settings" in source
