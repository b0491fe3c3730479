"""Школьный радар: page frame, shared filters and navigation."""

import streamlit as st

from analytics import labels
from radar.ui import layout

st.set_page_config(page_title=labels.APP_TITLE, page_icon=":material/radar:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Обзор региона", icon=":material/map:", default=True),
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
        st.Page("pages/my_schools.py", title="Мои школы", icon=":material/assignment_ind:"),
        st.Page("pages/municipality.py", title="Муниципалитет", icon=":material/co_present:"),
        st.Page("pages/data.py", title="Данные", icon=":material/upload_file:"),
        st.Page("pages/methodology.py", title="Методика", icon=":material/menu_book:"),
    ]
)
layout.sidebar_filters()
layout.russian_interface()
layout.screen_style()
navigation.run()
