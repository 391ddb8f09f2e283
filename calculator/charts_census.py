"""Census charts: the segment table in, a plotly figure out (no numbers of its own).

>>> from calculator import Scenario
>>> from calculator.census import evaluate_census, read_census
>>> r = evaluate_census(Scenario(), read_census(b"job_family,headcount\\nOffice,40\\nNurses,60\\n"))
>>> t = segment_burden_table(r)
>>> sorted(t["segment"].unique()), bool(abs(t["usd_per_year"].sum() - r.total["burden"]) < 1e-6)
(['Nurses', 'Office'], True)
>>> segment_burden_figure(t).layout.title.text
'Yearly cost of chronic low back pain by segment (US$ per year)'
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from .charts import COMPONENT_COLOURS, COMPONENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from .census import CensusResult

__all__ = ["segment_burden_table", "segment_burden_figure"]

_COLUMNS = {"absenteeism": "absenteeism", "presenteeism": "presenteeism_cost", "medical": "medical"}


def segment_burden_table(result: CensusResult) -> pd.DataFrame:
    """Long table: segment, component (plain words), usd_per_year, employees (segments >= min group)."""
    t = result.table()
    rows = []
    for _, r in t.iterrows():
        for key, col in _COLUMNS.items():
            rows.append({"segment": str(r["segment"]), "component": COMPONENT_LABELS[key], "key": key,
                         "usd_per_year": float(r[col]), "employees": float(r["employees"])})
    return pd.DataFrame(rows, columns=["segment", "component", "key", "usd_per_year", "employees"])


def segment_burden_figure(table: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars, biggest segment on top.

    Segment labels come from an uploaded file: they are HTML-escaped, because plotly renders a
    subset of HTML (links, bold ...) in axis labels; escaped, they show as the literal text.
    """
    fig = go.Figure()
    order = list(dict.fromkeys(table["segment"]))[::-1]
    # quote=False: plotly decodes &lt; &gt; &amp; but not &quot; (which showed literally, issue 10)
    shown = [html.escape(str(s), quote=False) for s in order]
    for key, part in table.groupby("key", sort=False):
        part = part.set_index("segment").reindex(order)
        fig.add_bar(y=shown, x=part["usd_per_year"], orientation="h",
                    name=str(part["component"].iloc[0]), marker_color=COMPONENT_COLOURS[str(key)],
                    hovertemplate="%{y}: $%{x:,.0f}<extra>%{fullData.name}</extra>")
    fig.update_layout(
        barmode="stack", title="Yearly cost of chronic low back pain by segment (US$ per year)",
        height=max(320, 28 * len(order) + 140), margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=-0.25), xaxis=dict(tickprefix="$", separatethousands=True),
        plot_bgcolor="white",
    )
    fig.update_yaxes(type="category", automargin=True)
    return fig
