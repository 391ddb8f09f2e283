"""Cost-effectiveness: QALYs gained, cost per QALY, net monetary benefit, threshold price, CEAC.

Conventions (docs/METHODS.md, "Cost-effectiveness")
----------------------------------------------------
* QALYs come from the person-months spent in each pain-impact state with and without the program
  (:mod:`calculator.states`), weighted by the state's SF-6D utility and **discounted like the
  costs**: a month ``m`` is weighted ``(1 + d) ** (-m / 12)``.
* Incremental cost = program cost - the savings counted in a perspective. ``health_plan``: the
  plan's program spend minus medical offsets; ``societal``: program cost (incl. work time) minus
  medical and productivity savings; ``scenario``: the scenario's own perspective (what ``evaluate``
  nets). Costs are discounted (NPV of the monthly flows) for the ratio.
* Cost per QALY = incremental cost / incremental QALYs when both are positive. ``dominant``: more
  QALYs for less (or equal) money; ``dominated``: fewer (or equal) QALYs for more money; ``cheaper,
  fewer QALYs`` (south-west quadrant): the ratio is money saved per QALY lost. The ratio is then
  reported, but only for the south-west quadrant and the north-east quadrant.
* NMB(lambda) = lambda x dQALY - dCost [USD]; a program is cost-effective at lambda when NMB > 0.
* Threshold price per session at lambda: the price that makes NMB(lambda) = 0 (cost is linear in
  the price per session).
* CEAC: for each willingness to pay, the share of Monte Carlo draws in which each option has the
  highest NMB among "cover none" (NMB 0) and every therapy (``p_optimal``), and the share in which
  a therapy's NMB is positive (``p_cost_effective``, against no cover).

Every function is vectorised over draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .evidence import library

__all__ = [
    "THRESHOLD_IDS",
    "thresholds",
    "dominance",
    "cost_per_qaly",
    "net_monetary_benefit",
    "threshold_price",
    "ceac",
    "qaly_burden",
]

#: Parameter rows of the willingness-to-pay values reported (ICER's $50k/$100k/$150k).
THRESHOLD_IDS = ("cea.threshold_low", "cea.threshold_mid", "cea.threshold_high")


def thresholds() -> tuple[float, ...]:
    """Willingness-to-pay values reported everywhere [USD/QALY] (from the parameter library).

    >>> thresholds()
    (50000.0, 100000.0, 150000.0)
    """
    lib = library()
    return tuple(float(lib.value(t)) for t in THRESHOLD_IDS)


def dominance(d_cost: ArrayLike, d_qaly: ArrayLike) -> np.ndarray:
    """Quadrant of the cost-effectiveness plane, as text per draw.

    ``dominant`` (dQ > 0, dC <= 0), ``dominated`` (dQ <= 0, dC >= 0, not both 0), ``ratio``
    (dQ > 0, dC > 0), ``cheaper_fewer_qalys`` (dQ < 0, dC < 0), ``no_difference`` (both 0).

    >>> dominance([-10, 10, 10, -10, 0], [0.1, -0.1, 0.1, -0.1, 0]).tolist()
    ['dominant', 'dominated', 'ratio', 'cheaper_fewer_qalys', 'no_difference']
    """
    c, q = np.broadcast_arrays(np.asarray(d_cost, dtype=float), np.asarray(d_qaly, dtype=float))
    out = np.full(c.shape, "ratio", dtype=object)
    out[(q > 0) & (c <= 0)] = "dominant"
    out[(q <= 0) & (c >= 0)] = "dominated"
    out[(q < 0) & (c < 0)] = "cheaper_fewer_qalys"
    out[(q == 0) & (c == 0)] = "no_difference"
    return out


def cost_per_qaly(d_cost: ArrayLike, d_qaly: ArrayLike) -> np.ndarray:
    """Incremental cost-effectiveness ratio [USD/QALY]; ``nan`` when dominant, dominated or no change.

    Defined in the north-east (more cost, more QALYs) and south-west (less cost, fewer QALYs)
    quadrants only; a ratio elsewhere would mislead (a negative ratio mixes dominant and dominated).

    >>> cost_per_qaly([495.0], [0.041]).round(0).tolist()
    [12073.0]
    >>> bool(np.isnan(cost_per_qaly(-116.0, 0.023)))
    True
    """
    c, q = np.broadcast_arrays(np.asarray(d_cost, dtype=float), np.asarray(d_qaly, dtype=float))
    ok = ((q > 0) & (c > 0)) | ((q < 0) & (c < 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, c / np.where(q != 0, q, 1.0), np.nan)


def net_monetary_benefit(d_cost: ArrayLike, d_qaly: ArrayLike, wtp: ArrayLike) -> np.ndarray:
    """NMB = lambda dQ - dC [USD] (positive = cost-effective at lambda).

    >>> float(net_monetary_benefit(495.0, 0.041, 50_000))
    1555.0
    """
    return np.asarray(wtp, dtype=float) * np.asarray(d_qaly, dtype=float) - np.asarray(d_cost, dtype=float)


def threshold_price(d_cost: ArrayLike, d_qaly: ArrayLike, price: ArrayLike, cost_per_price: ArrayLike,
                    wtp: ArrayLike) -> np.ndarray:
    """Price per session at which NMB(lambda) = 0 [USD/session]; ``nan`` if no price does (<= 0).

    Incremental cost is linear in the price: ``dC(p) = dC - k (price - p)``, ``k`` = d(cost)/d(price)
    (sessions bought x payer share, discounted). So ``p* = price + (lambda dQ - dC) / k``.

    >>> float(threshold_price(100.0, 0.01, 50.0, 10.0, 50_000))
    90.0
    """
    k = np.asarray(cost_per_price, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.asarray(price, dtype=float) + net_monetary_benefit(d_cost, d_qaly, wtp) / np.where(k > 0, k, np.nan)
    return np.where(p > 0, p, np.nan)


def ceac(d_costs: ArrayLike, d_qalys: ArrayLike, wtp: Sequence[float], options: Sequence[str]) -> pd.DataFrame:
    """Cost-effectiveness acceptability curves for several options at once.

    Parameters
    ----------
    d_costs, d_qalys : incremental cost [USD] and QALYs of each option against no cover, shape
        ``(options, draws)``
    wtp : willingness-to-pay values [USD/QALY]
    options : option ids (e.g. therapies)

    Returns a long table: ``wtp``, ``option``, ``p_optimal`` (share of draws in which the option has
    the highest NMB and beats no cover), ``p_cost_effective`` (share with NMB > 0), and one row per
    wtp with ``option = "none"`` (no cover is optimal). ``p_optimal`` sums to 1 over options + none.

    >>> t = ceac([[10.0, -5.0]], [[0.001, 0.001]], [0, 20_000], ["a"])
    >>> t[t.option == "a"].p_optimal.tolist()
    [0.5, 1.0]
    """
    c = np.atleast_2d(np.asarray(d_costs, dtype=float))
    q = np.atleast_2d(np.asarray(d_qalys, dtype=float))
    rows = []
    for lam in wtp:
        nmb = lam * q - c
        best = np.argmax(np.vstack([np.zeros((1, c.shape[1])), nmb]), axis=0) - 1
        for t, opt in enumerate(options):
            rows.append({"wtp": float(lam), "option": opt, "p_optimal": float(np.mean(best == t)),
                         "p_cost_effective": float(np.mean(nmb[t] > 0))})
        rows.append({"wtp": float(lam), "option": "none", "p_optimal": float(np.mean(best == -1)),
                     "p_cost_effective": math.nan})
    return pd.DataFrame(rows)


def qaly_burden(affected: ArrayLike, mix: ArrayLike, utility: ArrayLike) -> np.ndarray:
    """QALYs lost per year to chronic LBP [QALY/yr] = ``n sum_s mix_s (u_none - u_s)``.

    ``mix`` and ``utility`` are over the states (last axis), ``none`` first. The Herman 2019 typical
    mix (25/35/40) and SF-6D weights give 0.125 QALY per person-year (payer-notes §1):

    >>> round(float(qaly_burden(1, [0, .25, .35, .40], [0.806, 0.763, 0.704, 0.610])), 3)
    0.125
    """
    u = np.asarray(utility, dtype=float)
    loss = u[..., :1] - u
    return np.asarray(affected, dtype=float) * np.sum(np.asarray(mix, dtype=float) * loss, axis=-1)
