"""Cost-effectiveness: hand-computed QALYs, dominance, NMB, threshold price, CEAC, Herman 2019."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator import Scenario, apply_sets
from calculator.cea import (
    cea_psa,
    ceac,
    cost_effectiveness,
    cost_per_qaly,
    dominance,
    incremental,
    net_monetary_benefit,
    qaly_burden,
    threshold_price,
)
from calculator.model import build_inputs
from calculator.program import simulate
from calculator.states import qalys

U = [0.806, 0.763, 0.704, 0.610]  # Herman 2019 Table 1 SF-6D (Cassidy 2005)


def test_hand_computed_qalys():
    # 10 people move from high to low impact for 6 months: 60 person-months x (0.763 - 0.610) / 12
    delta = np.zeros((12, 4))
    delta[:6, 3], delta[:6, 1] = -10.0, 10.0
    assert float(qalys(delta, U)) == pytest.approx(60 * 0.153 / 12)
    # discounted at 12%/yr: month m weighted 1.12 ** (-m / 12)
    df = 1.12 ** (-np.arange(12) / 12)
    assert float(qalys(delta, U, df)) == pytest.approx(sum(10 * 0.153 / 12 * df[:6]))


def test_cost_per_qaly_herman_2017_cbt():
    # Herman 2017 (Spine 42:1511): CBT payer +$495 and QALY +0.041 -> about $12,100/QALY
    assert cost_per_qaly(495, 0.041).item() == pytest.approx(12_073, abs=1)
    assert dominance(-116, 0.023).item() == "dominant"  # Herman 2019 massage, payer view
    assert dominance(457, 0.0).item() == "dominated"
    assert net_monetary_benefit(495, 0.041, 50_000).item() == pytest.approx(1_555)
    # price $50, 10 sessions' worth of cost per $ of price: NMB 1,555 buys $155.50 more per session
    assert threshold_price(495, 0.041, 50.0, 10.0, 50_000).item() == pytest.approx(205.5)
    assert np.isnan(threshold_price(5_000, 0.0, 50.0, 10.0, 50_000).item())  # no positive price breaks even


def test_threshold_price_makes_nmb_zero():
    s = Scenario()
    ce = cost_effectiveness(s)
    hp = ce.table.set_index("perspective").loc["health_plan"]
    for w, p in zip(ce.wtp, ce.threshold_prices, strict=True):
        if p is None:
            continue
        s2 = apply_sets(s, [("programs.0.price_per_session", repr(p))])
        inc = incremental(build_inputs(s2))
        assert net_monetary_benefit(inc["cost_health_plan"], inc["qalys"], w).item() == pytest.approx(0, abs=1e-6)
    assert hp["qalys_gained"] == pytest.approx(ce.qalys_gained)


def test_health_plan_cost_equals_minus_npv_of_health_plan_view():
    inp = build_inputs(apply_sets(Scenario(), [("analysis.perspective", "health_plan")]))
    sim = simulate(inp)
    assert incremental(inp)["cost_health_plan"].item() == pytest.approx(-float(sim["npv"]))
    assert incremental(inp)["qalys"].item() == pytest.approx(float(sim["qaly_gain_discounted"]))


@settings(max_examples=15, deadline=None)
@given(th=st.sampled_from(["relaxation_massage", "yoga", "acupuncture", "cbt"]), up=st.floats(0.05, 0.9))
def test_zero_effect_gives_zero_qalys(th, up):
    s = apply_sets(Scenario(), [("programs.0.therapy", th), ("programs.0.uptake", repr(up)),
                                ("programs.0.effect_multiplier", "0")])
    ce = cost_effectiveness(s)
    assert ce.qalys_gained == 0.0
    assert ce.cost_per_qaly is None
    assert ce.dominance == "dominated"


def test_ceac_probabilities_sum_to_one():
    rng = np.random.default_rng(1)
    c, q = rng.normal(100, 50, (3, 500)), rng.normal(0.01, 0.005, (3, 500))
    t = ceac(c, q, [0, 50_000, 100_000], ["a", "b", "c"])
    assert np.allclose(t.groupby("wtp")["p_optimal"].sum(), 1.0)
    a = t[t.option == "a"].set_index("wtp")["p_cost_effective"]
    assert a.loc[0] == pytest.approx(np.mean(c[0] < 0))
    assert a.is_monotonic_increasing  # more QALYs than cost: P(CE) grows with willingness to pay


def test_qaly_burden_typical_mix():
    # payer-notes §1: the 25/35/40 mix averages 0.681 -> 0.125 QALY per person-year against no pain
    assert qaly_burden(100, [0, 0.25, 0.35, 0.40], U).item() == pytest.approx(12.49, abs=0.01)


def test_cea_psa_every_therapy():
    r = cea_psa(Scenario(), draws=300, seed=7)
    assert len(r.table) == len(r.table["therapy"].unique()) >= 9
    again = cea_psa(Scenario(), draws=300, seed=7)
    assert r.table.equals(again.table)
    opt = r.ceac.groupby("wtp")["p_optimal"].sum()
    assert np.allclose(opt, 1.0)
    massage = r.table.set_index("therapy").loc["relaxation_massage"]
    assert massage["p5_qalys"] <= massage["mean_qalys"] <= massage["p95_qalys"]


# Herman 2019 (Spine 44:1456), Table 2, typical mix, 1 year: QALY gain per participant vs usual care.
# Same configuration as the evidence issue's Herman tests: everyone has chronic LBP at the typical
# mix, every participant completes, no turnover, no discounting, effect multiplier 1, 12 months.
HERMAN_TABLE2 = {
    "relaxation_massage": 0.023,
    "acupuncture": 0.025,  # individualized acupuncture
    "physical_therapy": 0.015,
    "cbt": 0.010,  # CBT educational
    "spinal_manipulation": 0.008,  # Herman's "chiropractic care", mapped as in tests/test_herman_reproduction.py
}


def herman_configuration(therapy: str) -> Scenario:
    """The configuration of tests/test_herman_reproduction.py (typical mix, one year, everyone with
    chronic LBP completes, no turnover, trial effect, plan pays 100% of allowed cost, no discounting)."""
    return apply_sets(Scenario(), [
        ("workforce.employees", "1000"), ("workforce.turnover", "0"),
        ("condition.prevalence", "1"), ("condition.plan_paid_share", "1"),
        ("condition.impact_mix.low", "0.25"), ("condition.impact_mix.moderate", "0.35"),
        ("condition.impact_mix.high", "0.4"),
        ("programs.0.therapy", therapy), ("programs.0.uptake", "0.1"), ("programs.0.uptake_unaffected", "0"),
        ("programs.0.completion", "1"), ("programs.0.effect_multiplier", "1"),
        ("analysis.horizon_months", "12"), ("analysis.discount_rate", "0"),
    ])


# With the pain-impact-state model of issue 9 (response_per_point calibrated to massage productivity,
# Table 2; 0.216 since issue 9c moved the massage decay to 0.0235) the QALY gains are: massage 0.0313 (+36%),
# acupuncture 0.0297 (+19%, passes; 0.0290 before 9c), PT 0.0182 (+21%), CBT 0.0139 (+39%), chiropractic
# care 0.0073 (-8%, passes). Strict xfail: the moment a
# calibration change brings one within 20%, its test fails here and the marker must go. Not tuned here:
# QALYs follow the same responder shifts as the cost rows (no per-row tuning).
_GAP = pytest.mark.xfail(strict=True, reason="the state model's responder shifts (high -> low carries 0.153 "
                         "utility) give QALY gains outside 20% of Herman 2019 Table 2; docs/METHODS.md")
_KNOWN_GAPS = {"relaxation_massage", "physical_therapy", "cbt"}


@pytest.mark.parametrize("therapy,published", [pytest.param(t, v, marks=[_GAP] if t in _KNOWN_GAPS else [])
                                               for t, v in sorted(HERMAN_TABLE2.items())])
def test_herman_2019_qaly_gain_within_20_percent(therapy, published):
    gain = cost_effectiveness(herman_configuration(therapy)).qaly_gain_per_participant
    assert gain == pytest.approx(published, rel=0.20)


def test_lean_psa_path_equals_the_full_computation():
    from calculator.cea import _health_plan_draws
    from calculator.uncertainty import sample
    s = Scenario()
    cols = sample(s, 50, np.random.default_rng(3))
    import dataclasses
    inp = dataclasses.replace(build_inputs(s), **{c: cols[c].to_numpy() for c in cols.columns})
    c, q = _health_plan_draws(inp)
    full = incremental(inp)
    assert np.allclose(c, full["cost_health_plan"]) and np.allclose(q, full["qalys"])


def test_qaly_per_productivity_dollar_is_one_number():
    """docs/METHODS.md (Herman 2019 reproduction, QALYs): in this model QALYs and productivity follow the
    same responder shifts, so QALYs per dollar of productivity gain is one number for every therapy
    (8.7e-5 per 2015$ at Herman's settings); Herman 2019 Table 2 gives 6.4e-5 (massage, 0.023/$359) to
    9.9e-5 (CBT educational, 0.010/$101), which no single ratio brings within 20% of all five."""
    from calculator import evaluate
    ratios = []
    for therapy in ("relaxation_massage", "acupuncture", "physical_therapy"):
        s = herman_configuration(therapy)
        qaly = cost_effectiveness(s).qaly_gain_per_participant
        productivity = evaluate(apply_sets(s, [
            ("condition.presenteeism", "0"), ("workforce.hourly_wage", "33.19"),
            ("workforce.benefits_load", "1")])).program.per_participant["productivity_savings"]
        ratios.append(qaly / productivity)
    assert max(ratios) / min(ratios) == pytest.approx(1.0, abs=0.01)
    assert ratios[0] == pytest.approx(8.7e-5, abs=0.05e-5)  # the figure docs/METHODS.md quotes (review 2)
    published = [0.023 / 359, 0.025 / 355, 0.015 / 190, 0.008 / 88, 0.010 / 101]
    assert max(published) / min(published) > 1.2 / 0.8  # wider than a +/-20% band can span
    # ... so the model's one ratio misses at least one published row by more than 20% (massage: +36%)
    assert max(ratios[0] / p for p in published) > 1.2 or min(ratios[0] / p for p in published) < 0.8


def test_interval_notes_tell_no_gain_from_some_draws_without_gain():
    """Review 2: usual care gains no QALYs in any draw, which is not 'not every draw gains QALYs'; and an
    interval wholly below zero reads as dominant, not 'dominant to dominant'."""
    from calculator import fmt
    from calculator.cea import cea_psa
    t = cea_psa(Scenario(), 500, seed=1).table.set_index("therapy")
    none = t.loc["usual_care"]
    assert fmt.per_qaly_interval(none.p5_cost_per_qaly, none.p95_cost_per_qaly,
                                 none.cost_per_qaly_interval_note) == "none: no draw gains QALYs"
    cbt = t.loc["cbt"]
    assert fmt.per_qaly_interval(cbt.p5_cost_per_qaly, cbt.p95_cost_per_qaly,
                                 cbt.cost_per_qaly_interval_note) == "none: not every draw gains QALYs"
    assert fmt.per_qaly_interval(-900.0, -10.0) == "dominant (whole interval)"
