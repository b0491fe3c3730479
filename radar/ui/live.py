"""Analytics run from a page with the user's own settings, cached per data and settings.

One truth per session: the criteria a user is trying (set on «Идентификация», kept until she
resets them) are the session's criteria. `apply_criteria` computes that session's lists with
them, and every page's and hand-out's query then reads those lists instead of the stored
ones (reads.session_tables), so the lists, the profile, the overview and the hand-outs agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.settings import Settings
from radar.ui import reads

# The analytics (scikit-learn, scipy) are imported where they are used, not here: every page
# imports this module, and the first page after a start should not wait for them.


def year_inputs(
    year: int, settings: Settings, query: Callable[..., pd.DataFrame] = reads.region_query
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """Only what one year's identification reads, aggregated in the database where it can be.

    A region of 40,000 schools has millions of procedure rows; the page reads the exam-level
    results of the years window, the few procedure rows the rules look at and the context of
    those years. Returns the inputs of analytics.pipeline.identify_year, the exam-level
    results and the pooled adjusted results. `query` runs sql/NAME.sql with parameters.
    """
    from analytics import resilience

    first = min(year - settings.years_window + 1, year - 1)
    years = {"from_year": first, "to_year": year}
    rows = query(
        "analysis/year/identification_rows",
        from_year=year - 1,
        to_year=year,
        min_participants=settings.small_numbers.hide_below,
        fail_share=settings.fail_share,
        fail_ratio=settings.fail_relative_ratio,
        vpr_grade=settings.vpr_gap_grade,
        ege_subjects=list(settings.ege_gap_subjects),
    )
    inputs = {
        "results": rows,
        "context": query("analysis/year/context_years", **years),
        "schools": query("analysis/schools"),
        "olympiads": query("analysis/year/olympiads_years", **years),
        "municipalities": query("analysis/municipalities"),
    }
    exams = query(
        "analysis/year/school_exam_results",
        min_participants=settings.small_numbers.hide_below,
        **years,
    )
    judged = resilience.judged_exams(
        resilience.exams_in_window(exams, year, settings.years_window),
        tuple(settings.resilient_exams),
    )
    pooled = query(
        "analysis/year/adjusted_pooled",
        year=year,
        window=settings.years_window,
        exams=list(judged),
        min_participants=settings.small_numbers.hide_below,
    )
    return inputs, exams, pooled


def compute_identification(
    year: int, settings: Settings, query: Callable[..., pd.DataFrame] = reads.region_query
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identification and partners for settings the derived tables were not computed with."""
    from analytics.pipeline import identify_year

    inputs, exams, pooled = year_inputs(year, settings, query)
    return identify_year(inputs, None, year, settings, exams, pooled)


@st.cache_data(max_entries=64, show_spinner=False)
def _identification(
    year: int, settings_json: str, version: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    settings = Settings.from_json(settings_json)
    if settings == active_settings():
        # The derived tables were computed with exactly these settings.
        return reads.region_query(
            "analysis/year/identification_year", year=year
        ), reads.region_query("analysis/year/partners_year", year=year)
    return compute_identification(year, settings)


def identification(year: int, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identification (with resilience) and partner suggestions for a year and settings:
    read from the derived tables for the active settings, computed otherwise over the whole
    region (a decile is the region's), then only the schools this session may see."""
    ident, partners = _identification(int(year), settings.to_json(), reads.data_version())
    return reads.keep_visible(ident), reads.keep_visible(partners)


@st.cache_data(max_entries=4, show_spinner=False)
def _active_settings(version: str) -> str:
    from radar.store import presets

    return reads.run(presets.active_settings).to_json()


def active_settings() -> Settings:
    """The database's active preset, or the defaults: radar.store.presets.active_settings on
    the pages' connection, cached until the data changes."""
    return Settings.from_json(_active_settings(reads.data_version()))


def presets() -> dict[str, Settings]:
    rows = reads.query("store/settings_presets")
    return {
        name: Settings.from_json(text)
        for name, text in zip(rows["name"], rows["settings_json"], strict=True)
    }


@st.cache_data(max_entries=16, show_spinner=False)
def _clusters(settings_json: str, version: str) -> dict[str, pd.DataFrame]:
    from analytics.pipeline import RISK_INPUTS, compute_risk

    frames = {name: reads.region_query(f"analysis/{name}") for name in RISK_INPUTS}
    settings = Settings.from_json(settings_json).clusters
    return compute_risk(frames, catalogue(), settings)


def catalogue() -> pd.DataFrame:
    """The region's catalogue of support measures (its own, else the shipped one):
    radar.store.refresh.support_catalogue on the pages' connection."""
    from radar.store import refresh

    return reads.run(refresh.support_catalogue)


def clusters(context_features: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Risk clusters of the active settings with other context indicators added to the
    features (all years, so that the labels are carried over as in the stored ones)."""
    active = active_settings()
    chosen = active.clusters.replace(context_features=tuple(sorted(context_features)))
    computed = _clusters(active.replace(clusters=chosen).to_json(), reads.data_version())
    return {name: reads.keep_visible(frame) for name, frame in computed.items()}


# The criteria a user is trying: (settings as JSON, their name).
SESSION_KEY = "session_criteria"


def session_settings() -> Settings:
    """The criteria of this session: those the user is trying, else the active preset."""
    tried = st.session_state.get(SESSION_KEY)
    return Settings.from_json(tried[0]) if tried else active_settings()


def trying() -> str | None:
    """The name of the criteria the user is trying, or None with the active preset (also
    once the criteria she tried have been made the active preset)."""
    tried = st.session_state.get(SESSION_KEY)
    if tried is None or Settings.from_json(tried[0]) == active_settings():
        return None
    return tried[1]


def try_settings(settings: Settings, name: str) -> None:
    """Make `settings` this session's criteria (the active preset's own: no trial)."""
    if settings == active_settings():
        reset_settings()
    else:
        st.session_state[SESSION_KEY] = (settings.to_json(), name)


def reset_settings() -> None:
    st.session_state.pop(SESSION_KEY, None)
    reads.session_tables()


@st.cache_data(max_entries=8, show_spinner=False)
def _tables_with(year: int, settings_json: str, version: str) -> dict[str, pd.DataFrame]:
    """The stored identification and partner tables with `year` and the year before
    computed with other criteria: what every page reads of them (over the whole region;
    each page's query then reads only the session's schools of them)."""
    years = [year - 1, year]
    computed = [_identification(y, settings_json, version) for y in years]
    ident = pd.concat(
        [reads.region_query("analysis/year/identification_other_years", year=year)]
        + [found for found, _ in computed],
        ignore_index=True,
    )
    partners = pd.concat(
        [reads.region_query("analysis/year/partners_other_years", year=year)]
        + [found for _, found in computed],
        ignore_index=True,
    )
    return {"identification": ident, "partner_suggestions": partners}


def apply_criteria(year: int) -> None:
    """Every query of this session's pages reads the lists of the session's criteria for
    `year` (and the year before): computed once per criteria, year and data."""
    if trying() is None:
        reads.session_tables()
        return
    text = session_settings().to_json()
    token = hashlib.sha1(f"{text}|{year}|{reads.data_version()}".encode()).hexdigest()
    current = st.session_state.get(reads.SESSION_TABLES_KEY)
    if current is not None and current[0] == token:
        return
    with st.spinner("Списки по пробным критериям…"):
        tables = _tables_with(int(year), text, reads.data_version())
    reads.session_tables(token, tables)
