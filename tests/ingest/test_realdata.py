"""A real region's files in a foreign layout (England, KS4 2019, Open Government Licence; see
data/realdata/england_ks4_2019/SOURCE.md) go through a saved mapping and the usual checks."""

from __future__ import annotations

import pytest

from radar.ingest.loader import load_region
from radar.ingest.mapping import MAPPINGS, Mapping, apply_mapping, propose
from radar.store import db
from radar.store.refresh import refresh_derived

FOLDER = db.ROOT / "data" / "realdata" / "england_ks4_2019"
MAPPING = MAPPINGS / "england_ks4_2019.json"


@pytest.fixture(scope="module")
def england(tmp_path_factory):
    frames = apply_mapping(Mapping.load(MAPPING), FOLDER)
    path = tmp_path_factory.mktemp("england") / "radar.duckdb"
    warnings = load_region(frames, path, after_load=refresh_derived)
    con = db.connect(path)
    yield frames, warnings, con
    con.close()


def test_the_mapping_builds_the_tables_from_the_real_files(england):
    frames, warnings, con = england
    assert len(frames["schools"]) > 4000 and len(frames["municipalities"]) > 150
    assert con.execute("select count(*) from schools").fetchone()[0] == len(frames["schools"])
    # Percent text became shares; missing markers became empty, not zero.
    shares = con.execute(
        "select min(share_low_income), max(share_low_income), count(share_low_income) "
        "from social_passport"
    ).fetchone()
    assert 0 <= shares[0] and shares[1] <= 1 and shares[2] < len(frames["social_passport"])
    assert all(w.severity == "предупреждение" for w in warnings)


def test_the_social_slope_of_real_results_is_negative(england):
    _, _, con = england
    corr = con.execute(
        "select corr(p.share_low_income, r.result_index) from social_passport p "
        "join school_year_results r using (school_id, year)"
    ).fetchone()[0]
    assert corr < -0.3  # more disadvantaged pupils, lower Attainment 8
    slope = con.execute("select median(isbsh_slope) from context_adjusted").fetchone()[0]
    assert slope > 0  # results rise with the well-being index


def test_the_index_uses_only_the_shares_england_collects(england):
    _, _, con = england
    excluded, with_index = con.execute(
        "select any_value(excluded), count(isbsh) from social_index"
    ).fetchone()
    assert "share_parents_higher_ed" in excluded and "share_low_income" not in excluded
    assert with_index > 3500
    identified = con.execute("select count(*), sum(shnsu::int) from identification").fetchone()
    assert identified[0] > 4000 and identified[1] > 0


def test_headers_are_proposed_for_the_columns(tmp_path):
    headers = ["URN", "SCHNAME", "LEA", "TPUP", "ATT8SCR", "Год"]
    proposed = propose("exam_results", headers)
    assert proposed["school_id"] == "URN"
    assert proposed["participants"] == "TPUP"
    assert proposed["mean_score"] == "ATT8SCR"
    assert proposed["year"] == "Год"
    assert propose("schools", ["Код школы", "Наименование"]) == {
        "school_id": "Код школы",
        "name": "Наименование",
    }
    saved = tmp_path / "mine.json"
    Mapping.load(MAPPING).save(saved)
    assert Mapping.load(saved).spec == Mapping.load(MAPPING).spec


def test_an_error_in_a_mapped_file_names_the_files_own_row(tmp_path):
    import shutil

    from radar.ingest.loader import validate

    folder = tmp_path / "england"
    shutil.copytree(FOLDER, folder)
    ks4 = folder / "england_ks4provisional.csv"
    lines = ks4.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    urn, tpup, rectype = header.index("URN"), header.index("TPUP"), header.index("RECTYPE")
    target = next(
        i
        for i, line in enumerate(lines[1:], start=1)
        if line.split(",")[rectype] == "1"
        and line.split(",")[tpup] not in ("", "NA", "NE")
        and i > 1000
    )
    cells = lines[target].split(",")
    cells[tpup] = "-3"
    lines[target] = ",".join(cells)
    ks4.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frames = apply_mapping(Mapping.load(MAPPING), folder)
    _, problems = validate(frames)
    errors = [p for p in problems if p.severity == "ошибка"]
    assert len(errors) == 1, [str(p) for p in errors]
    assert errors[0].file == "england_ks4provisional.csv"
    assert errors[0].row == target + 1  # the header is row 1
    assert cells[urn] in frames["exam_results"]["school_id"].tolist()


def test_uploads_go_through_a_saved_mapping():
    from radar.ingest.files import FileProblem
    from radar.ingest.mapping import apply_to_uploads, saved_mappings

    saved = saved_mappings()
    assert "Англия: результаты KS4 (GCSE) и перепись школ, 2019" in saved
    mapping = Mapping.load(MAPPING)
    uploads = {p.name: p.read_bytes() for p in FOLDER.glob("*.csv")}
    frames = apply_to_uploads(mapping, uploads)
    assert len(frames["schools"]) > 4000
    with pytest.raises(FileProblem, match=r"не хватает файлов: england_census\.csv"):
        apply_to_uploads(mapping, {k: v for k, v in uploads.items() if "census" not in k})
