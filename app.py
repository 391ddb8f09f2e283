"""backpain-roi dashboard: a thin router over the page functions in calculator.dashboard.pages.

Run with ``streamlit run app.py``. The pages are listed in ``calculator/dashboard/registry.py``.
"""

import streamlit as st

from calculator.dashboard import shell
from calculator.dashboard.registry import HOME, PAGES

st.set_page_config(page_title="backpain-roi: back pain cost and therapy ROI", page_icon=":material/accessibility_new:",
                   layout="wide")
page = st.navigation(shell.pages([HOME, *PAGES]), position="top")
shell.frame(page)
