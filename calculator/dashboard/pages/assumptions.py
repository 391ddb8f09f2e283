"""Assumptions & sources: every number in use, its range, unit, status and citation; methods; limits."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from calculator import library

from .. import fmt, state, ui
from ..fields import (
    FIELDS,
    ORIGINS_KEY,
    UNIT_WORDS,
    changed_paths,
    current_value,
    default_value,
    label_for_path,
)

PERCENT_UNITS = {"fraction", "fraction/yr", "fraction/RDQ point"}

METHODS = """
**Cost of back pain.** The model estimates how many employees live with chronic low back pain from
the prevalence, and places them in three pain-impact states: low impact (low pain, few limits),
moderate impact (high pain, few limits) and high impact (pain that limits work and daily life); by
default 25%, 35% and 40%, as in Herman 2019. Each state has its own extra days of absence, extra
productivity lost while at work (presenteeism, tied to the same state's absence), extra medical
spending and quality of life. Time is valued at total compensation (wages plus benefits). Only the part
attributable to back pain counts: the difference from employees without it. The total is checked
against two published national benchmarks (Stewart 2003 and the Integrated Benefits Institute) on the
Cost page.

**A covered therapy.** Employees take the benefit up at the stated rate; some complete the course,
some stop early and still use some sessions (they cost money, but only those who complete the
course are assumed to benefit). The effect measured in the trials (on the Roland-Morris
disability scale, against usual care or a similar comparator) builds up during the course and fades
afterwards at the rate the follow-up studies show. Each point of improvement moves a share of those
who complete it to a lighter state (high or moderate impact to low impact), so their absence, medical
cost and (partly) presenteeism fall to that state's level. A workplace is expected to see only part of
the trial effect (65% by default). Employees who leave the organisation take the benefit with them; new
hires can join at the next enrolment window. The plan pays only its share of medical cost (85% by
default); a fully insured employer sees medical savings only if the insurer passes them through.

**Money.** Costs are the employer's share of session prices, a one-time setup cost, an administration
fee and, if sessions happen in paid time, the hours spent. Return on investment is net benefit (savings
minus cost) divided by cost over the horizon, undiscounted; net present value discounts each month;
payback is the first month from which cumulative savings stay at or above cumulative cost. Break-even
price and break-even effect are the values at which savings equal cost. Every return is shown with the
chance that it is positive and its 90% range, from 2,000 simulations of every uncertain input.
"""

LIMITATIONS = """
- **The link from clinical improvement to work time is calibrated, not measured.** No trial of these
  therapies measured absence or productivity directly. The share of completers who move to a lighter
  state per point of improvement was set once to reproduce one published result (Herman 2019, massage);
  it reproduces some of Herman's other results within 10% and over-predicts others (docs/METHODS.md).
- **Trials are not workplaces.** Trial volunteers tend to stick with a course better than employees
  offered a benefit, and uncontrolled comparisons of participants with non-participants overstate
  savings. The "share of the trial effect" input lets you scale the effect down.
- **Presenteeism is self-reported** in the studies behind it; here it is tied to each state's absence
  (Integrated Benefits Institute 2013), a conservative choice.
- **Defaults are national averages.** Your workforce may differ in age, job type and prevalence;
  replace defaults with your own figures where you have them.
- **Valuing time at full compensation (human capital) can overstate** the cost of absence when work
  is covered by colleagues; the friction-cost option counts absence only until cover is arranged.
- **Not counted:** effects on recruitment, retention, morale, and adverse events; costs of usual care
  that the therapy may replace are counted only through the medical cost of the pain-impact states.
- **Aggregate only.** The estimates describe a workforce, never a person, and must not be used for
  decisions about individual employees.
"""


def _show(unit: str, value: float) -> str:
    if unit in PERCENT_UNITS:
        return fmt.pct(value, 2 if abs(value) < 0.1 else 1)
    if unit.startswith("USD"):
        return fmt.money(value, cents=abs(value) < 100 and value != int(value))
    return f"{value:,.4g}"


def _link(url: str) -> str:
    return quote(url, safe=":/?&=#%+,;@~")


#: Where a non-default value came from, as recorded by the Your workforce page under
#: ``fields.ORIGINS_KEY`` (path -> {"kind": "preset" | "survey" | "census", "value": ..., "source": ...}).
ORIGIN_WORDS = {"preset": "Industry or job preset", "survey": "Your survey", "census": "Your census",
                "claims": "Your claims"}  # claims: the Health plan page (issue 11)
#: "Comes from" values that are the user's own data (status and sources say so).
OWN_DATA = ("Your survey", "Your census", "Your claims")


def _origin(r, origins: dict) -> str:
    o = origins.get(r.path)
    if o is not None and isinstance(o.get("value"), (int, float)) and abs(float(o["value"]) - r.value) < 1e-9:
        return ORIGIN_WORDS.get(o.get("kind"), "Your data")
    return "Changed by you" if r.changed else "Published default"


def parameter_table(inputs: pd.DataFrame, origins: dict | None = None) -> pd.DataFrame:
    """input_table() rows written for people: value, default, range, unit, origin, status, sources.

    ``origins`` maps a scenario path to the preset, survey or census that set its value; such rows
    say so in "Comes from" and list that source instead of the library's.
    """
    origins = origins or {}
    rows = []
    for r in inputs.itertuples():
        unit = r.unit
        origin = _origin(r, origins)
        keys = origins[r.path].get("keys") if origin not in ("Changed by you", "Published default") else None
        rows.append({
            "Input": label_for_path(r.path) if label_for_path(r.path) != r.path else r.label,
            "Value": _show(unit, r.value),
            "Default": _show(unit, r.default),
            "Plausible range": (f"{_show(unit, r.low)} to {_show(unit, r.high)}" if r.low != r.high else "fixed"),
            "Unit": UNIT_WORDS.get(unit, unit),
            "Changed by you": bool(r.changed),
            "Comes from": origin,
            "Status": ("your own data" if origin in OWN_DATA
                       else fmt.PROVENANCE_WORDS.get(r.provenance, r.provenance)),
            "Sources": (fmt.citations(keys) if keys else
                        "your own data" if origin in OWN_DATA else
                        fmt.citations(r.source_keys.split(";"))),
        })
    return pd.DataFrame(rows)


def settings_table() -> pd.DataFrame:
    """The non-numeric choices (valuation, perspective, switches, salary, visit cap)."""
    scenario = state.current_scenario()
    changed = set(changed_paths(scenario))
    paths = ["analysis.valuation", "analysis.perspective", "workforce.multiplier_on_presenteeism",
             "workforce.annual_salary", "programs.0.therapy", "programs.0.visit_cap", "programs.0.on_site",
             "programs.0.on_paid_time", "programs.0.booster_interval_months", "programs.0.booster_sessions",
             "programs.0.offer_interval_months", "analysis.horizon_months"]
    return pd.DataFrame([{
        "Setting": FIELDS[p].label, "Value": FIELDS[p].show(current_value(scenario, p)),
        "Default": FIELDS[p].show(default_value(scenario, p)), "Changed by you": p in changed,
    } for p in paths])


def linked_rows(table: pd.DataFrame, inputs: pd.DataFrame, param: str | None) -> pd.DataFrame:
    """The rows of ``table`` a KPI's help linked to (``?row=path,path``), in the link's order.

    Unknown paths are ignored (the link is user-editable text; nothing of it is shown).
    """
    paths = [p for p in (param or "").split(",")[:40] if p]
    index = {path: i for i, path in enumerate(inputs["path"])}
    return table.iloc[[index[p] for p in dict.fromkeys(paths) if p in index]]


def render() -> None:
    ui.header(
        "Assumptions and sources",
        "Every number the results use: its value, plausible range, unit, whether you changed it, and "
        "where it comes from. Click a column heading to sort.",
    )
    lib = library()
    scenario = state.current_scenario()
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.button("Reset every input to its default", icon=":material/restart_alt:", on_click=state.reset,
               key="reset-assumptions", type="primary")
    n = len(changed_paths(scenario))
    row.caption(f"{n} input{'s' if n != 1 else ''} changed from the defaults · parameter set {lib.version}")

    st.header("Numbers in use")
    inputs = state.cached_input_table(state.scenario_json(), 0)
    table = parameter_table(inputs, st.session_state.get(ORIGINS_KEY))
    linked = linked_rows(table, inputs, st.query_params.get(ui.ROW_PARAM))
    if len(linked):
        with st.container(border=True, key="linked-rows"):
            st.markdown("**The inputs behind the figure you came from**, with their sources "
                        "(every input is in the full table below):")
            st.dataframe(linked, hide_index=True, width="stretch", key="linked-rows-table",
                         column_config={"Input": st.column_config.TextColumn(pinned=True, width="large"),
                                        "Changed by you": st.column_config.CheckboxColumn()})
    st.dataframe(table, hide_index=True, width="stretch", height="content",
                 key="parameters-table",
                 column_config={"Input": st.column_config.TextColumn(pinned=True, width="large"),
                                "Changed by you": st.column_config.CheckboxColumn()})
    st.header("Settings")
    st.dataframe(settings_table(), hide_index=True, width="stretch", height="content", key="settings-table",
                 column_config={"Changed by you": st.column_config.CheckboxColumn()})

    st.header("Sources")
    r = state.current_result()
    lines = []
    for ref in lib.citations(r.sources):
        text = fmt.md(ref.citation())
        lines.append(f"- {text} [Open source]({_link(ref.link)})" if ref.link else f"- {text}")
    st.markdown("\n".join(lines))
    st.caption("Status: “checked against the source” means the value was verified in the publication; "
               "“derived” means computed from published figures; “assumption” means a reasoned choice "
               "with no direct source; “recalled” means not yet re-checked.")

    st.header("How the numbers are worked out")
    st.markdown(METHODS)
    st.header("Limitations")
    st.markdown(LIMITATIONS)
