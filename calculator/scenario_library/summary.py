"""What a saved version remembers besides its inputs: headline results and the parameter rows used.

:func:`headline` is the results summary stored with every version and shown in lists and
comparisons: burden, cost, savings, net benefit, ROI with its 90% interval and P(ROI > 0) from
the PSA, NPV, payback month, break-even price and cost per employee per month (PEPM; the
stored key stays ``cost_pmpm`` so summaries saved before still read).
:func:`parameter_snapshot` keeps the value, range and distribution of every parameter-library
row the scenario's inputs come from, so :mod:`.drift` can later say which rows changed.
"""

from __future__ import annotations

import math
from typing import Any

from .. import uncertainty
from ..evidence import Library, library
from ..model import evaluate
from ..scenario import Scenario, field_paths, parameter_id_for_path
from ..uncertainty import DEFAULT_SEED

#: Monte Carlo draws behind a stored P(ROI > 0): its standard error is at most
#: sqrt(0.25 / 2000) = 0.011, enough for a list or a comparison, and a save takes well under a second.
SUMMARY_DRAWS = 2_000
#: The seed of those draws (the calculator's default seed), so the same scenario gives the same P.
SUMMARY_SEED = DEFAULT_SEED

#: (key, label, kind) of every stored result, in display order; kind is money, ratio, prob, month.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("burden_total", "Yearly cost of back pain", "money"),
    ("cost", "Program cost", "money"),
    ("savings", "Savings", "money"),
    ("net_benefit", "Net benefit", "money"),
    ("roi", "ROI", "ratio"),
    ("roi_p5", "ROI, 5th percentile", "ratio"),
    ("roi_p95", "ROI, 95th percentile", "ratio"),
    ("p_roi_positive", "P(ROI > 0)", "prob"),
    ("npv", "NPV", "money"),
    ("payback_month", "Payback month", "month"),
    ("breakeven_price_per_session", "Break-even price per session", "money"),
    ("cost_pmpm", "Program cost per employee per month (PEPM)", "money"),  # per employee, not per member
)


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


def deterministic(scenario: Scenario) -> dict[str, float | None]:
    """The base-case results of the first program (no simulation)."""
    r = evaluate(scenario)
    p = r.program
    return {"burden_total": r.burden.total, "cost": p.cost, "savings": p.savings, "net_benefit": p.net_benefit,
            "roi": _num(p.roi), "npv": p.npv, "payback_month": _num(p.payback_month),
            "breakeven_price_per_session": _num(p.breakeven_price_per_session),
            "cost_pmpm": p.cost_per_employee_per_month}


def roi_uncertainty(scenario: Scenario, draws: int = SUMMARY_DRAWS, seed: int = SUMMARY_SEED) -> dict[str, Any]:
    """P(ROI > 0) and the 90% interval (5th, 95th percentile) of the first program's ROI.

    Uses ``calculator.uncertainty.headline`` (the summary every headline ROI shows) when this
    version has it, else the same numbers from ``calculator.uncertainty.psa``.
    """
    fn = getattr(uncertainty, "headline", None)
    if fn is not None:
        h = fn(scenario, draws, seed)
        lo, hi = h.roi_interval
        return {"roi_p5": _num(lo), "roi_p95": _num(hi), "p_roi_positive": h.probability_roi_positive}
    u = uncertainty.psa(scenario, draws, seed)
    roi = u.summary.set_index("outcome").loc["roi"]
    return {"roi_p5": _num(float(roi["p5"])), "roi_p95": _num(float(roi["p95"])),
            "p_roi_positive": u.probability("roi_positive")}


def headline(scenario: Scenario, draws: int = SUMMARY_DRAWS, seed: int = SUMMARY_SEED) -> dict[str, Any]:
    """The stored results summary of a scenario (first program; PSA with a fixed seed).

    >>> h = headline(Scenario())
    >>> h["therapy"], h["psa_draws"], 0 <= h["p_roi_positive"] <= 1, h["roi_p5"] <= h["roi"] <= h["roi_p95"]
    ('relaxation_massage', 2000, True, True)
    """
    out: dict[str, Any] = deterministic(scenario) | roi_uncertainty(scenario, draws, seed)
    prog = scenario.programs[0]
    out |= {"psa_draws": draws, "psa_seed": seed,
            "therapy": prog.therapy, "therapy_label": library().therapy(prog.therapy).label,
            "employees": scenario.workforce.employees, "horizon_months": scenario.analysis.horizon_months,
            "programs": len(scenario.programs), "parameter_set": library().version}
    return out


def parameter_rows(scenario: Scenario) -> dict[str, list[str]]:
    """Parameter-library row id -> the scenario paths whose default it is (therapy rows follow the therapy)."""
    out: dict[str, list[str]] = {}
    for path in field_paths(scenario):
        pid = parameter_id_for_path(scenario, path)
        if pid is not None:
            out.setdefault(pid, []).append(path)
    return out


def parameter_snapshot(scenario: Scenario, lib: Library | None = None) -> dict[str, dict[str, Any]]:
    """Value, range and distribution of each parameter row the scenario uses, as of ``lib``."""
    lib = lib or library()
    snap = {}
    for pid in parameter_rows(scenario):
        if pid in lib.parameters:
            p = lib.parameters[pid]
            snap[pid] = {"value": p.value, "low": p.low, "high": p.high, "distribution": p.distribution,
                         "dist_params": p.dist_params, "unit": p.unit, "label": p.label}
    return snap
