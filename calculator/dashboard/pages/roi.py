"""Therapy ROI: one therapy, one benefit design; cost, savings, ROI, payback, break-even."""

from __future__ import annotations

import streamlit as st

from calculator import charts, library

from .. import fmt, state, ui, verdict
from ..inputs import field, fields

P = "programs.0."


def render() -> None:
    ui.header(
        "Does covering a therapy pay back?",
        "Choose a therapy and how the benefit is designed. The results compare what the employer pays "
        "with the absence, productivity and medical costs it can expect to save, against usual care.",
    )
    top = st.container(horizontal=True, gap="medium", vertical_alignment="top")
    with top.container(width=340):
        field(P + "therapy", caption=False)
    with top.container(width=240):
        field("workforce.employees")
    with top.container(width=200):
        field("analysis.horizon_months")

    scenario = state.current_scenario()
    lib = library()
    th = lib.therapy(scenario.programs[0].therapy)
    st.caption(fmt.md(
        f"{th.label} · delivered as {th.delivery} · compared with {th.comparator} · evidence: "
        f"{th.evidence_grade}. {th.grade_basis} Sources: {fmt.citations(th.trial_source_keys)}."))
    ui.stale_banner()

    r = state.current_result()
    p = r.program
    h = state.current_headline()
    st.markdown(fmt.md(verdict.sentence(scenario, r, h)))
    st.header(f"Over {p.horizon_months} months")
    left = ui.kpi_cards(_kpis(scenario, p, h), r.warnings)
    ui.other_warnings(left)
    _charts(scenario, p, th)
    _design_fields()


def _kpis(scenario, p, h) -> list:
    """The KPI cards of the program over its horizon (ROI always with P(ROI > 0) and its range)."""
    H = p.horizon_months
    return [
        ui.Kpi("Program cost", fmt.money(p.cost),
               "What the employer pays over the horizon: its share of session prices, setup, administration "
               "and (if chosen) paid work time.", concerns=("program.cost",), key="cost",
               sources=('programs.0.price_per_session', 'programs.0.sessions', 'programs.0.uptake', 'programs.0.setup_cost', 'programs.0.admin_pepm')),
        ui.Kpi("Savings", fmt.money(p.savings),
               "Absence, productivity at work and medical costs avoided, in the chosen perspective.",
               concerns=("program.savings",), key="savings",
               sources=('programs.0.effect_size', 'programs.0.effect_multiplier', 'translation.response_per_point', 'condition.absence_days', 'condition.medical_excess_cost')),
        ui.Kpi("Net benefit", fmt.money(p.net_benefit), "Savings minus program cost.", key="net",
               sources=('programs.0.price_per_session', 'programs.0.effect_size', 'programs.0.effect_multiplier')),
        ui.Kpi("Return on investment", fmt.pct(p.roi) if p.roi is not None else "n/a",
               "Net benefit divided by program cost. 0% means the program pays for itself exactly. "
               f"Beside it: the chance that the ROI is above 0 and its 90% interval, from "
               f"{h.draws:,} Monte Carlo draws of every uncertain input (seed {h.seed}).",
               concerns=("program.roi",), key="roi",
               sources=('programs.0.price_per_session', 'programs.0.effect_size', 'programs.0.effect_multiplier'),
               note=f"P(ROI > 0) {fmt.pct(h.probability_roi_positive, 0)}"),
        ui.Kpi("Chance it pays for itself", fmt.pct(h.probability_roi_positive, 0),
               f"Share of {h.draws:,} Monte Carlo draws of every uncertain input (seed {h.seed}) in which the "
               "ROI is above 0, with the 90% range of the ROI across the draws.", key="roi-probability",
               sources=('programs.0.effect_size', 'programs.0.effect_multiplier', 'translation.response_per_point'),
               note=f"90% range {fmt.pct(h.roi_interval[0], 0)} to {fmt.pct(h.roi_interval[1], 0)}"),
        ui.Kpi("Net present value", fmt.money(p.npv),
               f"Net benefit with later months discounted at {fmt.pct(scenario.analysis.discount_rate)} a year.",
               key="npv",
               sources=('analysis.discount_rate',)),
        ui.Kpi("Payback", fmt.months(p.payback_month, H),
               "The first month from which cumulative savings stay at or above cumulative cost.", key="payback",
               sources=('programs.0.setup_cost', 'programs.0.effect_size', 'programs.0.decay_per_week'),
               note="" if p.payback_month is not None else f"not within {H} months"),
        ui.Kpi("Cost per participant", fmt.money(p.cost_per_participant),
               "Program cost divided by the employees who start the course.", key="per-participant",
               sources=('programs.0.price_per_session', 'programs.0.sessions', 'programs.0.completion')),
        ui.Kpi("Employees who take part", fmt.number(p.participants, 0),
               f"Of whom about {fmt.number(p.participants_with_back_pain, 0)} live with chronic back pain.",
               key="participants",
               sources=('programs.0.eligibility', 'programs.0.uptake', 'condition.prevalence')),
        ui.Kpi("Break-even price per session",
               fmt.money(p.breakeven_price_per_session) if p.breakeven_price_per_session else "None",
               "The session price at which savings equal cost (none: even free sessions would not pay back "
               "the fixed costs).", key="breakeven-price",
               sources=('programs.0.price_per_session',), note=f"price now {fmt.money(p.price_per_session)}"),
        ui.Kpi("Break-even effect",
               f"{fmt.number(p.breakeven_effect_size, 1)} points" if p.breakeven_effect_size is not None else "None",
               "The improvement on the Roland-Morris disability scale at which savings equal cost.",
               key="breakeven-effect",
               sources=('programs.0.effect_size',),
               note=(f"trial effect: {fmt.number(p.effect_size, 1)} points"
                     if p.breakeven_effect_multiplier is not None else "no effect size pays back")),
    ]


def _charts(scenario, p, th) -> None:
    H = p.horizon_months
    ui.chart(charts.cashflow_figure(charts.cashflow_table(p), p.payback_month, H), key="chart-cashflow")
    ui.chart(charts.savings_figure(charts.savings_table(p), H), key="chart-savings")
    ui.chart(charts.effect_figure(charts.effect_curve_table(scenario), charts.evidence_points_table(th.id),
                                  th.short_label, th.comparator), key="chart-effect")
    st.caption("Line: the effect the model uses, building up during the course and fading after it. "
               "Diamonds: results published by the trials (bars show 95% confidence intervals where "
               "reported).")


def _design_fields() -> None:
    st.header("Design the benefit")
    with st.expander("Who can use it", key="exp-who-can-use-it", icon=":material/groups:", expanded=False):
        fields([P + "eligibility", P + "uptake", P + "uptake_unaffected", P + "completion",
                P + "noncompleter_session_share", "workforce.turnover", P + "offer_interval_months"], columns=2)
    with st.expander("What it costs the employer", key="exp-what-it-costs-the-employer", icon=":material/payments:"):
        fields([P + "price_per_session", P + "employer_share", P + "sessions", P + "visit_cap",
                P + "setup_cost", P + "admin_pepm"], columns=2)
    with st.expander("Where and when sessions happen", key="exp-where-and-when-sessions-happen", icon=":material/schedule:"):
        fields([P + "on_site", P + "on_paid_time", P + "travel_hours", P + "session_hours", P + "course_weeks"],
               columns=2)
    with st.expander("Effect and booster courses", key="exp-effect-and-booster-courses", icon=":material/trending_up:"):
        fields([P + "effect_size", P + "effect_multiplier", P + "decay_per_week", P + "booster_interval_months",
                P + "booster_sessions"], columns=2)
    with st.expander("How the effect turns into savings", key="exp-how-the-effect-turns-into-savings", icon=":material/swap_horiz:"):
        st.caption("A therapy moves some completers to a lighter pain-impact state (high or moderate to "
                   "low impact); each state has its own absence, presenteeism and "
                   "medical cost. Explained under the question marks and in docs/METHODS.md.")
        fields(["translation.response_per_point", "translation.presenteeism_link"], columns=2)
    with st.expander("Analysis settings", key="exp-analysis-settings", icon=":material/tune:"):
        field("analysis.perspective")
        fields(["analysis.discount_rate"], columns=2)
