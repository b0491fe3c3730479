"""Analytics run from a page with the user's own settings, cached per data and settings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.pipeline import INPUTS, identify_year
from analytics.settings import Settings
from radar import store


@st.cache_data(max_entries=4, show_spinner=False)
def _inputs(version: str) -> dict[str, pd.DataFrame]:
    return {name: store.query(f"analysis_{name}") for name in INPUTS}


def inputs() -> dict[str, pd.DataFrame]:
    """The frames the analytics read, once per database version."""
    return _inputs(store.data_version())


@st.cache_data(max_entries=64, show_spinner=False)
def _identification(
    year: int, settings_json: str, version: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    settings = Settings.from_json(settings_json)
    adjusted = store.query("adjusted_window", year=year, window=settings.years_window)
    return identify_year(inputs(), adjusted, year, settings)


def identification(year: int, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identification (with resilience) and partner suggestions for a year and settings."""
    return _identification(int(year), settings.to_json(), store.data_version())


def active_settings() -> Settings:
    """The database's active preset, or the defaults."""
    row = store.query("active_settings")
    return Settings.from_json(row["settings_json"].iloc[0]) if len(row) else Settings()


def presets() -> dict[str, Settings]:
    rows = store.query("settings_presets")
    return {
        name: Settings.from_json(text)
        for name, text in zip(rows["name"], rows["settings_json"], strict=True)
    }
