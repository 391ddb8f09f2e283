"""Small vectorised finance helpers with their conventions written down.

Conventions
-----------
* Cash flows are monthly, month 0 = the first month of the program. Costs and savings are both
  positive numbers; net flow = savings - costs (negative while the program is in the red).
* Discounting: a flow in month ``m`` is worth ``(1 + d) ** (-m / 12)`` today, with ``d`` the
  annual rate. Month 0 is not discounted. **This differs from Excel's ``NPV()``**, which discounts
  the first value by a full period; use ``=first + NPV(rate, rest)`` with a monthly rate
  ``(1+d)^(1/12)-1`` to reproduce it.
* Payback month: the first month (counted from 1) from which the cumulative (undiscounted) net
  cash flow stays at zero or more until the end of the horizon. A program that turns positive and
  then negative again has not paid back at that first crossing. ``nan`` (``None`` in JSON) when the
  cumulative net is negative at the end of the horizon.
* ROI = (savings - costs) / costs on undiscounted totals over the horizon; -1 when nothing is
  saved; ``nan`` when there is no cost.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .arrays import last_axis_cumsum, last_axis_sum, last_axis_weighted_sum

__all__ = ["discount_factors", "npv", "roi", "payback_month", "payback_from_cumulative"]


def discount_factors(n_months: int, annual_rate: ArrayLike) -> np.ndarray:
    """``(1 + d) ** (-m / 12)`` for m = 0..n-1; shape (..., n) [fraction].

    >>> np.round(discount_factors(13, 0.03)[[0, 12]], 4).tolist()
    [1.0, 0.9709]
    """
    m = np.arange(n_months)
    return (1.0 + np.asarray(annual_rate, dtype=float)[..., None]) ** (-m / 12.0)


def npv(net_flows: ArrayLike, annual_rate: ArrayLike) -> np.ndarray:
    """Net present value of monthly flows (last axis = months) [USD].

    >>> float(npv([-100, 50, 60], 0.0))
    10.0
    """
    flows = np.asarray(net_flows, dtype=float)
    df = discount_factors(flows.shape[-1], annual_rate)
    return last_axis_weighted_sum(flows, df) if df.ndim == 1 else last_axis_sum(flows * df)


def roi(savings: ArrayLike, costs: ArrayLike) -> np.ndarray:
    """Return on investment ``(S - C) / C`` [ratio]; ``nan`` where ``C == 0``.

    >>> float(roi(150, 100)), float(roi(0, 100))
    (0.5, -1.0)
    """
    s = np.asarray(savings, dtype=float)
    c = np.asarray(costs, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c > 0, (s - c) / np.where(c > 0, c, 1.0), np.nan)


def payback_month(net_flows: ArrayLike) -> np.ndarray:
    """First month (from 1) after which the cumulative net flow never falls below 0; ``nan`` if none.

    >>> payback_month([-100, 40, 70]).tolist(), bool(np.isnan(payback_month([-1, 0, 0])))
    (3.0, True)
    >>> payback_month([10, -20, 5, 30]).tolist()   # positive in month 1, negative again in month 2
    4.0
    """
    return payback_from_cumulative(last_axis_cumsum(net_flows))


def payback_from_cumulative(cumulative: ArrayLike) -> np.ndarray:
    """:func:`payback_month` from already cumulated net flows (last axis = months).

    A cumulative value within 1e-9 (relative to the largest absolute cumulative value) of zero
    counts as reached, so rounding noise does not move the month.

    >>> payback_from_cumulative([-100, -60, 10]).tolist()
    3.0
    >>> payback_from_cumulative([5, -1, 2]).tolist()
    3.0
    """
    cum = np.asarray(cumulative, dtype=float)
    ok = cum >= -1e-9 * np.maximum(1.0, np.abs(cum).max(axis=-1, keepdims=True))
    n = cum.shape[-1]
    bad = ~ok
    # index of the last month that is still below zero (-1 when none is)
    last_bad = n - 1 - np.argmax(bad[..., ::-1], axis=-1)
    last_bad = np.where(bad.any(axis=-1), last_bad, -1)
    return np.where(ok[..., -1], last_bad + 2.0, np.nan)
