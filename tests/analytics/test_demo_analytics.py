"""The identification analytics on the demo region (planted truth) and on a tiny loaded one."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics.pipeline import compute_derived
from analytics.settings import Monitoring, Objectivity, Settings, Trends
from radar.ingest.loader import load_region
from radar.store import db
from radar.store.refresh import read_inputs, refresh_derived
from tests.conftest import tiny_frames


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


def test_derived_tables_are_in_the_database(demo):
    names = {r[0] for r in demo.execute(db.sql("store/table_names")).fetchall()}
    assert {
        "social_index",
        "context_adjusted",
        "school_adjusted",
        "identification",
        "partner_suggestions",
    } <= names
    columns = set(db.table_columns(demo, "identification"))
    for rule in ("bottom", "fail", "gap", "olympiad", "continuation", "isbsh", "remote_small"):
        assert f"{rule}_fired" in columns
    years = demo.execute("select count(distinct year) from identification").fetchone()[0]
    assert years == 7


@pytest.mark.parametrize("year", [2023, 2025])
def test_planted_resilient_schools_are_found(demo, year):
    truth = {
        r[0]
        for r in demo.execute(
            "select school_id from demo_truth where kind = 'resilient'"
        ).fetchall()
    }
    found = {
        r[0]
        for r in demo.execute(
            "select school_id from identification where year = $y and resilient", {"y": year}
        ).fetchall()
    }
    hits = len(found & truth)
    assert hits / len(found) >= 0.8, f"precision {hits}/{len(found)}"
    assert hits / len(truth) >= 0.8, f"recall {hits}/{len(truth)}"


def test_social_slope_has_the_planted_sign(demo):
    slopes = demo.execute(
        "select exam, median(isbsh_slope) from context_adjusted group by exam"
    ).fetchall()
    assert len(slopes) == 3
    assert all(slope > 0 for _, slope in slopes)  # better off → better results
    # The same on the raw figures: disadvantaged quartile below the advantaged one.
    by_quartile = dict(
        demo.execute(
            "select quartile, avg(result_index) from school_year_results "
            "join social_index using (school_id, year) group by quartile"
        ).fetchall()
    )
    assert by_quartile[1] < by_quartile[2] < by_quartile[3] < by_quartile[4]


def test_lists_are_of_a_plausible_size_and_partners_are_sound(demo):
    share = demo.execute(
        "select avg(shnor::int), avg(shnsu::int) from identification where year = 2025"
    ).fetchone()
    assert 0.05 < share[0] < 0.3 and 0.2 < share[1] < 0.35
    partners = demo.execute(
        "select p.school_id, p.partner_id, p.partner_adjusted, i.shnor as partner_shnor "
        "from partner_suggestions as p join identification as i "
        "on i.school_id = p.partner_id and i.year = p.year where p.year = 2025"
    ).df()
    shnor = demo.execute(
        "select count(*) from identification where year = 2025 and shnor"
    ).fetchone()[0]
    assert partners["school_id"].nunique() == shnor
    assert partners.groupby("school_id").size().max() == Settings().partners_per_school
    assert not partners["partner_shnor"].any()
    assert (partners["partner_adjusted"] > 0).all()


def test_identification_is_stable_under_rerunning(demo):
    inputs = read_inputs(demo)
    first = compute_derived(inputs, Settings())
    second = compute_derived(read_inputs(demo), Settings())
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    stored = demo.execute("select * from identification order by year, school_id").df()
    mine = first["identification"].sort_values(["year", "school_id"]).reset_index(drop=True)
    assert stored["shnor"].tolist() == mine["shnor"].tolist()
    assert stored["reasons"].tolist() == mine["reasons"].tolist()


def test_a_threshold_changes_the_list(demo):
    inputs = read_inputs(demo)
    from analytics.context import context_adjusted
    from analytics.pipeline import identify_year

    adjusted = context_adjusted(inputs["results"], inputs["context"])
    default, _ = identify_year(inputs, adjusted, 2025, Settings())
    strict, _ = identify_year(inputs, adjusted, 2025, Settings(shnor_min_rules=3))
    assert strict["shnor"].sum() < default["shnor"].sum()
    assert set(strict.loc[strict["shnor"], "school_id"]) <= set(
        default.loc[default["shnor"], "school_id"]
    )


def test_a_tiny_region_loaded_through_the_import_path(tmp_path):
    path = tmp_path / "tiny.duckdb"
    load_region(tiny_frames(), path, after_load=refresh_derived)
    con = duckdb.connect(str(path), read_only=True)
    ident = con.execute("select * from identification order by year, school_id").df()
    assert len(ident) == 6
    latest = ident[ident["year"] == 2025].set_index("school_id")
    assert latest.loc["S3", "shnsu"]  # the mountain school: the lowest ИСБШ
    assert latest.loc["S3", "isbsh_fired"]
    assert not latest.loc["S1", "shnsu"]
    adjusted = con.execute("select count(*) from context_adjusted").fetchone()[0]
    assert adjusted == 6
    con.close()


def test_a_saved_active_preset_drives_the_refresh_and_survives_a_reload(tmp_path):
    path = tmp_path / "tiny.duckdb"
    load_region(tiny_frames(), path, after_load=refresh_derived)
    strict = Settings(shnsu_quartile=0, shnsu_remote_small=False)
    with db.write_session(path) as con:
        con.execute(
            db.sql("writes/save_preset"),
            {"name": "Без ШНСУ", "settings_json": strict.to_json(), "active": True},
        )
        refresh_derived(con)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from identification where shnsu").fetchone()[0] == 0
    con.close()
    load_region(tiny_frames(), path, after_load=refresh_derived)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select name from settings_presets").fetchall() == [("Без ШНСУ",)]
    assert con.execute("select count(*) from identification where shnsu").fetchone()[0] == 0
    con.close()


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(fail_share=0.2, vpr_gap_grade=5, ege_gap_subjects=("Русский язык",))],
    ids=["defaults", "changed"],
)
def test_the_page_reads_only_what_it_needs_and_gets_the_same_lists(demo_env, settings):
    """radar.ui.live reads aggregated, year-limited inputs; the result equals the full pipeline."""
    from analytics.context import context_adjusted
    from analytics.pipeline import identify_year
    from radar.ui import live

    con = db.connect(demo_env, read_only=True)
    inputs = read_inputs(con)
    con.close()
    adjusted = context_adjusted(inputs["results"], inputs["context"])
    full, full_partners = identify_year(inputs, adjusted, 2025, settings)
    page, page_partners = live.identification(2025, settings)
    columns = [c for c in full.columns if c != "reasons"]
    pd.testing.assert_frame_equal(
        page[columns].reset_index(drop=True),
        full[columns].reset_index(drop=True),
        check_dtype=False,
        atol=1e-9,
    )
    assert page["reasons"].tolist() == full["reasons"].tolist()
    pd.testing.assert_frame_equal(
        page_partners.reset_index(drop=True), full_partners.reset_index(drop=True), atol=1e-9
    )


def test_an_active_preset_sets_the_trend_monitoring_and_objectivity_thresholds(demo_db, tmp_path):
    import shutil

    from radar.store.presets import save_preset

    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)

    def counts(con):
        return (
            con.execute("select count(*) from objectivity_flags where fired").fetchone()[0],
            con.execute(
                "select count(*) from status_change where indicator = 'isbsh' and status = 4"
            ).fetchone()[0],
            con.execute("select count(*) from monitoring_progress where positive").fetchone()[0],
        )

    con = db.connect(path)
    before = counts(con)
    con.close()
    changed = Settings(
        objectivity=Objectivity(above_term_share=0.05),
        trends=Trends(cuts={"isbsh": {"status": [10, 20, 30, 40]}}),
        monitoring=Monitoring(min_improved_share=1.0),
    )
    save_preset("Строже", changed, active=True, path=path)
    con = db.connect(path)
    after = counts(con)
    stored = con.execute("select settings_json from settings_presets").fetchone()[0]
    con.close()
    assert after[0] > before[0]  # more schools above their term marks count
    assert after[1] > before[1]  # a lower bar for «очень высокий» ИСБШ
    assert after[2] < before[2]  # every indicator must now improve
    assert Settings.from_json(stored) == changed
