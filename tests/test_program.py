"""A small program computed by hand, then turnover, caps, boosters, perspectives and break-even.

The therapy moves a share rho = effect x response_per_point (x multiplier x dose) of completers to a
lighter pain-impact state (high -> low, moderate -> low). At the default 25/35/40 mix a full
response removes PHI of the attributable absence: with the per-state attributable absence hours of
Herman 2019 Table 1 (low 7.35, moderate 11.44, high 74.47 h/yr; no pain 0)
PHI = (0.35 (11.44 - 7.35) + 0.40 (74.47 - 7.35)) / (0.25 x 7.35 + 0.35 x 11.44 + 0.40 x 74.47) = 0.7937.
"""

import dataclasses

import numpy as np
import pytest

from calculator import Scenario, apply_sets, build_inputs, evaluate
from calculator.effect import WEEKS_PER_MONTH
from calculator.program import simulate

A_LOW, A_MOD, A_HIGH = 7.35, 11.44, 74.47          # attributable absence h/yr (library rows)
PHI = (0.35 * (A_MOD - A_LOW) + 0.40 * (A_HIGH - A_LOW)) / (0.25 * A_LOW + 0.35 * A_MOD + 0.40 * A_HIGH)
M_LOW, M_MOD, M_HIGH = 3043.0, 5693.0, 7913.0      # back-related medical USD/yr (library rows)
PHI_MED = (0.35 * (M_MOD - M_LOW) + 0.40 * (M_HIGH - M_LOW)) / (0.25 * M_LOW + 0.35 * M_MOD + 0.40 * M_HIGH)

SMALL = [
    ("workforce.employees", "100"), ("workforce.hourly_wage", "50"), ("workforce.benefits_load", "1"),
    ("workforce.turnover", "0"), ("condition.prevalence", "0.2"), ("condition.absence_days", "10"),
    ("condition.presenteeism", "0"), ("condition.medical_excess_cost", "0"),
    ("translation.response_per_point", "0.1"),
    ("programs.0.uptake", "0.5"), ("programs.0.uptake_unaffected", "0"), ("programs.0.completion", "1"),
    ("programs.0.employer_share", "1"), ("programs.0.price_per_session", "100"),
    ("programs.0.sessions", "4"), ("programs.0.course_weeks", str(WEEKS_PER_MONTH)),
    ("programs.0.effect_size", "2"), ("programs.0.decay_per_week", "0"),
    ("programs.0.effect_multiplier", "1"), ("programs.0.setup_cost", "900"),
    ("programs.0.admin_pepm", "0"), ("analysis.discount_rate", "0"), ("analysis.horizon_months", "12"),
]


def small(extra=()):
    return apply_sets(Scenario(), SMALL + list(extra))


def test_small_program_by_hand():
    p = evaluate(small()).program
    # 100 employees x 20% = 20 with chronic LBP; 50% take it up = 10 participants.
    assert p.participants == pytest.approx(10)
    # Sessions: 10 x 4 x $100 = $4,000, all in month 1 (the course lasts one month); setup $900.
    assert p.cost == pytest.approx(4900)
    # Each affected employee loses 10 days x 8 h x $50 = $4,000 a year to absence. At the peak
    # 2 RDQ points x 0.1 = 20% of completers respond, removing PHI of it. Month 1 (ramp,
    # mid-month) has half the effect, months 2-12 the full effect (no decay):
    # 10 x 4000/12 x 0.2 x PHI x (0.5 + 11).
    assert PHI == pytest.approx(0.79371, abs=1e-5)
    monthly_full = 10 * 4000 / 12 * 0.2 * PHI
    assert p.savings == pytest.approx(monthly_full * 11.5)            # 6,085.11
    assert p.savings_absenteeism == pytest.approx(p.savings)
    assert p.net_benefit == pytest.approx(monthly_full * 11.5 - 4900)
    assert p.roi == pytest.approx((monthly_full * 11.5 - 4900) / 4900)  # 0.2419
    assert p.npv == pytest.approx(p.net_benefit)                       # 0% discount
    # Cumulative: -4900 + 264.57 after month 1, then +529.14 a month: >= 0 from month 10 on.
    assert p.payback_month == 10
    # Break-even price: (savings - setup) / sessions bought = (7666.67 - 900) / 40.
    assert p.breakeven_price_per_session == pytest.approx((monthly_full * 11.5 - 900) / 40)
    # Break-even effect: cost / savings per unit multiplier (below the 100% responder cap).
    assert p.breakeven_effect_multiplier == pytest.approx(4900 / (monthly_full * 11.5))
    assert p.cost_per_employee_per_month == pytest.approx(4900 / 1200)


def test_breakeven_price_gives_roi_zero():
    p = evaluate(small()).program
    at = evaluate(small([("programs.0.price_per_session", str(p.breakeven_price_per_session))])).program
    assert at.roi == pytest.approx(0, abs=1e-12)
    m = evaluate(small([("programs.0.effect_multiplier", str(p.breakeven_effect_multiplier))])).program
    assert m.roi == pytest.approx(0, abs=1e-12)


def test_breakeven_effect_size_respects_the_multiplier():
    s = small([("programs.0.effect_multiplier", "0.5")])
    p = evaluate(s).program
    at = evaluate(small([("programs.0.effect_multiplier", "0.5"),
                         ("programs.0.effect_size", str(p.breakeven_effect_size))])).program
    assert at.roi == pytest.approx(0, abs=1e-12)
    assert evaluate(small([("programs.0.effect_multiplier", "0")])).program.breakeven_effect_size is None


def test_impossible_breakeven_effect_is_none_with_a_warning():
    # A $200,000 setup cost for 10 participants: no effect within the allowed range breaks even.
    r = evaluate(small([("programs.0.setup_cost", "200000")]))
    assert r.program.breakeven_effect_multiplier is None and r.program.breakeven_effect_size is None
    w = next(w for w in r.warnings if w.code == "no_breakeven_effect")
    assert w.concerns == "program.breakeven_effect_size"


def test_turnover_takes_the_benefit_away():
    # Monthly retention r = (1 - 0.5)^(1/12); members are counted at mid-month.
    p = evaluate(small([("workforce.turnover", "0.5")])).program
    r = 0.5 ** (1 / 12)
    monthly_full = 10 * 4000 / 12 * 0.2 * PHI
    expected = monthly_full * (0.5 * r**0.5 + sum(r ** (m + 0.5) for m in range(1, 12)))
    assert p.savings == pytest.approx(expected)
    assert p.cost == pytest.approx(900 + 4000 * r**0.5)


def test_new_hires_join_at_the_next_offer():
    # 24 months, 50% turnover: at month 12 the new hires since the start (1 - r^12 = 50% of the
    # headcount) are offered the course: 5 more participants.
    p = evaluate(small([("workforce.turnover", "0.5"), ("analysis.horizon_months", "24")])).program
    assert p.participants == pytest.approx(10 + 10 * 0.5)
    m = p.monthly
    assert m.loc[12, "sessions"] == pytest.approx(5 * 4 * 100 * (0.5 ** (1 / 12)) ** 0.5)


def test_visit_cap_cuts_sessions_and_effect_proportionally():
    full = evaluate(small()).program
    capped = evaluate(small([("programs.0.visit_cap", "2")])).program
    assert capped.cost - 900 == pytest.approx((full.cost - 900) / 2)
    assert capped.savings == pytest.approx(full.savings / 2)


def test_completion_and_non_completers():
    p = evaluate(small([("programs.0.completion", "0.5"),
                        ("programs.0.noncompleter_session_share", "0.25")])).program
    # Sessions: 10 x 4 x (0.5 + 0.5 x 0.25) = 25 sessions; only completers get the effect.
    assert p.cost == pytest.approx(900 + 25 * 100)
    assert p.savings == pytest.approx(10 * 0.5 * 4000 / 12 * 0.2 * PHI * 11.5)


def test_work_time_and_travel():
    off = evaluate(small([("programs.0.on_paid_time", "true"), ("programs.0.session_hours", "1"),
                          ("programs.0.travel_hours", "0.5")])).program
    on = evaluate(small([("programs.0.on_paid_time", "true"), ("programs.0.session_hours", "1"),
                         ("programs.0.on_site", "true")])).program
    assert off.cost == pytest.approx(4900 + 40 * 1.5 * 50)
    assert on.cost == pytest.approx(4900 + 40 * 1.0 * 50)


def test_boosters_add_sessions_and_restore_effect():
    s = small([("programs.0.decay_per_week", "0.05"), ("programs.0.booster_interval_months", "6"),
               ("programs.0.booster_sessions", "2")])
    p = evaluate(s).program
    plain = evaluate(small([("programs.0.decay_per_week", "0.05")])).program
    assert p.cost == pytest.approx(plain.cost + 10 * 2 * 100)   # one booster inside 12 months
    assert p.savings > plain.savings
    assert any(w.code == "boosters_assumed" for w in evaluate(s).warnings)


def test_perspectives():
    extra = [("condition.medical_excess_cost", "1000"), ("condition.presenteeism", "0.1"),
             ("condition.plan_paid_share", "0.8")]
    self_ins = evaluate(small(extra)).program
    fully = evaluate(small(extra + [("analysis.perspective", "fully_insured")])).program
    plan = evaluate(small(extra + [("analysis.perspective", "health_plan")])).program
    assert fully.savings_medical == 0 and fully.savings == pytest.approx(
        self_ins.savings_absenteeism + self_ins.savings_presenteeism)
    assert plan.savings == pytest.approx(self_ins.savings_medical)
    # Allowed offsets: 10 x $1,000/12 x 20% responders x PHI_MED x 11.5 months; the plan pays 80%.
    assert PHI_MED == pytest.approx(0.48585, abs=1e-5)
    assert self_ins.savings_medical == pytest.approx(10 * 1000 / 12 * 0.2 * PHI_MED * 11.5 * 0.8)


def test_self_insured_medical_savings_are_offsets_times_plan_share():
    extra = [("condition.medical_excess_cost", "1000")]
    full = evaluate(small(extra + [("condition.plan_paid_share", "1")])).program
    part = evaluate(small(extra + [("condition.plan_paid_share", "0.6")])).program
    assert part.savings_medical == pytest.approx(0.6 * full.savings_medical)
    sim = simulate(build_inputs(small(extra + [("condition.plan_paid_share", "0.6")])))
    assert sim["medical_offset_plan_paid"] == pytest.approx(0.6 * sim["medical_offset_allowed"])


def test_fully_insured_premium_pass_through_after_a_lag():
    extra = [("condition.medical_excess_cost", "1000"), ("analysis.perspective", "fully_insured"),
             ("analysis.horizon_months", "24")]
    off = evaluate(small(extra)).program
    on = evaluate(small(extra + [("analysis.premium_passthrough", "0.5"),
                                 ("analysis.premium_lag_months", "12")]))
    sim = simulate(build_inputs(small(extra + [("analysis.premium_passthrough", "0.5")])))
    assert off.savings_medical == 0
    m = on.program.monthly
    assert (m["saving_medical"].iloc[:12] == 0).all()           # nothing within the lag
    # month 12 + k returns half of month k's plan-paid offset
    assert m["saving_medical"].iloc[12:].to_numpy() == pytest.approx(
        0.5 * sim["medical_offset_plan_paid"][:12])


def test_breakeven_effect_multiplier_respects_the_responder_cap():
    # effect 2 x response 0.3 = 60% responders per unit multiplier; at most 100% can respond.
    base = [("translation.response_per_point", "0.3")]
    full_response = 10 * 4000 / 12 * PHI * 11.5                  # savings if every completer responds
    ok = evaluate(small(base)).program
    assert ok.breakeven_effect_multiplier == pytest.approx(4900 / full_response / 0.6)
    # Setup $30,000: cost $34,000 exceeds the full-response savings ($30,423), so no multiplier
    # breaks even, although a straight line would claim 34000 / (0.6 x 30423) = 1.86.
    r = evaluate(small(base + [("programs.0.setup_cost", "30000")]))
    assert full_response < 34000
    assert r.program.breakeven_effect_multiplier is None
    capped = evaluate(small(base + [("programs.0.effect_multiplier", "2")])).program
    at_cap = evaluate(small(base + [("programs.0.effect_multiplier", str(1 / 0.6))])).program
    assert capped.savings == pytest.approx(at_cap.savings) == pytest.approx(full_response)


def test_discounting_monthly():
    p = evaluate(small([("analysis.discount_rate", "0.05")])).program
    m = p.monthly
    assert p.npv == pytest.approx(float((m["net"] * 1.05 ** (-np.arange(12) / 12)).sum()))
    assert p.npv < p.net_benefit


def test_simulate_is_vectorised_and_matches_scalar():
    inp = build_inputs(small([("workforce.turnover", "0.3"), ("programs.0.decay_per_week", "0.03")]))
    uptakes = np.array([0.1, 0.5, 0.9])
    out = simulate(dataclasses.replace(inp, uptake=uptakes))
    assert out["net"].shape == (3, 12)
    for i, u in enumerate(uptakes):
        one = simulate(dataclasses.replace(inp, uptake=float(u)))
        assert out["net_benefit"][i] == pytest.approx(float(one["net_benefit"]))
        assert out["roi"][i] == pytest.approx(float(one["roi"]))


def test_usual_care_is_the_comparator():
    r = evaluate(apply_sets(Scenario(), [("programs.0.therapy", "usual_care")]))
    assert r.program.savings == 0 and r.program.roi == -1
    assert any(w.code == "comparator" for w in r.warnings)
