"""Every page, as its user reads it: no None, nan, identifier or English word anywhere — in
headings, texts, figures, hints, widget labels and options, and every table's headers and
cells as shown (a styled table's display values; a plain one's cells, where an empty cell
would read «None»)."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from analytics import labels
from tests.scan import ENGLISH, foreign
from tests.ui.test_pages import open_tab, run_app

PAGES = [
    None,
    "pages/school_profile.py",
    "pages/identification.py",
    "pages/context.py",
    "pages/risk_clusters.py",
    "pages/dynamics.py",
    "pages/monitoring.py",
    "pages/my_schools.py",
    "pages/municipality.py",
    "pages/data.py",
    "pages/entries.py",
    "pages/people.py",
    "pages/methodology.py",
]
# Names of foreign systems the text refers to, and the file formats it names.
PROPER_NAMES = {"California", "School", "Dashboard", "Progress", "PISA", "GCSE", "SHA"}
# Data, not words: who loaded a file is the server account's name; people's logins and
# e-mail addresses, and the audit log's details (file names and folders), are what they are.
DATA_COLUMNS = {
    labels.header("user_name"),
    "Имя пользователя",
    "Почта",
    "Кто",
    "Подробности",
}
TEXTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success")


def table_texts(element) -> list[str]:
    """A table's headers and cells as the user sees them: hidden columns are not seen, and
    a column of yes/no is drawn as check boxes."""
    frame = element.value
    config = json.loads(element.proto.columns or "{}")
    seen = [
        c
        for c in frame.columns
        if not config.get(str(c), {}).get("hidden") and str(c) not in DATA_COLUMNS
    ]
    texts = [str(c) for c in seen]
    shown_columns = [c for c in seen if frame[c].dtype != bool]
    styler = element.proto.arrow_data.styler
    if styler.display_values:
        shown = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
        shown.columns = frame.columns[: len(shown.columns)]
        cells = shown[[c for c in shown_columns if c in shown.columns]].to_numpy().ravel()
        texts += [str(v) for v in cells if v is not None]
        for column in shown_columns:  # a count is whole: «1 883», never «1 883,0»
            values = frame[column].dropna()
            if frame[column].dtype.kind == "f" and len(values) and (values % 1 == 0).all():
                said = shown[column].astype(str)
                # A share of 0 or 100 % keeps its per cent's decimals: «0,0 %» is right.
                if said.str.contains(",").any() and not said.str.contains("%").any():
                    texts.append(f"whole_number_with_decimals: {column}")
        return texts
    for column in shown_columns:
        values = frame[column]
        texts += ["None"] * int(values.isna().sum())  # an empty cell of a plain table
        texts += [str(v) for v in values.dropna() if isinstance(v, str)]
    return texts


def page_texts(at) -> list[tuple[str, str]]:
    """(where, text) of everything the page shows."""
    found = []
    for kind in TEXTS:
        found += [(kind, e.value) for e in getattr(at, kind)]
    for m in at.metric:
        found += [("metric", m.label), ("metric", m.value), ("metric", m.proto.help)]
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in at.get(kind):
            found += [(kind, widget.label)] + [(kind, o) for o in widget.proto.options]
    for kind in ("button", "download_button", "checkbox", "toggle", "text_input"):
        found += [(kind, w.label) for w in at.get(kind)]
    for table in at.dataframe:
        found += [(f"table {table.proto.id[-30:]}", t) for t in table_texts(table)]
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "overview")
def test_no_page_shows_a_raw_value_or_an_english_word(demo_env, page):
    at = run_app(page)
    texts = page_texts(at) + [(f"tab {label}", t) for label, t in other_tabs(at, page)]
    bad = [
        (where, text)
        for where, text in texts
        if text and foreign([ENGLISH.sub(lambda w: _named(w.group()), str(text))])
    ]
    assert bad == []


def other_tabs(at, page: str | None) -> list[tuple[str, str]]:
    """What each tab of the page shows beyond the first: a page's tabs run only while open
    (radar.ui.layout.lazy_tabs, keyed «<page>_tab»), so each is opened in turn."""
    if page is None or not at.tabs:
        return []
    key = f"{page.rsplit('/', 1)[-1].removesuffix('.py')}_tab"
    assert key in at.session_state, f"the tabs of {page} are not keyed «{key}»"
    found = []
    for label in [t.label for t in at.tabs][1:]:
        found += [(label, text) for _, text in page_texts(open_tab(at, label, key))]
    return found


def _named(word: str) -> str:
    return "" if word in PROPER_NAMES else word


def _diverse_schools(path) -> list[str]:
    """Schools whose profiles have the most empty places: no programme, no ЕГЭ, the fewest
    pupils, and a ШНОР."""
    from radar.store import db

    con = db.connect(path, read_only=True)
    try:
        return (
            con.execute(
                """
            with last as (select max(year) as year from identification)
            select school_id from (
                (select school_id from schools
                 where school_id not in (select school_id from programme_membership)
                 order by school_id limit 1)
                union all
                (select school_id from schools where school_id not in
                    (select school_id from exam_results where exam = 'ЕГЭ')
                 order by school_id limit 1)
                union all
                (select school_id from identification, last
                 where identification.year = last.year order by pupils, school_id limit 1)
                union all
                (select school_id from identification, last
                 where identification.year = last.year and shnor order by school_id limit 1)
            )
            """
            )
            .df()["school_id"]
            .drop_duplicates()
            .tolist()
        )
    finally:
        con.close()


def test_no_profile_shows_a_raw_value_where_its_data_are_missing(demo_env):
    """The profiles with the most empty places (no programme, no ЕГЭ, the smallest school,
    a ШНОР) read as the default one does: a dash or words, never «None» or «nan»."""
    schools = _diverse_schools(demo_env)
    assert len(schools) >= 3
    for school in schools:
        at = run_app("pages/school_profile.py", profile_school_id=school)
        texts = page_texts(at) + other_tabs(at, "pages/school_profile.py")
        bad = [
            (school, where, text)
            for where, text in texts
            if text and foreign([ENGLISH.sub(lambda w: _named(w.group()), str(text))])
        ]
        assert bad == []
