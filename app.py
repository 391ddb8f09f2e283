"""backpain-roi dashboard: a thin router over the page functions in calculator.dashboard.pages."""

import importlib

import streamlit as st

from calculator.dashboard.registry import PAGES

st.set_page_config(page_title="backpain-roi", page_icon=":material/accessibility_new:", layout="wide")
pages = [
    st.Page(importlib.import_module(f"calculator.dashboard.pages.{p.module}").render,
            title=p.title, url_path=p.url_path, icon=p.icon, default=(i == 0))
    for i, p in enumerate(PAGES)
]
st.navigation(pages).run()
