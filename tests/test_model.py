"""evaluate() and compare(): result shape, sources used, warnings, per-participant figures."""

import math

import pytest

from calculator import Scenario, apply_sets, compare, evaluate, input_table, library


def test_result_dict_has_contract_paths(default_scenario):
    d = evaluate(default_scenario).to_dict()
    for k in ("total", "absenteeism", "presenteeism", "medical", "per_employee", "hours_lost"):
        assert k in d["burden"]
    for k in ("cost", "savings", "net_benefit", "roi", "npv", "payback_month", "breakeven_price_per_session"):
        assert k in d["program"]
    assert isinstance(d["warnings"], list)
    assert d["parameter_set"] == library().version


def test_sources_resolve_and_include_trial(default_scenario):
    r = evaluate(default_scenario)
    assert "cherkin2011" in r.sources and "luckhaupt2019" in r.sources
    assert all(k in library().references for k in r.sources)


def test_compare_has_every_therapy_and_marks_the_chosen_one(default_scenario):
    df = compare(default_scenario)
    assert set(df["therapy"]) == set(library().therapies)
    assert df["chosen"].sum() == 1 and df.loc[df["chosen"], "therapy"].item() == "relaxation_massage"
    assert list(df["net_benefit"]) == sorted(df["net_benefit"], reverse=True)
    own = evaluate(default_scenario).program
    row = df[df["therapy"] == "relaxation_massage"].iloc[0]
    assert row["roi"] == pytest.approx(own.roi)


def test_compare_resets_therapy_specific_overrides():
    s = apply_sets(Scenario(), [("programs.0.price_per_session", "10")])
    df = compare(s)
    yoga = df[df["therapy"] == "yoga"].iloc[0]
    assert yoga["price_per_session"] == library().value("therapy.yoga.price_per_session")
    assert df[df["therapy"] == "relaxation_massage"].iloc[0]["price_per_session"] == 10


def test_roi_warning_for_implausible_inputs():
    s = apply_sets(Scenario(), [("translation.absence_per_point", "0.5"),
                                ("translation.presenteeism_per_point", "0.5"),
                                ("programs.0.price_per_session", "5"), ("programs.0.setup_cost", "0")])
    r = evaluate(s)
    codes = {w.code for w in r.warnings}
    assert "roi_above_evidence" in codes and "effect_capped" in codes
    assert next(w for w in r.warnings if w.code == "roi_above_evidence").concerns == "program.roi"


def test_benchmark_warning():
    r = evaluate(apply_sets(Scenario(), [("condition.prevalence", "0.5"), ("condition.presenteeism", "0.3")]))
    assert any(w.code == "burden_vs_benchmark" for w in r.warnings)
    assert not any(w.code == "burden_vs_benchmark" for w in evaluate(Scenario()).warnings)


def test_per_participant_and_pepm(default_scenario):
    p = evaluate(default_scenario).program
    assert p.cost_per_participant == pytest.approx(p.cost / p.participants)
    assert p.cost_per_employee_per_month == pytest.approx(p.cost / 1000 / 12)


def test_input_table_marks_changes():
    t = input_table(apply_sets(Scenario(), [("condition.prevalence", "0.2")]))
    row = t[t["path"] == "condition.prevalence"].iloc[0]
    assert row["changed"] and row["value"] == 0.2 and row["default"] == 0.081
    assert not t[t["path"] == "workforce.hourly_wage"].iloc[0]["changed"]
    assert t["parameter"].map(lambda pid: pid in library().parameters).all()


def test_multiple_programs_evaluated():
    s = apply_sets(Scenario(), [("programs.1.therapy", "yoga")])
    r = evaluate(s)
    assert [p.therapy for p in r.programs] == ["relaxation_massage", "yoga"]
    assert not math.isclose(r.programs[0].roi, r.programs[1].roi)
