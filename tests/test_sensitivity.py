"""One-way (tornado), two-way break-even maps and scenario presets: known answers and errors."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator import Scenario, apply_sets, build_inputs, evaluate, library
from calculator.cli import main
from calculator.presets import PresetError
from calculator.program import simulate
from calculator.sensitivity import (
    SensitivityError,
    apply_scenario_preset,
    break_even,
    compare_presets,
    one_way,
    one_way_table,
    preset_names,
    scenario_presets,
    two_way,
)

# ---------------------------------------------------------------------------------------------
# One-way


@given(
    slopes=st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=1, max_size=6),
    data=st.data(),
)
def test_linear_toy_swing_is_abs_slope_times_range(slopes, data):
    names = [f"x{i}" for i in range(len(slopes))]
    lows = [data.draw(st.floats(-100, 100)) for _ in names]
    widths = [data.draw(st.floats(0, 50)) for _ in names]
    ranges = {n: (lo, lo + w) for n, lo, w in zip(names, lows, widths, strict=True)}
    base = {n: lo + w / 2 for n, lo, w in zip(names, lows, widths, strict=True)}

    def model(c):
        return 7.0 + sum(b * c[n] for n, b in zip(names, slopes, strict=True))

    df = one_way_table(model, base, ranges).set_index("input")
    for n, b in zip(names, slopes, strict=True):
        lo, hi = ranges[n]
        assert df.at[n, "swing"] == pytest.approx(abs(b) * (hi - lo), rel=1e-9, abs=1e-6)
    assert df["swing"].is_monotonic_decreasing


def test_one_way_is_sorted_and_starts_at_the_base_case(default_scenario):
    df = one_way(default_scenario)
    assert df["swing"].is_monotonic_decreasing
    assert (df["base_outcome"] == df["base_outcome"].iloc[0]).all()
    assert df["base_outcome"].iloc[0] == pytest.approx(evaluate(default_scenario).program.roi, rel=1e-12)
    assert (df["low"] < df["high"]).all()
    assert {"travel_hours", "friction_period_weeks", "employees"}.isdisjoint(df["input"])


def test_one_way_price_swing_is_sessions_bought_times_employer_share(default_scenario):
    """Net benefit is linear in the price: swing = sessions purchased x employer share x range."""
    df = one_way(default_scenario, "net_benefit").set_index("input")
    sim = simulate(build_inputs(default_scenario))
    par = library().parameter("therapy.relaxation_massage.price_per_session")
    expected = float(sim["sessions_purchased"]) * default_scenario.programs[0].employer_share * (par.high - par.low)
    assert df.at["price_per_session", "swing"] == pytest.approx(expected, rel=1e-9)
    assert df.at["price_per_session", "outcome_low"] > df.at["price_per_session", "outcome_high"]


@pytest.mark.parametrize("name", ["uptake", "prevalence", "effect_size", "completion"])
def test_one_way_values_equal_the_scalar_model(default_scenario, name):
    df = one_way(default_scenario, "roi").set_index("input")
    path = df.at[name, "path"]
    for col, val in (("outcome_low", df.at[name, "low"]), ("outcome_high", df.at[name, "high"])):
        r = evaluate(apply_sets(default_scenario, [(path, repr(float(val)))]))
        assert df.at[name, col] == pytest.approx(r.program.roi, rel=1e-9)


def test_one_way_follows_a_changed_value(default_scenario):
    s = apply_sets(default_scenario, [("programs.0.price_per_session", "150")])
    row = one_way(s, inputs=["programs.0.price_per_session"]).iloc[0]
    assert (row["low"], row["value"], row["high"]) == (pytest.approx(121.5), 150, pytest.approx(184))


def test_one_way_leaves_out_fixed_inputs(default_scenario):
    df = one_way(default_scenario, fixed=["uptake", "effect_size"])
    assert {"uptake", "effect_size"}.isdisjoint(df["input"])


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"inputs": ["uptake", "warp_drive"]}, "unknown parameter 'warp_drive'; choose from:"),
    ({"inputs": ["travel_hours"]}, "unknown parameter 'travel_hours'"),  # not in use by default
    ({"outcome": "irr"}, "unknown outcome 'irr'; choose one of: roi, net_benefit, npv"),
])
def test_one_way_bad_input(default_scenario, kwargs, text):
    with pytest.raises(SensitivityError) as err:
        one_way(default_scenario, **kwargs)
    assert text in str(err.value)


# ---------------------------------------------------------------------------------------------
# Two-way and break-even


def test_two_way_grid_values_equal_the_scalar_model(default_scenario):
    g = two_way(default_scenario, "uptake", "effect_size", grid=5)
    assert len(g) == 25 and g["param_x"].iloc[0] == "uptake" and g["param_y"].iloc[0] == "effect_size"
    for _, row in g.iloc[[0, 7, 24]].iterrows():
        s = apply_sets(default_scenario, [("programs.0.uptake", repr(row["x"])),
                                          ("programs.0.effect_size", repr(row["y"]))])
        p = evaluate(s).program
        assert row["roi"] == pytest.approx(p.roi, rel=1e-9)
        assert row["net_benefit"] == pytest.approx(p.net_benefit, rel=1e-9)


def test_break_even_price_matches_the_model(default_scenario):
    """Net benefit is linear in price, so the interpolated contour is exact: it equals the core's
    break-even price per session at each uptake."""
    g = two_way(default_scenario, "uptake", "price_per_session", grid=9, y_range=(0, 300))
    be = break_even(g, "net_benefit").set_index("x")["y"]
    found = 0
    for x in sorted(set(g["x"])):
        s = apply_sets(default_scenario, [("programs.0.uptake", repr(x))])
        core = evaluate(s).program.breakeven_price_per_session  # None when no positive price breaks even
        if core is None or core > 300:
            assert x not in be.index
        else:
            assert be[x] == pytest.approx(core, rel=1e-9)
            found += 1
    assert found >= 7
    roi_line = break_even(g, "roi")  # ROI is not linear in price: same crossings, within a grid step
    step = 300 / 8
    assert (np.abs(roi_line["y"].to_numpy() - be.to_numpy()) < step).all()


def test_break_even_effect_size_matches_the_model(default_scenario):
    """Savings are linear in the effect while no cost component is cut by more than 100%."""
    g = two_way(default_scenario, "price_per_session", "effect_size", grid=7)
    be = break_even(g, "net_benefit")
    assert not be.empty
    for row in be.itertuples():
        s = apply_sets(default_scenario, [("programs.0.price_per_session", repr(row.x))])
        assert row.y == pytest.approx(evaluate(s).program.breakeven_effect_size, rel=1e-9)


def test_two_way_widens_the_y_range_to_show_break_even(default_scenario):
    s = default_scenario
    p = evaluate(s).program
    # The trial effect that breaks even at the default multiplier (0.78): E x m* / m, beyond the
    # trial's confidence interval, so the grid must reach past the library's high bound to show it.
    target = p.breakeven_effect_size
    assert target == pytest.approx(p.effect_size * p.breakeven_effect_multiplier / s.programs[0].effect_multiplier)
    par = library().parameter("therapy.relaxation_massage.effect_size")
    assert target > par.high
    g = two_way(s, "uptake", "effect_size", grid=11)
    assert g["y"].min() == par.low and g["y"].max() > target
    be = break_even(g, "net_benefit")
    # The uptake grid runs low..high in 11 steps; the base (0.175) need not be a grid point, so check
    # the grid point nearest to it against a direct evaluation at that uptake.
    x0 = float(be["x"].iloc[int(np.argmin(np.abs(be["x"].to_numpy() - s.programs[0].uptake)))])
    want = evaluate(apply_sets(s, [("programs.0.uptake", repr(x0))])).program.breakeven_effect_size
    assert be.loc[np.isclose(be["x"], x0), "y"].iloc[0] == pytest.approx(want, rel=1e-9)


def test_conservative_case_cannot_break_even_even_if_every_completer_responds(default_scenario):
    # Conservative preset: savings at 100% responders (the cap) stay below the cost, so no effect
    # multiplier breaks even (a straight line through the cap would have claimed one).
    from calculator import build_inputs
    from calculator.program import simulate
    s = apply_scenario_preset(default_scenario, "conservative")
    sim = simulate(build_inputs(s))
    full_response_savings = float(sim["total_savings"]) / float(sim["responder_share"])
    assert full_response_savings < float(sim["total_cost"])
    assert np.isnan(sim["breakeven_effect_multiplier"]) and evaluate(s).program.breakeven_effect_multiplier is None


def test_two_way_axis_of_a_value_without_range_uses_the_library_range(default_scenario):
    s = apply_sets(default_scenario, [("programs.0.effect_size", "0")])
    g = two_way(s, "uptake", "effect_size", grid=3)
    par = library().parameter("therapy.relaxation_massage.effect_size")
    assert g["y"].min() == par.low and g["y"].max() >= par.high


def test_two_way_explicit_axes(default_scenario):
    g = two_way(default_scenario, "uptake", "effect_size", grid=([0.1, 0.2], [1.0, 2.0, 3.0]))
    assert g[["x", "y"]].values.tolist() == [[0.1, 1.0], [0.1, 2.0], [0.1, 3.0], [0.2, 1.0], [0.2, 2.0], [0.2, 3.0]]


def test_break_even_toy():
    # roi = y - 2x on a grid: the contour is y = 2x
    xs, ys = np.linspace(0, 1, 5), np.linspace(0, 3, 13)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    g = pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "roi": (Y - 2 * X).ravel()})
    be = break_even(g, "roi")
    np.testing.assert_allclose(be["y"], 2 * be["x"], atol=1e-12)
    assert be["x"].tolist() == xs.tolist()


@pytest.mark.parametrize(("args", "kwargs", "text"), [
    (("uptake", "uptake"), {}, "must be two different inputs"),
    (("uptake", "programs.0.uptake"), {}, "must be two different inputs"),
    (("uptake", "warp"), {}, "unknown parameter 'warp'"),
    (("uptake", "effect_size"), {"grid": 1}, "grid must be between 2 and 201"),
    (("uptake", "effect_size"), {"grid": 5000}, "grid must be between 2 and 201"),
    (("uptake", "effect_size"), {"grid": ([0.1, 2.0], [1.0])}, "grid values of uptake must lie in 0 to 1"),
    (("uptake", "effect_size"), {"x_range": (0.5, 0.2)}, "range of uptake must satisfy"),
])
def test_two_way_bad_input(default_scenario, args, kwargs, text):
    with pytest.raises(SensitivityError) as err:
        two_way(default_scenario, *args, **kwargs)
    assert text in str(err.value)


# ---------------------------------------------------------------------------------------------
# Scenario presets


def test_presets_are_conservative_base_optimistic_with_sources():
    assert preset_names() == ["conservative", "base", "optimistic", "high_impact"]
    df = scenario_presets()
    refs = library().references
    assert all(k in refs for keys in df["source_keys"] for k in keys.split(";"))
    assert (df["reason"].str.len() > 20).all()


def test_preset_values_stay_inside_the_evidence_range(default_scenario):
    lib = library()
    from calculator.scenario import parameter_id_for_path
    rows = scenario_presets()
    for r in rows[rows["path"] != ""].itertuples():
        par = lib.parameter(parameter_id_for_path(default_scenario, r.path.replace("*", "0")))
        assert par.low <= float(r.value) <= par.high, r.path


def test_apply_preset_reaches_every_program(default_scenario):
    s = apply_sets(default_scenario, [("programs.1.therapy", "yoga")])
    c = apply_scenario_preset(s, "conservative")
    assert [p.effect_multiplier for p in c.programs] == [0.5, 0.5]
    assert c.workforce.turnover == 0.4
    assert apply_scenario_preset(s, "base") == s


def test_presets_side_by_side_are_ordered(default_scenario):
    df = compare_presets(default_scenario).set_index("preset")
    assert df.loc["conservative", "roi"] < df.loc["base", "roi"] < df.loc["optimistic", "roi"]
    assert df.loc["base", "net_benefit"] == pytest.approx(evaluate(default_scenario).program.net_benefit)
    assert "programs.*.effect_multiplier=0.5" in df.loc["conservative", "overrides"]


def test_no_preset_goes_beyond_the_evidence_sanity_check(default_scenario):
    for name in preset_names():
        codes = [w.code for w in evaluate(apply_scenario_preset(default_scenario, name)).warnings]
        assert "roi_above_evidence" not in codes, name


def test_unknown_preset_lists_the_valid_names(default_scenario):
    with pytest.raises(PresetError, match="unknown preset 'worst'; choose one of: conservative, base, optimistic"):
        apply_scenario_preset(default_scenario, "worst")


def test_preset_is_applied_before_set(capsys):
    code = main(["tornado", "--preset", "conservative", "--set", "programs.0.effect_multiplier=0.9",
                 "--format", "json", "--outcome", "net_benefit", "--inputs", "uptake"])
    out, _ = capsys.readouterr()
    assert code == 0
    row = json.loads(out)[0]
    s = apply_sets(apply_scenario_preset(Scenario(), "conservative"), [("programs.0.effect_multiplier", "0.9")])
    assert row["base_outcome"] == pytest.approx(evaluate(s).program.net_benefit, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# Command line


def test_cli_tornado_csv_matches_the_api(capsys):
    code = main(["tornado", "--format", "csv", "--set", "workforce.employees=400"])
    out, _ = capsys.readouterr()
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    api = one_way(apply_sets(Scenario(), [("workforce.employees", "400")]))
    assert df["input"].tolist() == api["input"].tolist()
    np.testing.assert_allclose(df["swing"], api["swing"], rtol=1e-12)


def test_cli_tornado_table(capsys):
    code = main(["tornado", "--outcome", "net_benefit"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("One-way sensitivity of net_benefit") and "swing" in out


@pytest.mark.parametrize(("args", "text"), [
    (["--inputs", "warp_drive"], "unknown parameter 'warp_drive'"),
    (["--outcome", "irr"], "invalid choice: 'irr'"),
    (["--set", "programs.0.uptake=7"], "programs.0.uptake = 7 is out of range"),
])
def test_cli_tornado_user_errors(capsys, args, text):
    code = main(["tornado", *args])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and text in err and err.count("\n") == 1
