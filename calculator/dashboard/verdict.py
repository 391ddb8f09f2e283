"""The one-sentence plain verdict at the top of the Start, Cost and ROI pages (Compare has its own).

Never a bare ROI: the sentence carries P(ROI > 0) and the 90% interval beside the ROI. Every number
is written by :mod:`calculator.fmt`.

>>> payback_words(6, 12), payback_words(None, 12)
('would pay back in month 6 of 12', 'would not pay back within 12 months')
"""

from __future__ import annotations

from typing import Any

from calculator import library
from calculator.fmt import finite

from . import fmt


def payback_words(month: float | None, horizon: int) -> str:
    if not finite(month):
        return f"would not pay back within {horizon} months"
    return f"would pay back in {fmt.months(month)} of {horizon}"


def cost_clause(scenario: Any, result: Any) -> str:
    b = result.burden
    return (f"Chronic low back pain costs this workforce of {fmt.number(scenario.workforce.employees)} about "
            f"{fmt.money(b.total)} a year ({fmt.money(b.per_employee)} per employee)")


def roi_clause(scenario: Any, result: Any, headline: Any) -> str:
    p = result.program
    therapy = library().therapy(scenario.programs[0].therapy).short_label
    low, high = headline.roi_interval
    roi = fmt.pct(p.roi, signed=True) if p.roi is not None else "n/a"
    return (f"covering {therapy} {payback_words(p.payback_month, p.horizon_months)}: ROI {roi} "
            f"(P(ROI > 0) = {fmt.pct(headline.probability_roi_positive, 0)}, 90% interval "
            f"{fmt.interval(low, high)})")


def sentence(scenario: Any, result: Any, headline: Any) -> str:
    """'Chronic low back pain costs ... a year (...); covering yoga would ...: ROI ... (P(ROI > 0) = ...).'"""
    return f"{cost_clause(scenario, result)}; {roi_clause(scenario, result, headline)}."
