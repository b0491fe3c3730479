"""A curator's entries in the app: checked as an import is, atomic, traced old → new, refused
when someone changed the values meanwhile, and only for her own schools."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from radar.ingest import entries
from radar.ingest.loader import ValidationError
from radar.store import access, accounts, db
from radar.store.accounts import Role
from radar.store.refresh import refresh_derived

CURATOR = accounts.User("kur", "Ольга Николаева", (Role("curator", curator_id="C001"),))
OTHER = accounts.User("kur2", "Анна Соколова", (Role("curator", curator_id="C002"),))
HEAD = accounts.User("glava", "Иван Сидоров", (Role("head", municipality_id="M036"),))
YEAR, STAGE = 2025, "итоговый"


@pytest.fixture
def region(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "radar.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.delenv("RADAR_ACCOUNTS", raising=False)
    monkeypatch.setenv("RADAR_DB", str(path))
    return path


def one(path, query: str, **params) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(query, params).df()


def her_school(path) -> str:
    with db.connect(path) as con:
        return access.visible(con, CURATOR.access).schools[0]


def stage(path, school: str) -> dict[str, float]:
    rows = one(
        path,
        "select indicator, value from monitoring_stages "
        "where school_id = $s and year = $y and stage = $t",
        s=school,
        y=YEAR,
        t=STAGE,
    )
    return dict(zip(rows["indicator"], rows["value"], strict=True))


def test_a_curator_records_a_stage_and_the_progress_follows_as_after_a_full_refresh(
    region, tmp_path
):
    school = her_school(region)
    seen = stage(region, school)
    values = {**seen, "math_share_2": 0.05, "high_risks": 1.0}
    saved = entries.record_stage(
        CURATOR, school, YEAR, STAGE, date(2025, 11, 25), values, seen, path=region
    )
    assert {c.field for c in saved.changes} == {"math_share_2", "high_risks", "stage_date"}
    assert stage(region, school)["math_share_2"] == 0.05
    # The derived monitoring tables after the entry equal a full refresh of the same data.
    full = tmp_path / "full.duckdb"
    shutil.copyfile(region, full)
    with db.write_session(full) as con:
        refresh_derived(con)
    for table in ("monitoring_progress", "monitoring_changes"):
        query = f"select * from {table} order by all"
        pd.testing.assert_frame_equal(one(region, query), one(full, query))
    progress = one(
        region,
        "select * from monitoring_progress where school_id = $s and year = $y",
        s=school,
        y=YEAR,
    )
    assert len(progress) == 1
    history = accounts.Accounts().entries("monitoring_stages")
    changed = history.set_index("field").loc["math_share_2"]
    assert changed["login"] == "kur" and changed["new_value"] == "0.05"
    assert float(changed["old_value"]) == pytest.approx(seen["math_share_2"])
    assert accounts.Accounts().log()["action"].iloc[0] == "entry"
    imports = one(region, "select * from import_history where file_name = 'Запись в панели'")
    assert list(imports["user_name"]) == ["kur"]


def test_the_second_of_two_people_is_told_and_nothing_of_hers_is_written(region):
    school = her_school(region)
    seen = stage(region, school)
    methodologist = accounts.User("anna", "Анна Петрова", (Role("methodologist"),))
    entries.record_stage(
        methodologist, school, YEAR, STAGE, None, {**seen, "rus_share_2": 0.11}, seen, path=region
    )
    with pytest.raises(entries.ConflictError) as told:
        entries.record_stage(
            CURATOR, school, YEAR, STAGE, None, {**seen, "rus_share_2": 0.3}, seen, path=region
        )
    assert "изменил: anna" in str(told.value) and "сейчас 0,11" in str(told.value)
    assert stage(region, school)["rus_share_2"] == 0.11


def test_a_cleared_value_is_deleted_and_a_bad_one_refused_naming_its_indicator(region):
    school = her_school(region)
    seen = stage(region, school)
    entries.record_stage(
        CURATOR, school, YEAR, STAGE, None, {**seen, "high_risks": None}, seen, path=region
    )
    assert "high_risks" not in stage(region, school)
    with pytest.raises(ValidationError) as refused:
        entries.record_stage(
            CURATOR,
            school,
            YEAR,
            "финальный",
            None,
            {"math_share_2": 0.2},
            {},
            names={"math_share_2": "Доля «2» по математике"},
            path=region,
        )
    assert "Доля «2» по математике" in str(refused.value)
    assert "Этап" in str(refused.value) or "stage" in str(refused.value)


def test_only_her_own_schools_and_only_with_the_right_role(region):
    school = her_school(region)
    seen = stage(region, school)
    with pytest.raises(db.DatabaseError, match="не входит в число ваших школ"):
        entries.record_stage(OTHER, school, YEAR, STAGE, None, seen, seen, path=region)
    with pytest.raises(db.DatabaseError, match="нет такой роли"):
        entries.record_stage(HEAD, school, YEAR, STAGE, None, seen, seen, path=region)


def test_a_roadmap_event_gets_its_status_a_link_and_a_file_kept_beside_the_database(region):
    with db.connect(region) as con:
        schools = list(access.visible(con, CURATOR.access).schools)
    school_events = one(
        region,
        "select * from roadmap_events where school_id in (select unnest($s::varchar[])) "
        "order by event_id limit 1",
        s=schools,
    )
    event = school_events.iloc[0]
    seen_evidence = None if pd.isna(event["evidence"]) else event["evidence"]
    with pytest.raises(ValidationError, match="http"):
        entries.record_event(
            CURATOR,
            event["event_id"],
            "выполнено",
            "",
            "disk.region/1",
            event["status"],
            seen_evidence,
            path=region,
        )
    saved = entries.record_event(
        CURATOR,
        event["event_id"],
        "выполнено",
        "Протокол педсовета",
        "https://disk.region.ru/p/1",
        event["status"],
        seen_evidence,
        file=("протокол №3.pdf", b"%PDF-1.4 test"),
        path=region,
    )
    stored = one(
        region,
        "select status, evidence from roadmap_events where event_id = $e",
        e=event["event_id"],
    )
    assert stored["status"].iloc[0] == "выполнено"
    evidence = stored["evidence"].iloc[0]
    assert evidence.startswith("Протокол педсовета; ссылка: https://disk.region.ru/p/1; файл: ")
    kept = entries.evidence_folder(region) / evidence.split("файл: ")[1]
    assert kept.read_bytes() == b"%PDF-1.4 test"
    assert {c.field for c in saved.changes} >= {"evidence"}


def test_a_share_above_100_per_cent_is_refused_naming_the_indicator(region):
    school = her_school(region)
    seen = stage(region, school)
    with pytest.raises(ValidationError) as refused:
        entries.record_stage(
            CURATOR,
            school,
            YEAR,
            STAGE,
            None,
            {**seen, "math_share_2": 1.5},
            seen,
            names={"math_share_2": "Доля «2» по математике"},
            path=region,
        )
    assert "Доля «2» по математике" in str(refused.value) and "150,0" in str(refused.value)
    assert stage(region, school) == seen
