"""Hypothesis strategies: valid scenarios built from dotted-path overrides."""

from hypothesis import strategies as st

from calculator import Scenario, apply_sets, library

THERAPIES = [t for t in library().therapies if t != "usual_care"]

fractions = st.floats(0.01, 0.99, allow_nan=False)


@st.composite
def scenarios(draw, therapies=THERAPIES):
    sets = [
        ("workforce.employees", str(draw(st.integers(10, 50_000)))),
        ("workforce.hourly_wage", repr(draw(st.floats(8, 150)))),
        ("workforce.benefits_load", repr(draw(st.floats(1.0, 2.0)))),
        ("workforce.turnover", repr(draw(st.floats(0.0, 0.6)))),
        ("condition.prevalence", repr(draw(st.floats(0.02, 0.4)))),
        ("condition.absence_days", repr(draw(st.floats(0.0, 30)))),
        ("condition.presenteeism", repr(draw(st.floats(0.0, 0.3)))),
        ("condition.medical_excess_cost", repr(draw(st.floats(0, 10_000)))),
        ("programs.0.therapy", draw(st.sampled_from(therapies))),
        ("programs.0.uptake", repr(draw(fractions))),
        ("programs.0.completion", repr(draw(fractions))),
        ("programs.0.employer_share", repr(draw(st.floats(0.1, 1.0)))),
        ("programs.0.effect_multiplier", repr(draw(st.floats(0.0, 1.0)))),
        ("programs.0.on_paid_time", draw(st.sampled_from(["true", "false"]))),
        ("programs.0.setup_cost", repr(draw(st.floats(0, 20_000)))),
        ("analysis.horizon_months", str(draw(st.integers(1, 60)))),
        ("analysis.discount_rate", repr(draw(st.floats(0.0, 0.1)))),
        ("analysis.perspective", draw(st.sampled_from(["self_insured", "fully_insured", "health_plan"]))),
    ]
    return apply_sets(Scenario(), sets)
