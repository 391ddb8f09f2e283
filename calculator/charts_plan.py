"""Charts of the health-plan view: tables in, plotly figures out (no streamlit, no I/O).

Budget impact by plan year (:mod:`calculator.budget`) and the cost-effectiveness acceptability
curve (:mod:`calculator.cea`). Each ``*_table`` reshapes what the core computed; each ``*_figure``
draws that table and adds no numbers of its own. Styling is shared with :mod:`calculator.charts`.

>>> from calculator import Scenario
>>> from calculator.budget import budget_impact
>>> t = budget_years_table(budget_impact(Scenario()))
>>> list(t.columns)[:4], len(t) == Scenario().plan.horizon_years
(['year', 'label', 'gross_cost', 'refund'], True)
>>> budget_figure(t).layout.title.text
'Budget impact by plan year (US$)'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from .charts import COMPONENT_COLOURS, OKABE_ITO, _layout
from .evidence import library

if TYPE_CHECKING:  # pragma: no cover
    from .budget import BudgetImpact

__all__ = ["budget_years_table", "budget_figure", "ceac_table", "ceac_figure"]

_LINE_COLOURS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                        "sky_blue", "black", "grey", "yellow")]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


def budget_years_table(budget: BudgetImpact) -> pd.DataFrame:
    """One row per plan year: gross cost, refund, offsets (shown negative), net, PMPM, PEPM [USD]."""
    y = budget.years
    return pd.DataFrame({
        "year": y["year"].astype(int), "label": [f"Year {int(v)}" for v in y["year"]],
        "gross_cost": y["gross_cost"], "refund": -y["refund"], "offsets": -y["offsets"], "net": y["net"],
        "pmpm": y["pmpm"], "pepm": y["pepm"], "share_of_plan_spend": y["share_of_plan_spend"],
    })


def budget_figure(table: pd.DataFrame) -> go.Figure:
    """Bars per plan year: program fees up, refunds and medical offsets down; the net as a marker."""
    fig = go.Figure()
    for col, name, colour in (("gross_cost", "Program fees", COMPONENT_COLOURS["cost"]),
                              ("refund", "Fees refunded (guarantee)", OKABE_ITO["grey"]),
                              ("offsets", "Medical offsets (plan-paid)", COMPONENT_COLOURS["medical"])):
        if col == "refund" and not (table[col] != 0).any():
            continue
        fig.add_bar(x=table["label"], y=table[col], name=name, marker_color=colour,
                    hovertemplate=f"{name}: %{{y:$,.0f}}<extra>%{{x}}</extra>")
    fig.add_scatter(x=table["label"], y=table["net"], mode="markers", name="Net budget impact",
                    marker=dict(symbol="diamond", size=14, color=OKABE_ITO["black"],
                                line=dict(color="#ffffff", width=1.5)),
                    customdata=table["pmpm"],
                    hovertemplate="Net: %{y:$,.0f}<br>PMPM: %{customdata:$,.3f}<extra>%{x}</extra>")
    fig.update_layout(barmode="relative", yaxis=dict(title="US$ (+ = the plan spends more)",
                                                     zeroline=True, zerolinecolor="#1f2a37"))
    return _layout(fig, "Budget impact by plan year (US$)", height=420, legend=True)


def ceac_table(ceac: pd.DataFrame, measure: str = "p_cost_effective") -> pd.DataFrame:
    """The CEAC long table with therapy labels; ``measure`` is ``p_cost_effective`` or ``p_optimal``.

    ``none`` rows (no cover optimal) are kept only for ``p_optimal``.
    """
    lib = library()
    t = ceac if measure == "p_optimal" else ceac[ceac["option"] != "none"]
    label = {tid: th.short_label for tid, th in lib.therapies.items()} | {"none": "Cover none"}
    return pd.DataFrame({"wtp": t["wtp"], "option": t["option"], "label": t["option"].map(label),
                         "probability": t[measure]}).reset_index(drop=True)


def ceac_figure(table: pd.DataFrame, thresholds: tuple[float, ...] = (), title: str | None = None) -> go.Figure:
    """One line per option: probability of being cost-effective against willingness to pay per QALY."""
    fig = go.Figure()
    for i, (_opt, part) in enumerate(table.groupby("option", sort=False)):
        fig.add_scatter(x=part["wtp"], y=part["probability"] * 100, mode="lines", name=part["label"].iat[0],
                        line=dict(color=_LINE_COLOURS[i % len(_LINE_COLOURS)], dash=_DASHES[i % len(_DASHES)],
                                  width=2.5),
                        hovertemplate=f"{part['label'].iat[0]}: %{{y:.0f}}% at %{{x:$,.0f}}/QALY<extra></extra>")
    for w in thresholds:
        fig.add_vline(x=w, line=dict(color=OKABE_ITO["grey"], dash="dot", width=1),
                      annotation_text=f"${w / 1000:,.0f}k", annotation_position="top")
    fig.update_layout(xaxis=dict(title="Willingness to pay per QALY (US$)", tickformat="$,.0f"),
                      yaxis=dict(title="Probability cost-effective (%)", range=[0, 100]))
    return _layout(fig, title or "Acceptability curves (health plan's view)", height=460,
                   legend=True)
