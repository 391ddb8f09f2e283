"""Uncertainty: how sure is the answer, what drives it, and where the program breaks even.

Every number comes from :mod:`calculator.uncertainty` and :mod:`calculator.sensitivity`; the heavy
work runs in ``st.cache_data`` wrappers whose only inputs are their arguments (the scenario as
canonical JSON, draws, seed, ...), so a rerun with the same settings is instant.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculator import charts_uncertainty as cu
from calculator import from_json
from calculator.sensitivity import (
    DEFAULT_TWO_WAY,
    break_even,
    compare_presets,
    one_way,
    scenario_presets,
    two_way,
)
from calculator.uncertainty import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    PLAN_YEAR_MONTHS,
    CompareResult,
    PSAResult,
    psa,
    psa_compare,
    uncertainty_table,
)

from .. import fmt, state, ui
from ..fields import FIELDS, label_for_path

#: Draws the page offers (the Monte Carlo error of a probability is at most 1.6, 0.5, 0.2 and
#: 0.16 percentage points).
DRAW_CHOICES = (1_000, 10_000, 50_000, 100_000)
#: Largest seed the widget accepts (numpy accepts any non-negative integer).
MAX_SEED = 2**31 - 1
#: Short names of the inputs the break-even maps offer (the axes use the full labels).
MAP_NAMES = {"uptake": "Uptake", "effect_size": "effect size", "price_per_session": "Price per session"}


# ---------------------------------------------------------------------------------------------
# Cached core calls: thin wrappers whose only inputs are their arguments


@st.cache_data(max_entries=8, ttl=3600, show_spinner="Running the simulations ...")  # draws are large: keep few
def cached_psa(scenario_json: str, draws: int, seed: int, correlated: bool, fixed: tuple[str, ...]) -> PSAResult:
    return psa(from_json(scenario_json), draws, seed, correlated=correlated, fixed=fixed, monthly=True)


@st.cache_data(max_entries=4, ttl=3600, show_spinner="Comparing every therapy ...")
def cached_psa_compare(scenario_json: str, draws: int, seed: int, correlated: bool,
                       fixed: tuple[str, ...]) -> CompareResult:
    return psa_compare(from_json(scenario_json), draws, seed, correlated=correlated, fixed=fixed)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_one_way(scenario_json: str, outcome: str) -> pd.DataFrame:
    return one_way(from_json(scenario_json), outcome)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_two_way(scenario_json: str, param_x: str, param_y: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    grid = two_way(from_json(scenario_json), param_x, param_y, grid=31)
    return grid, break_even(grid)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_presets(scenario_json: str) -> pd.DataFrame:
    return compare_presets(from_json(scenario_json))


@st.cache_data(max_entries=64, show_spinner=False)
def cached_uncertainty_table(scenario_json: str) -> pd.DataFrame:
    return uncertainty_table(from_json(scenario_json))


# ---------------------------------------------------------------------------------------------
# Words


def chance(p: float) -> str:
    """A probability in words a planner reads at a glance: '83%', 'under 1%', 'over 99%'.

    >>> chance(0.8312), chance(0.0), chance(0.003), chance(0.9991)
    ('83%', '0%', 'under 1%', 'over 99%')
    """
    if 0 < p < 0.005:
        return "under 1%"
    if 0.995 < p < 1:
        return "over 99%"
    return f"{p * 100:.0f}%"


def pays_sentence(p: float, draws: int) -> str:
    """'In 83% of 10,000 simulations the program pays for itself.'"""
    if p == 0:
        return f"In none of {draws:,} simulations does the program pay for itself."
    if p == 1:
        return f"In all {draws:,} simulations the program pays for itself."
    return f"In {chance(p)} of {draws:,} simulations the program pays for itself; in the others it costs more than it saves."


def _mc_note(se: float) -> str:
    return f"± {se * 100:.1f} points simulation error"


def _label(path: str) -> str:
    return label_for_path(path)


def _tickformat(path: str) -> str | None:
    spec = FIELDS.get(path)
    return ".0%" if spec is not None and spec.kind == "percent" else None


# ---------------------------------------------------------------------------------------------
# The page


def render() -> None:
    ui.header(
        "How sure is the answer?",
        "The other pages show one result from the published base values. Those values are uncertain: "
        "trials report ranges, and your workforce may differ. Here the calculator runs the same model "
        "thousands of times, each time drawing every uncertain input from its published range, and shows "
        "how often the program pays for itself, what drives the answer, and where it breaks even.",
    )
    sj = state.scenario_json()
    spec = cached_uncertainty_table(sj)
    sampled = spec[spec["sampled"]]
    draws, seed, correlated, fixed = _controls(sampled)
    ui.stale_banner()
    r = cached_psa(sj, int(draws), int(seed), bool(correlated), tuple(sorted(fixed)))
    _headline(r, sampled)
    _distributions(r, sampled)
    _drivers(sj)
    _break_even(sj, spec)
    _presets(sj, r.horizon_months)
    _all_therapies(sj, int(draws), int(seed), bool(correlated), tuple(sorted(fixed)))


def _controls(sampled: pd.DataFrame) -> tuple[int, int, bool, list[str]]:
    """Simulations, seed, linked inputs and inputs held fixed."""

    bar = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with bar.container(width=200):
        draws = st.selectbox("Simulations", DRAW_CHOICES, index=DRAW_CHOICES.index(DEFAULT_DRAWS),
                             format_func=lambda n: f"{n:,}", key="unc-draws",
                             help="How many times the model is run. More simulations give steadier "
                                  "percentages (the Monte Carlo error is shown beside each) but take longer.")
    with bar.container(width=200):
        seed = st.number_input("Random seed", min_value=0, max_value=MAX_SEED, value=DEFAULT_SEED, step=1,
                               key="unc-seed",
                               help="The same seed gives exactly the same simulations, so results can be "
                                    f"reproduced. Any whole number from 0 to {MAX_SEED:,}.")
    with bar.container(width=300):
        correlated = st.toggle("Link related inputs", value=False, key="unc-correlated",
                               help="Draw absence days together with presenteeism, and the two work "
                                    "translations together (moderate positive correlation, an assumption "
                                    "explained in the methods). Off: every input is drawn independently.")
    with bar.container(width=420):
        fixed = st.multiselect(
            "Hold these inputs at your value", list(sampled["input"]),
            format_func=lambda name: _label(sampled.set_index("input").at[name, "path"]), key="unc-fixed",
            help="Inputs you know for sure (for example your own uptake figures) can be taken out of the "
                 "simulation; they keep the value you entered on the other pages.")
    return draws, seed, correlated, fixed


def _headline(r: PSAResult, sampled: pd.DataFrame) -> None:
    """The sentence and KPI cards: chance it pays, plan-year payback, medians, value of evidence."""
    H = r.horizon_months
    p_pay = r.probability("roi_positive")
    p_year = r.probability("payback_12_months")
    pr = r.probabilities.set_index("event")
    sm = r.summary.set_index("outcome")

    st.markdown(f"**{fmt.md(pays_sentence(p_pay, r.draws_n))}**")
    ui.kpi_cards([
        ui.Kpi("Chance it pays for itself", chance(p_pay),
               f"Share of simulations in which savings exceed the program cost over {H} months (ROI above 0). "
               "The note gives the simulation (Monte Carlo) error of this share.",
               key="p-pays", note=_mc_note(pr.at["roi_positive", "mc_se"])),
        ui.Kpi("Pays back in the plan year", chance(p_year),
               f"Chance that cumulative savings catch up with cumulative cost within {PLAN_YEAR_MONTHS} months.",
               key="p-year", note=_mc_note(pr.at["payback_12_months", "mc_se"])),
        ui.Kpi("Net benefit, median", fmt.money(sm.at["net_benefit", "median"]),
               "Half of the simulations give more, half less. The note gives the range that holds nine "
               "simulations in ten (5th to 95th percentile).", key="nb-median",
               note=f"{fmt.money(sm.at['net_benefit', 'p5'])} to {fmt.money(sm.at['net_benefit', 'p95'])}"),
        ui.Kpi("ROI, median", fmt.pct(sm.at["roi", "median"]),
               "Return on investment (net benefit divided by program cost): half of the simulations give "
               "more, half less. The note gives the range that holds nine simulations in ten.", key="roi-median",
               note=f"{fmt.pct(sm.at['roi', 'p5'], 0)} to {fmt.pct(sm.at['roi', 'p95'], 0)}"),
        ui.Kpi("Value of better evidence", fmt.money(r.evpi["per_employee"]),
               "Per employee. Expected value of perfect information: how much better, on average, the decision "
               "to cover or not cover would turn out if every uncertain input were known exactly. A study "
               "costing more than this cannot pay for itself through this decision.", key="evpi",
               note=f"per employee; {fmt.money(r.evpi['total'])} in total"),
    ], [])
    st.caption(fmt.md(
        f"{len(sampled)} uncertain inputs are drawn in each simulation, each from the distribution in the "
        "parameter library (published range). An input you changed keeps its relative uncertainty around "
        f"your value. Seed {r.seed}: the same settings always give the same numbers."))



def _distributions(r: PSAResult, sampled: pd.DataFrame) -> None:
    """Histograms of net benefit and ROI, the fan chart, and what is drawn."""
    H = r.horizon_months
    st.header(f"How the result varies across {r.draws_n:,} simulations")
    c1, c2 = st.columns(2, gap="medium")
    with c1:
        ui.chart(cu.distribution_figure(cu.histogram_table(r.draws["net_benefit"]), r.summary, "net_benefit", H),
                 key="chart-unc-net")
    with c2:
        ui.chart(cu.distribution_figure(cu.histogram_table(r.draws["roi"]), r.summary, "roi", H),
                 key="chart-unc-roi")
    if r.monthly is not None and H > 1:
        ui.chart(cu.fan_figure(r.monthly), key="chart-unc-fan")
        st.caption("The dark band holds the middle half of the simulations, the light band nine in ten; the "
                   "line is the median. Where the bands cross zero, the program may or may not have paid back.")
    with st.expander("What is drawn, and how", key="exp-unc-inputs", icon=":material/casino:"):
        view = sampled.assign(
            label=[_label(p) for p in sampled["path"]],
            params=[", ".join(f"{k} {v:.4g}" for k, v in d.items()) for d in sampled["dist_params"]],
        )[["label", "value", "distribution", "params", "mean", "sd", "changed"]]
        st.dataframe(view.rename(columns={
            "label": "Input", "value": "Your value", "distribution": "Distribution", "params": "Parameters",
            "mean": "Mean of draws", "sd": "Standard deviation", "changed": "Changed by you"}),
            hide_index=True, width="stretch", key="unc-inputs-table")



def _drivers(sj: str) -> None:
    """The tornado: which inputs move the answer most."""
    st.header("What drives the answer")
    outcome = st.segmented_control("Outcome", ["roi", "net_benefit"], default="roi", key="unc-tornado-outcome",
                                   format_func={"roi": "Return on investment", "net_benefit": "Net benefit"}.get,
                                   help="Which result the bars show.") or "roi"
    ow = cached_one_way(sj, outcome)
    ow = ow.assign(label=[_label(p) for p in ow["path"]])
    ui.chart(cu.tornado_figure(ow), key="chart-unc-tornado")
    st.caption("Each bar moves one input from the low to the high end of its published range while every "
               "other input keeps your value. The longest bars are the inputs worth checking first.")
    with st.expander("The table behind the chart", key="exp-unc-tornado", icon=":material/table:"):
        st.dataframe(ow[["label", "low", "value", "high", "outcome_low", "outcome_high", "swing"]].rename(columns={
            "label": "Input", "low": "Low", "value": "Your value", "high": "High",
            "outcome_low": "Result at low", "outcome_high": "Result at high", "swing": "Swing"}),
            hide_index=True, width="stretch", key="unc-tornado-table")



def _break_even(sj: str, spec: pd.DataFrame) -> None:
    """The two-way break-even map."""
    st.header("Where the program breaks even")
    usable = [n for n in spec["input"] if spec.set_index("input").at[n, "in_use"]]
    paths = spec.set_index("input")["path"]
    pair_names = [f"{MAP_NAMES.get(x, _label(paths[x]))} × {MAP_NAMES.get(y, _label(paths[y]))}"
                  for x, y in DEFAULT_TWO_WAY]
    cols = st.columns(2, gap="medium")
    with cols[0]:
        pair = st.selectbox("Map", pair_names, key="unc-map-pair",
                            help="Two inputs that decide whether the program pays back.")
    x_name, y_name = DEFAULT_TWO_WAY[pair_names.index(pair)]
    if x_name in usable and y_name in usable:
        grid, contour = cached_two_way(sj, x_name, y_name)
        inp = spec.set_index("input")
        fig = cu.break_even_figure(grid, contour, x_label=_label(paths[x_name]), y_label=_label(paths[y_name]),
                                   base=(inp.at[x_name, "value"], inp.at[y_name, "value"]),
                                   x_tickformat=_tickformat(paths[x_name]), y_tickformat=_tickformat(paths[y_name]))
        ui.chart(fig, key="chart-unc-breakeven")
        st.caption("Colour: return on investment (blue pays back, orange does not). Black line: where savings "
                   "equal cost. The cross marks your scenario; every other input keeps your value.")



def _presets(sj: str, H: int) -> None:
    """Conservative, base and optimistic side by side, with what each changes."""
    st.header("Conservative, base and optimistic")
    pres = cached_presets(sj)
    view = pd.DataFrame({
        "Preset": pres["preset"].str.replace("_", " ").str.capitalize(), "Program cost": pres["cost"], "Savings": pres["savings"],
        "Net benefit": pres["net_benefit"], "ROI": pres["roi"],
        "Payback": [fmt.months(m, H) for m in pres["payback_month"]]})
    st.dataframe(view, hide_index=True, key="unc-presets-table",
                 column_config={"Program cost": st.column_config.NumberColumn(format="dollar", step=1),
                                "Savings": st.column_config.NumberColumn(format="dollar", step=1),
                                "Net benefit": st.column_config.NumberColumn(format="dollar", step=1),
                                "ROI": st.column_config.NumberColumn(format="percent", step=0.001)})
    with st.expander("What each preset changes, and why", key="exp-unc-presets", icon=":material/menu_book:"):
        rows = scenario_presets()
        for name, desc in zip(pres["preset"], pres["description"], strict=True):
            st.markdown(f"**{fmt.md(name.replace('_', ' ').capitalize())}.** {fmt.md(desc)}")
            for r_ in rows[(rows["preset"] == name) & (rows["path"] != "")].itertuples():
                path = r_.path.replace("*", "0")
                spec_f = FIELDS.get(path)
                shown = spec_f.show(float(r_.value)) if spec_f else r_.value
                st.markdown(fmt.md(f"- {_label(path)}: {shown}. {r_.reason} "
                                   f"Sources: {fmt.citations(r_.source_keys.split(';'))}."))



def _all_therapies(sj: str, draws: int, seed: int, correlated: bool, fixed: tuple[str, ...]) -> None:
    """Every therapy simulated together: chance each is the best choice, and the value of evidence."""
    st.header("All therapies at once")
    cr = cached_psa_compare(sj, min(draws, DEFAULT_DRAWS), seed, correlated, fixed)
    ui.chart(cu.p_best_figure(cr.table, cr.p_none_best), key="chart-unc-pbest")
    st.caption(fmt.md(
        f"Every therapy is simulated {cr.draws_n:,} times with the same workforce draws. In "
        f"{chance(cr.p_none_best)} of simulations no therapy pays for itself. Better evidence on which "
        f"therapy to cover (if any) is worth at most {fmt.money(cr.evpi['per_employee'])} per employee "
        f"({fmt.money(cr.evpi['total'])} in total)."))
