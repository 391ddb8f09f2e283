"""Start page, served at ``/``: what the tool is for, the verdict for the current scenario, and a
link to every page (so every other page, Cost included, lives at its own address)."""

from __future__ import annotations

import streamlit as st

from .. import fmt, shell, state, ui, verdict
from ..registry import PAGES

#: One line per page, in plain words (pages without a line show only their title).
BLURBS: dict[str, str] = {
    "cost": "What chronic low back pain costs your workforce each year, with its sources.",
    "workforce": "Describe your workforce: industry, job mix, a census file or a benefits survey.",
    "roi": "Whether covering one therapy pays back: cost, savings, ROI and payback.",
    "compare": "Every therapy side by side, for the same workforce and benefit design.",
    "uncertainty": "How sure the answer is: simulations, what drives the range, value of more research.",
    "health-plan": "The same question for a health plan: claims, members and premiums.",
    "assumptions": "Every number in use, its range and its source; methods and limitations.",
    "report": "Download the business case as PDF, Word, slides, workbook, CSV or JSON.",
    "library": "Save, reload and compare named scenarios.",
    "portfolio": "For brokers and plans: many employer groups at once.",
}


def render() -> None:
    ui.header(
        "Back pain cost and therapy ROI",
        "This calculator estimates what chronic low back pain costs an employer or health plan, and "
        "whether covering a therapy such as physical therapy, yoga or massage would pay back, with "
        "every number traced to a published source.",
    )
    ui.stale_banner()
    scenario = state.current_scenario()
    st.markdown(fmt.md(verdict.sentence(scenario, state.current_result(), state.current_headline())))
    st.header("Where to go")
    for spec, page in zip(PAGES, shell.pages(PAGES, default=""), strict=True):
        st.page_link(page, label=spec.title, icon=spec.icon)
        if spec.url_path in BLURBS:
            st.caption(BLURBS[spec.url_path])
