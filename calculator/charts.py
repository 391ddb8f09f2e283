"""Charts: tables in, plotly figures out. No streamlit, no I/O, no numbers of their own.

Every chart is a table first (house style 5): a ``*_table`` function reshapes what the core
computed (a :class:`~calculator.model.Result`, a :func:`~calculator.compare` table) into a tidy
DataFrame with plain-word labels, and a ``*_figure`` function draws that table. Figures are pure
functions of their arguments, so the dashboard, PDF and slide exports can share them (render with
``fig.to_image(format="png")`` through kaleido for files).

Colours are the Okabe-Ito palette, which stays distinguishable for the common forms of colour
blindness (Okabe & Ito 2008, https://jfly.uni-koeln.de/color/); every title carries its unit.

>>> from calculator import Scenario, evaluate
>>> r = evaluate(Scenario())
>>> t = burden_table(r)
>>> t["component"].tolist(), bool(abs(t["usd_per_year"].sum() - r.burden.total) < 1e-6)
(['Absence (absenteeism)', 'Reduced productivity at work (presenteeism)', 'Excess medical care'], True)
>>> burden_figure(t).layout.title.text
'Yearly cost of chronic low back pain by component (US$ per year)'
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .evidence import library
from .model import effect_curve

if TYPE_CHECKING:  # pragma: no cover
    from .model import ProgramResult, Result
    from .scenario import Scenario

__all__ = [
    "OKABE_ITO",
    "COMPONENT_COLOURS",
    "burden_table",
    "burden_figure",
    "benchmark_table",
    "benchmark_figure",
    "cashflow_table",
    "cashflow_figure",
    "month_dtick",
    "savings_table",
    "savings_figure",
    "effect_curve_table",
    "evidence_points_table",
    "effect_figure",
    "COMPARE_MEASURES",
    "compare_figure",
]

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
}

#: One colour per cost or saving component, used the same way on every chart.
COMPONENT_COLOURS = {
    "absenteeism": OKABE_ITO["blue"],
    "presenteeism": OKABE_ITO["orange"],
    "medical": OKABE_ITO["bluish_green"],
    "cost": OKABE_ITO["vermillion"],
}

COMPONENT_LABELS = {
    "absenteeism": "Absence (absenteeism)",
    "presenteeism": "Reduced productivity at work (presenteeism)",
    "medical": "Excess medical care",
}

_FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=14, color="#1f2a37")


def _layout(fig: go.Figure, title: str, *, height: int = 360, legend: bool = False) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
        template="plotly_white", font=_FONT, height=height, showlegend=legend,
        margin=dict(l=10, r=20, t=70, b=130 if legend else 40), separators=".,",
        legend=dict(orientation="h", yanchor="top", y=-0.28, x=0, xanchor="left"),
        hoverlabel=dict(font_size=13),
    )
    return fig


def month_dtick(horizon_months: float) -> int:
    """Month-axis tick step: at most 12 ticks (10 past a year), so month numbers stay readable on a 390 px phone."""
    return 1 if horizon_months <= 12 else 3 if horizon_months <= 24 else 6 if horizon_months <= 60 else 12


def _money_text(x: float) -> str:
    return ("\u2212" if x < 0 else "") + f"${abs(x):,.0f}"


# ---------------------------------------------------------------------------------------------
# Cost of back pain


def burden_table(result: Result) -> pd.DataFrame:
    """The yearly burden split into its three components [USD/yr], in a fixed order."""
    b = result.burden
    return pd.DataFrame({
        "key": ["absenteeism", "presenteeism", "medical"],
        "component": [COMPONENT_LABELS[k] for k in ("absenteeism", "presenteeism", "medical")],
        "usd_per_year": [b.absenteeism, b.presenteeism, b.medical],
    })


def burden_figure(table: pd.DataFrame) -> go.Figure:
    """Horizontal bars of :func:`burden_table`: one bar per component, labelled in dollars."""
    # labels wrapped and short ticks ($200k), so a 390 px phone keeps room for the bars and their values
    fig = go.Figure(go.Bar(
        x=table["usd_per_year"], y=["<br>".join(textwrap.wrap(c, 22)) for c in table["component"]],
        orientation="h", marker_color=[COMPONENT_COLOURS[k] for k in table["key"]],
        text=[_money_text(v) for v in table["usd_per_year"]], textposition="auto", cliponaxis=False,
        customdata=table["component"], hovertemplate="%{customdata}: %{text} per year<extra></extra>",
    ))
    top = float(max(table["usd_per_year"].max(), 0.0))
    fig.update_xaxes(title_text="US$ per year", tickformat="$~s", rangemode="tozero", nticks=5,
                     range=[0, top * 1.3] if top > 0 else None)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, "Yearly cost of chronic low back pain by component (US$ per year)", height=300)


def benchmark_table(result: Result) -> pd.DataFrame:
    """Every row of :func:`~calculator.model.benchmark_check` as two bars: this model and the benchmark.

    Long format, one line per bar: ``comparison`` (benchmark and measure), ``unit``, ``series``
    ("This model" or "Published"), ``value``, ``kind`` ("model"/"benchmark") and ``ratio`` (ours /
    published, repeated on both lines of a comparison).
    """
    from .model import benchmark_check

    rows = []
    for c in benchmark_check(result).itertuples():
        label = f"{c.benchmark}: {c.measure.split(' per ')[0].lower()}"
        for series, value, kind in (("This model", c.ours, "model"), ("Published", c.benchmark_value, "benchmark")):
            rows.append({"comparison": label, "unit": c.unit, "series": series, "value": float(value),
                         "kind": kind, "ratio": float(c.ratio)})
    return pd.DataFrame(rows)


def _benchmark_text(value: float, unit: str) -> str:
    return _money_text(value) if unit.startswith("USD") else f"{value:,.1f} h"


def benchmark_figure(table: pd.DataFrame) -> go.Figure:
    """One panel per benchmark comparison: this model's value beside the published one, in its unit."""
    from plotly.subplots import make_subplots

    colours = {"model": OKABE_ITO["blue"], "benchmark": OKABE_ITO["grey"]}
    comparisons = list(dict.fromkeys(table["comparison"]))
    titles = []
    for comp in comparisons:
        part = table[table["comparison"] == comp]
        name, measure = comp.split(": ", 1)
        wrapped = "<br>".join(textwrap.wrap(measure, 44))
        titles.append(f"<b>{name}</b>: ours = {part['ratio'].iloc[0]:.2f}x published<br>{wrapped}")
    fig = make_subplots(rows=len(comparisons), cols=1, subplot_titles=titles, vertical_spacing=0.18)
    for i, comp in enumerate(comparisons, start=1):
        part = table[table["comparison"] == comp]
        unit = part["unit"].iloc[0]
        fig.add_trace(go.Bar(
            y=part["series"], x=part["value"], orientation="h",
            marker_color=[colours[k] for k in part["kind"]],
            text=[_benchmark_text(v, unit) for v in part["value"]], textposition="auto",
            hovertemplate="%{y}: %{x:,.1f} " + unit + " per employee<extra></extra>",
        ), row=i, col=1)
        axis = ("US$ " + unit.split(" ", 1)[1] if unit.startswith("USD") and " " in unit else "hours")
        fig.update_xaxes(title_text=f"{axis} per employee per year", rangemode="tozero",
                         tickformat="$,.0f" if unit.startswith("USD") else None, row=i, col=1)
        fig.update_yaxes(autorange="reversed", automargin=True, row=i, col=1)
    for a in fig.layout.annotations:
        a.update(x=0, xanchor="left", align="left", font=dict(size=12))
    fig = _layout(fig, "Work time lost per employee per year:<br>this model against each published benchmark",
                  height=190 + 210 * len(comparisons))
    fig.update_layout(margin=dict(t=140), title=dict(y=0.975, yanchor="top"))  # room above the first panel title
    return fig


# ---------------------------------------------------------------------------------------------
# Therapy ROI


def cashflow_table(program: ProgramResult) -> pd.DataFrame:
    """Month, monthly cost, savings, net and cumulative net cash flow of a program [USD]."""
    return program.monthly[["month", "cost", "savings", "net", "cumulative_net"]].copy()


def cashflow_figure(table: pd.DataFrame, payback_month: float | None, horizon_months: int) -> go.Figure:
    """Cumulative net cash flow by month, the zero line, and the payback month marked."""
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=table["month"], y=table["net"], name="Net cash flow in the month",
        marker_color=[OKABE_ITO["sky_blue"] if v >= 0 else OKABE_ITO["grey"] for v in table["net"]],
        hovertemplate="Month %{x}: %{y:$,.0f} in the month<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=table["month"], y=table["cumulative_net"], name="Cumulative net cash flow",
        mode="lines+markers", line=dict(color=OKABE_ITO["blue"], width=3),
        hovertemplate="Month %{x}: %{y:$,.0f} cumulative<extra></extra>",
    ))
    fig.add_hline(y=0, line=dict(color=OKABE_ITO["black"], width=1))
    if payback_month is not None and not math.isnan(payback_month):
        fig.add_vline(x=payback_month, line=dict(color=OKABE_ITO["bluish_green"], width=2, dash="dash"))
        late = payback_month > 0.6 * horizon_months  # the label turns inward: the axis never grows for it
        fig.add_annotation(x=payback_month, y=1, yref="paper", text=f"Pays back in month {int(payback_month)}",
                           showarrow=False, xanchor="right" if late else "left", yanchor="top",
                           xshift=-4 if late else 4,
                           font=dict(color=OKABE_ITO["bluish_green"], size=13))
    else:
        fig.add_annotation(x=0, y=1, xref="paper", yref="paper", showarrow=False, xanchor="left",
                           yanchor="top", text=f"Does not pay back within {horizon_months} months",
                           font=dict(color=OKABE_ITO["vermillion"], size=13))
    # the axis ends at the horizon; ticks thin out for long horizons so they never pile up on a phone
    fig.update_xaxes(title_text="month of the program", range=[0.5, horizon_months + 0.5],
                     dtick=month_dtick(horizon_months))
    fig.update_yaxes(title_text="US$", tickformat="$,.0f")
    return _layout(fig, "Net cash flow by month, and cumulative (US$)", height=440, legend=True)


def savings_table(program: ProgramResult) -> pd.DataFrame:
    """Savings by component and the program cost over the horizon [USD]."""
    return pd.DataFrame({
        "key": ["absenteeism", "presenteeism", "medical", "cost"],
        "group": ["Savings", "Savings", "Savings", "Program cost"],
        "component": [COMPONENT_LABELS["absenteeism"], COMPONENT_LABELS["presenteeism"],
                      COMPONENT_LABELS["medical"], "Program cost (employer)"],
        "usd": [program.savings_absenteeism, program.savings_presenteeism, program.savings_medical,
                program.cost],
    })


def savings_figure(table: pd.DataFrame, horizon_months: int) -> go.Figure:
    """Two stacked bars: savings by component, and the program cost they are set against."""
    fig = go.Figure()
    for _, row in table.iterrows():
        fig.add_trace(go.Bar(
            y=[row["group"]], x=[row["usd"]], name=row["component"], orientation="h",
            marker_color=COMPONENT_COLOURS[row["key"]],
            hovertemplate=f"{row['component']}: {_money_text(row['usd'])}<extra></extra>",
        ))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=f"US$ over {horizon_months} months", tickformat="$,.0f")
    fig.update_yaxes(categoryorder="array", categoryarray=["Program cost", "Savings"], automargin=True)
    return _layout(fig, f"Savings by component and program cost<br><sup>US$ over {horizon_months} months</sup>",
                   height=420, legend=True)


def effect_curve_table(scenario: Scenario, program_index: int = 0, weeks: int | None = None) -> pd.DataFrame:
    """The modelled effect by week: see :func:`calculator.model.effect_curve` (computed in the core)."""
    return effect_curve(scenario, program_index, weeks)


def evidence_points_table(therapy_id: str) -> pd.DataFrame:
    """Published follow-up points of a therapy's effect, with their source and 95% CI if known."""
    pts = library().points(therapy_id)
    return pd.DataFrame({
        "week": [e.week for e in pts], "rdq_difference": [e.rdq_difference for e in pts],
        "low": [e.low for e in pts], "high": [e.high for e in pts],
        "source_key": [e.source_key for e in pts], "provenance": [e.provenance for e in pts],
        "note": [e.note for e in pts],
    }, columns=["week", "rdq_difference", "low", "high", "source_key", "provenance", "note"])


def effect_figure(curve: pd.DataFrame, points: pd.DataFrame, therapy_label: str, comparator: str) -> go.Figure:
    """The effect curve with the evidence points: published ones with their 95% CIs, derived ones with their ranges."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=curve["week"], y=curve["trial_effect"], mode="lines", name="Modelled effect (trial size)",
        line=dict(color=OKABE_ITO["blue"], width=3),
        hovertemplate="Week %{x:.0f}: %{y:.2f} points<extra></extra>",
    ))
    if not np.allclose(curve["expected_effect"], curve["trial_effect"]):
        fig.add_trace(go.Scatter(
            x=curve["week"], y=curve["expected_effect"], mode="lines",
            name="Expected in your workforce", line=dict(color=OKABE_ITO["orange"], width=3, dash="dash"),
            hovertemplate="Week %{x:.0f}: %{y:.2f} points<extra></extra>",
        ))
    prov = points["provenance"] if len(points) else None
    groups = [] if not len(points) else [
        (points[prov == "VERIFIED"], "Published result", "diamond"),
        (points[prov == "DERIVED"], "Derived from published results (bar: range, see note)", "circle-open"),
        (points[~prov.isin(["VERIFIED", "DERIVED"])], "Recalled or assumed (not checked against the paper)",
         "diamond-open"),
    ]
    for pts, name, symbol in groups:
        if not len(pts):
            continue
        has_ci = pts["low"].notna() & pts["high"].notna()
        err_plus = np.where(has_ci, pts["high"] - pts["rdq_difference"], np.nan)
        err_minus = np.where(has_ci, pts["rdq_difference"] - pts["low"], np.nan)
        fig.add_trace(go.Scatter(
            x=pts["week"], y=pts["rdq_difference"], mode="markers", name=name,
            marker=dict(color=OKABE_ITO["vermillion"], size=11, symbol=symbol, line=dict(width=2)),
            error_y=dict(type="data", array=err_plus, arrayminus=err_minus, visible=True,
                         color=OKABE_ITO["vermillion"]),
            customdata=np.stack([pts["note"], pts["source_key"]], axis=-1),
            hovertemplate="Week %{x:.0f}: %{y:.1f} points<br>%{customdata[0]}<br>Source: %{customdata[1]}"
                          "<extra></extra>",
        ))
    inside = curve.loc[curve["within_horizon"], "week"] if "within_horizon" in curve else curve["week"][:0]
    if len(inside) and len(inside) < len(curve):
        fig.add_vrect(x0=0, x1=float(inside.max()), fillcolor=OKABE_ITO["sky_blue"], opacity=0.12, line_width=0,
                      annotation_text="analysis horizon", annotation_position="top left")
    fig.update_xaxes(title_text="weeks since the course started", rangemode="tozero")
    fig.update_yaxes(title_text="Roland-Morris points better", rangemode="tozero")
    return _layout(fig, f"{therapy_label}: effect over time<br><sup>Roland-Morris disability points better than "
                        f"{comparator}</sup>", height=440, legend=True)


# ---------------------------------------------------------------------------------------------
# Compare therapies


COMPARE_MEASURES = {
    "net_benefit": "Net benefit (savings minus cost)",
    "roi": "Return on investment",
    "npv": "Net present value",
}


def compare_figure(table: pd.DataFrame, horizon_months: int, value: str = "net_benefit") -> go.Figure:
    """One bar per therapy (a :func:`calculator.compare` table), the chosen one highlighted.

    ``value`` is ``net_benefit`` or ``npv`` [USD] or ``roi`` [fraction]; therapies without a value
    (no cost, so no ROI) are left out of the bars.
    """
    df = table[table[value].notna()].sort_values(value, ascending=True, kind="stable")
    colours = [OKABE_ITO["orange"] if c else OKABE_ITO["blue"] for c in df["chosen"]]
    names = [f"{lab} (your choice)" if c else lab for lab, c in zip(df["label"], df["chosen"], strict=True)]
    is_pct = value == "roi"
    text = [(f"{v * 100:,.0f}%" if is_pct else _money_text(v)).replace("-", "\u2212") for v in df[value]]
    fig = go.Figure(go.Bar(
        x=df[value], y=names, orientation="h", marker_color=colours,
        marker_pattern_shape=["/" if c else "" for c in df["chosen"]],
        text=text, textposition="auto", hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.add_vline(x=0, line=dict(color=OKABE_ITO["black"], width=1))
    if is_pct:
        fig.update_xaxes(title_text=f"% of program cost, over {horizon_months} months", tickformat=".0%")
        title = f"Return on investment by therapy over {horizon_months} months (%)"
    else:
        fig.update_xaxes(title_text=f"US$ over {horizon_months} months", tickformat="$,.0f")
        title = f"{COMPARE_MEASURES[value]} by therapy over {horizon_months} months (US$)"
    fig.update_yaxes(automargin=True)
    return _layout(fig, title, height=max(320, 44 * len(df) + 110))
