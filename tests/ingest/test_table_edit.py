"""The methodologist edits a year's programme lists: checked, deleted rows deleted, traced,
refused when someone changed the lists meanwhile; a curator's access follows."""

from __future__ import annotations

import pandas as pd
import pytest

from radar.ingest import table_edit
from radar.ingest.entries import ConflictError
from radar.ingest.loader import ValidationError
from radar.store import access, accounts, db
from radar.store.accounts import Role

METHODOLOGIST = accounts.User("anna", "Анна Петрова", (Role("methodologist"),))
CURATOR = accounts.User("kur", "Ольга Николаева", (Role("curator", curator_id="C001"),))
SLICE = "pages/data/programme_year"


@pytest.fixture
def region(demo_copy):
    return demo_copy


def lists(path, year: int) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(db.sql(SLICE), {"year": year}).df()


def latest(path) -> int:
    with db.connect(path) as con:
        return con.execute("select max(year) from programme_membership").fetchall()[0][0]


def test_a_curator_given_a_school_sees_it_and_a_deleted_row_is_gone(region):
    year = latest(region)
    seen = lists(region, year)
    with db.connect(region) as con:
        before = set(access.visible(con, CURATOR.access).schools)
        outsider = con.execute(
            "select school_id from schools where school_id not in "
            "(select school_id from programme_membership where year = $y) limit 1",
            {"y": year},
        ).fetchall()[0][0]
    dropped = seen.iloc[0]
    edited = pd.concat(
        [
            seen.iloc[1:],
            pd.DataFrame(
                [
                    {
                        "school_id": outsider,
                        "year": year,
                        "programme": "ШНСУ",
                        "curator_id": "C001",
                        "partner_school_id": None,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    done = table_edit.save_slice(
        METHODOLOGIST, "programme_membership", edited, seen, SLICE, {"year": year}, {year}, region
    )
    assert done.deleted == 1
    after = lists(region, year)
    assert outsider in set(after["school_id"])
    gone = after[
        (after["school_id"] == dropped["school_id"]) & (after["programme"] == dropped["programme"])
    ]
    assert gone.empty
    with db.connect(region) as con:
        now = set(access.visible(con, CURATOR.access).schools)
    assert outsider in now and outsider not in before
    fields = {c.field for c in done.changes}
    assert "строка удалена" in fields and "curator_id" in fields
    log = accounts.Accounts(accounts.accounts_path(region)).log()
    assert log["action"].iloc[0] == "edit"


def test_a_stale_editor_is_refused_and_a_bad_code_named(region):
    year = latest(region)
    seen = lists(region, year)
    changed = seen.copy()
    changed.loc[0, "curator_id"] = "C002"
    table_edit.save_slice(
        METHODOLOGIST, "programme_membership", changed, seen, SLICE, {"year": year}, {year}, region
    )
    with pytest.raises(ConflictError, match="изменил другой пользователь"):
        table_edit.save_slice(
            METHODOLOGIST, "programme_membership", seen, seen, SLICE, {"year": year}, {year}, region
        )
    now = lists(region, year)
    bad = now.copy()
    bad.loc[0, "school_id"] = "S9999"
    with pytest.raises(ValidationError) as refused:
        table_edit.save_slice(
            METHODOLOGIST, "programme_membership", bad, now, SLICE, {"year": year}, {year}, region
        )
    assert "S9999" in str(refused.value) and "строка 1" in str(refused.value)
    with pytest.raises(db.DatabaseError, match="методист"):
        table_edit.save_slice(
            CURATOR, "programme_membership", now, now, SLICE, {"year": year}, {year}, region
        )
