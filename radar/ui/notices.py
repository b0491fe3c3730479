"""Warnings that several pages show about the data themselves: a change of scale in a
procedure (analytics.scale) on every page whose rules or colours read raw figures."""

from __future__ import annotations

import streamlit as st

from analytics import scale
from analytics.settings import Settings
from radar.ui import reads


def shifts(settings: Settings):
    """The region's changes of scale, from the stored procedure results."""
    return _shifts(settings.small_numbers.hide_below, reads.data_version())


@st.cache_data(max_entries=16, show_spinner=False)
def _shifts(min_participants: int, version: str):
    """Computed once per data version (every page that warns asks for them)."""
    years = reads.query("analysis/scale_years", min_participants=min_participants)
    return scale.scale_shifts(years)


def scale_warning(year: int, settings: Settings, place=st) -> None:
    """Warn, above what the page shows, about the changes of scale the year's rules read."""
    said = scale.warning(shifts(settings), year)
    if said:
        place.warning(said, icon=":material/straighten:")
