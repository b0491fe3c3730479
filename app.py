"""Школьный радар: page frame, shared filters and navigation."""

import streamlit as st

from radar import texts, ui

st.set_page_config(page_title=texts.APP_TITLE, page_icon=":material/radar:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Обзор региона", icon=":material/map:", default=True),
        st.Page("pages/school_profile.py", title="Профиль школы", icon=":material/school:"),
    ]
)
ui.sidebar_filters()
navigation.run()
