"""The pages' reads while the database is replaced: a run keeps the version it began with."""

from __future__ import annotations

from radar.ingest.loader import load_region
from radar.store import db
from radar.store.write import write_tables
from radar.ui import reads


def test_a_version_being_read_stays_open_while_a_new_one_opens_beside_it(
    frames, tmp_path, monkeypatch
):
    path = tmp_path / "r.duckdb"
    monkeypatch.setenv("RADAR_DB", str(path))
    load_region(frames, path)
    before = reads.current_version()
    old = reads._connection(before)
    name = "select name from schools where school_id = 'S1'"
    assert old.execute(name).fetchall() == [("МБОУ «Лицей № 1»",)]

    with db.connect(path) as con:
        schools = db.read_table(con, "schools")
    write_tables({"schools": schools.assign(name="Новое имя")}, "update", path)
    after = reads.current_version()
    assert after != before
    new = reads._connection(after)
    assert new.execute(name).fetchall() == [("Новое имя",)]
    # A session still reading the old version reads it whole, and its connection is open.
    assert old.execute(name).fetchall() == [("МБОУ «Лицей № 1»",)]
    assert reads._connection(before) is old
    # No hard link is left beside the database.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "r.duckdb"
    ]
    reads.close_all()
