"""A therapy's effect over time: linear ramp during the course, peak at its end, exponential decay.

The profile is a fraction of the end-of-course (peak) effect, 0..1. Vectorised over time and
over parameters.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["WEEKS_PER_MONTH", "effect_profile", "month_midpoints_weeks"]

#: 52 weeks / 12 months.
WEEKS_PER_MONTH = 52.0 / 12.0


def effect_profile(
    t_weeks: ArrayLike,
    course_weeks: ArrayLike,
    decay_per_week: ArrayLike,
    booster_interval_weeks: ArrayLike = 0.0,
) -> np.ndarray:
    """Fraction of the peak effect present ``t`` weeks after the course starts [fraction 0-1].

    Parameters
    ----------
    t_weeks : time since the start of the course [weeks]
    course_weeks : course length T [weeks]; the effect peaks at its end
    decay_per_week : decay rate k after the course [1/week]
    booster_interval_weeks : B, a booster course every B weeks restores the peak [weeks]; 0 = none

    Notes
    -----
    ``E(t) = 0`` for ``t < 0``; ``t / T`` for ``0 <= t < T`` (ramp); ``exp(-k (t - r))`` for
    ``t >= T``, where ``r`` is the latest of ``T`` and the last booster time ``floor(t/B) B``.
    Massage default k = 0.0235/week (Sherman 2011 yoga retention; Cherkin 2011: benefit present at
    26 weeks, small or not significant at 52) keeps 69% at 26 weeks and 37% at 52.

    Examples
    --------
    >>> np.round(effect_profile([0, 5, 10, 26, 52], 10, 0.0235), 3).tolist()
    [0.0, 0.5, 1.0, 0.687, 0.373]
    """
    t = np.asarray(t_weeks, dtype=float)
    T = np.asarray(course_weeks, dtype=float)
    k = np.asarray(decay_per_week, dtype=float)
    B = np.asarray(booster_interval_weeks, dtype=float)
    safe_B = np.where(B > 0, B, 1.0)
    last_boost = np.where(B > 0, np.floor(np.maximum(t, 0) / safe_B) * safe_B, 0.0)
    reset = np.maximum(T, last_boost)
    ramp = np.clip(t / np.where(T > 0, T, 1.0), 0.0, 1.0)
    # column-major like the program model's (draws, months) arrays (calculator.program._ORDER): each
    # month one contiguous run of draws; the values do not depend on the layout
    decay = np.exp(np.multiply(-k, np.maximum(t - reset, 0.0), order="F"))
    profile = np.where(t < T, ramp, decay)
    return np.where(t < 0, 0.0, profile) if np.any(t < 0) else profile


def month_midpoints_weeks(horizon_months: int) -> np.ndarray:
    """Mid-point of each month in weeks since the program start (months 0..H-1)."""
    return (np.arange(horizon_months) + 0.5) * WEEKS_PER_MONTH
