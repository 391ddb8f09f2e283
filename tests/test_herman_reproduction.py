"""Published worked example: Herman et al. 2019's one-year productivity gain for relaxation massage.

Herman PM, Lavelle TA, Sorbero ME, Hurwitz EL, Coulter ID. Spine 2019;44(20):1456-1464,
doi:10.1097/BRS.0000000000003097, Table 2 (typical patient mix): relaxation massage reduces
productivity loss (absenteeism only, valued at ECEC $33.19/h, 2015$) by $359 per participant over
one year. Our translation parameter's high bound (0.16 per RDQ point) was derived from that figure
(docs/METHODS.md): with Herman's inputs and that translation the model must give back about $359.
"""

import pytest

from calculator import Scenario, apply_sets, evaluate, library


def test_herman_2019_massage_productivity_gain_reproduced():
    per_cycle_h = (0.25 * 31.90 + 0.35 * 47.55 + 0.40 * 288.93) / 33.19   # hours per 6 weeks
    annual_h = per_cycle_h * 52 / 6                                         # 36.6 h/yr
    hi = library().parameter("translation.absence_per_point").high
    s = apply_sets(Scenario(), [
        ("workforce.employees", "1000"), ("workforce.hourly_wage", "33.19"),
        ("workforce.benefits_load", "1"), ("workforce.turnover", "0"),
        ("condition.prevalence", "1"), ("condition.absence_days", str(annual_h / 8)),
        ("condition.presenteeism", "0"), ("condition.medical_excess_cost", "0"),
        ("translation.absence_per_point", str(hi)),
        ("programs.0.uptake", "0.1"), ("programs.0.completion", "1"),
        ("programs.0.effect_multiplier", "1"), ("programs.0.uptake_unaffected", "0"),
        ("analysis.horizon_months", "12"), ("analysis.discount_rate", "0"),
    ])
    p = evaluate(s).program
    per_participant = p.savings / p.participants
    assert per_participant == pytest.approx(359, rel=0.05)
