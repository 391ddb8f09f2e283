"""The Streamlit dashboard: the only package that imports streamlit. Only ``app.py`` imports it."""
