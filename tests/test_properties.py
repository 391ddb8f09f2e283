"""Invariants any correct model satisfies, checked on generated scenarios."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from calculator import apply_sets, evaluate, get_path
from tests.strategies import scenarios


@given(scenarios(), st.integers(2, 7))
def test_costs_scale_linearly_with_headcount(s, k):
    # The one-time setup cost is fixed, not per head: take it out for this invariant.
    s = apply_sets(s, [("programs.0.setup_cost", "0")])
    n = s.workforce.employees
    big = apply_sets(s, [("workforce.employees", str(n * k))])
    a, b = evaluate(s), evaluate(big)
    assert b.burden.total == pytest.approx(k * a.burden.total, rel=1e-9)
    assert b.program.cost == pytest.approx(k * a.program.cost, rel=1e-9)
    assert b.program.savings == pytest.approx(k * a.program.savings, rel=1e-9, abs=1e-9)
    assert b.burden.per_employee == pytest.approx(a.burden.per_employee, rel=1e-9)


@given(scenarios(), st.floats(0.1, 6))
def test_doubling_all_money_leaves_roi_unchanged(s, k):
    money = ["workforce.hourly_wage", "condition.medical_excess_cost", "programs.0.setup_cost",
             "programs.0.admin_pepm"]
    p = s.programs[0]
    sets = [(m, repr(get_path(s, m) * k)) for m in money]
    sets.append(("programs.0.price_per_session", repr(p.resolved("price_per_session") * k)))
    scaled = apply_sets(s, sets)
    a, b = evaluate(s).program, evaluate(scaled).program
    assume(a.cost > 0)
    assert b.roi == pytest.approx(a.roi, rel=1e-9, abs=1e-12)
    assert b.net_benefit == pytest.approx(k * a.net_benefit, rel=1e-9, abs=1e-6)


@given(scenarios())
def test_zero_effect_gives_roi_minus_one_and_no_payback(s):
    z = evaluate(apply_sets(s, [("programs.0.effect_multiplier", "0")])).program
    assume(z.cost > 0)
    assert z.roi == -1.0
    assert z.savings == 0
    assert z.payback_month is None


@given(scenarios(), st.floats(0.05, 0.5), st.floats(0.05, 0.5))
def test_savings_rise_with_effect_and_uptake(s, d_effect, d_uptake):
    p = s.programs[0]
    assume(p.effect_multiplier + d_effect <= 2 and p.uptake + d_uptake <= 1)
    base = evaluate(s).program
    more_effect = evaluate(apply_sets(s, [("programs.0.effect_multiplier", repr(p.effect_multiplier + d_effect))])).program
    more_uptake = evaluate(apply_sets(s, [("programs.0.uptake", repr(p.uptake + d_uptake))])).program
    assume(base.savings > 0 or s.analysis.perspective != "health_plan")
    assert more_effect.savings >= base.savings
    assert more_uptake.savings >= base.savings
    if base.savings > 0:
        assert more_effect.savings > base.savings and more_uptake.savings > base.savings


@given(scenarios())
def test_npv_at_zero_discount_equals_undiscounted_net(s):
    p = evaluate(apply_sets(s, [("analysis.discount_rate", "0")])).program
    assert p.npv == pytest.approx(p.net_benefit, rel=1e-9, abs=1e-6)


@given(scenarios())
def test_payback_is_consistent_with_cumulative_flows(s):
    p = evaluate(s).program
    cum = p.monthly["cumulative_net"].to_numpy()
    tol = 1e-9 * max(1.0, np.abs(cum).max())
    # payback = the first month after which the cumulative net never falls below zero again
    # (docs/METHODS.md): every month from it on is >= 0, and the month before it is < 0
    if p.payback_month is None:
        assert cum[-1] < -tol
    else:
        m = int(p.payback_month)
        assert (cum[m - 1:] >= -tol).all()
        assert m == 1 or cum[m - 2] < -tol
    assert cum[-1] == pytest.approx(p.net_benefit, rel=1e-9, abs=1e-6)


@given(scenarios())
def test_savings_components_add_up_and_respect_perspective(s):
    p = evaluate(s).program
    assert p.savings == pytest.approx(p.savings_absenteeism + p.savings_presenteeism + p.savings_medical)
    if s.analysis.perspective == "fully_insured":
        assert p.savings_medical == 0
    if s.analysis.perspective == "health_plan":
        assert p.savings_absenteeism == 0 and p.savings_presenteeism == 0
