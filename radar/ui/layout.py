"""Streamlit pieces shared by the pages: the sidebar filters and the no-data message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics import fmt, labels
from radar.handouts import html_report
from radar.store import db
from radar.ui import live, reads

# The sidebar's filters are bound to the address: ?year=2024&municipality=г. Тарумск opens
# exactly that, and the address follows the selection on every page.
YEAR_KEY = "year"
MUNICIPALITY_KEY = "municipality"
# ?school=S0001 opens that school's profile.
SCHOOL_PARAM = "school"
PROFILE_SCHOOL_KEY = "profile_school_id"


@dataclass(frozen=True)
class Scope:
    year: int
    municipality_id: str | None
    municipality_name: str

    @property
    def label(self) -> str:
        return f"{self.municipality_name}, {self.year} год"


def sidebar_filters() -> Scope | None:
    """Year and municipality chosen in the sidebar, shared by every page."""
    if not reads.database_ready():
        return None
    years = reads.query("pages/shared/years")["year"].astype(int).tolist()
    municipalities = reads.query("pages/shared/municipality_list")
    names = dict(zip(municipalities["municipality_id"], municipalities["name"], strict=True))
    with st.sidebar:
        st.markdown(f"### {labels.APP_TITLE}")
        year = st.selectbox("Год", years, index=0, key=YEAR_KEY, bind="query-params")
        municipality = st.selectbox(
            "Муниципалитет",
            [None, *names],
            format_func=lambda m: labels.ALL_MUNICIPALITIES if m is None else names[m],
            key=MUNICIPALITY_KEY,
            bind="query-params",
        )
    return Scope(int(year), municipality, names.get(municipality, labels.ALL_MUNICIPALITIES))


# Streamlit's own interface words (its toolbars, the uploader, labels for screen readers).
INTERFACE_WORDS = {
    "Increment": "Больше",
    "Decrement": "Меньше",
    "Link to heading": "Ссылка на раздел",
    "Open": "Открыть",
    "Close": "Закрыть",
    "Search": "Поиск",
    "Selected values": "Выбранные значения",
    "Show/hide columns": "Показать или скрыть столбцы",
    "Sidebar": "Боковая панель",
    "Collapse sidebar": "Свернуть панель",
    "Expand sidebar": "Развернуть панель",
    "file upload": "загрузка файла",
    "Choose an option": "Выберите…",
    "Choose options": "Выберите…",
    "Download": "Скачать",
    "Download as CSV": "Скачать CSV",
    "Fullscreen": "Во весь экран",
    "Close fullscreen": "Выйти из полноэкранного режима",
    "Exit fullscreen": "Выйти из полноэкранного режима",
    "Clear all": "Очистить всё",
    "Clear value": "Очистить",
    "Upload": "Загрузить",
    "Browse files": "Выбрать файлы",
    "Drag and drop files here": "Перетащите файлы сюда",
    "Drag and drop file here": "Перетащите файл сюда",
    "Skip to main content": "Перейти к содержанию",
    "Copy to clipboard": "Скопировать",
    "Running...": "Выполняется…",
    "Stop": "Остановить",
    "Deploy": "Опубликовать",
    "Main menu": "Главное меню",
    "App pages": "Страницы",
    "Add row": "Добавить строку",
    "Delete row(s)": "Удалить строки",
    "Delete rows": "Удалить строки",
}


def russian_interface() -> None:
    """Streamlit's and Plotly's own words in Russian on every page (a small script)."""
    import json
    from pathlib import Path

    from radar.views import plotly_ru

    words = {**plotly_ru.DICTIONARY, **INTERFACE_WORDS}
    script = (Path(__file__).with_name("russian.js")).read_text(encoding="utf-8")
    call = f"radarRussian({json.dumps(words, ensure_ascii=False)});"
    st.html(f"<script>{script}\n{call}</script>", unsafe_allow_javascript=True)


# On a laptop (1024 px) or a tablet (768 px) columns of metrics and buttons are narrow, and
# Streamlit keeps their labels on one line cut with «…» (its class stMarkdownEllipsis:
# metric labels and figures, widget and button labels): the user loses the words.
# 1. Those texts wrap instead, between words only (Streamlit's own word-break would let a
#    column shrink until «Профиль» breaks into «Профил-ь»).
# 2. A metric label is as wide as its longest word (its grid would let it be narrower).
# 3. A column holding a metric or a button is never narrower than its longest word or
#    figure («60,3 %» has a no-break space); Streamlit's rows of columns wrap, so a row too
#    narrow for all of them goes on two lines. Not for columns with charts or tables: they
#    fit any width, and Plotly's fixed-width drawing would hold a column wide.
SCREEN_STYLE = """<style>
.stMarkdownEllipsis, .stMarkdownEllipsis *,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important;
  overflow: visible !important;
  text-overflow: clip !important;
  word-break: normal !important;
}
[data-testid="stMetricLabel"] > * { min-width: min-content; }
[data-testid="stColumn"]:has(> [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"]
  > :is([data-testid="stMetric"], [data-testid="stButton"], [data-testid="stDownloadButton"])
  ):not(:has(.stPlotlyChart, [data-testid="stDataFrame"])) {
  min-width: min-content;
}
</style>"""


def screen_style() -> None:
    """Nothing cut on narrow screens (see SCREEN_STYLE), on every page."""
    st.html(SCREEN_STYLE)


def session_criteria(scope: Scope) -> None:
    """The criteria of the session for every page: the lists of the criteria the user is
    trying, named in the sidebar with a way back, until she resets them."""
    live.apply_criteria(scope.year)
    name = live.trying()
    if name is None:
        return
    with st.sidebar:
        st.warning(
            f"Пробные критерии: {name}. Списки ШНОР и ШНСУ, профили и материалы на всех "
            "страницах — по ним, пока вы не вернёте действующие.",
            icon=":material/science:",
        )
        st.button(
            "Вернуть действующие критерии",
            on_click=live.reset_settings,
            icon=":material/undo:",
            key="criteria_reset",
        )


def current_scope() -> Scope:
    """The scope set in the sidebar; stops the page with an explanation when there is no data."""
    if not reads.database_ready():
        st.error(
            f"База данных не найдена ({db.db_path()}). Постройте демонстрационный регион командой "
            "`make run` (или `radar demo`) либо загрузите данные своего региона."
        )
        st.stop()
    years = reads.query("pages/shared/years")["year"].astype(int).tolist()
    year = st.session_state.get(YEAR_KEY) or years[0]
    municipality = st.session_state.get(MUNICIPALITY_KEY)
    municipalities = reads.query("pages/shared/municipality_list")
    names = dict(zip(municipalities["municipality_id"], municipalities["name"], strict=True))
    scope = Scope(int(year), municipality, names.get(municipality, labels.ALL_MUNICIPALITIES))
    session_criteria(scope)
    return scope


def metrics(items, columns=None) -> None:
    """st.metric of each (label, value) or (label, value, help), side by side."""
    for col, (label, value, *help_) in zip(columns or st.columns(len(items)), items, strict=False):
        col.metric(label, value, help=help_[0] if help_ else None)


def open_profile(school_id: str) -> None:
    """The school's profile, at its own address (?school=…): a step the back button undoes."""
    st.session_state[PROFILE_SCHOOL_KEY] = school_id
    st.switch_page("pages/school_profile.py", query_params={SCHOOL_PARAM: school_id})


def lazy_tabs(names: list[str], key: str) -> list:
    """Tabs whose contents run and are sent only while open: choosing a tab reruns the page
    (its choice kept under `key` in the session, «<page>_tab» by convention), so a page does
    not build and draw the tables of tabs nobody looks at. Each returned tab has `.open`."""
    return list(st.tabs(names, key=key, on_change="rerun"))


TABLE_LIMIT = 2000


def show_table(
    frame,
    key: str,
    digits: dict[str, int] | None = None,
    percent: tuple = (),
    limit: int = TABLE_LIMIT,
    note: str = "полный список — в выгрузке Excel",
    **kwargs,
):
    """A table formatted the Russian way; a long one shows its first `limit` rows and says so.

    Styling every cell of tens of thousands of rows is slow and capped by pandas, and nobody
    reads that far on screen: the full list belongs in the download.
    """
    shown = frame.head(limit)
    # The grid draws a missing value as «None» whatever the styler says: a dash, as in print.
    kwargs.setdefault("placeholder", fmt.DASH)
    event = st.dataframe(
        style_table(shown, digits=digits, percent=percent), hide_index=True, key=key, **kwargs
    )
    if len(frame) > limit:
        st.caption(
            f"Показаны первые {fmt.integer(limit)} строк из {fmt.integer(len(frame))}; {note}."
        )
    return event


def year_with_data(years: list[int], scope: Scope, missing: str, nothing: str) -> int:
    """The sidebar's year if the page has data for it, else the newest year it has (said in a
    caption); stops the page with `nothing` when there is no year at all."""
    if not years:
        st.info(nothing)
        st.stop()
    year = scope.year if scope.year in years else years[0]
    st.caption(
        f"{scope.municipality_name}, {year} год"
        + ("" if year == scope.year else f" (за {scope.year} год {missing} — показан {year})")
    )
    return year


def html_and_pdf(
    build: Callable[[], str],
    build_pdf: Callable[[], bytes],
    places,
    what: str,
    file_stem: str,
    key: str,
) -> None:
    """Download buttons for an offline HTML report and its A4 PDF; each builder runs only
    when its button is clicked. Where Chromium is missing, the PDF's place says so."""
    html_place, pdf_place = places
    html_place.download_button(
        f"{what} HTML (работает без интернета)",
        data=lambda: build().encode("utf-8"),
        file_name=f"{file_stem}.html",
        mime="text/html",
        key=f"{key}_html",
    )
    pdf_download(
        pdf_place,
        f"{what} PDF",
        build_pdf,
        f"{file_stem}.pdf",
        f"{key}_pdf",
        "PDF недоступен: на сервере нет Chromium. Скачайте HTML и напечатайте его из браузера.",
    )


def pdf_download(
    place,
    label: str,
    build_pdf: Callable[[], bytes],
    file_name: str,
    key: str,
    missing: str,
    help: str | None = None,
) -> None:
    """A download button for an A4 PDF built when clicked, through the server's Chromium;
    where Chromium is missing, the place says `missing` instead."""
    if not html_report.chromium_path():
        place.caption(missing)
        return
    place.download_button(
        label,
        data=lambda: _printed(build_pdf),
        file_name=file_name,
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key=key,
        help=help,
    )


def style_table(df: pd.DataFrame, digits: dict[str, int] | None = None, percent: tuple = ()):
    """A pandas Styler showing numbers the Russian way while keeping them sortable."""
    digits = digits or {}

    def formatter(kind, places):
        return lambda value: kind(value, places)

    formats = {}
    for column in df.columns:
        if column in percent:
            formats[column] = formatter(fmt.pct, digits.get(column, 1))
        elif pd.api.types.is_float_dtype(df[column]):
            known = df[column].dropna()
            if column not in digits and len(known) and (known % 1 == 0).all():
                formats[column] = fmt.integer  # counts read back as floats: «1 883»
            else:
                formats[column] = formatter(fmt.num, digits.get(column, 1))
        elif pd.api.types.is_integer_dtype(df[column]):
            formats[column] = fmt.integer
    return df.style.format(formats, na_rep=fmt.DASH)


def indicator_names() -> dict[str, str]:
    """The region's monitoring indicators, code → Russian name (settings name them so)."""
    found = reads.query("pages/monitoring/monitoring_indicator_list")
    return dict(zip(found["indicator"], found["name"], strict=True))


def excel_download(
    place, label: str, sheets: Callable[[], list], file_stem: str, key: str, title: str
) -> None:
    """A download button for a workbook of `sheets` (built only when clicked), printed on A4
    with the region, date and source in its footer, as every hand-out."""
    from radar.handouts import excel

    def build() -> bytes:
        setup = html_report.print_setup(reads.query)
        return excel.workbook_bytes(sheets(), title=title, footer=setup.footer)

    place.download_button(
        label,
        data=build,
        file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=key,
    )


def _printed(build_pdf: Callable[[], bytes]) -> bytes:
    """A PDF through the server's Chromium, kept open after the first one."""
    html_report.keep_printer()
    return build_pdf()
