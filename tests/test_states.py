"""Pain-impact states: the per-state table, the responder shift, occupancy and QALYs (issue 9/11)."""

import dataclasses

import numpy as np
import pytest

from calculator import Scenario, apply_sets, build_inputs, evaluate, library
from calculator import states as st
from calculator.program import simulate, state_occupancy
from calculator.sensitivity import apply_scenario_preset


def test_state_values_come_from_herman_table_1():
    v = st.state_values()
    assert st.STATES == ("none", "low", "moderate", "high")
    # 6-week absenteeism $ / $33.19 x 52/6 (Herman 2019 Table 1)
    assert v.absence_hours == pytest.approx([c / 33.19 * 52 / 6 for c in (3.76, 31.90, 47.55, 288.93)], abs=0.006)
    assert v.utility.tolist() == [0.806, 0.763, 0.704, 0.610]                  # SF-6D, Cassidy 2005
    assert v.presenteeism[0] == 0 and v.medical[0] == 0
    for q in ("absence_hours", "medical", "utility"):
        for pid in st.state_parameter_ids(q):
            assert library().parameter(pid).source_keys                         # every row is sourced


def test_mix_must_be_shares_that_sum_to_one():
    assert st.default_mix().tolist() == [0.0, 0.25, 0.35, 0.40]
    with pytest.raises(ValueError, match="condition.impact_mix"):
        st.mix_vector(0.5, 0.5, 0.5)


def test_responder_shift_moves_high_and_moderate_to_low():
    shift = st.responder_shift([0.0, 0.25, 0.35, 0.40])
    assert shift.tolist() == pytest.approx([0.0, 0.75, -0.35, -0.40]) and shift.sum() == pytest.approx(0)


def test_occupancy_delta_is_the_shift_times_effective_responders_and_qalys_follow():
    inp = build_inputs(Scenario())
    sim = simulate(inp)
    occ = state_occupancy(inp)
    assert occ["delta"].shape == (12, 4)
    assert occ["delta"] == pytest.approx(sim["state_months_delta"])
    assert occ["program"] == pytest.approx(occ["usual_care"] + occ["delta"])
    # people are only moved, never created: every month sums to 0 over states
    assert occ["delta"].sum(axis=-1) == pytest.approx(np.zeros(12), abs=1e-12)
    rho = float(sim["responder_share"])
    assert occ["delta"][:, 3] == pytest.approx(-0.40 * rho * sim["effective_participants"])
    # QALYs = sum(person-months x utility) / 12: high -> low gains 0.153, moderate -> low 0.059 a year
    by_hand = float(np.sum(sim["effective_participants"] * rho * (0.40 * 0.153 + 0.35 * 0.059)) / 12)
    assert float(sim["qaly_gain"]) == pytest.approx(by_hand)
    assert st.qalys(occ["delta"]) == pytest.approx(float(sim["qaly_gain"]))
    assert float(sim["qaly_gain_discounted"]) < float(sim["qaly_gain"])
    # usual care: participants with chronic LBP still employed, at the mix
    assert occ["usual_care"][:, 1:].sum(axis=-1) == pytest.approx(sim["participants_active"]
                                                                   * float(sim["participants_affected"])
                                                                   / float(sim["participants"]))


def test_occupancy_is_vectorised_over_draws():
    inp = build_inputs(Scenario())
    occ = state_occupancy(dataclasses.replace(inp, uptake=np.array([0.1, 0.2])))
    assert occ["delta"].shape == (2, 12, 4)
    assert occ["delta"][1] == pytest.approx(2 * occ["delta"][0])


def test_plan_paid_offsets_by_month_are_reported_in_every_perspective():
    for persp in ("self_insured", "fully_insured", "health_plan"):
        sim = simulate(build_inputs(apply_sets(Scenario(), [("analysis.perspective", persp)])))
        assert sim["medical_offset_plan_paid"].shape == (12,)
        assert sim["medical_offset_plan_paid"] == pytest.approx(0.85 * sim["medical_offset_allowed"])


def test_high_impact_preset_targets_high_impact_pain():
    s = apply_scenario_preset(Scenario(), "high_impact")
    assert s.condition.impact_mix.as_tuple() == (0.0, 0.0, 1.0)
    typical, high = evaluate(Scenario()).program, evaluate(s).program
    assert high.per_participant["productivity_savings"] > typical.per_participant["productivity_savings"]
    assert evaluate(s).burden.per_affected_employee > evaluate(Scenario()).burden.per_affected_employee
