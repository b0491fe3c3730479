"""benchmarks.versus_pandas: the pandas versions give the product's answers (never timing)."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks import versus_pandas as vs
from data.generator import generate_region
from radar.ingest.loader import load_region
from radar.store import db
from radar.store.refresh import refresh_derived
from tests.conftest import tiny_frames


@pytest.fixture(scope="module")
def small_region(tmp_path_factory):
    """A generated region of 150 schools over the demo's seven years (gaps such as ОГЭ 2020)."""
    path = tmp_path_factory.mktemp("versus") / "small.duckdb"
    load_region(generate_region(n_schools=150), path, after_load=refresh_derived)
    return path


def test_the_three_pairs_agree_on_a_small_generated_region(small_region):
    con = db.connect(small_region, read_only=False)
    try:
        before = con.execute("select count(*), sum(z_score) from procedure_results").fetchone()
        pairs = vs.pairs(con)
        answers = [(pair.pandas(), pair.product()) for pair in pairs]
        for pair, (ours, theirs) in zip(pairs, answers, strict=True):
            pair.check(ours, theirs)
        # The product's first path writes in a transaction it rolls back.
        after = con.execute("select count(*), sum(z_score) from procedure_results").fetchone()
    finally:
        con.close()
    assert after == before
    school_year, bottom, slopes = answers
    assert len(school_year[0]) > 500
    assert bottom[1]["bottom_fired"].any() and len(slopes[0]) > 100


def test_the_checks_notice_a_different_answer(small_region):
    con = db.connect(small_region, read_only=False)
    try:
        school_year, bottom, slopes = vs.pairs(con)
        ours = school_year.pandas()
        ours.loc[0, "result_index"] += 1e-6
        with pytest.raises(AssertionError, match="result_index"):
            school_year.check(ours, school_year.product())
        fewer = bottom.pandas().iloc[1:]
        with pytest.raises(AssertionError, match="худшие"):
            bottom.check(fewer, bottom.product())
        with pytest.raises(AssertionError, match="наклоны"):
            slopes.check(slopes.pandas() * 1.001, slopes.product())
    finally:
        con.close()


def test_the_school_year_result_agrees_where_scores_are_missing(tmp_path):
    """A procedure-year without mean scores is judged by its mean mark, one without marks
    by the ЕГЭ threshold shares: the pandas version follows both fallbacks."""
    frames = tiny_frames()
    results = frames["exam_results"]
    marks_only = results[results["year"] == 2025].assign(subject="Русский язык", mean_score=None)
    thresholds_only = results.assign(
        exam="ЕГЭ",
        grade=11,
        mean_score=None,
        share_2=None,
        share_3=None,
        share_4=None,
        share_5=None,
        share_below_min=[0.05, 0.2, 0.4] * 2,
        share_81plus=[0.3, 0.1, 0.0] * 2,
    )
    frames["exam_results"] = pd.concat([results, marks_only, thresholds_only], ignore_index=True)
    path = tmp_path / "tiny.duckdb"
    load_region(frames, path, after_load=refresh_derived)
    con = db.connect(path, read_only=False)
    try:
        ours, theirs = vs.pandas_school_year(con), vs.product_school_year(con)
    finally:
        con.close()
    vs.check_school_year(ours, theirs)
    assert ours["ege_index"].notna().any()
