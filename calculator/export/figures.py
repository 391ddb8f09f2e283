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

from .. import charts, fmt
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


def _nice_ticks(lo: float, hi: float, most: int = 5) -> list[float]:
    """At most ``most`` round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten)."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return [0.0]
    raw = (hi - lo) / max(most - 1, 1)
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = np.floor(lo / step) * step
    ticks = np.arange(start, hi + step * 0.5, step)
    return [float(t) for t in ticks if lo - step * 0.01 <= t <= hi + step * 0.01]


def money_axis(fig: go.Figure, axis: str = "x", most: int = 5) -> go.Figure:
    """Short dollar ticks on ``axis`` ('$1.2M', '$840k', '−$2k'): few enough that none overlap."""
    vals = []
    for tr in fig.data:
        v = getattr(tr, axis, None)
        if v is not None:
            arr = np.asarray(v, dtype=object)
            vals += [float(x) for x in arr.ravel() if isinstance(x, (int, float, np.floating, np.integer))]
        base = getattr(tr, "base", None)
        if base is not None and axis == ("x" if getattr(tr, "orientation", None) == "h" else "y"):
            vals += [float(x) for x in np.atleast_1d(np.asarray(base, dtype=float)).ravel()]
    if not vals:
        return fig
    lo, hi = min(0.0, *vals), max(0.0, *vals)
    pad = (hi - lo) * 0.04
    ticks = _nice_ticks(lo - pad, hi + pad, most)
    upd = dict(tickmode="array", tickvals=ticks, ticktext=[fmt.axis_money(t) for t in ticks],
               tickprefix="", tickformat=None)
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**upd)
    return fig


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
    cashflow = money_axis(for_print(charts.cashflow_figure(charts.cashflow_table(p), p.payback_month, h)), "y")
    cashflow.update_xaxes(dtick=1 if h <= 12 else 3 if h <= 36 else 6 if h <= 72 else 12, range=[0.4, h + 0.6])
    burden = money_axis(for_print(charts.burden_figure(charts.burden_table(d.result))), "x", 4)
    compare = money_axis(for_print(charts.compare_figure(d.comparison, h, "net_benefit")), "x", 6)
    compare.update_traces(textfont_size=11, selector=dict(type="bar"))
    compare.update_layout(uniformtext=dict(minsize=10, mode="show"))
    # sizes in CSS px: the PDF draws half-width charts 3.6 in wide and full-width ones 7.4 in wide,
    # so 11 px text prints at 8 pt or more
    out = {
        "burden": ("Yearly cost of chronic low back pain by component (US$ per year)", burden, (360, 190)),
        "cashflow": ("Cash flow, base case: bars = net in the month, line = cumulative (US$)",
                     cashflow, (360, 190)),
        "compare": (f"Net benefit by therapy over {h} months, same benefit design (US$)", compare,
                    (700, max(170, 17 * len(d.comparison) + 56))),
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
        fig = for_print(fig)
        rows = {round(a.y, 2) for a in fig.layout.annotations or () if a.yref == "paper" and a.y >= 1}
        fig.update_layout(margin=dict(t=12 + 30 * len(rows)))  # every percentile label above the bars
        out["roi_distribution"] = (cap, fig, (700, 300))
    if d.tornado is not None and len(d.tornado):
        from .. import charts_uncertainty as cu
        fig = for_print(cu.tornado_figure(d.tornado, top=10), legend=True)
        fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0))
        out["tornado"] = (f"What drives the ROI: each input from its low to its high value, the others at base "
                          f"(one-way sensitivity, {h} months)", fig, (700, max(260, 60 + 26 * min(len(d.tornado), 10))))
    from .pdf_plan import plan_figures  # the health-plan page's charts, same render batch (issue 11)
    out |= plan_figures(d)
    return out
