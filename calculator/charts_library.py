"""Charts of the scenario library: a comparison of 2-4 saved scenarios. Tables in, figures out.

:func:`comparison_chart_table` reshapes a :class:`~calculator.scenario_library.Comparison` into one
row per scenario; :func:`comparison_figure` draws it: ROI with its 90% interval (5th-95th
percentile of the PSA) and P(ROI > 0) printed beside each bar, and the net benefit and NPV in
US$. The figure adds no numbers of its own.

>>> from calculator import Scenario, set_path
>>> from calculator.scenario_library import compare_scenarios
>>> c = compare_scenarios([("Massage", Scenario()), ("Yoga", set_path(Scenario(), "programs.0.therapy", "yoga"))])
>>> t = comparison_chart_table(c)
>>> list(t["scenario"]), bool((t["roi_p5"] <= t["roi"]).all())
(['Massage', 'Yoga'], True)
>>> len(comparison_figure(t).data), len(roi_figure(t).data), len(money_figure(t).data)
(3, 1, 2)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .charts import _FONT, OKABE_ITO

if TYPE_CHECKING:  # pragma: no cover
    from .scenario_library import Comparison

__all__ = ["comparison_chart_table", "comparison_figure", "roi_figure", "money_figure"]

_COLUMNS = ("roi", "roi_p5", "roi_p95", "p_roi_positive", "net_benefit", "npv", "burden_total")


def comparison_chart_table(cmp: Comparison) -> pd.DataFrame:
    """One row per scenario: ROI, its 5th/95th percentiles, P(ROI > 0), net benefit, NPV, burden."""
    res = cmp.results.set_index("result")
    rows = [{"scenario": n, **{k: res.loc[k, n] for k in _COLUMNS}} for n in cmp.names]
    out = pd.DataFrame(rows)
    for k in _COLUMNS:
        out[k] = pd.to_numeric(out[k], errors="coerce")
    return out


def _roi_trace(table: pd.DataFrame) -> go.Bar:
    names = [str(n) for n in table["scenario"]]
    ticks = [f"{n}<br>P(ROI > 0) {p:.0%}" for n, p in zip(names, table["p_roi_positive"], strict=True)]
    roi = table["roi"] * 100
    return go.Bar(
        x=ticks, y=roi, name="ROI (90% interval)", marker_color=OKABE_ITO["blue"],
        error_y=dict(type="data", symmetric=False, array=table["roi_p95"] * 100 - roi,
                     arrayminus=roi - table["roi_p5"] * 100, color=OKABE_ITO["black"], thickness=1.5, width=6),
        hovertemplate="%{x}<br>ROI %{y:.1f}%<extra></extra>")


def _money_traces(table: pd.DataFrame) -> list[go.Bar]:
    names = [str(n) for n in table["scenario"]]
    return [go.Bar(x=names, y=table["net_benefit"], name="Net benefit", marker_color=OKABE_ITO["bluish_green"],
                   hovertemplate="%{x}<br>net benefit $%{y:,.0f}<extra></extra>"),
            go.Bar(x=names, y=table["npv"], name="NPV", marker_color=OKABE_ITO["orange"],
                   hovertemplate="%{x}<br>NPV $%{y:,.0f}<extra></extra>")]


def _style(fig: go.Figure, height: int, legend: bool) -> go.Figure:
    fig.add_hline(y=0, line_color=OKABE_ITO["grey"], line_width=1)
    fig.update_layout(template="plotly_white", font=_FONT, height=height, barmode="group",
                      margin=dict(l=10, r=20, t=60, b=90), separators=".,", showlegend=legend,
                      legend=dict(orientation="h", yanchor="top", y=-0.18, x=1, xanchor="right"),
                      hoverlabel=dict(font_size=13))
    fig.update_annotations(font_size=13)
    return fig


_ROI_TITLE = "ROI (%): bar = base case, line = 90% interval"
_MONEY_TITLE = "Net benefit and NPV (US$)"


def roi_figure(table: pd.DataFrame, *, height: int = 400) -> go.Figure:
    """ROI per scenario with its 90% interval; P(ROI > 0) under each name (for narrow layouts)."""
    fig = _style(go.Figure([_roi_trace(table)]), height, False)
    fig.update_layout(title=dict(text=_ROI_TITLE, x=0, xanchor="left", font=dict(size=15)))
    return fig.update_yaxes(ticksuffix="%")


def money_figure(table: pd.DataFrame, *, height: int = 400) -> go.Figure:
    """Net benefit and NPV per scenario [US$]."""
    fig = _style(go.Figure(_money_traces(table)), height, True)
    fig.update_layout(title=dict(text=_MONEY_TITLE, x=0, xanchor="left", font=dict(size=15)))
    return fig.update_yaxes(tickformat="$,.0f")


def comparison_figure(table: pd.DataFrame, *, height: int = 420) -> go.Figure:
    """Both panels side by side (the PDF page): ROI with interval and P(ROI > 0); net benefit and NPV."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(_ROI_TITLE, _MONEY_TITLE))
    fig.add_trace(_roi_trace(table), row=1, col=1)
    for t in _money_traces(table):
        fig.add_trace(t, row=1, col=2)
    _style(fig, height, True)
    fig.update_yaxes(ticksuffix="%", row=1, col=1)
    fig.update_yaxes(tickformat="$,.0f", row=1, col=2)
    return fig
