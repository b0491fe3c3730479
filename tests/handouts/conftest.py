"""What the hand-out tests share: the demo database's queries, as the pages run them."""

from __future__ import annotations

import pytest

from radar.store import db


@pytest.fixture(scope="module")
def query(demo_db):
    con = db.connect(demo_db, read_only=True)

    def run(name, **params):
        return con.execute(db.sql(name), params).df()

    yield run
    con.close()
