"""Yearly burden of chronic low back pain on an employer: absenteeism, presenteeism, medical.

All functions are vectorised: arguments may be floats or numpy arrays that broadcast together
(one value per Monte Carlo draw, for example). Money is in the scenario's currency at the
parameter library's price year (`evidence.PRICE_YEAR`), per year.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "hourly_compensation",
    "absence_hours",
    "presenteeism_hours",
    "absenteeism_cost",
    "presenteeism_cost",
    "medical_cost",
]

#: Working days per week, used to express a friction period in days.
WORKDAYS_PER_WEEK = 5


def hourly_compensation(hourly_wage: ArrayLike, benefits_load: ArrayLike) -> np.ndarray:
    """Employer cost of one hour of work [USD/h].

    Parameters
    ----------
    hourly_wage : wages and salaries per hour worked [USD/h]
    benefits_load : total compensation / wages [ratio >= 1]

    Notes
    -----
    ``c = w * L``. BLS ECEC is per hour *worked*, so paid leave sits inside ``L`` and no separate
    sick-pay cost may be added (that would count the same hour twice).

    Examples
    --------
    >>> float(hourly_compensation(31.47, 44.67 / 31.47))
    44.67
    """
    return np.asarray(hourly_wage, dtype=float) * benefits_load


def absence_hours(
    absence_days: ArrayLike,
    hours_per_day: ArrayLike,
    valuation: str = "human_capital",
    friction_period_weeks: ArrayLike = 12.0,
    friction_elasticity: ArrayLike = 1.0,
) -> np.ndarray:
    """Absence hours per affected employee per year that carry a cost [h/yr].

    Notes
    -----
    Human capital: ``h = d * hd``. Friction cost (Koopmanschap 1995): only days inside the friction
    period count, scaled by the elasticity ``e``: ``h = min(d, 5 * F) * hd * e``, where ``F`` is the
    friction period in weeks. With the default 4.45 days per year the cap rarely binds.

    Examples
    --------
    >>> float(absence_hours(4.45, 8))
    35.6
    >>> float(absence_hours(100, 8, "friction_cost", 12, 1.0))
    480.0
    """
    days = np.asarray(absence_days, dtype=float)
    if valuation == "friction_cost":
        days = np.minimum(days, WORKDAYS_PER_WEEK * np.asarray(friction_period_weeks, dtype=float))
        return days * hours_per_day * friction_elasticity
    return days * hours_per_day


def presenteeism_hours(annual_hours: ArrayLike, absence_h: ArrayLike, presenteeism: ArrayLike) -> np.ndarray:
    """Productive hours lost at work per affected employee per year [h/yr].

    Notes
    -----
    ``h_p = (H - h_a) * p``: the attributable loss ``p`` applies only to hours actually worked.

    Examples
    --------
    >>> round(float(presenteeism_hours(2080, 35.6, 0.10)), 2)
    204.44
    """
    return (np.asarray(annual_hours, dtype=float) - absence_h) * presenteeism


def absenteeism_cost(affected: ArrayLike, absence_h: ArrayLike, hourly_comp: ArrayLike,
                     multiplier: ArrayLike = 1.0) -> np.ndarray:
    """Yearly absenteeism cost [USD/yr]: ``n * h_a * c * m`` (``m``: Nicholson 2006 multiplier).

    >>> round(float(absenteeism_cost(81, 35.6, 44.67)), 2)
    128810.41
    """
    return np.asarray(affected, dtype=float) * absence_h * hourly_comp * multiplier


def presenteeism_cost(affected: ArrayLike, presenteeism_h: ArrayLike, hourly_comp: ArrayLike,
                      multiplier: ArrayLike = 1.0) -> np.ndarray:
    """Yearly presenteeism cost [USD/yr]: ``n * h_p * c`` (multiplier only if the user opts in)."""
    return np.asarray(affected, dtype=float) * presenteeism_h * hourly_comp * multiplier


def medical_cost(affected: ArrayLike, medical_excess: ArrayLike) -> np.ndarray:
    """Yearly excess medical cost [USD/yr]: ``n * m_x``."""
    return np.asarray(affected, dtype=float) * medical_excess
