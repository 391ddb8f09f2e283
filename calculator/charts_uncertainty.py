"""Charts of the uncertainty analysis: tables in, plotly figures out (no streamlit, no I/O).

Each figure draws a table the core computed (:mod:`calculator.uncertainty`,
:mod:`calculator.sensitivity`) and adds no numbers of its own; where a chart needs a reshaped
table (the histogram's bins), a ``*_table`` function makes it and is tested on its own. Styling
(Okabe-Ito colour-blind-safe palette, layout) is shared with :mod:`calculator.charts`.

>>> from calculator import Scenario
>>> from calculator.uncertainty import psa
>>> r = psa(Scenario(), draws=500, seed=1)
>>> t = histogram_table(r.draws["net_benefit"], bins=20)
>>> int(t["count"].sum())
500
>>> distribution_figure(t, r.summary, "net_benefit", r.horizon_months).layout.title.text
'Net benefit in 500 simulations (US$)'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .charts import OKABE_ITO, _layout, _money_text, month_dtick

__all__ = [
    "histogram_table",
    "distribution_figure",
    "fan_figure",
    "tornado_figure",
    "break_even_figure",
    "p_best_figure",
]

_GAIN, _LOSS = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
_OUTCOME_TITLES = {
    "net_benefit": ("Net benefit", "US$"), "npv": ("Net present value", "US$"),
    "roi": ("Return on investment", "%"), "payback_month": ("Payback month", "months"),
}


def _fmt(outcome: str, v: float) -> str:
    if outcome == "roi":
        return f"{v * 100:,.0f}%".replace("-", "\u2212")
    if outcome == "payback_month":
        return f"month {v:.0f}"
    return _money_text(v)


def histogram_table(values: pd.Series | np.ndarray, bins: int = 40) -> pd.DataFrame:
    """Equal-width bins of the finite values: left, right, count, share (of all values), gain,
    draws (the number of values, the same on every row).

    A bin that straddles 0 is split at 0, so every bar is either a loss or a gain (``gain`` is
    True when the bin lies at or above 0).
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    x = x[np.isfinite(x)]
    if x.size == 0:
        return pd.DataFrame(columns=["left", "right", "count", "share", "gain", "draws"])
    edges = np.histogram_bin_edges(x, bins=bins)
    if edges[0] < 0 < edges[-1] and not np.any(edges == 0):
        edges = np.sort(np.append(edges, 0.0))
    counts, edges = np.histogram(x, bins=edges)
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "count": counts,
                         "share": counts / n, "gain": edges[:-1] >= 0, "draws": n})


def distribution_figure(table: pd.DataFrame, summary: pd.DataFrame, outcome: str,
                        horizon_months: int) -> go.Figure:
    """Histogram of an outcome over the draws (losses and gains coloured apart), with the median and
    the 5th-95th percentile marked from the PSA ``summary`` table."""
    name, unit = _OUTCOME_TITLES[outcome]
    scale = 100.0 if outcome == "roi" else 1.0
    fig = go.Figure(go.Bar(
        x=(table["left"] + table["right"]) / 2 * scale, y=table["share"] * 100,
        width=(table["right"] - table["left"]) * scale,
        marker_color=[_GAIN if g else _LOSS for g in table["gain"]],
        customdata=np.column_stack([table["left"] * scale, table["right"] * scale]),
        hovertemplate="%{customdata[0]:,.0f} to %{customdata[1]:,.0f}: %{y:.1f}% of simulations<extra></extra>",
    ))
    row = summary.set_index("outcome").loc[outcome]
    # labels: 5th to the left of its line, 95th to the right, the median on a row above them; a label
    # near an edge turns inward (never clipped) and then takes its own row so the two never overlap
    lo, hi = (float(table["left"].min()), float(table["right"].max())) if len(table) else (0.0, 1.0)
    frac = {k: (float(row[k]) - lo) / (hi - lo) if pd.notna(row[k]) and hi > lo else 0.5 for k in ("p5", "p95")}
    a5 = "right" if frac["p5"] > 0.3 else "left"
    a95 = "left" if frac["p95"] < 0.7 else "right"
    y95 = 1.0 if (a5, a95) == ("right", "left") else 1.26
    for key, text, dash, anchor, y in (("p5", "5th percentile", "dot", a5, 1.0),
                                       ("median", "median", "dash", "center", 1.13),
                                       ("p95", "95th percentile", "dot", a95, y95)):
        v = row[key]
        if pd.notna(v):
            fig.add_vline(x=v * scale, line=dict(color=OKABE_ITO["black"], width=1.5, dash=dash))
            fig.add_annotation(x=v * scale, y=y, yref="paper", showarrow=False, yanchor="bottom",
                               xanchor=anchor, text=f"{text} {_fmt(outcome, v)}", font=dict(size=12))
    fig.add_vline(x=0, line=dict(color=OKABE_ITO["grey"], width=1))
    fig.update_xaxes(title_text=f"{name.lower()} over {horizon_months} months ({unit})",
                     ticksuffix="%" if outcome == "roi" else "", tickprefix="$" if unit == "US$" else "",
                     tickformat=",.0f")
    fig.update_yaxes(title_text="share of simulations (%)", ticksuffix="%")
    draws = int(table["draws"].iloc[0]) if len(table) else 0
    short = "ROI" if outcome == "roi" else name
    fig = _layout(fig, f"{short} in {draws:,} simulations ({unit})", height=380)
    if len(table):
        fig.update_xaxes(range=[table["left"].min() * scale, table["right"].max() * scale])
    fig.update_layout(margin=dict(t=130 if y95 > 1 else 110), bargap=0.02)
    return fig


def fan_figure(monthly: pd.DataFrame) -> go.Figure:
    """Fan chart of cumulative net cash flow by month: 5-95% and 25-75% bands and the median
    (``PSAResult.monthly``)."""
    m = monthly["month"]
    fig = go.Figure()
    for lo, hi, name, alpha in (("p5", "p95", "5-95% of simulations", 0.18), ("p25", "p75", "25-75% of simulations", 0.35)):
        fig.add_trace(go.Scatter(x=m, y=monthly[hi], mode="lines", line=dict(width=0), showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=m, y=monthly[lo], mode="lines", line=dict(width=0), fill="tonexty",
                                 fillcolor=f"rgba(0,114,178,{alpha})", name=name, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=m, y=monthly["median"], mode="lines+markers", name="median",
                             line=dict(color=OKABE_ITO["blue"], width=3),
                             hovertemplate="Month %{x}: median %{y:$,.0f} cumulative<extra></extra>"))
    fig.add_hline(y=0, line=dict(color=OKABE_ITO["black"], width=1))
    fig.update_xaxes(title_text="month of the program", dtick=month_dtick(len(m)))
    fig.update_yaxes(title_text="US$", tickprefix="$", tickformat=",.0f")
    return _layout(fig, "Cumulative net cash flow by month across simulations (US$)", height=380, legend=True)


def tornado_figure(table: pd.DataFrame, top: int = 12) -> go.Figure:
    """Tornado from a :func:`calculator.sensitivity.one_way` table: the ``top`` inputs with the
    largest swing, bars from the base case to the outcome at the input's low and high."""
    df = table[table["swing"] > 0].head(top).iloc[::-1]
    outcome = str(table["outcome"].iloc[0]) if "outcome" in table and len(table) else "roi"
    name, unit = _OUTCOME_TITLES[outcome]
    scale = 100.0 if outcome == "roi" else 1.0
    base = float(table["base_outcome"].iloc[0]) * scale if len(table) else 0.0
    labels = df["label"] if "label" in df else df["input"]
    labels = [str(s) if len(str(s)) <= 60 else str(s)[:57] + "..." for s in labels]
    fig = go.Figure()
    for col, end, colour, text in (("outcome_low", "low", OKABE_ITO["sky_blue"], "input at its low value"),
                                   ("outcome_high", "high", OKABE_ITO["orange"], "input at its high value")):
        fig.add_trace(go.Bar(
            y=labels, x=df[col] * scale - base, base=base, orientation="h", name=text, marker_color=colour,
            customdata=np.column_stack([df[end], df[col] * scale]),
            hovertemplate="%{y}<br>at %{customdata[0]:.4g}: %{customdata[1]:,.1f}<extra></extra>",
        ))
    fig.add_vline(x=base, line=dict(color=OKABE_ITO["black"], width=1.5))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=f"{name.lower()} ({unit}); line = base case",
                     ticksuffix="%" if outcome == "roi" else "", tickprefix="$" if unit == "US$" else "",
                     tickformat=",.0f")
    fig.update_yaxes(automargin=True)
    return _layout(fig, f"What drives the {name.lower()}: each input from its low to its high value",
                   height=max(320, 60 + 34 * len(df)), legend=True)


def break_even_figure(grid: pd.DataFrame, contour: pd.DataFrame, *, outcome: str = "roi",
                      x_label: str | None = None, y_label: str | None = None,
                      base: tuple[float, float] | None = None, x_tickformat: str | None = None,
                      y_tickformat: str | None = None) -> go.Figure:
    """Heat map of a :func:`calculator.sensitivity.two_way` grid with the break-even line
    (:func:`calculator.sensitivity.break_even`) and, optionally, the base case marked.
    ``x_tickformat``/``y_tickformat``: plotly tick formats (``".0%"`` for a share)."""
    name, unit = _OUTCOME_TITLES[outcome]
    scale = 100.0 if outcome == "roi" else 1.0
    wide = grid.pivot(index="y", columns="x", values=outcome).sort_index()
    z = wide.to_numpy() * scale
    lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    fig = go.Figure(go.Heatmap(
        x=wide.columns, y=wide.index, z=z, zmin=-lim, zmax=lim, zmid=0,
        colorscale=[[0, OKABE_ITO["vermillion"]], [0.5, "#f7f7f7"], [1, OKABE_ITO["blue"]]],
        colorbar=dict(title=dict(text=unit), ticksuffix="%" if outcome == "roi" else ""),
        hovertemplate="x %{x:.4g}, y %{y:.4g}: %{z:,.1f}<extra></extra>",
    ))
    if len(contour):
        fig.add_trace(go.Scatter(x=contour["x"], y=contour["y"], mode="lines", name="break-even (net benefit = 0)",
                                 line=dict(color=OKABE_ITO["black"], width=3)))
    if base is not None:
        fig.add_trace(go.Scatter(x=[base[0]], y=[base[1]], mode="markers", name="your scenario",
                                 marker=dict(symbol="x", size=13, color=OKABE_ITO["black"])))
    px = str(grid["param_x"].iloc[0]) if "param_x" in grid and len(grid) else "x"
    py = str(grid["param_y"].iloc[0]) if "param_y" in grid and len(grid) else "y"
    fig.update_xaxes(title_text=_wrap(x_label or px), tickformat=x_tickformat)
    fig.update_yaxes(title_text=_wrap(y_label or py), tickformat=y_tickformat)
    return _layout(fig, f"{name} ({unit}) across the two inputs", height=460, legend=True)


def _wrap(text: str, width: int = 40) -> str:
    """Break a long axis title into lines of at most about ``width`` characters."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "<br>".join([*lines, line])


def p_best_figure(table: pd.DataFrame, p_none_best: float | None = None) -> go.Figure:
    """Probability that each choice has the highest net benefit (``CompareResult.table``), with
    "cover none" as its own bar when ``p_none_best`` is given (the bars then add up to 100%)."""
    df = table.sort_values("p_best", ascending=True, kind="stable")
    if p_none_best is not None:
        none = pd.DataFrame([{"label": "Cover none (no therapy pays for itself)", "p_best": p_none_best,
                              "chosen": False}])
        df = pd.concat([df, none], ignore_index=True).sort_values("p_best", ascending=True, kind="stable")
    colours = [OKABE_ITO["orange"] if c else OKABE_ITO["blue"] for c in df.get("chosen", [False] * len(df))]
    fig = go.Figure(go.Bar(
        y=df["label"], x=df["p_best"] * 100, orientation="h", marker_color=colours,
        text=[f"{v * 100:.0f}%" for v in df["p_best"]], textposition="outside",
        hovertemplate="%{y}: best in %{x:.1f}% of simulations<extra></extra>",
    ))
    fig.update_xaxes(title_text="share of simulations in which it has the highest net benefit (%)",
                     ticksuffix="%", range=[0, 105])
    fig.update_yaxes(automargin=True)
    return _layout(fig, "Which therapy is most often the best choice (% of simulations)",
                   height=max(320, 60 + 32 * len(df)))
