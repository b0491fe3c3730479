"""Frames handed to DuckDB as Arrow (db.register_frame, issue 16) store the values they stored
when DuckDB read the pandas frames themselves, and db.frame reads them back as `.df()` does."""

from __future__ import annotations

import pandas as pd

from radar.ingest.loader import validate
from radar.store import db
from radar.store.spec import LOAD_ORDER
from tests.conftest import tiny_frames
from tests.oracles.compare import frame_differences


def stored(typed: dict[str, pd.DataFrame], arrow: bool) -> dict[str, pd.DataFrame]:
    con = db.memory()
    try:
        for name in LOAD_ORDER:
            frame = typed.get(name)
            if frame is None or frame.empty:
                continue
            if arrow:
                db.register_frame(con, "incoming_rows", frame)
            else:
                con.register("incoming_rows", frame)
            con.execute(db.statement("writes/insert_rows", name, list(frame.columns)))
            con.unregister("incoming_rows")
        return {
            name: (
                con.execute(db.statement("store/stored_rows", name)).df(),
                db.frame(con, db.statement("store/stored_rows", name)),
            )
            for name in typed
        }
    finally:
        con.close()


def written_by_hand() -> dict[str, pd.DataFrame]:
    """The tiny region as a person types it: text numbers, per cent, quotes, «да», dates."""
    frames = tiny_frames()
    results = frames["exam_results"].astype(object)
    results.loc[0, "mean_score"] = "26,0"
    results.loc[1, "share_2"] = "10%"
    results.loc[3, "subject"] = "  Математика "
    frames["exam_results"] = results
    schools = frames["schools"].astype(object)
    schools.loc[0, "name"] = "'=HYPERLINK(1)"
    schools.loc[2, "is_small"] = "да"
    schools.loc[1, "pupils"] = None
    frames["schools"] = schools
    roadmap = frames["roadmap_events"].astype(object)
    roadmap.loc[0, "period_start"] = "01.02.2025"
    frames["roadmap_events"] = roadmap
    return frames


def test_arrow_stores_what_pandas_stored():
    from data.generator import generate_region

    for frames in (generate_region(seed=7, n_schools=120), written_by_hand()):
        typed, problems = validate(frames)
        assert problems.errors == 0
        old, new = stored(typed, arrow=False), stored(typed, arrow=True)
        for name in typed:
            assert frame_differences(old[name][0], new[name][0], name, 0.0) == []
            pd.testing.assert_frame_equal(new[name][0], new[name][1], obj=name)
