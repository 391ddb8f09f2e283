"""Distributions: mean/SD and 95% intervals -> parameters, moments, sampling, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator import library
from calculator.distributions import (
    DISTRIBUTIONS,
    DistributionError,
    check,
    from_interval,
    from_mean_sd,
    moments,
    sample,
    z_value,
)

# ---------------------------------------------------------------------------------------------
# Known answers (hand-computed)


def test_beta_from_mean_sd_hand_computed():
    # m = 0.1, sd = 0.02: c = 0.1 * 0.9 / 0.0004 - 1 = 224; alpha = 22.4, beta = 201.6
    p = from_mean_sd("beta", 0.1, 0.02)
    assert p["alpha"] == pytest.approx(22.4, rel=1e-12)
    assert p["beta"] == pytest.approx(201.6, rel=1e-12)


def test_gamma_from_mean_sd_hand_computed():
    # shape = (4.45 / 2.14)^2 = 4.32400, scale = 2.14^2 / 4.45 = 1.02913
    p = from_mean_sd("gamma", 4.45, 2.14)
    assert p["shape"] == pytest.approx(4.45**2 / 2.14**2, rel=1e-12)
    assert p["scale"] == pytest.approx(2.14**2 / 4.45, rel=1e-12)
    assert p["shape"] * p["scale"] == pytest.approx(4.45)


def test_lognormal_from_mean_sd_hand_computed():
    # mean 100, sd 50: sigma^2 = ln(1.25) = 0.22314, mu = ln(100) - 0.11157 = 4.49360
    p = from_mean_sd("lognormal", 100, 50)
    assert p["sigma"] == pytest.approx(math.sqrt(math.log(1.25)), rel=1e-12)
    assert p["mu"] == pytest.approx(math.log(100) - math.log(1.25) / 2, rel=1e-12)


def test_normal_interval_cherkin_2011():
    """Relaxation massage, Cherkin 2011: RDQ 2.9 (95% CI 1.8 to 4.0) -> SE = 2.2 / 3.92 = 0.561."""
    p = from_interval("normal", 1.8, 4.0, mean=2.9)
    assert p == {"mean": 2.9, "sd": pytest.approx(2.2 / (2 * 1.959963984540054), rel=1e-12)}
    assert p["sd"] == pytest.approx(0.5612, abs=1e-4)


def test_interval_without_mean_uses_the_midpoint():
    assert from_interval("normal", 1.0, 3.0)["mean"] == 2.0


def test_lognormal_interval_read_on_the_log_scale():
    # a ratio of 1 (95% CI 0.5 to 2): mu = 0, sigma = ln 2 / 1.96
    p = from_interval("lognormal", 0.5, 2.0)
    assert p["mu"] == pytest.approx(0.0, abs=1e-15)
    assert p["sigma"] == pytest.approx(math.log(2) / 1.959963984540054, rel=1e-12)


def test_interval_level_changes_z():
    assert z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-12)
    assert z_value(0.90) == pytest.approx(1.6448536269514722, rel=1e-12)
    p90 = from_interval("normal", 0.0, 2.0, level=0.90)
    assert p90["sd"] == pytest.approx(1 / 1.6448536269514722, rel=1e-12)


def test_zero_sd_or_zero_width_interval_is_a_point_mass():
    assert from_mean_sd("gamma", 3.0, 0.0) == {"value": 3.0}
    assert from_interval("beta", 0.2, 0.2, mean=0.2) == {"value": 0.2}
    assert sample("beta", {"value": 0.2}, 4, np.random.default_rng(0)).tolist() == [0.2] * 4


def test_triangular_and_uniform_moments():
    m, sd = moments("triangular", {"low": 0.3, "mode": 1.0, "high": 1.0})
    assert m == pytest.approx(2.3 / 3)
    assert sd == pytest.approx(math.sqrt((0.09 + 1 + 1 - 0.3 - 0.3 - 1) / 18))
    assert moments("uniform", {"low": 2, "high": 8}) == (5.0, pytest.approx(6 / math.sqrt(12)))


def test_library_rule_is_this_helper():
    """Every library row's distribution parameters equal from_interval(low, high, mean=value)."""
    checked = 0
    for p in library().parameters.values():
        if p.distribution in ("beta", "gamma", "lognormal", "normal") and p.low < p.high and not p.dist_params:
            mine = from_interval(p.distribution, p.low, p.high, mean=p.value)
            theirs = p.distribution_parameters()
            assert mine.keys() == theirs.keys(), p.id
            for k in mine:
                assert mine[k] == pytest.approx(theirs[k], rel=1e-12), (p.id, k)
            checked += 1
    assert checked >= 10


# ---------------------------------------------------------------------------------------------
# Properties


@given(m=st.floats(0.02, 0.98), cv=st.floats(0.01, 0.5))
def test_beta_round_trip(m, cv):
    sd = min(cv * m, 0.9 * math.sqrt(m * (1 - m)))
    mean, s = moments("beta", from_mean_sd("beta", m, sd))
    assert mean == pytest.approx(m, rel=1e-9)
    assert s == pytest.approx(sd, rel=1e-9)


@given(d=st.sampled_from(["gamma", "lognormal", "normal"]), m=st.floats(0.01, 1e6), cv=st.floats(0.01, 3))
def test_positive_round_trip(d, m, cv):
    mean, s = moments(d, from_mean_sd(d, m, cv * m))
    assert mean == pytest.approx(m, rel=1e-9)
    assert s == pytest.approx(cv * m, rel=1e-9)


CASES = [
    ("beta", from_mean_sd("beta", 0.15, 0.0638)),
    ("gamma", from_mean_sd("gamma", 4144, 1490)),
    ("lognormal", from_mean_sd("lognormal", 4.45, 2.14)),
    ("normal", from_mean_sd("normal", 2.9, 0.56)),
    ("triangular", {"low": 61, "mode": 75, "high": 92}),
    ("uniform", {"low": 0.0, "high": 0.05}),
]


@pytest.mark.parametrize(("d", "params"), CASES, ids=[c[0] for c in CASES])
def test_sampled_mean_and_sd_match(d, params, rng):
    n = 200_000
    x = sample(d, params, n, rng)
    mean, sd = moments(d, params)
    assert x.shape == (n,) and x.dtype == np.float64
    assert abs(x.mean() - mean) < 5 * sd / math.sqrt(n)  # 5 Monte Carlo standard errors
    assert x.std(ddof=1) == pytest.approx(sd, rel=0.02)


def test_same_generator_state_same_draws_other_seed_other_draws():
    p = from_mean_sd("beta", 0.3, 0.1)
    a = sample("beta", p, 100, np.random.default_rng(7))
    b = sample("beta", p, 100, np.random.default_rng(7))
    c = sample("beta", p, 100, np.random.default_rng(8))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_draw_support():
    rng = np.random.default_rng(3)
    assert np.all(sample("beta", {"alpha": 0.6, "beta": 59}, 10_000, rng) >= 0)
    t = sample("triangular", {"low": 1, "mode": 1, "high": 2}, 10_000, rng)
    assert t.min() >= 1 and t.max() <= 2
    assert sample("triangular", {"low": 5, "mode": 5, "high": 5}, 3, rng).tolist() == [5, 5, 5]


# ---------------------------------------------------------------------------------------------
# Bad input: clear errors


@pytest.mark.parametrize(("call", "text"), [
    (lambda: from_mean_sd("weibull", 1, 1), "unknown distribution 'weibull'; choose one of: beta"),
    (lambda: from_mean_sd("beta", 1.2, 0.1), "beta: mean must lie strictly between 0 and 1"),
    (lambda: from_mean_sd("beta", 0.5, 0.6), "too large for mean 0.5"),
    (lambda: from_mean_sd("gamma", -1, 1), "gamma: mean must be > 0"),
    (lambda: from_mean_sd("lognormal", 0, 1), "lognormal: mean must be > 0"),
    (lambda: from_mean_sd("normal", 1, -1), "sd must be >= 0"),
    (lambda: from_mean_sd("normal", float("nan"), 1), "mean must be a finite number"),
    (lambda: from_mean_sd("triangular", 1, 1), "cannot be set from a mean and SD"),
    (lambda: from_interval("normal", 3, 1), "needs low <= high"),
    (lambda: from_interval("normal", 1, 3, mean=5), "lies outside the interval"),
    (lambda: from_interval("lognormal", 0, 3), "bounds must be > 0"),
    (lambda: z_value(1.5), "level must lie strictly between 0 and 1"),
    (lambda: check("gamma", {"shape": 0, "scale": 1}), "gamma: need shape > 0 and scale > 0"),
    (lambda: check("normal", {"mu": 0, "sd": 1}), "parameters must be mean, sd"),
    (lambda: sample("normal", {"mean": 0, "sd": 1}, -1, np.random.default_rng(0)), "n must be a whole number"),
])
def test_bad_input_gives_a_clear_error(call, text):
    with pytest.raises(DistributionError, match=None) as err:
        call()
    assert text in str(err.value)


def test_every_library_distribution_is_known_here():
    assert {p.distribution for p in library().parameters.values()} <= set(DISTRIBUTIONS)
