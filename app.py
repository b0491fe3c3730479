"""Школьный радар: page frame, sign-in, shared filters and navigation."""

import streamlit as st

from analytics import labels
from radar.store import accounts
from radar.ui import auth, layout, reads

st.set_page_config(page_title=labels.APP_TITLE, page_icon=":material/radar:", layout="wide")
reads.pin()  # every read of this run is of the data as it is now
layout.russian_interface()
user = auth.gate()  # in server mode, nobody passes before signing in

curator_only = user.has("curator") and not (user.access.region or user.access.municipalities)
pages = [
    st.Page(
        "pages/overview.py",
        title="Обзор региона",
        icon=":material/map:",
        default=not curator_only,
    ),
    st.Page("pages/school_profile.py", title="Профиль школы", icon=":material/school:"),
    st.Page(
        "pages/identification.py",
        title="Идентификация ШНОР и ШНСУ",
        icon=":material/fact_check:",
    ),
    st.Page("pages/context.py", title="Контекст и результаты", icon=":material/scatter_plot:"),
    st.Page("pages/risk_clusters.py", title="Кластеры рисков", icon=":material/hub:"),
    st.Page("pages/dynamics.py", title="Динамика", icon=":material/trending_up:"),
    st.Page("pages/monitoring.py", title="Мониторинг этапов", icon=":material/timeline:"),
    st.Page(
        "pages/my_schools.py",
        title="Мои школы",
        icon=":material/assignment_ind:",
        default=curator_only,
    ),
    st.Page("pages/municipality.py", title="Муниципалитет", icon=":material/co_present:"),
]
# Pages that change the region's data or its people: only for those who may (each page
# checks again itself).
if user.can(accounts.ENTER):
    pages.append(st.Page("pages/entries.py", title="Записи куратора", icon=":material/edit_note:"))
if user.can(accounts.IMPORT):
    pages.append(st.Page("pages/data.py", title="Данные", icon=":material/upload_file:"))
if user.can(accounts.ACCOUNTS):
    pages.append(st.Page("pages/people.py", title="Пользователи и журнал", icon=":material/group:"))
pages.append(st.Page("pages/methodology.py", title="Методика", icon=":material/menu_book:"))

navigation = st.navigation(pages, expanded=True)  # every page in view, none behind «more»
layout.sidebar_filters()
auth.sidebar_user(user)
layout.screen_style()
navigation.run()
