"""The methodologist's catalogue of support measures: checked, kept in the database (and kept
when the region is replaced), traced, and read by the risk clusters' measures."""

from __future__ import annotations

import pandas as pd
import pytest

from radar.ingest import catalogue
from radar.ingest.entries import ConflictError
from radar.ingest.loader import ValidationError
from radar.store import accounts, db
from radar.store.accounts import Role
from radar.store.refresh import support_catalogue

METHODOLOGIST = accounts.User("anna", "Анна Петрова", (Role("methodologist"),))


@pytest.fixture
def region(demo_copy):
    return demo_copy


def measures(path) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute("select * from risk_cluster_measures").df()


def test_a_new_measure_reaches_the_clusters_and_is_traced(region):
    shipped = support_catalogue()
    added = pd.DataFrame(
        [
            {
                "factor_keyword": "кадр",
                "measure": "Сетевой учитель из школы-партнёра",
                "description": "Уроки по дефицитным предметам ведёт педагог школы-партнёра",
                "level": "муниципалитет",
                "source": "Решение методиста",
            }
        ]
    )
    changed = catalogue.save_catalogue(
        METHODOLOGIST, pd.concat([added, shipped], ignore_index=True), shipped, region
    )
    assert [c.field for c in changed] == ["мера добавлена"]
    assert "Сетевой учитель из школы-партнёра" in set(measures(region)["measure"])
    with db.connect(region) as con:
        assert len(support_catalogue(con)) == len(shipped) + 1
    log = accounts.Accounts(accounts.accounts_path(region)).log()
    assert log["action"].iloc[0] == "edit"
    # A stale editor is refused.
    with pytest.raises(ConflictError):
        catalogue.save_catalogue(METHODOLOGIST, shipped.iloc[1:], shipped, region)


def test_a_measure_without_a_keyword_or_with_an_unknown_level_is_named(region):
    shipped = support_catalogue()
    bad = shipped.copy()
    bad.loc[0, "factor_keyword"] = " "
    bad.loc[1, "level"] = "область"
    with pytest.raises(ValidationError) as refused:
        catalogue.save_catalogue(METHODOLOGIST, bad, shipped, region)
    text = str(refused.value)
    assert "строка 1, столбец «Ключевое слово фактора»" in text
    assert "строка 2, столбец «Уровень»: «область»" in text


def test_the_catalogue_is_kept_when_the_region_is_replaced(region, frames):
    from radar.ingest.loader import load_region

    shipped = support_catalogue()
    catalogue.save_catalogue(METHODOLOGIST, shipped.iloc[:3], shipped, region)
    load_region(frames, region)
    with db.connect(region) as con:
        assert len(support_catalogue(con)) == 3
