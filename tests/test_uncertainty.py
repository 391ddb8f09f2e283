"""Probabilistic sensitivity analysis: sampling rules, known answers, reproducibility, errors."""

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator import Scenario, apply_sets, build_inputs, compare, evaluate, library
from calculator.cli import main
from calculator.program import NUMERIC_FIELDS, simulate
from calculator.uncertainty import (
    MEMORY_LIMIT_BYTES,
    UncertaintyError,
    correlations,
    evaluate_draws,
    evpi,
    inputs_in_use,
    memory_estimate,
    psa,
    psa_compare,
    sample,
    uncertainty_table,
)


@pytest.fixture(scope="module")
def base_psa():
    return psa(Scenario(), draws=4000, seed=11, monthly=True)


def spec(s, **kw):
    return uncertainty_table(s, **kw).set_index("input")


# ---------------------------------------------------------------------------------------------
# What is drawn, and how


def test_unchanged_inputs_use_the_library_distribution(default_scenario):
    t = spec(default_scenario)
    lib = library()
    for name in ("prevalence", "absence_days", "uptake", "effect_size", "price_per_session"):
        par = lib.parameter(t.at[name, "parameter"])
        assert t.at[name, "dist_params"] == par.distribution_parameters()
        assert t.at[name, "sampled"]
    assert not t.at["employees", "sampled"]  # fixed in the library
    assert not t.loc["employees", "changed"]


def test_changed_gamma_and_normal_keep_their_coefficient_of_variation(default_scenario):
    s = apply_sets(default_scenario, [("condition.absence_days", "8.9"), ("programs.0.effect_size", "1.45")])
    base, new = spec(default_scenario), spec(s)
    for name, factor in (("absence_days", 2.0), ("effect_size", 0.5)):
        assert new.at[name, "mean"] == pytest.approx(base.at[name, "mean"] * factor, rel=1e-12)
        assert new.at[name, "sd"] == pytest.approx(base.at[name, "sd"] * factor, rel=1e-12)


def test_changed_beta_keeps_its_effective_sample_size(default_scenario):
    s = apply_sets(default_scenario, [("programs.0.uptake", "0.30")])
    old, new = spec(default_scenario).loc["uptake", "dist_params"], spec(s).loc["uptake", "dist_params"]
    kappa = old["alpha"] + old["beta"]
    assert new["alpha"] + new["beta"] == pytest.approx(kappa, rel=1e-12)
    assert new["alpha"] / kappa == pytest.approx(0.30, rel=1e-12)
    # sd = sqrt(m (1 - m) / (kappa + 1))
    assert spec(s).at["uptake", "sd"] == pytest.approx(math.sqrt(0.3 * 0.7 / (kappa + 1)), rel=1e-12)


def test_changed_triangular_is_symmetric_around_the_users_value(default_scenario):
    # Library responders per RDQ point: triangular(0.105, 0.216, 0.327) (issue 9c); its wider side
    # (0.111) scaled by 0.3/0.216 either side of the user's 0.3.
    s0 = apply_sets(default_scenario, [("translation.response_per_point", "0.3")])
    p = spec(s0).at["response_per_point", "dist_params"]
    half = 0.111 * 0.3 / 0.216
    assert p == {"low": pytest.approx(0.3 - half), "mode": pytest.approx(0.3), "high": pytest.approx(0.3 + half)}
    assert spec(s0).at["response_per_point", "mean"] == pytest.approx(0.3)
    # The effect multiplier (beta, mean 0.78) keeps its effective sample size around a user's 0.5.
    m = spec(apply_sets(default_scenario, [("programs.0.effect_multiplier", "0.5")])).loc["effect_multiplier"]
    assert m["mean"] == pytest.approx(0.5)
    # A changed price (gamma centred on the base) keeps its coefficient of variation.
    s = apply_sets(default_scenario, [("programs.0.price_per_session", "150")])
    assert spec(s).at["price_per_session", "mean"] == pytest.approx(150)
    t = spec(s)
    assert (t.at["price_per_session", "range_low"], t.at["price_per_session", "range_high"]) == (
        pytest.approx(121.5), pytest.approx(184))


def test_value_changed_to_zero_or_listed_as_fixed_is_not_drawn(default_scenario):
    s = apply_sets(default_scenario, [("programs.0.effect_size", "0")])
    t = spec(s, fixed=["uptake", "condition.prevalence"])
    assert t.at["effect_size", "dist_params"] == {"value": 0.0}
    for name in ("effect_size", "uptake", "prevalence"):
        assert not t.at[name, "sampled"]
    assert t.at["uptake", "fixed_by_user"] and t.at["prevalence", "fixed_by_user"]


def test_inputs_not_in_use_are_not_drawn(default_scenario):
    t = spec(default_scenario)
    for name in ("travel_hours", "session_hours", "friction_period_weeks", "friction_elasticity"):
        assert not t.at[name, "in_use"] and not t.at[name, "sampled"]
    paid = apply_sets(default_scenario, [("programs.0.on_paid_time", "true")])
    assert spec(paid).at["travel_hours", "sampled"]


SETTINGS = [
    [],
    [("analysis.perspective", "health_plan"), ("programs.0.on_paid_time", "true")],
    [("analysis.perspective", "fully_insured")],
    [("programs.0.on_paid_time", "true"), ("programs.0.on_site", "true")],
]


@pytest.mark.parametrize("sets", SETTINGS, ids=["default", "health_plan", "fully_insured", "on_site"])
def test_inputs_reported_unused_cannot_change_any_result(sets):
    """Doubling an input that inputs_in_use leaves out changes no per-draw result."""
    s = apply_sets(Scenario(), sets)
    inp = build_inputs(s)
    used = set(inputs_in_use(inp))
    before = simulate(inp)
    for name in set(NUMERIC_FIELDS) - used:
        v = float(getattr(inp, name))
        after = simulate(dataclasses.replace(inp, **{name: 2 * v + 0.5 if v < 1 else v * 0.5}))
        for key in ("net_benefit", "npv", "total_cost", "total_savings"):
            assert float(after[key]) == float(before[key]), (name, key)


def test_sample_columns_are_the_sampled_inputs(default_scenario, rng):
    df = sample(default_scenario, 500, rng)
    t = spec(default_scenario)
    assert list(df.columns) == [n for n in NUMERIC_FIELDS if t.at[n, "sampled"]]
    assert len(df) == 500
    for name in df.columns:
        assert df[name].min() >= t.at[name, "min_allowed"] and df[name].max() <= t.at[name, "max_allowed"]


def test_sampled_moments_match_the_table(default_scenario, rng):
    s = apply_sets(default_scenario, [("programs.0.uptake", "0.3"), ("condition.absence_days", "6")])
    n = 100_000
    df = sample(s, n, rng)
    t = spec(s)
    for name in ("uptake", "absence_days", "prevalence", "effect_size", "price_per_session"):
        mean, sd = t.at[name, "mean"], t.at[name, "sd"]
        assert abs(df[name].mean() - mean) < 5 * sd / math.sqrt(n), name
        assert df[name].std() == pytest.approx(sd, rel=0.03), name
    assert df["uptake"].mean() == pytest.approx(0.3, abs=0.002)  # centred on the user's value


def test_correlated_inputs_keep_their_marginals_and_gain_rank_correlation(default_scenario):
    ind = sample(default_scenario, 20_000, np.random.default_rng(5))
    cor = sample(default_scenario, 20_000, np.random.default_rng(5), correlated=True)
    for name in ("absence_days", "presenteeism", "medical_excess_cost"):
        assert np.array_equal(np.sort(ind[name]), np.sort(cor[name]))  # only the pairing changes
    rho = {(c.input_a, c.input_b): c.rho for c in correlations()}[("absence_days", "presenteeism")]
    spearman = cor[["absence_days", "presenteeism"]].rank().corr().iloc[0, 1]
    # Gaussian copula: Spearman's rho = (6 / pi) asin(rho / 2) (Kruskal 1958)
    assert spearman == pytest.approx(6 / math.pi * math.asin(rho / 2), abs=0.03)
    assert abs(ind[["absence_days", "presenteeism"]].rank().corr().iloc[0, 1]) < 0.03


def test_correlations_file_is_documented():
    rows = correlations()
    assert rows and all(-1 < c.rho < 1 and c.note and c.source_keys for c in rows)
    assert {c.input_a for c in rows} | {c.input_b for c in rows} <= set(NUMERIC_FIELDS)


# ---------------------------------------------------------------------------------------------
# Known answers


def test_all_uncertainty_removed_psa_is_the_deterministic_result_exactly(default_scenario):
    r = psa(default_scenario, draws=50, seed=1, fixed="all")
    p = evaluate(default_scenario).program
    assert r.draws.columns.tolist() == ["cost", "savings", "net_benefit", "roi", "npv", "payback_month"]
    assert (r.draws["net_benefit"] == p.net_benefit).all()
    assert (r.draws["roi"] == p.roi).all()
    assert (r.draws["npv"] == p.npv).all()
    sm = r.summary.set_index("outcome")
    for key, value in (("net_benefit", p.net_benefit), ("roi", p.roi), ("npv", p.npv), ("cost", p.cost)):
        assert sm.loc[key, ["base_case", "mean", "p5", "median", "p95"]].tolist() == [value] * 5
        assert sm.loc[key, "sd"] == 0
    assert r.probability("roi_positive") == (1.0 if p.roi > 0 else 0.0)
    assert r.evpi["total"] == 0


def test_vectorised_draws_equal_the_deterministic_model(default_scenario):
    """The vectorised path with every input given as constant draws reproduces evaluate()."""
    for s in (default_scenario, apply_sets(default_scenario, [("analysis.horizon_months", "60"),
                                                              ("programs.0.on_paid_time", "true")])):
        inp = build_inputs(s)
        draws = pd.DataFrame({f: np.full(7, float(getattr(inp, f))) for f in NUMERIC_FIELDS})
        out = evaluate_draws(s, draws)
        p = evaluate(s).program
        np.testing.assert_allclose(out["net_benefit"], p.net_benefit, rtol=1e-12)
        np.testing.assert_allclose(out["roi"], p.roi, rtol=1e-12)
        np.testing.assert_allclose(out["npv"], p.npv, rtol=1e-12)
        np.testing.assert_allclose(out["cost"], p.cost, rtol=1e-12)


def test_zero_effect_never_pays(default_scenario):
    s = apply_sets(default_scenario, [("programs.0.effect_size", "0")])
    r = psa(s, draws=3000, seed=2)
    assert r.probability("roi_positive") == 0.0
    assert r.probability("payback_12_months") == 0.0
    assert (r.draws["savings"] == 0).all()
    assert r.evpi["total"] == 0.0  # never covering is right in every draw
    uc = psa(apply_sets(default_scenario, [("programs.0.therapy", "usual_care")]), draws=3000, seed=2)
    assert uc.probability("roi_positive") == 0.0


def test_linear_input_mean_of_draws_is_the_model_at_the_mean(default_scenario):
    """Net benefit is linear in the price per session: with only the price uncertain, the mean net
    benefit over draws equals the model at the draws' mean price, and P(ROI > 0) is the share of
    prices below the break-even price."""
    keep = ["price_per_session"]
    fixed = [n for n in NUMERIC_FIELDS if n not in keep]
    r = psa(default_scenario, draws=20_000, seed=3, fixed=fixed)
    mean_price = r.draws["price_per_session"].mean()
    at_mean = evaluate(apply_sets(default_scenario, [("programs.0.price_per_session", str(mean_price))]))
    assert r.draws["net_benefit"].mean() == pytest.approx(at_mean.program.net_benefit, rel=1e-9, abs=1e-6)
    be = evaluate(default_scenario).program.breakeven_price_per_session
    assert r.probability("roi_positive") == pytest.approx((r.draws["price_per_session"] < be).mean(), abs=1e-12)


def test_summary_matches_the_draws(base_psa):
    sm = base_psa.summary.set_index("outcome")
    nb = base_psa.draws["net_benefit"]
    assert sm.loc["net_benefit", "mean"] == pytest.approx(nb.mean())
    assert sm.loc["net_benefit", "median"] == pytest.approx(nb.median())
    assert sm.loc["net_benefit", "p5"] == pytest.approx(np.quantile(nb, 0.05))
    assert sm.loc["net_benefit", "mc_se"] == pytest.approx(nb.std() / math.sqrt(len(nb)))
    assert sm.loc["net_benefit", "base_case"] == pytest.approx(evaluate(Scenario()).program.net_benefit)
    p = (base_psa.draws["roi"] > 0).mean()
    pr = base_psa.probabilities.set_index("event")
    assert pr.loc["roi_positive", "probability"] == p
    assert pr.loc["roi_positive", "mc_se"] == pytest.approx(math.sqrt(p * (1 - p) / 4000))
    pay = base_psa.draws["payback_month"]
    assert pr.loc["payback_12_months", "probability"] == ((pay <= 12) & pay.notna()).mean()
    assert sm.loc["payback_month", "share_missing"] == pay.isna().mean()


def test_monthly_fan_ends_at_the_net_benefit(base_psa):
    m = base_psa.monthly
    assert m["month"].tolist() == list(range(1, 13))
    assert m["median"].iloc[-1] == pytest.approx(base_psa.draws["net_benefit"].median(), rel=1e-5)
    assert (m["p5"] <= m["median"]).all() and (m["median"] <= m["p95"]).all()


def test_evpi_known_answers():
    assert evpi(np.array([[100.0, 0.0], [-50.0, 0.0]])) == 25.0
    assert evpi(np.array([[5.0, 1.0], [7.0, 2.0]])) == 0.0  # one option always best: nothing to learn
    with pytest.raises(UncertaintyError):
        evpi(np.zeros((0, 2)))


@settings(max_examples=30)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=1, max_size=40))
def test_evpi_is_never_negative(rows):
    assert evpi(np.array(rows)) >= -1e-6


def test_evpi_per_employee(base_psa):
    nb = base_psa.draws["net_benefit"].to_numpy()
    expected = np.maximum(nb, 0).mean() - max(nb.mean(), 0)
    assert base_psa.evpi["total"] == pytest.approx(expected)
    assert base_psa.evpi["per_employee"] == pytest.approx(expected / 1000)


# ---------------------------------------------------------------------------------------------
# Reproducibility


def test_same_seed_same_numbers_other_seed_other_draws(default_scenario):
    a = psa(default_scenario, draws=1000, seed=42)
    b = psa(default_scenario, draws=1000, seed=42)
    c = psa(default_scenario, draws=1000, seed=43)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert not a.draws["uptake"].equals(c.draws["uptake"])


def test_no_seed_picks_one_and_reports_it(default_scenario):
    a = psa(default_scenario, draws=200, seed=None)
    b = psa(default_scenario, draws=200, seed=a.seed)
    pd.testing.assert_frame_equal(a.draws, b.draws)


# ---------------------------------------------------------------------------------------------
# All therapies at once


@pytest.fixture(scope="module")
def all_therapies():
    return psa_compare(Scenario(), draws=3000, seed=5)


def test_compare_covers_every_therapy_and_p_best_sums_to_one(all_therapies):
    t = all_therapies.table
    assert set(t["therapy"]) == set(library().therapies)
    assert t["p_best"].sum() + all_therapies.p_none_best == pytest.approx(1.0)
    wide = all_therapies.draws.pivot(index="draw", columns="therapy", values="net_benefit")
    best = wide.idxmax(axis=1)[wide.max(axis=1) > 0].value_counts() / len(wide)
    for row in t.itertuples():
        assert row.p_best == pytest.approx(best.get(row.therapy, 0.0))
    assert t.set_index("therapy").at["usual_care", "p_roi_positive"] == 0.0
    assert all_therapies.p_none_best == pytest.approx((wide.max(axis=1) <= 0).mean())


def test_compare_shares_the_common_inputs(default_scenario):
    """Every therapy sees the same draws of the shared inputs (common random numbers): yoga's
    per-draw results equal the model run directly on sample()'s shared draws for the same seed."""
    therapy_own = ["price_per_session", "effect_size", "decay_per_week"]
    r = psa_compare(default_scenario, draws=500, seed=9, fixed=therapy_own + ["uptake"])
    wide = r.draws.pivot(index="draw", columns="therapy", values="cost")
    inp = build_inputs(apply_sets(default_scenario, [("programs.0.therapy", "yoga")]))
    drawn = sample(default_scenario, 500, np.random.default_rng(9), fixed=therapy_own + ["uptake"])
    shared = {c: drawn[c].to_numpy() for c in drawn.columns}
    direct = simulate(dataclasses.replace(inp, **shared))["total_cost"]
    np.testing.assert_allclose(wide["yoga"].to_numpy(), direct, rtol=1e-12)


def test_compare_without_uncertainty_is_compare(default_scenario):
    r = psa_compare(default_scenario, draws=20, seed=1, fixed="all")
    det = compare(default_scenario).set_index("therapy").drop(index="none")
    t = r.table.set_index("therapy")
    for tid in det.index:
        assert t.at[tid, "base_net_benefit"] == pytest.approx(det.at[tid, "net_benefit"], rel=1e-12)
        assert t.at[tid, "mean_net_benefit"] == pytest.approx(det.at[tid, "net_benefit"], rel=1e-12)
    assert r.evpi["total"] == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("draws", [0, -5, 2.5, True, "100"])
def test_bad_draws(draws, default_scenario):
    with pytest.raises(UncertaintyError, match="draws must be a whole number >= 1"):
        psa(default_scenario, draws=draws)


def test_too_many_draws_for_memory_is_refused_before_any_work(default_scenario):
    with pytest.raises(UncertaintyError, match=r"would need about .* GB of memory .* use at most [\d,]+ draws"):
        psa(default_scenario, draws=200_000_000)
    with pytest.raises(UncertaintyError, match="GB of memory"):
        psa_compare(default_scenario, draws=20_000_000)
    assert memory_estimate(100_000, 20, 60) < MEMORY_LIMIT_BYTES


def test_memory_message_names_an_allowed_number(default_scenario):
    with pytest.raises(UncertaintyError) as err:
        psa(default_scenario, draws=200_000_000)
    most = int(str(err.value).rsplit("at most ", 1)[1].split()[0].replace(",", ""))
    assert memory_estimate(most, int(spec(default_scenario)["sampled"].sum()), 12) <= MEMORY_LIMIT_BYTES


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"seed": -1}, "seed must be a whole number >= 0"),
    ({"seed": 1.5}, "seed must be a whole number >= 0"),
    ({"fixed": ["not_an_input"]}, "unknown input 'not_an_input'; choose from: employees"),
    ({"program_index": 3}, "program_index 3 out of range"),
])
def test_bad_arguments(kwargs, text, default_scenario):
    with pytest.raises(UncertaintyError) as err:
        psa(default_scenario, draws=10, **kwargs)
    assert text in str(err.value)


def test_evaluate_draws_rejects_unknown_columns(default_scenario):
    with pytest.raises(UncertaintyError, match="unknown input column"):
        evaluate_draws(default_scenario, pd.DataFrame({"uptak": [0.1]}))


def test_sample_needs_a_generator(default_scenario):
    with pytest.raises(UncertaintyError, match="numpy.random.Generator"):
        sample(default_scenario, 10, 42)


# ---------------------------------------------------------------------------------------------
# Command line


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_psa_json_matches_the_api(capsys):
    code, out, _ = run(capsys, "psa", "--draws", "2000", "--seed", "7", "--format", "json",
                       "--set", "programs.0.uptake=0.2")
    assert code == 0
    d = json.loads(out)
    r = psa(apply_sets(Scenario(), [("programs.0.uptake", "0.2")]), draws=2000, seed=7)
    assert d["draws"] == 2000 and d["seed"] == 7
    assert d["probabilities"][0]["probability"] == r.probability("roi_positive")
    assert d["evpi"]["total"] == pytest.approx(r.evpi["total"])


def test_cli_psa_csv_is_one_row_per_draw(capsys):
    code, out, _ = run(capsys, "psa", "--draws", "300", "--seed", "1", "--format", "csv")
    assert code == 0
    df = pd.read_csv(__import__("io").StringIO(out))
    assert len(df) == 300 and {"uptake", "net_benefit", "roi"} <= set(df.columns)


def test_cli_psa_table_speaks_plainly(capsys):
    code, out, _ = run(capsys, "psa", "--draws", "500", "--preset", "optimistic")
    assert code == 0
    assert "of simulations the program pays for itself" in out and "EVPI" in out


def test_cli_psa_all_therapies(capsys):
    code, out, _ = run(capsys, "psa", "--draws", "300", "--all-therapies", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert len(d["therapies"]) == len(library().therapies)
    assert sum(t["p_best"] for t in d["therapies"]) + d["p_none_best"] == pytest.approx(1.0)


@pytest.mark.parametrize(("args", "text"), [
    (["--draws", "0"], "draws must be a whole number >= 1"),
    (["--draws", "many"], "invalid int value"),
    (["--draws", "900000000"], "GB of memory"),
    (["--seed", "-3"], "seed must be a whole number"),
    (["--fix", "nonsense"], "unknown input 'nonsense'"),
    (["--preset", "worst"], "unknown preset 'worst'; choose one of: conservative, base, optimistic"),
])
def test_cli_psa_user_errors_exit_2_with_one_line(capsys, args, text):
    code, out, err = run(capsys, "psa", *args)
    assert code == 2 and out == ""
    assert text in err and err.count("\n") == 1 and "Traceback" not in err
