"""Probability distributions for the Monte Carlo analysis: from what papers report to numpy draws.

Papers report a mean and a standard deviation (or standard error), or a 95% interval. This module
turns either into the parameters of the distribution the parameter library names for the input,
and draws from it with a caller-supplied :class:`numpy.random.Generator` (randomness is always an
argument, never a global).

Parameterisations (the keys of the ``params`` dicts)
----------------------------------------------------
=============  ==========================  ==============================================
distribution   params                      mean, variance
=============  ==========================  ==============================================
beta           alpha, beta                 a / (a + b), a b / ((a + b)^2 (a + b + 1))
gamma          shape, scale                k s, k s^2
lognormal      mu, sigma (of log X)        exp(mu + sigma^2 / 2), (exp(sigma^2) - 1) mean^2
normal         mean, sd                    mean, sd^2
triangular     low, mode, high             (l + m + h) / 3, (l^2+m^2+h^2-lm-lh-mh) / 18
uniform        low, high                   (l + h) / 2, (h - l)^2 / 12
fixed          value                       value, 0
=============  ==========================  ==============================================

Any distribution may also be given as ``{"value": v}``: a point mass (no uncertainty), which is
what a zero standard deviation produces.

Rules (docs/UNCERTAINTY.md states them with examples)
-----------------------------------------------------
* Mean and SD -> beta / gamma / lognormal / normal by the method of moments.
* A central interval ``[low, high]`` at level ``L`` (default 95%) -> ``sd = (high - low) / (2 z)``
  with ``z`` the standard-normal quantile (1.96 for 95%) and the mean as given (else the mid-point),
  then the method of moments. This is the rule :meth:`calculator.evidence.Parameter.
  distribution_parameters` applies to the library's low/high range. A lognormal interval given
  without a mean is read on the log scale instead (how ratios are reported):
  ``mu = (ln low + ln high) / 2``, ``sigma = (ln high - ln low) / (2 z)``.

References
----------
Briggs A, Claxton K, Sculpher M. Decision Modelling for Health Economic Evaluation. Oxford
University Press; 2006, chapter 4 (choosing and fitting distributions by the method of moments).
The dampack R package (``gen_psa_samp``) offers the same mean/SD conversion.

Examples
--------
>>> {k: round(v, 6) for k, v in from_mean_sd("beta", 0.1, 0.02).items()}
{'alpha': 22.4, 'beta': 201.6}
>>> {k: round(v, 4) for k, v in from_interval("normal", 1.8, 4.0, mean=2.9).items()}
{'mean': 2.9, 'sd': 0.5612}
>>> import numpy as np
>>> x = sample("gamma", from_mean_sd("gamma", 4.45, 2.14), 200_000, np.random.default_rng(1))
>>> round(float(x.mean()), 2), round(float(x.std()), 2)  # asked for 4.45 and 2.14; MC error ~0.005
(4.44, 2.13)
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

__all__ = [
    "support",
    "DISTRIBUTIONS",
    "PARAMETERS",
    "DistributionError",
    "z_value",
    "from_mean_sd",
    "from_interval",
    "check",
    "moments",
    "sample",
]

#: Distributions the sampler knows (the same list as the parameter library's).
DISTRIBUTIONS = ("beta", "gamma", "lognormal", "normal", "triangular", "uniform", "fixed")

#: Parameter names of each distribution, in order.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "beta": ("alpha", "beta"),
    "gamma": ("shape", "scale"),
    "lognormal": ("mu", "sigma"),
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "fixed": ("value",),
}

_FROM_MOMENTS = ("beta", "gamma", "lognormal", "normal")


class DistributionError(ValueError):
    """Distribution parameters that cannot describe a distribution (the message says why)."""


def _known(distribution: str) -> None:
    if distribution not in DISTRIBUTIONS:
        raise DistributionError(
            f"unknown distribution {distribution!r}; choose one of: {', '.join(DISTRIBUTIONS)}")


def _finite(**values: float) -> None:
    for name, v in values.items():
        if not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
            raise DistributionError(f"{name} must be a finite number, got {v!r}")


def z_value(level: float = 0.95) -> float:
    """Standard-normal quantile of a central interval at ``level`` (1.959964 for 95%).

    >>> round(z_value(0.95), 6), round(z_value(0.9), 4)
    (1.959964, 1.6449)
    """
    _finite(level=level)
    if not 0 < level < 1:
        raise DistributionError(f"level must lie strictly between 0 and 1, got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def from_mean_sd(distribution: str, mean: float, sd: float) -> dict[str, float]:
    """Parameters of ``distribution`` with the given mean and standard deviation.

    Parameters
    ----------
    distribution : "beta", "gamma", "lognormal" or "normal"
    mean : the reported mean [unit of the quantity]; beta needs 0 < mean < 1, gamma and
        lognormal need mean > 0
    sd : the reported standard deviation (or, for a parameter, its standard error) [same unit];
        0 gives the point mass ``{"value": mean}``

    Notes
    -----
    Method of moments. Beta: ``alpha = m c``, ``beta = (1 - m) c`` with ``c = m (1 - m) / sd^2 - 1``
    (needs ``sd^2 < m (1 - m)``). Gamma: ``shape = (m / sd)^2``, ``scale = sd^2 / m``. Lognormal:
    ``sigma^2 = ln(1 + (sd / m)^2)``, ``mu = ln m - sigma^2 / 2``.

    >>> {k: round(v, 3) for k, v in from_mean_sd("lognormal", 100, 50).items()}
    {'mu': 4.494, 'sigma': 0.472}
    >>> from_mean_sd("beta", 0.5, 0.6)
    Traceback (most recent call last):
    ...
    calculator.distributions.DistributionError: beta: sd = 0.6 is too large for mean 0.5 (a beta needs sd < sqrt(mean (1 - mean)) = 0.5)
    """
    _known(distribution)
    _finite(mean=mean, sd=sd)
    if distribution not in _FROM_MOMENTS:
        raise DistributionError(
            f"{distribution}: cannot be set from a mean and SD; give its parameters "
            f"({', '.join(PARAMETERS[distribution])}) directly, or use one of {', '.join(_FROM_MOMENTS)}")
    if sd < 0:
        raise DistributionError(f"{distribution}: sd must be >= 0, got {sd}")
    mean, sd = float(mean), float(sd)
    if sd == 0:
        return {"value": mean}
    if distribution == "normal":
        return {"mean": mean, "sd": sd}
    if distribution == "beta":
        if not 0 < mean < 1:
            raise DistributionError(f"beta: mean must lie strictly between 0 and 1, got {mean}")
        if sd**2 >= mean * (1 - mean):
            raise DistributionError(
                f"beta: sd = {sd:g} is too large for mean {mean:g} (a beta needs sd < sqrt(mean (1 - mean))"
                f" = {math.sqrt(mean * (1 - mean)):g})")
        common = mean * (1 - mean) / sd**2 - 1
        return {"alpha": mean * common, "beta": (1 - mean) * common}
    if mean <= 0:
        raise DistributionError(f"{distribution}: mean must be > 0, got {mean}")
    if distribution == "gamma":
        return {"shape": (mean / sd) ** 2, "scale": sd**2 / mean}
    sigma2 = math.log1p((sd / mean) ** 2)
    return {"mu": math.log(mean) - sigma2 / 2, "sigma": math.sqrt(sigma2)}


def from_interval(distribution: str, low: float, high: float, *, mean: float | None = None,
                  level: float = 0.95) -> dict[str, float]:
    """Parameters of ``distribution`` from a central interval ``[low, high]`` (a 95% CI by default).

    Parameters
    ----------
    distribution : "beta", "gamma", "lognormal" or "normal"
    low, high : the interval's bounds [unit of the quantity]; ``low <= high``
    mean : the reported point estimate; default: the mid-point of the interval (or, for a
        lognormal, the interval read on the log scale)
    level : coverage of the interval (0.95 for a 95% interval)

    Notes
    -----
    ``sd = (high - low) / (2 z_level)``, then :func:`from_mean_sd`. Lognormal without a mean:
    ``mu = (ln low + ln high) / 2`` and ``sigma = (ln high - ln low) / (2 z_level)``, which is exact
    for an interval that is symmetric on the log scale (odds ratios, rate ratios).

    >>> {k: round(v, 4) for k, v in from_interval("lognormal", 0.5, 2.0).items()}
    {'mu': 0.0, 'sigma': 0.3537}
    """
    _known(distribution)
    _finite(low=low, high=high)
    if low > high:
        raise DistributionError(f"{distribution}: the interval needs low <= high, got {low} > {high}")
    z = z_value(level)
    if distribution == "lognormal" and mean is None:
        if low <= 0:
            raise DistributionError(f"lognormal: interval bounds must be > 0, got low = {low}")
        if low == high:
            return {"value": float(low)}
        return {"mu": (math.log(low) + math.log(high)) / 2,
                "sigma": (math.log(high) - math.log(low)) / (2 * z)}
    centre = (low + high) / 2 if mean is None else mean
    _finite(mean=centre)
    if not low <= centre <= high:
        raise DistributionError(f"{distribution}: mean {centre:g} lies outside the interval [{low:g}, {high:g}]")
    return from_mean_sd(distribution, centre, (high - low) / (2 * z))


def check(distribution: str, params: dict[str, float]) -> None:
    """Raise :class:`DistributionError` unless ``params`` describe a valid ``distribution``.

    >>> check("triangular", {"low": 2, "mode": 1, "high": 3})
    Traceback (most recent call last):
    ...
    calculator.distributions.DistributionError: triangular: need low <= mode <= high, got 2, 1, 3
    """
    _known(distribution)
    if set(params) == {"value"}:
        _finite(value=params["value"])
        return
    names = PARAMETERS[distribution]
    if set(params) != set(names):
        raise DistributionError(
            f"{distribution}: parameters must be {', '.join(names)} (or value), got {', '.join(params) or 'none'}")
    _finite(**params)
    p = params
    bad = {
        "beta": lambda: p["alpha"] <= 0 or p["beta"] <= 0,
        "gamma": lambda: p["shape"] <= 0 or p["scale"] <= 0,
        "lognormal": lambda: p["sigma"] < 0,
        "normal": lambda: p["sd"] < 0,
        "triangular": lambda: not p["low"] <= p["mode"] <= p["high"],
        "uniform": lambda: p["low"] > p["high"],
        "fixed": lambda: False,
    }[distribution]()
    if bad:
        need = {
            "beta": "alpha > 0 and beta > 0", "gamma": "shape > 0 and scale > 0",
            "lognormal": "sigma >= 0", "normal": "sd >= 0", "triangular": "low <= mode <= high",
            "uniform": "low <= high",
        }[distribution]
        got = ", ".join(f"{v:g}" for v in p.values())
        raise DistributionError(f"{distribution}: need {need}, got {got}")


def moments(distribution: str, params: dict[str, float]) -> tuple[float, float]:
    """Mean and standard deviation of a distribution (table in the module docstring).

    >>> moments("triangular", {"low": 0.3, "mode": 1.0, "high": 1.0})[0]
    0.7666666666666666
    """
    check(distribution, params)
    p = params
    if "value" in p:
        return float(p["value"]), 0.0
    if distribution == "beta":
        a, b = p["alpha"], p["beta"]
        return a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    if distribution == "gamma":
        return p["shape"] * p["scale"], math.sqrt(p["shape"]) * p["scale"]
    if distribution == "lognormal":
        m = math.exp(p["mu"] + p["sigma"] ** 2 / 2)
        return m, m * math.sqrt(math.expm1(p["sigma"] ** 2))
    if distribution == "normal":
        return float(p["mean"]), float(p["sd"])
    if distribution == "triangular":
        lo, mo, hi = p["low"], p["mode"], p["high"]
        var = (lo**2 + mo**2 + hi**2 - lo * mo - lo * hi - mo * hi) / 18
        return (lo + mo + hi) / 3, math.sqrt(max(var, 0.0))
    if distribution == "uniform":
        return (p["low"] + p["high"]) / 2, (p["high"] - p["low"]) / math.sqrt(12)
    raise AssertionError(distribution)  # pragma: no cover  (check() rejected the rest)


def support(distribution: str, params: dict[str, float]) -> tuple[float, float]:
    """The closed interval that holds every draw of :func:`sample` (``-inf``/``inf`` when unbounded).

    >>> support("beta", {"alpha": 2, "beta": 3}), support("uniform", {"low": 1, "high": 4})
    ((0.0, 1.0), (1.0, 4.0))
    """
    check(distribution, params)
    if "value" in params:
        v = float(params["value"])
        return v, v
    if distribution == "beta":
        return 0.0, 1.0
    if distribution in ("gamma", "lognormal"):
        return 0.0, math.inf
    if distribution in ("triangular", "uniform"):
        return float(params["low"]), float(params["high"])
    return -math.inf, math.inf


def sample(distribution: str, params: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent draws, shape ``(n,)``, float64.

    Parameters
    ----------
    distribution, params : as in the module docstring (validated by :func:`check`)
    n : number of draws, >= 0
    rng : the random generator; the same generator state gives the same draws

    >>> sample("uniform", {"low": 1, "high": 1}, 3, np.random.default_rng(0)).tolist()
    [1.0, 1.0, 1.0]
    """
    check(distribution, params)
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise DistributionError(f"n must be a whole number >= 0, got {n!r}")
    p = params
    if "value" in p:
        return np.full(n, float(p["value"]))
    if distribution == "beta":
        return rng.beta(p["alpha"], p["beta"], n)
    if distribution == "gamma":
        return rng.gamma(p["shape"], p["scale"], n)
    if distribution == "lognormal":
        return rng.lognormal(p["mu"], p["sigma"], n)
    if distribution == "normal":
        return rng.normal(p["mean"], p["sd"], n)
    if distribution == "triangular":
        if p["low"] == p["high"]:  # numpy refuses a zero-width triangle
            return np.full(n, float(p["low"]))
        return rng.triangular(p["low"], p["mode"], p["high"], n)
    if distribution == "uniform":
        return rng.uniform(p["low"], p["high"], n)
    return np.full(n, float(p["value"]))  # pragma: no cover  ("fixed" always has value)
