"""Placeholder 'Cost of back pain' page (the dashboard issue replaces it)."""

import streamlit as st

from calculator import Scenario, evaluate


def render() -> None:
    r = evaluate(Scenario())
    st.title("Cost of back pain")
    st.metric("Yearly cost of chronic low back pain (1,000 employees)", f"${r.burden.total:,.0f}")
