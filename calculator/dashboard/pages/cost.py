"""Cost of back pain: starts from the headcount alone; every other input is a cited default."""

from __future__ import annotations

import streamlit as st

from calculator import charts, library
from calculator.model import benchmark_check
from calculator.perspective import LABELS

from .. import fmt, state, ui, verdict
from ..inputs import field, fields

PERSPECTIVE_WORDS = LABELS


def render() -> None:
    ui.header(
        "What chronic low back pain costs your organisation",
        "Enter your headcount. Every other input starts at a published default, labelled with its "
        "source; refine any of them in the sections below the results.",
    )
    top = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with top.container(width=320):
        field("workforce.employees")
    ui.stale_banner()

    scenario = state.current_scenario()
    r = state.current_result()
    b = r.burden
    st.markdown(fmt.md(verdict.sentence(scenario, r, state.current_headline())))
    st.header("Yearly cost")
    st.markdown(
        f"For {fmt.number(scenario.workforce.employees)} employees, chronic low back pain costs an estimated "
        f"**{fmt.md(fmt.money(b.total))} a year**, about {fmt.md(fmt.money(b.per_employee))} per employee, in "
        "absence, reduced productivity at work and extra medical care.")
    left = ui.kpi_cards([
        ui.Kpi("Yearly cost, total", fmt.money(b.total),
               "Absence, reduced productivity at work and excess medical care, per year.", key="total",
               sources=('condition.prevalence', 'condition.absence_days', 'condition.presenteeism', 'condition.medical_excess_cost', 'workforce.hourly_wage')),
        ui.Kpi("Per employee per year", fmt.money(b.per_employee),
               "The yearly cost spread over the whole workforce.", key="per-employee",
               sources=('condition.prevalence', 'condition.absence_days', 'condition.presenteeism', 'condition.medical_excess_cost')),
        ui.Kpi("Absence", fmt.money(b.absenteeism),
               "Extra days off attributable to chronic back pain, valued at total compensation.", key="absence",
               sources=('condition.absence_days', 'workforce.hourly_wage', 'workforce.benefits_load')),
        ui.Kpi("Reduced productivity at work", fmt.money(b.presenteeism),
               "Working while in pain: extra productivity lost at work (presenteeism), valued at total "
               "compensation.", key="presenteeism",
               sources=('condition.presenteeism', 'workforce.hourly_wage', 'workforce.productivity_multiplier')),
        ui.Kpi("Excess medical care", fmt.money(b.medical),
               "Health-care spending above that of employees without chronic back pain.", key="medical",
               sources=('condition.medical_excess_cost', 'condition.plan_paid_share')),
        ui.Kpi("Employees likely affected", fmt.number(b.affected_employees),
               "An estimate for the whole workforce, from the prevalence; never about any individual.",
               key="affected",
               sources=('condition.prevalence',)),
        ui.Kpi("Work hours lost per year", fmt.number(b.hours_lost),
               "Absence hours plus hours' worth of productivity lost at work.",
               concerns=("burden.hours_lost",), key="hours",
               sources=('condition.absence_days', 'condition.presenteeism', 'condition.hours_per_day')),
    ], r.warnings)
    ui.other_warnings([w for w in left if w.concerns.startswith("burden")])
    note = st.container()
    if scenario.analysis.perspective != "self_insured":
        note.info(fmt.md(f"From the point of view of {PERSPECTIVE_WORDS[scenario.analysis.perspective]}, the "
                       f"part of this cost that counts is {fmt.money(b.in_perspective)} per year."))

    ui.chart(charts.burden_figure(charts.burden_table(r)), key="chart-burden")
    _benchmark_section(r)

    st.header("Refine the inputs")
    st.caption("Each input shows whether it is a default (with its source) or your own value; the "
               "question mark beside it explains the number and its range.")
    with st.expander("Pay and working hours", key="exp-pay-and-working-hours", icon=":material/payments:"):
        fields(["workforce.hourly_wage", "workforce.annual_salary", "workforce.annual_hours",
                "workforce.benefits_load", "condition.hours_per_day"], columns=2)
    with st.expander("Back pain in your workforce", key="exp-back-pain-in-your-workforce", icon=":material/groups:"):
        st.caption("Use your own figures if you have them, for example from a benefits survey or claims "
                   "data. All figures are averages for the workforce.")
        mix = scenario.condition.impact_mix
        st.caption(fmt.md(
            f"People with chronic back pain are modelled in three pain-impact states: low "
            f"{fmt.pct(mix.low)}, moderate {fmt.pct(mix.moderate)}, high impact {fmt.pct(mix.high)} (Herman "
            "2019's typical mix; the 'high_impact' preset targets high-impact pain only). The figures below "
            "are levels at the default mix: changing one scales every state."))
        fields(["condition.prevalence", "condition.absence_days", "condition.presenteeism",
                "condition.medical_excess_cost", "condition.plan_paid_share"], columns=2)
    with st.expander("How lost work time is valued", key="exp-how-lost-work-time-is-valued", icon=":material/balance:"):
        field("analysis.valuation")
        fields(["workforce.productivity_multiplier", "workforce.multiplier_on_presenteeism",
                "analysis.friction_period_weeks", "analysis.friction_elasticity"], columns=2)


def _benchmark_section(r) -> None:
    """Every benchmark comparison as a chart (one panel each) and as the cited table."""
    b = r.burden
    ui.chart(charts.benchmark_figure(charts.benchmark_table(r)), key="chart-benchmark")
    st.markdown("**Benchmark check**: our lost work time per employee against published national figures")
    bc = benchmark_check(r)
    view = bc.assign(
        benchmark_value=[fmt.money(v) if u.startswith("USD") else f"{v:.1f} h" for v, u in zip(bc["benchmark_value"], bc["unit"], strict=True)],
        ours=[fmt.money(v) if u.startswith("USD") else f"{v:.1f} h" for v, u in zip(bc["ours"], bc["unit"], strict=True)],
        ratio=[f"{v:.2f}x" for v in bc["ratio"]],
        within_half_to_double=["yes" if v else "no" for v in bc["within_half_to_double"]],
    )[["benchmark", "measure", "benchmark_value", "ours", "ratio", "within_half_to_double", "definition", "citation"]]
    st.dataframe(view.rename(columns={
        "benchmark": "Benchmark", "measure": "Measure (per employee per year)", "benchmark_value": "Published",
        "ours": "This model", "ratio": "Ratio", "within_half_to_double": "Within 0.5x-2x",
        "definition": "What the benchmark counts", "citation": "Source"}), hide_index=True,
        key="benchmark-check")
    limit = library().value("sanity.benchmark_ratio")
    st.caption(fmt.md(
        f"Per 100 employees: {fmt.money(b.per_100_employees)} a year. The benchmarks count any back pain "
        "(Stewart 2003: lost time in a two-week window; IBI 2013: the nearly one in four employees who report "
        "low back pain), this model only chronic low back pain, so it is expected to lie near or below them. "
        f"A result outside {fmt.number(1 / limit, 1)}x-{fmt.number(limit)}x of every benchmark is flagged."))
