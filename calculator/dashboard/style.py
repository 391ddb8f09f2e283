"""Presentation shared by every page: accessible colours, phone layout, print stylesheet, glossary.

:func:`inject` adds one small stylesheet (no markup from users ever reaches it):

* captions and help text at 4.5:1 contrast or more (Streamlit's default grey #797f87 is 4.03:1);
* at phone width (<= 640 px) columns stack, so KPI cards take the full width and no number is cut;
  metric values wrap instead of ending in an ellipsis at any width;
* a print stylesheet: no toolbar or navigation, charts scaled to the page width and never split.

:func:`glossary` is the plain-words glossary shown at the foot of every page.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["CSS", "GLOSSARY", "inject", "glossary"]

#: Caption colour: #4b5563 on white is 7.6:1 (WCAG 2.2 AA asks 4.5:1 for normal text).
CAPTION = "#4b5563"

CSS = f"""
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small, [data-testid="stMetricDelta"] div,
[data-testid="stTooltipHoverTarget"] svg {{ color: {CAPTION} !important; opacity: 1 !important; }}
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; }}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {{ white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; overflow-wrap: break-word; }}
[data-testid="stMetricValue"] {{ font-size: clamp(1.45rem, 2.1vw, 2.25rem) !important; line-height: 1.15; }}
[data-testid="stMetricLabel"] p {{ white-space: normal !important; }}
[data-testid="stMainBlockContainer"] h2 {{ font-size: 1.45rem; }}
/* the collapsed page menu at phone width says what it is, not only "»" */
[data-testid="stExpandSidebarButton"]::after, [data-testid="stSidebarCollapsedControl"] button::after {{
  content: "Pages"; font-size: 0.95rem; margin-left: 0.25rem; color: #1f2a37; }}
@media (max-width: 640px) {{
  [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; }}
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{ width: 100% !important;
    flex: 1 1 100% !important; min-width: 100% !important; }}
  [data-testid="stMetricValue"] > div {{ font-size: 1.6rem; }}
  [class*="st-key-kpi-"] {{ width: 100% !important; max-width: 100% !important; flex: 1 1 100% !important; }}
  div:has(> [class*="st-key-kpi-"]), div:has(> div > [class*="st-key-kpi-"]) {{ flex-wrap: wrap !important;
    width: 100% !important; max-width: 100% !important; }}
  div:has(> div > [class*="st-key-kpi-"]) > div {{ width: 100% !important; flex: 1 1 100% !important; }}
  .stPlotlyChart .gtitle {{ font-size: 14px !important; }}
}}
@media print {{
  @page {{ size: landscape; margin: 12mm; }}
  header, [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
  .st-key-scenario-toolbar, [data-testid="stDownloadButton"], [data-testid="stDecoration"] {{ display: none !important; }}
  [data-testid="stMainBlockContainer"] {{ max-width: 100% !important; padding: 0 !important; }}
  .stPlotlyChart, .js-plotly-plot, .plot-container {{ break-inside: avoid; max-width: 100% !important; }}
  .stPlotlyChart svg.main-svg {{ max-width: 100% !important; height: auto !important; }}
  [data-testid="stExpander"] details {{ display: block; }}
}}
</style>
"""

#: Words an HR planner meets on these pages, in plain language.
GLOSSARY: dict[str, str] = {
    "Presenteeism": "Working while unwell and getting less done. Counted as the share of working hours lost "
                    "to back pain, beyond what people without it lose.",
    "Absenteeism": "Days off work because of back pain.",
    "ROI (return on investment)": "(Savings − cost) ÷ cost over the horizon. +10% means every dollar spent "
                                  "came back with 10 cents more; −10% means 90 cents came back.",
    "NPV (net present value)": "Savings minus cost, with later months counted a little less (the discount "
                               "rate), so money now and money later can be added up.",
    "P(ROI > 0)": "The chance, across thousands of simulated versions of the uncertain inputs, that the "
                  "program pays for itself.",
    "RDQ (Roland-Morris Disability Questionnaire)": "A 0–24 point score of how much back pain limits daily "
                                                    "activities; trials report therapy effects in these points.",
    "EVPI (expected value of perfect information)": "How much, at most, it would be worth to know the uncertain "
                                                    "inputs exactly before choosing: a ceiling on research spend.",
    "Base case": "Every input at its published best estimate (the mean of its range).",
    "Conservative case": "The program's effect and use at the unfavourable end of the evidence (half the trial "
                         "effect, lower completion, more turnover); facts about your workforce unchanged.",
    "Optimistic case": "The favourable end of the same evidence.",
    "Parameter set": "The version of the library of published numbers behind the defaults, so a result can be "
                     "reproduced later.",
    "Fixed costs": "Setup and launch costs that do not grow with headcount, so small workforces need a larger "
                   "effect per employee to pay them back.",
}


def inject() -> None:
    """Add the stylesheet to the page (call once per run, before the page draws)."""
    st.html(CSS)


def glossary() -> None:
    """The glossary, reachable from every page (an expander at the foot of the page)."""
    with st.expander("Glossary: the words used on these pages", icon=":material/menu_book:"):
        st.markdown("\n".join(f"- **{term}**: {text}" for term, text in GLOSSARY.items()))
