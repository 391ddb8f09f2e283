"""Book-of-business charts: the per-group table in, a plotly figure out (no numbers of their own).

>>> import pandas as pd
>>> g = pd.DataFrame({"group_id": ["A", "B"], "name": ["<b>x</b>", "Beta"], "status": ["ok", "ok"],
...                   "employees": [50, 5000], "prob_roi_positive": [0.2, 0.9], "roi_mean": [-0.3, 0.4],
...                   "roi_p5": [-0.6, 0.1], "roi_p95": [0.1, 0.8], "therapy": ["yoga", "yoga"],
...                   "net_benefit_mean": [-100.0, 9000.0]})
>>> fig = groups_scatter(g)
>>> fig.layout.xaxis.type, [round(float(y), 1) for y in fig.data[0].y], fig.data[0].customdata[0][0]
('log', [0.2], 'A &lt;b&gt;x&lt;/b&gt;')
>>> [t.name for t in fig.data]
['P(ROI > 0) below 80%', 'P(ROI > 0) 80% or more']
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .book import CONFIDENT_P

__all__ = ["groups_scatter", "roi_histogram"]

_GREEN, _GREY, _NAVY = "#067647", "#98A2B3", "#1F3864"


def _label(row: pd.Series) -> str:
    # Group ids and names come from an uploaded file: escaped, because plotly renders some HTML.
    return html.escape(f"{row['group_id']} {row['name']}".strip(), quote=True)


def groups_scatter(groups: pd.DataFrame, confident: float = CONFIDENT_P) -> go.Figure:
    """Each group: size (employees, log axis) against P(ROI > 0), the confidence line dashed."""
    ok = groups[groups["status"] == "ok"]
    fig = go.Figure()
    for hit, name, colour in ((False, f"P(ROI > 0) below {confident:.0%}", _GREY),
                              (True, f"P(ROI > 0) {confident:.0%} or more", _GREEN)):
        part = ok[(ok["prob_roi_positive"] >= confident) == hit]
        custom = [[_label(r), r["therapy"], r["roi_mean"], r["roi_p5"], r["roi_p95"], r["net_benefit_mean"]]
                  for _, r in part.iterrows()]
        fig.add_scatter(
            x=part["employees"], y=part["prob_roi_positive"], mode="markers", name=name, customdata=custom,
            marker=dict(color=colour, size=9, opacity=0.8, line=dict(width=0.5, color="white")),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{x:,} employees<br>P(ROI > 0) %{y:.0%}"
                          "<br>ROI %{customdata[2]:.0%} (5-95%: %{customdata[3]:.0%} to %{customdata[4]:.0%})"
                          "<br>mean net benefit $%{customdata[5]:,.0f}<extra></extra>")
    fig.add_hline(y=confident, line_dash="dash", line_color=_GREEN, line_width=1)
    sizes = ok["employees"].astype(float)
    decades = np.log10(sizes.max() / sizes.min()) if len(sizes) and sizes.min() > 0 else 0.0
    fig.update_layout(
        title="Group size vs P(ROI > 0)",
        # one tick per power of ten when the sizes span decades; plotly's own ticks within one decade
        xaxis=dict(type="log", title="Employees (log scale)", separatethousands=True,
                   dtick=1 if decades >= 1.5 else None),
        yaxis=dict(title="P(ROI > 0)", tickformat=".0%", range=[-0.03, 1.03]),
        height=440, margin=dict(l=10, r=10, t=90, b=10), plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    fig.update_xaxes(gridcolor="#EAECF0")
    fig.update_yaxes(gridcolor="#EAECF0")
    return fig


def roi_histogram(groups: pd.DataFrame) -> go.Figure:
    """The distribution of mean ROI across groups (one count per group)."""
    ok = groups[groups["status"] == "ok"]
    fig = go.Figure(go.Histogram(x=ok["roi_mean"], marker_color=_NAVY, opacity=0.85, nbinsx=30,
                                 hovertemplate="ROI %{x}<br>%{y} groups<extra></extra>"))
    fig.add_vline(x=0, line_color="#B42318", line_width=1)
    fig.update_layout(title="Mean ROI across groups", xaxis=dict(title="Mean ROI over the horizon", tickformat=".0%"),
                      yaxis=dict(title="Groups"), height=330, margin=dict(l=10, r=10, t=60, b=10),
                      plot_bgcolor="white", bargap=0.05)
    return fig
