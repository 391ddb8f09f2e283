"""Probabilistic sensitivity analysis: how sure is the answer?

Four steps, each a function that talks to the next through a DataFrame:

1. :func:`uncertainty_table` - for every model input the scenario uses: its value, the distribution
   it is drawn from (parameter library, recentred when the user changed the value), its low/high
   range, and whether it is sampled.
2. :func:`sample` - ``n`` draws of every sampled input (one column each), from a
   ``numpy.random.Generator``; optionally correlated through a Gaussian copula
   (``calculator/data/correlations.csv``).
3. :func:`evaluate_draws` - the same vectorised model as :func:`calculator.evaluate`
   (:func:`calculator.program.simulate`) on all draws at once, in blocks of draws that keep the
   working arrays small (no Python loop over draws).
4. :func:`psa` / :func:`psa_compare` - summaries: mean, median and 5-95% interval of net benefit,
   ROI, NPV and payback month; the probabilities that the program pays for itself and that it pays
   back within the plan year, with their Monte Carlo standard errors; for all therapies at once,
   the probability that each is the best choice; the expected value of perfect information.

Conventions (docs/UNCERTAINTY.md has the full statement)
--------------------------------------------------------
* An input the user left at its library value is drawn from the library's distribution. An input
  the user changed keeps its relative uncertainty around the new value: gamma, lognormal and
  normal keep their coefficient of variation; beta keeps its effective sample size ``alpha + beta``;
  triangular and uniform scale their bounds by new/old (they shift when the library value is 0).
  A value changed to 0 (or any value listed in ``fixed``) is held fixed.
* Draws are clipped to the parameter's allowed range (``min_allowed``-``max_allowed``).
* Net benefit, ROI and payback use undiscounted horizon totals, as the deterministic model does;
  NPV is discounted. Payback month is ``nan`` when the program never pays back in the horizon.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from . import distributions as dist
from .evidence import PRICE_YEAR, library
from .model import INPUT_PATHS, build_inputs, input_records
from .perspective import rule
from .program import NUMERIC_FIELDS, ProgramInputs, outcomes, simulate
from .scenario import THERAPY_FIELDS, Scenario, therapy_switch

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "PLAN_YEAR_MONTHS",
    "MEMORY_LIMIT_BYTES",
    "OUTCOMES",
    "UncertaintyError",
    "PSAResult",
    "CompareResult",
    "correlations",
    "inputs_in_use",
    "resolve_inputs",
    "uncertainty_table",
    "sample",
    "evaluate_draws",
    "evaluate_arrays",
    "evpi",
    "memory_estimate",
    "psa",
    "psa_compare",
    "HEADLINE_DRAWS",
    "Headline",
    "headline",
]

#: Draws when none are asked for: the Monte Carlo standard error of a probability is then at most
#: sqrt(0.25 / 10,000) = 0.005 (half a percentage point).
DEFAULT_DRAWS = 10_000
#: Seed when none is given. Any fixed number would do: it makes reruns give identical numbers.
DEFAULT_SEED = 20240101
#: "Pays back within the plan year": a benefit plan year is 12 months.
PLAN_YEAR_MONTHS = 12
#: Largest estimated memory one analysis may use [bytes] (the project's 1 GB budget).
MEMORY_LIMIT_BYTES = 1_000_000_000
#: Draws x months per block handed to ``simulate``: keeps each working array near 0.5 MB so it stays
#: in the CPU cache (measured: 4x faster than one block of 100,000 draws x 60 months; 2^15-2^17
#: are within 10% of each other).
_BLOCK_CELLS = 1 << 16
#: Working memory of one block: about this many (block x months) float64 arrays live at once.
_BLOCK_ARRAYS = 80

#: Per-draw outcomes: output column -> key of :func:`calculator.program.simulate`.
OUTCOMES: dict[str, str] = {
    "cost": "total_cost", "savings": "total_savings", "net_benefit": "net_benefit", "roi": "roi",
    "npv": "npv", "payback_month": "payback_month",
}
_SUMMARY_OUTCOMES = ("net_benefit", "roi", "npv", "payback_month", "cost", "savings")
_QUANTILES = (0.05, 0.5, 0.95)


class UncertaintyError(ValueError):
    """Bad input to the uncertainty analysis (the message names the argument and what is allowed)."""


# ---------------------------------------------------------------------------------------------
# Specification


@dataclass(frozen=True)
class Correlation:
    """A correlation between two inputs' draws (normal scores of a Gaussian copula)."""

    input_a: str
    input_b: str
    rho: float
    source_keys: tuple[str, ...]
    provenance: str
    note: str


@lru_cache(maxsize=1)
def correlations() -> tuple[Correlation, ...]:
    """The documented correlations (``calculator/data/correlations.csv``), validated."""
    lib = library()
    path = resources.files("calculator") / "data" / "correlations.csv"
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            where = f"correlations.csv line {line}"
            for col in ("input_a", "input_b"):
                if row[col] not in NUMERIC_FIELDS:
                    raise UncertaintyError(f"{where}: {col} {row[col]!r} is not a model input")
            rho = float(row["rho"])
            if not -1 < rho < 1:
                raise UncertaintyError(f"{where}: rho must lie strictly between -1 and 1, got {rho}")
            keys = tuple(k for k in row["source_keys"].split(";") if k)
            missing = [k for k in keys if k not in lib.references]
            if not keys or missing:
                raise UncertaintyError(f"{where}: unknown or missing source key(s) {missing or '(none)'}")
            out.append(Correlation(row["input_a"], row["input_b"], rho, keys, row["provenance"], row["note"]))
    return tuple(out)


def inputs_in_use(inp: ProgramInputs) -> list[str]:
    """The numeric inputs that can change a result under the scenario's structural settings.

    For example, the friction period matters only with the friction-cost valuation, travel time only
    for off-site sessions on paid time, medical inputs not for a fully insured employer.
    """
    who = rule(inp.perspective)
    unused: set[str] = set()
    if inp.valuation != "friction_cost":
        unused |= {"friction_period_weeks", "friction_elasticity"}
    if not inp.on_paid_time or not who.work_time:
        unused |= {"session_hours", "travel_hours"}
    elif inp.on_site:
        unused.add("travel_hours")
    if not who.productivity:
        unused |= {"absence_days", "presenteeism", "presenteeism_link",
                   "productivity_multiplier", "benefits_load", "hourly_wage", "annual_hours",
                   "hours_per_day", "friction_period_weeks", "friction_elasticity"}
    medical_counts = who.medical_now or (who.medical_passthrough and float(np.max(inp.premium_passthrough)) > 0
                                         and inp.premium_lag_months < inp.horizon_months)
    if not medical_counts:
        unused |= {"medical_excess_cost", "plan_paid_share"}
    if not who.medical_passthrough:
        unused.add("premium_passthrough")
    return [name for name in NUMERIC_FIELDS if name not in unused]


def resolve_inputs(names: Iterable[str] | str, allowed: Iterable[str], program_index: int = 0,
                   what: str = "input") -> list[str]:
    """Input names from names or scenario paths (``uptake``, ``programs.0.uptake``, ``condition.
    prevalence``); ``"all"`` means every allowed input. Unknown names raise, listing the valid ones.
    """
    allowed = list(allowed)
    if isinstance(names, str):
        names = allowed if names == "all" else [names]
    by_path = {INPUT_PATHS[n].format(i=program_index): n for n in allowed}
    out = []
    for raw in names:
        name = raw.strip()
        name = by_path.get(name, name)
        if name not in allowed:
            raise UncertaintyError(
                f"unknown {what} {raw!r}; choose from: {', '.join(allowed)} (or their scenario paths)")
        if name not in out:
            out.append(name)
    return out


def _recentre(d: str, params: dict[str, float], default: float, value: float) -> dict[str, float]:
    """Distribution parameters around a user-changed value, keeping the relative uncertainty."""
    if d == "fixed" or "value" in params:
        return {"value": value}
    if d == "beta":
        if not 0 < value < 1:
            return {"value": value}
        kappa = params["alpha"] + params["beta"]  # effective sample size stays the same
        return {"alpha": value * kappa, "beta": (1 - value) * kappa}
    if d in ("gamma", "lognormal"):
        mean, sd = dist.moments(d, params)
        return {"value": value} if value <= 0 else dist.from_mean_sd(d, value, sd / mean * value)
    if d == "normal":
        sd = params["sd"] if default == 0 else params["sd"] * abs(value / default)
        return {"mean": value, "sd": sd} if sd > 0 else {"value": value}
    # triangular, uniform: a symmetric range around the user's value (so it is the most likely value
    # and, unless the allowed range clips it, the mean too), as wide as the library's wider side,
    # scaled by value / default (kept absolute when the library value is 0).
    scale = 1.0 if default == 0 else abs(value / default)
    if d == "triangular":
        half = max(params["mode"] - params["low"], params["high"] - params["mode"]) * scale
        return {"low": value - half, "mode": value, "high": value + half}
    half = (params["high"] - params["low"]) / 2 * scale
    return {"low": value - half, "high": value + half}


def _range(low: float, high: float, default: float, value: float, lo_ok: float, hi_ok: float,
           changed: bool) -> tuple[float, float]:
    """The one-way low/high of an input: the library range, moved with a user-changed value."""
    if changed:
        if default == 0:
            low, high = low + value, high + value
        else:
            low, high = sorted((low * value / default, high * value / default))
    return max(low, lo_ok), min(high, hi_ok)


def uncertainty_table(scenario: Scenario, program_index: int = 0,
                      fixed: Iterable[str] | str = ()) -> pd.DataFrame:
    """How every model input of a program is treated in the uncertainty analysis.

    One row per numeric model input (columns of :func:`calculator.input_table` plus): ``in_use``
    (can it change a result under this scenario's settings), ``fixed_by_user``, ``dist_params``
    (dict, recentred when the value was changed), ``mean`` and ``sd`` of that distribution,
    ``range_low``/``range_high`` (for one-way sensitivity), ``min_allowed``/``max_allowed``,
    ``sampled`` (drawn in the Monte Carlo analysis) and ``therapy_specific``.
    """
    return pd.DataFrame(uncertainty_records(scenario, program_index, fixed))


def uncertainty_records(scenario: Scenario, program_index: int = 0,
                        fixed: Iterable[str] | str = (), inputs: ProgramInputs | None = None) -> list[dict[str, Any]]:
    """:func:`uncertainty_table`'s rows as dicts (no pandas: the book builds one per employer group).
    ``inputs``: the program's already built :func:`calculator.model.build_inputs`, if the caller has it."""
    lib = library()
    inp = build_inputs(scenario, program_index) if inputs is None else inputs
    in_use = set(inputs_in_use(inp))
    fixed_names = set(resolve_inputs(fixed, NUMERIC_FIELDS, program_index))
    rows = []
    for row in input_records(scenario, program_index, inp):
        name = row["input"]
        par = lib.parameter(row["parameter"])
        d = par.distribution
        params = par.distribution_parameters()
        value, default, changed = row["value"], row["default"], row["changed"]
        if changed:
            params = _recentre(d, params, default, value)
        if name in fixed_names:
            params = {"value": value}
        if "value" not in params:  # keep support inside the allowed range
            if d in ("triangular", "uniform"):
                params = {k: min(max(v, par.min_allowed), par.max_allowed) for k, v in params.items()}
        dist.check(d, params)
        mean, sd = dist.moments(d, params)
        low, high = _range(par.low, par.high, default, value, par.min_allowed, par.max_allowed, changed)
        sampled = name in in_use and sd > 0
        rows.append(row | {
            "in_use": name in in_use, "fixed_by_user": name in fixed_names, "dist_params": params,
            "mean": mean, "sd": sd, "range_low": low, "range_high": high,
            "min_allowed": par.min_allowed, "max_allowed": par.max_allowed, "sampled": sampled,
            "therapy_specific": name in THERAPY_FIELDS,
        })
    return rows


# ---------------------------------------------------------------------------------------------
# Sampling


def _check_draws(n: Any, what: str = "draws") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise UncertaintyError(f"{what} must be a whole number >= 1, got {n!r}")
    return int(n)


def _draw_rows(rows: pd.DataFrame, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    out = {}
    cols = ("input", "distribution", "dist_params", "min_allowed", "max_allowed")
    for name, d, params, lo, hi in zip(*(rows[c].tolist() for c in cols), strict=True):
        out[name] = np.clip(dist.sample(d, params, n, rng), lo, hi)
    return out


def _copula(cols: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Reorder draws in place so their ranks follow correlated normal scores (Gaussian copula).

    Each marginal keeps exactly its own draws; only their pairing changes (Iman and Conover 1982).
    """
    pairs = [c for c in correlations() if c.input_a in cols and c.input_b in cols]
    if not pairs:
        return
    names = sorted({c.input_a for c in pairs} | {c.input_b for c in pairs}, key=NUMERIC_FIELDS.index)
    k = len(names)
    corr = np.eye(k)
    for c in pairs:
        i, j = names.index(c.input_a), names.index(c.input_b)
        corr[i, j] = corr[j, i] = c.rho
    try:
        chol = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise UncertaintyError("correlations.csv: the correlations are not a valid (positive definite) "
                               "correlation matrix") from None
    n = len(cols[names[0]])
    z = rng.standard_normal((n, k)) @ chol.T
    for j, name in enumerate(names):
        ranks = np.argsort(np.argsort(z[:, j], kind="stable"), kind="stable")
        cols[name] = np.sort(cols[name])[ranks]


def _shared_and_own(spec: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = spec[spec["sampled"]]
    return s[~s["therapy_specific"]], s[s["therapy_specific"]]


def sample(scenario: Scenario, n: int, rng: np.random.Generator, *, program_index: int = 0,
           fixed: Iterable[str] | str = (), correlated: bool = False) -> pd.DataFrame:
    """``n`` draws of every uncertain input the program uses: one column per sampled input.

    Parameters
    ----------
    scenario : the validated scenario
    n : number of draws (>= 1)
    rng : ``numpy.random.Generator``; the same seed gives the same draws
    program_index : which program of the scenario
    fixed : inputs (names or scenario paths, or ``"all"``) held at the scenario's value
    correlated : pair related inputs through a Gaussian copula (``correlations.csv``)

    Inputs shared by every therapy (workforce, condition, translation, benefit design) are drawn
    first, then the therapy's own (price, effect, decay), so :func:`psa_compare` with the same seed
    draws the same shared values.
    """
    n = _check_draws(n, "n")
    if not isinstance(rng, np.random.Generator):
        raise UncertaintyError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    spec = uncertainty_table(scenario, program_index, fixed)
    shared, own = _shared_and_own(spec)
    cols = _draw_rows(shared, n, rng)
    if correlated:
        _copula(cols, rng)
    cols |= _draw_rows(own, n, rng)
    order = [name for name in NUMERIC_FIELDS if name in cols]
    return pd.DataFrame({name: cols[name] for name in order})


# ---------------------------------------------------------------------------------------------
# Evaluation


def _evaluate(base: ProgramInputs, cols: dict[str, np.ndarray], n: int,
              monthly: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Per-draw outcomes of ``simulate`` with ``cols`` replacing inputs, in cache-sized blocks."""
    H = int(base.horizon_months)
    out = {k: np.empty(n) for k in OUTCOMES}
    cum = np.empty((H, n), dtype=np.float32) if monthly else None
    block = n if not cols else max(1, _BLOCK_CELLS // H)
    for a in range(0, n, block):
        b = min(n, a + block)
        sim = outcomes(dataclasses.replace(base, **{k: v[a:b] for k, v in cols.items()}))
        for key, src in OUTCOMES.items():
            out[key][a:b] = sim[src]
        if cum is not None:
            cum[:, a:b] = np.broadcast_to(sim["cumulative_net"], (b - a, H)).T
    return out, cum


def evaluate_draws(scenario: Scenario, draws: pd.DataFrame, program_index: int = 0) -> pd.DataFrame:
    """Outcomes of every draw (rows of ``draws``, one column per input to replace).

    Columns: cost, savings, net_benefit, roi, npv, payback_month [USD over the horizon; ROI ratio;
    payback in months, ``nan`` = not within the horizon]. Inputs not in ``draws`` keep the
    scenario's value. Bring your own sample (for example from SALib) this way.
    """
    unknown = [c for c in draws.columns if c not in NUMERIC_FIELDS]
    if unknown:  # checked before the scenario's inputs are built
        raise UncertaintyError(f"unknown input column(s) {', '.join(map(str, unknown))}; "
                               f"model inputs are: {', '.join(NUMERIC_FIELDS)}")
    n = _check_draws(len(draws), "the number of draws")
    cols = {c: draws[c].to_numpy(dtype=float) for c in draws.columns}
    return pd.DataFrame(evaluate_arrays(build_inputs(scenario, program_index), cols, n), index=draws.index)


def evaluate_arrays(inputs: ProgramInputs, cols: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """:func:`evaluate_draws` without pandas (the book's hot path): ``cols`` (input -> array of ``n``
    draws) replace those inputs of ``inputs``; returns the same outcome columns as arrays."""
    unknown = [c for c in cols if c not in NUMERIC_FIELDS]
    if unknown:
        raise UncertaintyError(f"unknown input column(s) {', '.join(map(str, unknown))}; "
                               f"model inputs are: {', '.join(NUMERIC_FIELDS)}")
    n = _check_draws(n, "the number of draws")
    bad = [c for c, v in cols.items() if np.shape(v) != (n,)]
    if bad:
        raise UncertaintyError(f"input column(s) {', '.join(bad)} must hold {n:,} draws each")
    return _evaluate(inputs, cols, n)[0]


def memory_estimate(draws: int, sampled_inputs: int, horizon_months: int, therapies: int = 1,
                    monthly: bool = False) -> int:
    """Estimated peak memory of an analysis [bytes]: stored draws and outcomes plus one block."""
    rows = draws * therapies
    per_row = 8 * (2 * (sampled_inputs + len(OUTCOMES)) + 2 * len(NUMERIC_FIELDS) * (therapies > 1))
    per_row += 4 * horizon_months * monthly
    return rows * per_row + _BLOCK_CELLS * 8 * _BLOCK_ARRAYS


def _guard(draws: int, sampled: int, horizon: int, therapies: int = 1, monthly: bool = False) -> None:
    need = memory_estimate(draws, sampled, horizon, therapies, monthly)
    if need > MEMORY_LIMIT_BYTES:
        per = max(1, (need - _BLOCK_CELLS * 8 * _BLOCK_ARRAYS) // (draws * therapies))
        most = (MEMORY_LIMIT_BYTES - _BLOCK_CELLS * 8 * _BLOCK_ARRAYS) // (per * therapies)
        raise UncertaintyError(
            f"draws = {draws:,} would need about {need / 1e9:.1f} GB of memory (limit "
            f"{MEMORY_LIMIT_BYTES / 1e9:.1f} GB); use at most {most:,} draws")


def _rng(seed: Any) -> tuple[np.random.Generator, int]:
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UncertaintyError(f"seed must be a whole number >= 0, got {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


# ---------------------------------------------------------------------------------------------
# Summaries


def evpi(net_benefits: np.ndarray) -> float:
    """Expected value of perfect information [same unit as the net benefits].

    ``net_benefits`` has one row per draw and one column per option (include a column of zeros for
    "do nothing"). EVPI = E[max over options] - max over options of E[net benefit]: what deciding
    with the true parameter values would be worth on average, the most better evidence could add.

    >>> evpi(np.array([[100.0, 0.0], [-50.0, 0.0]]))  # cover: +100 or -50, each half the time
    25.0
    """
    nb = np.asarray(net_benefits, dtype=float)
    if nb.ndim != 2 or nb.shape[0] == 0:
        raise UncertaintyError("net_benefits must be a (draws, options) array with at least one draw")
    cols = np.asfortranarray(nb)  # each option one contiguous column: both reductions run down columns
    return float(np.mean(np.max(cols, axis=1)) - np.max(np.mean(cols, axis=0)))


def _quantiles(x: np.ndarray, nan_is_inf: bool = False) -> list[float]:
    if nan_is_inf:  # payback: "never" sorts after every month; a quantile that falls there is nan
        q = np.quantile(np.where(np.isnan(x), np.inf, x), _QUANTILES, method="inverted_cdf")
        return [float(v) if np.isfinite(v) else math.nan for v in q]
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return [math.nan] * len(_QUANTILES)
    return [float(v) for v in np.quantile(finite, _QUANTILES)]


_LABELS = {
    "net_benefit": "Net benefit (savings - cost) [USD]", "roi": "Return on investment [ratio]",
    "npv": "Net present value [USD]", "payback_month": "Payback month [months]",
    "cost": "Program cost [USD]", "savings": "Savings [USD]",
}


def _mean(x: np.ndarray) -> float:
    """Mean computed around the first value: exact when every draw is the same, and less rounding."""
    if x.size == 0:
        return math.nan
    return float(x[0] + np.mean(x - x[0]))


def _summary(out: dict[str, np.ndarray], base: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for key in _SUMMARY_OUTCOMES:
        x = out[key]
        n = x.size
        if key == "payback_month":
            mean = float(x.mean()) if not np.isnan(x).any() else math.nan
            sd = float(x.std(ddof=1)) if n > 1 and not math.isnan(mean) else math.nan
            p5, med, p95 = _quantiles(x, nan_is_inf=True)
            missing = float(np.isnan(x).mean())
        else:
            ok = x[np.isfinite(x)]
            mean = _mean(ok)
            sd = float((ok - ok[0]).std(ddof=1)) if ok.size > 1 else 0.0 if ok.size else math.nan
            p5, med, p95 = _quantiles(x)
            missing = float(1 - ok.size / n)
        rows.append({
            "outcome": key, "label": _LABELS[key], "base_case": float(np.asarray(base[OUTCOMES[key]])),
            "mean": mean, "mc_se": sd / math.sqrt(n) if n > 1 else math.nan, "sd": sd,
            "p5": p5, "median": med, "p95": p95, "share_missing": missing,
        })
    return pd.DataFrame(rows)


def _probability(key: str, label: str, text: str, hits: np.ndarray) -> dict[str, Any]:
    n = hits.size
    p = float(hits.mean())
    return {"event": key, "label": label, "description": text, "probability": p,
            "mc_se": math.sqrt(p * (1 - p) / n), "draws": n}


def _probabilities(out: dict[str, np.ndarray]) -> pd.DataFrame:
    roi_pos = np.nan_to_num(out["roi"], nan=-np.inf) > 0
    pay = out["payback_month"]
    within = np.nan_to_num(pay, nan=np.inf) <= PLAN_YEAR_MONTHS
    rows = [
        _probability("roi_positive", "ROI > 0", "the program pays for itself over the horizon", roi_pos),
        _probability("payback_12_months", f"payback <= {PLAN_YEAR_MONTHS} months",
                     "the program pays back within the plan year", within),
    ]
    return pd.DataFrame(rows)


def _monthly(cum: np.ndarray) -> pd.DataFrame:
    q = np.quantile(cum, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
    return pd.DataFrame({"month": np.arange(1, cum.shape[0] + 1), "mean": cum.mean(axis=1, dtype=float),
                         "p5": q[0], "p25": q[1], "median": q[2], "p75": q[3], "p95": q[4]})


@dataclass(frozen=True)
class PSAResult:
    """Probabilistic sensitivity analysis of one program.

    ``inputs``: :func:`uncertainty_table` (what was drawn and how). ``draws``: one row per draw,
    the sampled inputs then the outcomes. ``summary``: one row per outcome (base case, mean, Monte
    Carlo SE of the mean, SD, 5th/50th/95th percentiles, share of draws without a value).
    ``probabilities``: ``roi_positive`` and ``payback_12_months`` with Monte Carlo SEs. ``evpi``:
    expected value of perfect information for cover / don't cover [USD over the horizon], total and
    per employee. ``monthly``: percentiles of cumulative net cash flow by month (when asked for).
    """

    therapy: str
    therapy_label: str
    draws_n: int
    seed: int
    correlated: bool
    horizon_months: int
    employees: int
    inputs: pd.DataFrame = dataclasses.field(repr=False)
    draws: pd.DataFrame = dataclasses.field(repr=False)
    summary: pd.DataFrame = dataclasses.field(repr=False)
    probabilities: pd.DataFrame = dataclasses.field(repr=False)
    evpi: dict[str, float] = dataclasses.field(repr=False)
    monthly: pd.DataFrame | None = dataclasses.field(default=None, repr=False)

    def probability(self, event: str = "roi_positive") -> float:
        """P(event): ``roi_positive`` or ``payback_12_months``."""
        hit = self.probabilities.loc[self.probabilities["event"] == event, "probability"]
        if hit.empty:
            raise UncertaintyError(f"unknown event {event!r}; choose from: "
                                   f"{', '.join(self.probabilities['event'])}")
        return float(hit.iloc[0])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-draw rows)."""
        inputs = self.inputs[self.inputs["sampled"]]
        return {
            "therapy": self.therapy, "therapy_label": self.therapy_label, "draws": self.draws_n,
            "seed": self.seed, "correlated": self.correlated, "horizon_months": self.horizon_months,
            "summary": self.summary.to_dict(orient="records"),
            "probabilities": self.probabilities.to_dict(orient="records"),
            "evpi": self.evpi,
            "sampled_inputs": [
                {"input": r["input"], "path": r["path"], "value": r["value"], "distribution": r["distribution"],
                 "dist_params": r["dist_params"], "mean": r["mean"], "sd": r["sd"], "changed": r["changed"]}
                for r in inputs.to_dict(orient="records")],
            "currency": "USD", "price_year": PRICE_YEAR,
            "parameter_set": library().version,
        }


def psa(scenario: Scenario, draws: int = DEFAULT_DRAWS, seed: int | None = DEFAULT_SEED, *,
        program_index: int = 0, fixed: Iterable[str] | str = (), correlated: bool = False,
        monthly: bool = False) -> PSAResult:
    """Monte Carlo analysis of one program: every uncertain input drawn, the model run on all draws.

    Parameters
    ----------
    scenario : the validated scenario
    draws : number of Monte Carlo draws (>= 1; limited by :data:`MEMORY_LIMIT_BYTES`)
    seed : seed of ``numpy.random.default_rng``; the same seed gives the same numbers. ``None``
        picks a random seed and reports it in ``PSAResult.seed``.
    program_index : which program of the scenario
    fixed : inputs (names or scenario paths, or ``"all"``) held at the scenario's value
    correlated : correlate related inputs (``calculator/data/correlations.csv``)
    monthly : also return percentiles of the cumulative net cash flow by month (fan chart)

    Examples
    --------
    >>> r = psa(Scenario(), draws=2000, seed=1)
    >>> r.draws_n, list(r.probabilities["event"])
    (2000, ['roi_positive', 'payback_12_months'])
    >>> r.probability("roi_positive") == psa(Scenario(), draws=2000, seed=1).probability("roi_positive")
    True
    """
    n = _check_draws(draws)
    rng, seed = _rng(seed)
    if not 0 <= program_index < len(scenario.programs):
        raise UncertaintyError(f"program_index {program_index} out of range (0-{len(scenario.programs) - 1})")
    spec = uncertainty_table(scenario, program_index, fixed)
    base = build_inputs(scenario, program_index)
    _guard(n, int(spec["sampled"].sum()), base.horizon_months, 1, monthly)
    cols = sample(scenario, n, rng, program_index=program_index, fixed=fixed, correlated=correlated)
    out, cum = _evaluate(base, {c: cols[c].to_numpy() for c in cols.columns}, n, monthly)
    det = simulate(base)
    nb = out["net_benefit"]
    value = evpi(np.column_stack([nb, np.zeros(n)]))
    employees = scenario.workforce.employees
    prog = scenario.programs[program_index]
    return PSAResult(
        therapy=prog.therapy, therapy_label=library().therapy(prog.therapy).label, draws_n=n, seed=seed,
        correlated=correlated, horizon_months=base.horizon_months, employees=employees,
        inputs=spec, draws=pd.concat([cols, pd.DataFrame(out)], axis=1),
        summary=_summary(out, det), probabilities=_probabilities(out),
        evpi={"total": value, "per_employee": value / employees,
              "decision": "cover" if nb.mean() > 0 else "do not cover"},
        monthly=_monthly(cum) if cum is not None else None,
    )


#: Draws of the headline PSA shown beside every headline ROI (fast: see tests/benchmarks).
HEADLINE_DRAWS = 2000


@dataclass(frozen=True)
class Headline:
    """What stands beside every headline ROI: the base case, P(ROI > 0) and the 90% interval.

    ``roi`` is the deterministic base case (``None`` when the cost is 0); ``roi_interval`` the 5th
    and 95th percentiles of ROI over ``draws`` Monte Carlo draws with ``seed``;
    ``probability_roi_positive`` the share of draws with ROI > 0 and ``probability_mc_se`` its Monte
    Carlo standard error; ``mean_net_benefit`` / ``base_net_benefit`` [USD over the horizon].
    """

    therapy: str
    roi: float | None
    probability_roi_positive: float
    probability_mc_se: float
    roi_interval: tuple[float, float]
    mean_roi: float
    base_net_benefit: float
    mean_net_benefit: float
    net_benefit_mc_se: float
    draws: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["roi_interval"] = list(self.roi_interval)
        return d

    def text(self) -> str:
        """One line: ``ROI -12% (P(ROI > 0) 31%, 90% interval -60% to 45%)``."""
        base = "n/a" if self.roi is None else f"{self.roi:.0%}"
        lo, hi = self.roi_interval
        return (f"ROI {base} (P(ROI > 0) {self.probability_roi_positive:.0%}, 90% interval "
                f"{lo:.0%} to {hi:.0%}; {self.draws:,} draws, seed {self.seed})")


def headline(scenario: Scenario, draws: int = HEADLINE_DRAWS, seed: int | None = DEFAULT_SEED, *,
             program_index: int = 0) -> Headline:
    """The fixed-seed PSA summary that stands beside every headline ROI (pages, CLI, PDF, deck).

    >>> h = headline(Scenario(), draws=500, seed=1)
    >>> h.draws, 0 <= h.probability_roi_positive <= 1, h.roi_interval[0] <= h.roi_interval[1]
    (500, True, True)
    """
    r = psa(scenario, draws=draws, seed=seed, program_index=program_index)
    roi_draws = r.draws["roi"].to_numpy(dtype=float)
    finite = roi_draws[np.isfinite(roi_draws)]
    lo, hi = (np.quantile(finite, [0.05, 0.95]).tolist() if finite.size else [math.nan, math.nan])
    nb = r.draws["net_benefit"].to_numpy(dtype=float)
    det = simulate(build_inputs(scenario, program_index))
    base_roi = float(det["roi"])
    return Headline(
        therapy=r.therapy, roi=None if math.isnan(base_roi) else base_roi,
        probability_roi_positive=r.probability("roi_positive"),
        probability_mc_se=float(r.probabilities.loc[r.probabilities["event"] == "roi_positive", "mc_se"].iloc[0]),
        roi_interval=(float(lo), float(hi)), mean_roi=float(finite.mean()) if finite.size else math.nan,
        base_net_benefit=float(det["net_benefit"]), mean_net_benefit=float(nb.mean()),
        net_benefit_mc_se=float(nb.std(ddof=1) / math.sqrt(nb.size)) if nb.size > 1 else math.nan,
        draws=r.draws_n, seed=r.seed,
    )


def headlines(scenario: Scenario, draws: int = HEADLINE_DRAWS, seed: int | None = DEFAULT_SEED, *,
              program_index: int = 0) -> pd.DataFrame:
    """:func:`headline` for every therapy of the catalogue (the ``compare`` table's P(ROI > 0) and interval).

    Columns: therapy, probability_roi_positive, roi_p5, roi_p95, draws, seed; one row per therapy,
    each therapy's scenario built as :func:`calculator.compare` builds it.

    >>> t = headlines(Scenario(), draws=200, seed=1)
    >>> len(t) == len(library().therapies), bool((t["roi_p5"] <= t["roi_p95"]).all())
    (True, True)
    """
    rows = []
    for tid, sc in _therapy_scenarios(scenario, program_index):
        h = headline(sc, draws=draws, seed=seed)
        rows.append({"therapy": tid, "probability_roi_positive": h.probability_roi_positive,
                     "roi_p5": h.roi_interval[0], "roi_p95": h.roi_interval[1], "draws": h.draws, "seed": h.seed})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# All therapies at once


@dataclass(frozen=True)
class CompareResult:
    """Monte Carlo comparison of every therapy under the same workforce and benefit design.

    ``table``: one row per therapy (base case and mean net benefit, its 5-95% interval, mean ROI,
    P(ROI > 0), P(payback within the plan year), P(best): the share of draws in which the therapy
    has the highest net benefit and beats covering nothing, with its Monte Carlo SE), sorted by mean
    net benefit. P(best) over the therapies plus ``p_none_best`` is 1.
    ``draws``: long table (therapy, draw, outcomes). ``evpi``: expected value of perfect
    information for the choice among "cover none" and every therapy [USD over the horizon], total
    and per employee. ``p_none_best``: share of draws in which no therapy has a positive net benefit
    (covering none is the best choice).
    """

    draws_n: int
    seed: int
    correlated: bool
    horizon_months: int
    employees: int
    table: pd.DataFrame = dataclasses.field(repr=False)
    draws: pd.DataFrame = dataclasses.field(repr=False)
    evpi: dict[str, Any] = dataclasses.field(repr=False)
    p_none_best: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        return {"draws": self.draws_n, "seed": self.seed, "correlated": self.correlated,
                "horizon_months": self.horizon_months, "therapies": self.table.to_dict(orient="records"),
                "evpi": self.evpi, "p_none_best": self.p_none_best, "currency": "USD",
                "price_year": PRICE_YEAR, "parameter_set": library().version}


def _therapy_scenarios(scenario: Scenario, program_index: int) -> list[tuple[str, Scenario]]:
    """One single-program scenario per therapy, as :func:`calculator.compare` builds them."""
    base = scenario.programs[program_index]
    out = []
    for tid in library().therapies:
        prog = base if tid == base.therapy else base.model_copy(update=therapy_switch(tid))
        out.append((tid, scenario.model_copy(update={"programs": [prog]})))
    return out


def psa_compare(scenario: Scenario, draws: int = DEFAULT_DRAWS, seed: int | None = DEFAULT_SEED, *,
                program_index: int = 0, fixed: Iterable[str] | str = (),
                correlated: bool = False) -> CompareResult:
    """Monte Carlo analysis of every therapy at once, with the probability that each is best.

    The inputs every therapy shares (workforce, condition, translation, benefit design) take the
    same draws for all therapies (common random numbers), so differences between therapies come
    from their own price, effect and decay. All therapies' draws are evaluated together.
    """
    n = _check_draws(draws)
    rng, seed = _rng(seed)
    if not 0 <= program_index < len(scenario.programs):
        raise UncertaintyError(f"program_index {program_index} out of range (0-{len(scenario.programs) - 1})")
    fixed = resolve_inputs(fixed, NUMERIC_FIELDS, program_index)  # names: the copies have one program
    scenarios = _therapy_scenarios(scenario, program_index)
    parts = [_shared_and_own(uncertainty_table(sc, 0, fixed)) for _, sc in scenarios]
    bases = [build_inputs(sc, 0) for _, sc in scenarios]
    T = len(scenarios)
    shared = parts[0][0]
    _guard(n, len(shared) + max(len(own) for _, own in parts), bases[0].horizon_months, T)

    shared_cols = _draw_rows(shared, n, rng)
    if correlated:
        _copula(shared_cols, rng)
    own_cols = [_draw_rows(own, n, rng) for _, own in parts]
    # stack the therapies: every input that differs between them becomes one (T n,) column
    varying = set(shared_cols) | {k for c in own_cols for k in c}
    varying |= {f for f in NUMERIC_FIELDS if len({getattr(b, f) for b in bases}) > 1}
    cols = {}
    for f in NUMERIC_FIELDS:
        if f not in varying:
            continue
        parts = [shared_cols[f] if f in shared_cols else own.get(f, np.full(n, float(getattr(b, f))))
                 for own, b in zip(own_cols, bases, strict=True)]
        cols[f] = np.concatenate(parts)
    out, _ = _evaluate(bases[0], cols, n * T)
    nb = out["net_benefit"].reshape(T, n)
    # The best choice in each draw among "cover none" (net benefit 0) and every therapy: a therapy is
    # best only where it also beats doing nothing.
    best = np.argmax(np.vstack([np.zeros((1, n)), nb]), axis=0) - 1
    lib = library()
    rows = []
    for t, (tid, _) in enumerate(scenarios):
        det = simulate(bases[t])
        x = {k: v.reshape(T, n)[t] for k, v in out.items()}
        probs = _probabilities(x).set_index("event")["probability"]
        p_best = float(np.mean(best == t))
        q5, q50, q95 = _quantiles(x["net_benefit"])
        roi_ok = x["roi"][np.isfinite(x["roi"])]
        th = lib.therapy(tid)
        rows.append({
            "therapy": tid, "label": th.label, "evidence_grade": th.evidence_grade,
            "chosen": tid == scenario.programs[program_index].therapy,
            "base_net_benefit": float(det["net_benefit"]), "mean_net_benefit": float(x["net_benefit"].mean()),
            "p5_net_benefit": q5, "median_net_benefit": q50, "p95_net_benefit": q95,
            "base_roi": float(det["roi"]), "mean_roi": float(roi_ok.mean()) if roi_ok.size else math.nan,
            "p_roi_positive": float(probs["roi_positive"]), "p_payback_12_months": float(probs["payback_12_months"]),
            "p_best": p_best, "p_best_mc_se": math.sqrt(p_best * (1 - p_best) / n),
        })
    table = pd.DataFrame(rows).sort_values("mean_net_benefit", ascending=False, kind="stable")
    therapy = pd.Categorical.from_codes(np.repeat(np.arange(T), n), categories=[tid for tid, _ in scenarios])
    long = pd.DataFrame({"therapy": therapy, "draw": np.tile(np.arange(n), T)} | out)
    options = np.column_stack([np.zeros(n), nb.T])
    value = evpi(options)
    employees = scenario.workforce.employees
    means = options.mean(axis=0)
    choice = "cover none" if np.argmax(means) == 0 else scenarios[int(np.argmax(means)) - 1][0]
    return CompareResult(
        draws_n=n, seed=seed, correlated=correlated, horizon_months=bases[0].horizon_months,
        employees=employees, table=table.reset_index(drop=True), draws=long,
        evpi={"total": value, "per_employee": value / employees, "decision": choice},
        p_none_best=float(np.mean(nb.max(axis=0) <= 0)),
    )
