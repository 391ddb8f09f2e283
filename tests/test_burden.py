"""Yearly burden: hand-computed default case and published figures reproduced from their inputs."""

import pytest

from calculator import Scenario, apply_sets, evaluate
from calculator import burden as bd


def test_default_burden_by_hand(default_scenario):
    r = evaluate(default_scenario).burden
    # 1,000 employees x 8.1% prevalence = 81 affected.
    comp = 31.47 * 1.4195                      # = 44.671665 USD per hour worked (ECEC Dec 2024)
    absence_h = 4.45 * 8                       # = 35.6 h per affected employee per year
    pres_h = (2080 - 35.6) * 0.10              # = 204.44 h lost at work
    assert r.affected_employees == pytest.approx(81)
    assert r.absenteeism == pytest.approx(81 * 35.6 * comp)            # 128,815.21
    assert r.presenteeism == pytest.approx(81 * pres_h * comp)         # 739,746.69
    assert r.medical == pytest.approx(81 * 4144)                       # 335,664
    assert r.total == pytest.approx(128_815.21 + 739_746.69 + 335_664, abs=0.02)
    assert r.per_employee == pytest.approx(r.total / 1000)
    assert r.per_100_employees == pytest.approx(r.total / 10)
    assert r.hours_lost == pytest.approx(81 * (absence_h + pres_h))
    assert r.days_lost == pytest.approx(r.hours_lost / 8)
    # Presenteeism is most of the productivity cost (Stewart 2003: 76.6% of lost time).
    assert r.presenteeism / (r.presenteeism + r.absenteeism) == pytest.approx(0.8517, abs=1e-4)


def test_ecec_total_compensation_reproduced():
    # BLS ECEC Dec 2024, private industry: wages $31.47 + benefits $13.20 = $44.67 per hour worked.
    assert float(bd.hourly_compensation(31.47, 44.67 / 31.47)) == pytest.approx(44.67)


def test_herman_2019_absence_hours_reproduced():
    # Herman et al. 2019 (Spine 44:1456), Table 1: absenteeism cost per 6-week cycle (2015$, valued
    # at ECEC $33.19/h): low $31.90, moderate $47.55, high-impact $288.93, no pain $3.76; typical
    # mix 25/35/40. Hours per year = $ / 33.19 x 52/6. The default absence_days is the excess
    # over no pain in 8-hour days.
    per_cycle = 0.25 * 31.90 + 0.35 * 47.55 + 0.40 * 288.93
    hours = per_cycle / 33.19 * 52 / 6
    assert hours == pytest.approx(36.6, abs=0.05)
    excess_days = (hours - 3.76 / 33.19 * 52 / 6) / 8
    assert excess_days == pytest.approx(Scenario().condition.absence_days, abs=0.01)


def test_martin_2008_medical_excess_in_2024_dollars():
    # Martin et al. 2008 (JAMA 299:656): $6,096 with vs $3,516 without spine problems (2005$);
    # CPI-U annual averages 2005 = 195.3, 2024 = 313.689 (BLS).
    assert (6096 - 3516) * 313.689 / 195.3 == pytest.approx(Scenario().condition.medical_excess_cost, abs=1)


def test_stewart_2003_benchmark_hours():
    # Stewart et al. 2003 (JAMA 290:2443): 3.2% of workers had back-pain lost productive time in
    # two weeks, 5.28 h/week each -> 8.8 h per employee per year across the workforce.
    r = evaluate(Scenario()).burden
    assert 0.032 * 5.28 * 52 == pytest.approx(r.benchmark_hours_per_employee, abs=0.05)
    assert r.benchmark_ratio == pytest.approx(r.hours_lost_per_employee / 8.8)


def test_annual_salary_replaces_hourly_wage():
    a = evaluate(apply_sets(Scenario(), [("workforce.annual_salary", "62400")])).burden
    b = evaluate(apply_sets(Scenario(), [("workforce.hourly_wage", "30")])).burden
    assert a.total == pytest.approx(b.total)   # 62,400 / 2,080 h = $30/h


def test_productivity_multiplier_applies_to_absence_only_by_default():
    base = evaluate(Scenario()).burden
    m = evaluate(apply_sets(Scenario(), [("workforce.productivity_multiplier", "1.28")])).burden
    assert m.absenteeism == pytest.approx(1.28 * base.absenteeism)
    assert m.presenteeism == pytest.approx(base.presenteeism)
    both = evaluate(apply_sets(Scenario(), [("workforce.productivity_multiplier", "1.28"),
                                            ("workforce.multiplier_on_presenteeism", "true")])).burden
    assert both.presenteeism == pytest.approx(1.28 * base.presenteeism)


def test_friction_cost_caps_long_absence():
    s = apply_sets(Scenario(), [("condition.absence_days", "100"), ("analysis.valuation", "friction_cost"),
                                ("analysis.friction_period_weeks", "8"), ("analysis.friction_elasticity", "0.8")])
    r = evaluate(s).burden
    comp = 31.47 * 1.4195
    assert r.absenteeism == pytest.approx(81 * 40 * 8 * 0.8 * comp)   # 8 weeks x 5 days, x 0.8
    # Hours lost still count the real absence (presenteeism applies to hours actually worked).
    assert r.absence_hours == pytest.approx(81 * 800)


def test_perspective_total():
    fully = evaluate(apply_sets(Scenario(), [("analysis.perspective", "fully_insured")])).burden
    plan = evaluate(apply_sets(Scenario(), [("analysis.perspective", "health_plan")])).burden
    assert fully.in_perspective == pytest.approx(fully.absenteeism + fully.presenteeism)
    assert plan.in_perspective == pytest.approx(plan.medical)
    assert fully.total == pytest.approx(plan.total)
