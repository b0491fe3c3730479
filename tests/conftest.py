"""Shared fixtures: a hand-built tiny region, the demo database, clean Streamlit caches."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from radar.store import db


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Two municipalities, three schools, two years: small enough to reason about by hand."""
    municipalities = pd.DataFrame(
        {
            "municipality_id": ["M1", "M2"],
            "name": ["г. Тестоград", "Тестовый район"],
            "kind": ["столица", "сельский район"],
            "center_lat": [43.0, 42.5],
            "center_lon": [47.0, 46.5],
        }
    )
    schools = pd.DataFrame(
        {
            "school_id": ["S1", "S2", "S3"],
            "name": ["МБОУ «Лицей № 1»", "МБОУ «СОШ № 2»", "МКОУ «Горная СОШ»"],
            "short_name": ["Лицей № 1", "СОШ № 2", "Горная СОШ"],
            "municipality_id": ["M1", "M1", "M2"],
            "settlement_type": ["город", "город", "село"],
            "school_level": ["СОШ", "СОШ", "СОШ"],
            "programme_type": ["лицей", "обычная", "обычная"],
            "pupils": [900, 600, 60],
            "is_small": [False, False, True],
            "distance_km": [1.0, 3.0, 45.0],
            "lat": [43.0, 43.01, None],
            "lon": [47.0, 47.02, None],
        }
    )
    rows = []
    for year in (2024, 2025):
        for sid, mean, n, s2 in (
            ("S1", 26.0, 80, 0.02),
            ("S2", 20.0, 50, 0.10),
            ("S3", 15.0, 6, 0.5),
        ):
            rows.append(
                {
                    "school_id": sid,
                    "year": year,
                    "exam": "ОГЭ",
                    "subject": "Математика",
                    "grade": 9,
                    "participants": n,
                    "mean_score": mean + (year - 2024),
                    "share_2": s2,
                    "share_3": 0.5 - s2 / 2,
                    "share_4": 0.3 - s2 / 2,
                    "share_5": 0.2,
                    "share_below_min": None,
                    "share_81plus": None,
                }
            )
    exam_results = pd.DataFrame(rows)
    passport = pd.DataFrame(
        {
            "school_id": ["S1", "S2", "S3"] * 2,
            "year": [2024] * 3 + [2025] * 3,
            "pupils": [900, 600, 60] * 2,
            "share_parents_higher_ed": [0.6, 0.3, 0.1] * 2,
            "share_single_parent": [0.1, 0.15, 0.2] * 2,
            "share_low_income": [0.05, 0.2, 0.45] * 2,
            "share_large_family": [0.15, 0.25, 0.5] * 2,
            "share_registered": [0.0, 0.01, 0.02] * 2,
            "share_non_native": [0.1, 0.2, 0.9] * 2,
            "share_disabled": [0.02, 0.04, 0.06] * 2,
            "share_difficult_situation": [0.0, 0.02, 0.05] * 2,
        }
    )
    curators = pd.DataFrame(
        {
            "curator_id": ["C1"],
            "full_name": ["Иванова Анна Петровна"],
            "organisation": ["ИРО"],
            "municipality_id": ["M2"],
        }
    )
    membership = pd.DataFrame(
        {
            "school_id": ["S3"],
            "year": [2025],
            "programme": ["ШНОР"],
            "curator_id": ["C1"],
            "partner_school_id": ["S1"],
        }
    )
    roadmap = pd.DataFrame(
        {
            "event_id": ["E1"],
            "level": ["муниципалитет"],
            "municipality_id": ["M2"],
            "school_id": [None],
            "year": [2025],
            "title": ["Семинар для ШНОР"],
            "period_start": [date(2025, 2, 1)],
            "period_end": [date(2025, 3, 31)],
            "responsible": ["Управление образования"],
            "expected_result": ["Проведён семинар"],
            "status": ["выполнено"],
            "evidence": ["Протокол"],
        }
    )
    return {
        "municipalities": municipalities,
        "schools": schools,
        "exam_results": exam_results,
        "social_passport": passport,
        "curators": curators,
        "programme_membership": membership,
        "roadmap_events": roadmap,
    }


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    return tiny_frames()


@pytest.fixture
def fresh_db():
    con = db.memory()
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The default demo region built once through the real CLI path."""
    from radar.cli import main

    path = tmp_path_factory.mktemp("demo") / "radar.duckdb"
    assert main(["--db", str(path), "demo"]) == 0
    return path


@pytest.fixture(scope="session")
def england_db(tmp_path_factory) -> Path:
    """England's real KS4 2019 files (Open Government Licence) through the saved mapping:
    4 000 real schools, one year, one procedure (the AppTest pages and the browser)."""
    from radar.ingest.loader import load_region
    from radar.ingest.mapping import MAPPINGS, Mapping, apply_mapping
    from radar.store.refresh import refresh_derived

    frames = apply_mapping(
        Mapping.load(MAPPINGS / "england_ks4_2019.json"),
        db.ROOT / "data" / "realdata" / "england_ks4_2019",
    )
    path = tmp_path_factory.mktemp("england") / "england.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    return path


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch) -> Path:
    """A copy of the demo region to write to (entries, edits), its accounts beside it."""
    import shutil

    path = tmp_path / "radar.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.delenv("RADAR_ACCOUNTS", raising=False)
    return path


@pytest.fixture
def demo_env(demo_db, monkeypatch) -> Path:
    """Point the app at the demo database and start from empty Streamlit caches."""
    import streamlit as st

    monkeypatch.setenv("RADAR_DB", str(demo_db))
    monkeypatch.delenv("RADAR_AUTH", raising=False)  # the pages as one local user sees them
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_db
    st.cache_data.clear()
    st.cache_resource.clear()


def pytest_configure(config):
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
