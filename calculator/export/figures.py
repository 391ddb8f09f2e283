"""The dashboard's figures (``calculator.charts``, ``calculator.charts_uncertainty``), restyled for print.

The figures are the dashboard's own (same tables, same traces, same colours); for paper they get
a print font, tighter margins and no title (the PDF sets the title as a caption beside its
footnote). :func:`roi_distribution_figure` is a fallback for an uncertainty summary that did not
come from :func:`calculator.uncertainty.psa` (no summary table for the dashboard's histogram).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import charts
from .report import ReportData

__all__ = ["for_print", "roi_distribution_table", "roi_distribution_figure", "report_figures"]

_PRINT_FONT = dict(family="Helvetica, Arial, sans-serif", size=12, color="#1f2a37")


def for_print(fig: go.Figure, *, legend: bool | None = None) -> go.Figure:
    """A copy of ``fig`` with a print font, small margins and no title or legend.

    Notes that plotly pins to the top of the plot area move just above it, so they do not cover data.
    """
    out = go.Figure(fig)
    out.update_layout(title=None, font=_PRINT_FONT, margin=dict(l=6, r=14, t=8, b=6),
                      paper_bgcolor="white", plot_bgcolor="white", showlegend=bool(legend))
    out.update_xaxes(title_font=dict(size=11), tickfont=dict(size=11), nticks=7, tickangle=0)
    out.update_yaxes(title_font=dict(size=11), tickfont=dict(size=11))
    top = 8
    for ann in out.layout.annotations or ():
        ann.font.size = 11
        if ann.yref == "paper" and ann.y == 1:
            ann.yanchor = "bottom"
            top = max(top, 36 if "<br>" in str(ann.text) else 22)
    out.update_layout(margin=dict(t=top))
    return out


def roi_distribution_table(roi_draws: np.ndarray, bins: int = 40) -> pd.DataFrame:
    """Histogram of ROI draws: ``left, right, share`` (share of draws per bin; NaN draws dropped)."""
    x = np.asarray(roi_draws, dtype=float)
    x = x[np.isfinite(x)]
    lo, hi = np.quantile(x, [0.005, 0.995]) if x.size else (0.0, 1.0)
    counts, edges = np.histogram(np.clip(x, lo, hi), bins=bins, range=(lo, hi))
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "share": counts / max(x.size, 1)})


def roi_distribution_figure(table: pd.DataFrame, low: float, high: float) -> go.Figure:
    """Bars of :func:`roi_distribution_table`, losses grey, gains blue, the interval marked."""
    mid = (table["left"] + table["right"]) / 2
    colours = [charts.OKABE_ITO["grey"] if m < 0 else charts.OKABE_ITO["blue"] for m in mid]
    fig = go.Figure(go.Bar(x=mid, y=table["share"], width=table["right"] - table["left"],
                           marker_color=colours, hovertemplate="ROI %{x:.0%}: %{y:.1%} of draws<extra></extra>"))
    fig.add_vline(x=0, line=dict(color=charts.OKABE_ITO["black"], width=1))
    for v in (low, high):
        fig.add_vline(x=v, line=dict(color=charts.OKABE_ITO["vermillion"], width=2, dash="dash"))
    fig.update_xaxes(title_text="return on investment", tickformat=".0%")
    fig.update_yaxes(title_text="share of draws", tickformat=".0%")
    fig.update_layout(template="plotly_white", showlegend=False, bargap=0.05,
                      title=dict(text="Return on investment across simulated draws"))
    return fig


def report_figures(d: ReportData) -> dict[str, tuple[str, go.Figure, tuple[int, int]]]:
    """``name -> (caption, figure, (width, height) in CSS px)`` for the PDF, in page order."""
    p, h = d.program, d.horizon
    cashflow = for_print(charts.cashflow_figure(charts.cashflow_table(p), p.payback_month, h))
    cashflow.update_xaxes(dtick=1 if h <= 12 else 3 if h <= 36 else 6 if h <= 72 else 12)
    out = {
        "burden": ("Yearly cost of chronic low back pain by component (US$ per year)",
                   for_print(charts.burden_figure(charts.burden_table(d.result))), (440, 200)),
        "cashflow": ("Cash flow, base case: bars = net in the month, line = cumulative (US$)",
                     cashflow, (440, 200)),
        "compare": (f"Net benefit by therapy over {h} months, same benefit design (US$)",
                    for_print(charts.compare_figure(d.comparison, h, "net_benefit")),
                    (880, max(180, 19 * len(d.comparison) + 56))),
    }
    u = d.uncertainty
    if u is not None and u.roi_draws is not None:
        if u.psa_summary is not None:  # the dashboard's own histogram
            from .. import charts_uncertainty as cu
            fig = cu.distribution_figure(cu.histogram_table(u.roi_draws), u.psa_summary, "roi", h)
            cap = f"Return on investment over {h} months in {u.draws:,} simulations (% of draws per bar)"
        else:
            fig = roi_distribution_figure(roi_distribution_table(u.roi_draws), u.roi_low, u.roi_high)
            cap = f"Return on investment across {u.draws:,} simulated draws ({u.level:.0%} interval dashed)"
        out["roi_distribution"] = (cap, for_print(fig), (880, 280))
    from .pdf_plan import plan_figures  # the health-plan page's charts, same render batch (issue 11)
    out |= plan_figures(d)
    return out
