"""The shared server: nothing before sign-in, and each role sees and may do only its part,
on every page, through the address, the session's state and the downloads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from radar.store import access, accounts, db
from radar.store.accounts import Role
from radar.ui import auth, reads
from tests.ui.test_what_pages_say import PAGES

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PASSWORD = "пароль-для-проверки"
HEAD = accounts.User("glava", "Иван Сидоров", (Role("head", municipality_id="M001"),))
CURATOR = accounts.User("kur", "Ольга Николаева", (Role("curator", curator_id="C001"),))
OBSERVER = accounts.User("nab", "Пётр Наблюдатель", (Role("observer"),))
METHODOLOGIST = accounts.User("anna", "Анна Петрова", (Role("methodologist"),))
# Every page a head has: the raw-value scan's pages but those only the methodologist gets.
READING_PAGES = [
    page or "pages/overview.py"
    for page in PAGES
    if page not in ("pages/data.py", "pages/entries.py", "pages/people.py")
]


@pytest.fixture
def server(demo_env, tmp_path, monkeypatch) -> accounts.Accounts:
    """The demo region served with sign-in, and an account for each role."""
    monkeypatch.setenv(auth.AUTH_ENV, "1")
    monkeypatch.setenv("RADAR_ACCOUNTS", str(tmp_path / "people.sqlite"))
    store = accounts.Accounts()
    for user in (HEAD, CURATOR, OBSERVER, METHODOLOGIST):
        store.add_user(user.login, user.full_name, PASSWORD, user.roles)
    return store


def visible_to(demo_db, user: accounts.User) -> access.Visible:
    con = db.connect(demo_db)
    try:
        return access.visible(con, user.access)
    finally:
        con.close()


def as_user(user: accounts.User | None, page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if user is not None:
        at.session_state[auth.USER_KEY] = user
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def municipality_options(at: AppTest) -> list[str]:
    return next(s.options for s in at.sidebar.selectbox if s.label == "Муниципалитет")


def test_before_sign_in_no_page_shows_any_data(server):
    at = as_user(None, school="S0001", municipality="M002")
    assert [t.value for t in at.title] == ["Школьный радар"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert [b.label for b in at.button] == ["Войти"]
    assert not at.sidebar.selectbox  # no filters: they would list the region's municipalities


def test_the_sign_in_form_lets_the_right_person_in_and_no_one_else(server):
    at = as_user(None)
    at.text_input(key="sign_in_login").input("glava")
    at.text_input(key="sign_in_password").input("не тот пароль")
    at.button[0].click().run()
    assert "Неверное имя пользователя или пароль" in at.error[0].value
    assert not at.metric
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Обзор региона"
    assert municipality_options(at) == ["г. Тарумск"]
    assert "Вы вошли как Иван Сидоров" in at.sidebar.caption[-1].value
    log = server.log()
    assert list(log["action"][:2]) == ["sign_in", "sign_in_failed"]


def test_every_query_a_head_runs_reads_only_her_municipality(server, demo_db, monkeypatch):
    """Every page, every tab's default, as the head of M001: each frame a query hands a page
    holds only her schools and her municipality, and no table shown names another one."""
    shown = visible_to(demo_db, HEAD)
    got: list[tuple[str, pd.DataFrame]] = []
    original = reads._execute

    def watched(name, params, version, who, tables=None):
        frame = original(name, params, version, who, tables)
        if not who.region:
            got.append((name, frame))
        return frame

    monkeypatch.setattr(reads, "_execute", watched)
    for page in READING_PAGES:
        at = as_user(HEAD, page)
        for table in at.dataframe:
            value = table.value
            frame = value.data if hasattr(value, "data") else value
            if "Муниципалитет" in frame.columns:
                assert set(frame["Муниципалитет"].dropna()) <= {"г. Тарумск", "—"}, page
    assert len(got) > 50
    for name, frame in got:
        if "school_id" in frame.columns:
            assert set(frame["school_id"].dropna()) <= set(shown.schools), name
        if "municipality_id" in frame.columns:
            assert set(frame["municipality_id"].dropna()) <= {"M001"}, name


def test_a_head_cannot_reach_another_municipality_by_address_or_state(server, demo_db):
    con = db.connect(demo_db)
    try:
        other = con.execute(
            "select school_id, name from schools where municipality_id = 'M002' limit 1"
        ).fetchall()[0]
    finally:
        con.close()
    at = as_user(HEAD, None, school=other[0], municipality="M002")
    assert municipality_options(at) == ["г. Тарумск"]
    assert at.title[0].value == "Обзор региона" and at.metric[0].value == "270"
    at.switch_page("pages/school_profile.py").run()
    assert not at.exception
    assert any("не найдена среди школ, открытых вам" in w.value for w in at.warning)
    assert other[1] not in str([t.value for t in at.title] + [m.value for m in at.markdown])
    # The session's own keys set by hand (as a page would) give nothing either.
    at = as_user(HEAD)
    at.session_state["profile_school_id"] = other[0]
    at.switch_page("pages/school_profile.py").run()
    assert not at.exception
    assert other[1] not in str([t.value for t in at.title] + [m.value for m in at.markdown])


def test_a_head_has_no_data_or_people_page_and_cannot_save_criteria(server):
    at = as_user(HEAD, "pages/identification.py")
    assert not [p for p in at.get("popover") if "Сохранить набор" in str(p.proto)]
    assert any("методист региона" in c.value for c in at.caption)
    for page in ("pages/data.py", "pages/people.py"):
        direct = AppTest.from_file(str(ROOT / page), default_timeout=60)
        direct.session_state[auth.USER_KEY] = HEAD
        direct.run()
        assert any("недостаточно прав" in e.value for e in direct.error), page
        assert not direct.get("file_uploader") and not direct.dataframe


def test_a_curator_opens_her_schools_and_sees_nothing_else(server, demo_db):
    shown = visible_to(demo_db, CURATOR)
    assert 0 < len(shown.schools) < 20
    at = as_user(CURATOR)
    assert at.title[0].value == "Мои школы"
    assert at.selectbox(key="my_curator").value == "C001"
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert at.metric[0].label == "Школ"
    assert int(at.metric[0].value.replace("\u202f", "")) == len(shown.schools)


def test_an_observer_reads_the_region_but_changes_nothing(server):
    at = as_user(OBSERVER)
    assert int(at.metric[0].value.replace("\u202f", "")) == 1100
    assert len(municipality_options(at)) > 2
    at.switch_page("pages/identification.py").run()
    assert not [p for p in at.get("popover") if "Сохранить набор" in str(p.proto)]


def test_the_methodologist_manages_accounts_and_reads_the_log(server):
    at = as_user(METHODOLOGIST, "pages/people.py")
    people = at.dataframe[0].value
    people = people.data if hasattr(people, "data") else people
    assert set(people["Имя пользователя"]) == {"glava", "kur", "nab", "anna"}
    assert "руководитель МОУО: г. Тарумск" in set(people["Роли"])
    at.text_input(key="people_login").input("new_head")
    at.text_input(key="people_name").input("Новый Руководитель")
    at.text_input(key="people_password").input("ещё-один-пароль")
    at.multiselect(key="people_add_heads").select("M002")
    at.button(key="FormSubmitter:people_add-Создать").click().run()
    assert not at.exception and not at.error
    made = server.user("new_head")
    assert made.roles == (Role("head", municipality_id="M002"),)
    entry = server.log().iloc[0]
    assert (entry["login"], entry["action"]) == ("anna", "user_added")


def test_local_mode_needs_no_sign_in_and_says_so(demo_env, monkeypatch):
    monkeypatch.delenv(auth.AUTH_ENV, raising=False)
    at = as_user(None)
    assert at.title[0].value == "Обзор региона"
    assert "Локальный режим" in at.sidebar.caption[-1].value
