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
    assert set(df["therapy"]) == set(library().therapies) | {"none"}
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
    s = apply_sets(Scenario(), [("translation.response_per_point", "0.5"),
                                ("programs.0.effect_multiplier", "1"),
                                ("programs.0.price_per_session", "5"), ("programs.0.setup_cost", "0")])
    r = evaluate(s)
    codes = {w.code for w in r.warnings}
    assert "roi_above_evidence" in codes and "effect_capped" in codes
    assert next(w for w in r.warnings if w.code == "roi_above_evidence").concerns == "program.roi"


def test_benchmark_warning():
    r = evaluate(apply_sets(Scenario(), [("condition.prevalence", "0.5"), ("condition.presenteeism", "0.3")]))
    assert any(w.code == "burden_vs_benchmark" for w in r.warnings)
    assert not any(w.code == "burden_vs_benchmark" for w in evaluate(Scenario()).warnings)
    # Far below every benchmark warns too (0.5x of Stewart's 8.8 h = 4.4 h per employee).
    low = evaluate(apply_sets(Scenario(), [("condition.prevalence", "0.02")]))
    assert low.burden.hours_lost_per_employee < 4.4
    assert any(w.code == "burden_vs_benchmark" for w in low.warnings)


def test_benchmark_check_table():
    from calculator.model import benchmark_check
    r = evaluate(Scenario())
    t = benchmark_check(r)
    assert list(t["benchmark"]) == ["Stewart 2003", "IBI 2013", "IBI 2013"]
    stewart = t.iloc[0]
    assert stewart["benchmark_value"] == pytest.approx(0.032 * 5.28 * 52, abs=0.05)   # 8.8 h
    assert stewart["ours"] == pytest.approx(r.burden.hours_lost_per_employee)
    assert stewart["ratio"] == pytest.approx(r.burden.hours_lost_per_employee / 8.8)
    ibi = t.iloc[1]
    # IBI 2013: ~1 in 4 employees with LBP, 4 extra absence + 4.4 presenteeism days (8 h each)
    assert ibi["benchmark_value"] == pytest.approx(0.24 * 8.4 * 8, abs=0.05)
    # IBI 2013 $13,100 + $8,300 per 100 workers (2013$) x CPI-U 313.689 / 232.957
    assert t.iloc[2]["benchmark_value"] == pytest.approx(214 * 313.689 / 232.957, abs=1)
    assert all(t["citation"].str.len() > 20)
    # The default (6.1 h) is within 0.5x-2x of Stewart, below IBI's broader "any LBP" population.
    assert bool(stewart["within_half_to_double"]) and not bool(ibi["within_half_to_double"])


def test_per_participant_and_pepm(default_scenario):
    p = evaluate(default_scenario).program
    assert p.cost_per_participant == pytest.approx(p.cost / p.participants)
    assert p.cost_per_employee_per_month == pytest.approx(p.cost / 1000 / 12)
    pp = p.per_participant
    assert pp["treatment_cost"] == pytest.approx(p.cost / p.participants)
    assert pp["medical_savings"] == pytest.approx(p.savings_medical / p.participants)
    assert pp["productivity_savings"] == pytest.approx(
        (p.savings_absenteeism + p.savings_presenteeism) / p.participants)
    assert pp["net"] == pytest.approx(pp["medical_savings"] + pp["productivity_savings"] - pp["treatment_cost"])


def test_compare_has_a_cover_nothing_row_and_comparators(default_scenario):
    df = compare(default_scenario).set_index("therapy")
    none = df.loc["none"]
    assert none["cost"] == 0 and none["savings"] == 0 and none["net_benefit"] == 0
    assert df.loc["yoga", "comparator"] == "self-care book" and df.loc["tai_chi", "comparator"] == "wait-list"
    # Usual care costs money and saves nothing: it ranks below covering nothing.
    assert df.loc["usual_care", "savings"] == 0
    assert list(df.index).index("usual_care") > list(df.index).index("none")


def test_mostly_unaffected_warning_counts_heads():
    # Default uptake 15% among 81 with LBP (12.15) vs 1% of 919 without (9.19): no warning.
    assert not any(w.code == "uptake_mostly_unaffected" for w in evaluate(Scenario()).warnings)
    # At 5% uptake: 4.05 with vs 9.19 without -> 69% of participants have no chronic LBP.
    r = evaluate(apply_sets(Scenario(), [("programs.0.uptake", "0.05")]))
    w = next(w for w in r.warnings if w.code == "uptake_mostly_unaffected")
    assert "69%" in w.message
    # Rates alone would not have warned (uptake 5% > 1%).


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
