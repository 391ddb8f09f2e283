"""Compare therapies: every therapy in the catalogue under the same workforce and benefit design."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculator import charts, library

from .. import fmt, state, ui
from ..inputs import field

#: Columns shown in the table, in order: compare() column -> heading.
COLUMNS = {
    "label": "Therapy", "comparator": "Compared with", "evidence_grade": "Evidence", "cost": "Program cost", "savings": "Savings",
    "net_benefit": "Net benefit", "roi": "ROI", "npv": "Net present value", "payback_month": "Payback month",
    "participants": "Participants", "sessions": "Sessions", "price_per_session": "Price per session",
    "cost_per_participant": "Cost per participant", "breakeven_price_per_session": "Break-even price",
    "chosen": "Your choice",
}


MONEY = ["cost", "savings", "net_benefit", "npv", "cost_per_participant"]


def with_short_labels(df: pd.DataFrame) -> pd.DataFrame:
    """The compare() table with each therapy's short name as its label (fits narrow screens)."""
    lib = library()
    return df.assign(label=[lib.therapy(t).short_label if t in lib.therapies else "Cover nothing"
                            for t in df["therapy"]])


def table_view(df: pd.DataFrame) -> pd.DataFrame:
    """The compare() table with the shown columns and headings, money rounded to whole dollars
    for display (the same rounding as the KPI cards)."""
    out = df[list(COLUMNS)].copy()
    out[MONEY] = out[MONEY].round(0)
    return out.rename(columns=COLUMNS)


def verdict(df: pd.DataFrame, horizon: int) -> str:
    """One plain sentence: which therapy returns most here, and how many pay for themselves."""
    th = df[df["therapy"] != "none"]
    best = th.sort_values("net_benefit", ascending=False, kind="stable").iloc[0]
    paying = int((th["net_benefit"] >= 0).sum())
    lead = (f"{best['label']} returns the most here ({fmt.money(best['net_benefit'])} net over {horizon} months)"
            if best["net_benefit"] >= 0 else
            f"No therapy pays for itself within {horizon} months here; {best['label']} loses least "
            f"({fmt.money(best['net_benefit'])})")
    return f"{lead}; {paying} of {len(th)} therapies pay for themselves on these inputs."


def render() -> None:
    ui.header(
        "Compare therapies",
        "Every therapy in the catalogue, for the same workforce and the same benefit design (uptake, "
        "co-pay, visit cap, costs, horizon). Each therapy keeps its own published price, number of "
        "sessions and effect.",
    )
    top = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with top.container(width=340):
        field("programs.0.therapy", caption=False, label="Your choice (highlighted)")
    with top.container(width=360):
        measure = st.segmented_control("Rank the chart by", list(charts.COMPARE_MEASURES),
                                       format_func=charts.COMPARE_MEASURES.get, default="net_benefit",
                                       key="compare-measure") or "net_benefit"
    ui.stale_banner()

    scenario = state.current_scenario()
    H = scenario.analysis.horizon_months
    df = with_short_labels(state.cached_compare(state.scenario_json()))
    st.markdown(fmt.md(verdict(df, H)))
    ui.chart(charts.compare_figure(df, H, measure), key="chart-compare")

    st.header(f"All therapies over {H} months")
    view = table_view(df.sort_values(measure, ascending=False, na_position="last", kind="stable"))
    styled = view.style.apply(
        lambda row: ["background-color: #FBE9C6; font-weight: 600" if row["Your choice"] else "" for _ in row],
        axis=1).format(lambda v: "" if v is None or v != v else f"{int(v)}", subset=["Payback month"]).format(
        lambda v: "" if v is None or v != v else fmt.money(v), subset=["Break-even price"])  # blank, never "None"

    def money(**kw):  # a step of 1 shows no decimals (values are already rounded)
        return st.column_config.NumberColumn(step=kw.pop("step", 1), **kw)

    st.dataframe(
        styled, hide_index=True, width="stretch", height="content", key="compare-table",
        column_config={
            "Therapy": st.column_config.TextColumn(pinned=True, width="medium"),
            "Program cost": money(format="dollar"), "Savings": money(format="dollar"),
            "Net benefit": money(format="dollar"), "Net present value": money(format="dollar"),
            "ROI": money(format="percent", step=0.001, help="Net benefit divided by program cost"),
            "Payback month": money(format="%d", help=f"Blank: does not pay back within {H} months"),
            "Participants": money(format="%.0f"), "Sessions": money(format="%d"),
            "Price per session": money(format="dollar", step=0.01), "Cost per participant": money(format="dollar"),
            "Break-even price": money(format="dollar", step=0.01, help="Session price at which savings equal cost; "
                                                             "blank when no price breaks even"),
            "Your choice": st.column_config.CheckboxColumn(help="The therapy chosen on the Therapy ROI page"),
        },
    )
    st.caption(fmt.md(
        "Click a column heading to sort. Evidence grades come from published reviews and guidelines "
        "(see Assumptions & sources). 'Cover nothing' is the baseline every benefit must beat (cost 0, "
        "savings 0). Each effect was measured against the comparator shown; usual care is the comparator "
        "the others are measured against, so it shows cost without savings and is no money-saving program. A blank payback month means the therapy does not pay back within "
        f"{H} months."))
