"""Pain-impact states: the one population every burden and every therapy effect is defined on.

The workforce is people without chronic low back pain (``none``) and people with low-, moderate- or
high-impact chronic LBP (the grading of Herman 2019, Dahlhamer 2018 and von Korff). Each state has
its own absence hours, attributable presenteeism, back-related medical cost and utility weight, all
parameter rows (``state.<quantity>.<state>`` in ``calculator/data/parameters.csv``) with source,
range and distribution. The default mix of the three chronic states is
``condition.impact_mix.{low,moderate,high}`` (Herman 2019: 25/35/40).

A therapy acts by moving *responders* to a lighter state (:data:`DESTINATION`): high -> low and
moderate -> low; low-impact pain is not assumed to resolve. The share of completers who respond at the peak is
``min(1, effect_size x translation.response_per_point x effect_multiplier x dose)`` and follows the
therapy's ramp-and-decay profile over time (docs/METHODS.md, "Pain-impact states").

Public interface (stable; issue 11 builds on it):

* :data:`STATES`, :data:`CHRONIC`, :data:`DESTINATION`
* :func:`state_values` -> :class:`StateValues` (per-state arrays, index order = :data:`STATES`)
* :func:`default_mix`, :func:`mix_vector` (a 4-vector over :data:`STATES`, ``none`` = 0)
* :func:`responder_shift` (change in state shares when every member of a mix responds)
* :func:`qalys` (QALYs from person-months in each state)

>>> STATES
('none', 'low', 'moderate', 'high')
>>> state_values().utility.round(3).tolist()
[0.806, 0.763, 0.704, 0.61]
>>> responder_shift(default_mix()).round(2).tolist()
[0.0, 0.75, -0.35, -0.4]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .arrays import last_axis_sum
from .evidence import Library, library

__all__ = [
    "STATES",
    "CHRONIC",
    "DESTINATION",
    "StateValues",
    "state_values",
    "state_parameter_ids",
    "default_mix",
    "mix_vector",
    "responder_shift",
    "component_shares",
    "qalys",
    "responder_qalys",
]

#: Pain-impact states, lightest first. Arrays over states use this order (last axis).
STATES: tuple[str, ...] = ("none", "low", "moderate", "high")
#: The three chronic LBP states (the impact mix is over these).
CHRONIC: tuple[str, ...] = STATES[1:]
#: Where a responder goes: high impact (activity limitation) and moderate impact (high pain) -> low
#: impact. Low-impact pain is not assumed to resolve: a function (RDQ) gain lifts limitation and
#: high pain, it does not cure (docs/METHODS.md, "Pain-impact states").
DESTINATION: dict[str, str] = {"moderate": "low", "high": "low"}
#: Tolerance for the impact mix summing to 1.
MIX_TOL = 1e-6

_QUANTITIES = ("absence_hours", "presenteeism", "medical", "utility")


@dataclass(frozen=True)
class StateValues:
    """Per-state values in :data:`STATES` order (shape ``(4,)`` each).

    absence_hours : gross absence [h/yr]; attributable = minus the ``none`` value
    presenteeism : attributable at-work loss [fraction of hours worked]; ``none`` = 0
    medical : back-related medical cost, allowed amount, all payers [USD/yr, library price year]
    utility : SF-6D utility weight [0-1]
    """

    absence_hours: np.ndarray
    presenteeism: np.ndarray
    medical: np.ndarray
    utility: np.ndarray

    @property
    def absence_excess_hours(self) -> np.ndarray:
        """Absence attributable to chronic LBP: each state minus the no-pain state [h/yr]."""
        return self.absence_hours - self.absence_hours[0]


def state_parameter_ids(quantity: str) -> tuple[str | None, ...]:
    """Parameter ids of one quantity in :data:`STATES` order (``None`` where the value is 0 by
    definition: no presenteeism attributable to chronic LBP without it).

    >>> state_parameter_ids("utility")[0]
    'state.utility.none'
    """
    if quantity not in _QUANTITIES:
        raise ValueError(f"unknown state quantity {quantity!r}; known: {', '.join(_QUANTITIES)}")
    return tuple(None if (quantity == "presenteeism" and s == "none") else f"state.{quantity}.{s}"
                 for s in STATES)


def state_values(lib: Library | None = None) -> StateValues:
    """The library's per-state values (base case)."""
    lib = lib or library()
    vals = {q: np.array([0.0 if pid is None else lib.value(pid) for pid in state_parameter_ids(q)])
            for q in _QUANTITIES}
    return StateValues(**vals)


def mix_vector(low: ArrayLike, moderate: ArrayLike, high: ArrayLike) -> np.ndarray:
    """Shares over :data:`STATES` (last axis) from the three chronic shares; ``none`` = 0.

    Raises ``ValueError`` naming ``condition.impact_mix`` unless the shares are in [0, 1] and sum to 1.

    >>> mix_vector(0, 0, 1).tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    if all(isinstance(x, float | int) and not isinstance(x, bool) for x in (low, moderate, high)):
        return _scalar_mix(float(low), float(moderate), float(high))  # the model's case: one mix, no arrays
    parts = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (low, moderate, high)))
    total = parts[0] + parts[1] + parts[2]
    if any(np.any((p < 0) | (p > 1)) for p in parts) or np.any(np.abs(total - 1.0) > MIX_TOL):
        raise ValueError("condition.impact_mix: low, moderate and high must each lie in 0 to 1 and "
                         f"sum to 1 (got a sum of {np.round(total, 6).tolist()})")
    return np.stack([np.zeros_like(parts[0]), *parts], axis=-1)


def _scalar_mix(low: float, moderate: float, high: float) -> np.ndarray:
    """:func:`mix_vector` of three numbers (same checks, same message), without numpy's per-call cost."""
    total = low + moderate + high
    if any(p < 0 or p > 1 for p in (low, moderate, high)) or abs(total - 1.0) > MIX_TOL:
        raise ValueError("condition.impact_mix: low, moderate and high must each lie in 0 to 1 and "
                         f"sum to 1 (got a sum of {np.round(total, 6).tolist()})")
    return np.array([0.0, low, moderate, high])


_DEFAULT_MIX: dict[int, tuple[Library, np.ndarray]] = {}


def default_mix(lib: Library | None = None) -> np.ndarray:
    """The library's impact mix as a 4-vector over :data:`STATES` (computed once per library)."""
    lib = lib or library()
    hit = _DEFAULT_MIX.get(id(lib))
    if hit is None or hit[0] is not lib:
        mix = mix_vector(*(lib.value(f"condition.impact_mix.{s}") for s in CHRONIC))
        mix.setflags(write=False)
        hit = _DEFAULT_MIX[id(lib)] = (lib, mix)
    return hit[1]


def responder_shift(mix: ArrayLike) -> np.ndarray:
    """Change in state shares if every member of ``mix`` responds (moves to :data:`DESTINATION`).

    Shape of ``mix`` (last axis = states); the result sums to 0 over states. Multiply by the
    responder share (0-1) for a partial response.
    """
    m = np.asarray(mix, dtype=float)
    out = np.zeros_like(m)
    for s, dest in DESTINATION.items():
        i, j = STATES.index(s), STATES.index(dest)
        out[..., i] -= m[..., i]
        out[..., j] += m[..., i]
    return out


def component_shares(mix: ArrayLike, per_state_cost: ArrayLike) -> np.ndarray:
    """Share of a component's burden (mix-weighted ``per_state_cost``) that a full response removes.

    ``phi = -(shift . cost) / (mix . cost)``; 0 where the burden is 0. ``per_state_cost`` is the
    attributable cost per state (``none`` = 0).

    >>> v = state_values()
    >>> round(float(component_shares(default_mix(), v.absence_excess_hours)), 3)
    0.794
    """
    m = np.asarray(mix, dtype=float)
    c = np.asarray(per_state_cost, dtype=float)
    burden = last_axis_sum(m * c)
    saved = -last_axis_sum(responder_shift(m) * c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(burden > 0, saved / np.where(burden > 0, burden, 1.0), 0.0)


def responder_qalys(responder_months: ArrayLike, mix: ArrayLike, utility: ArrayLike | None = None,
                    discount_factor: ArrayLike | None = None) -> np.ndarray:
    """QALYs a program adds: :func:`qalys` of ``responder_months[..., None] * responder_shift(mix)``
    without building that ``(..., H, 4)`` array (the shift's utility gain is one number per mix).

    ``responder_months`` (shape ``(..., H)``): responders in each month (person-months per month);
    ``mix`` over :data:`STATES` (last axis).

    >>> m, mix = np.full((2, 12), 0.5), default_mix()
    >>> bool(np.allclose(responder_qalys(m, mix), qalys(m[..., None] * responder_shift(mix))))
    True
    """
    u = state_values().utility if utility is None else np.asarray(utility, dtype=float)
    gain = np.sum(responder_shift(mix) * u, axis=-1)  # utility gained per responder-month (x 12)
    per_month = np.asarray(responder_months, dtype=float) * np.asarray(gain)[..., None]
    if discount_factor is not None:
        per_month = per_month * np.asarray(discount_factor, dtype=float)
    return last_axis_sum(per_month) / 12.0


def qalys(state_months: ArrayLike, utility: ArrayLike | None = None,
          discount_factor: ArrayLike | None = None) -> np.ndarray:
    """QALYs from person-months per state: ``sum(months x utility x df) / 12``.

    ``state_months`` has months on the second-to-last axis and states on the last (``(..., H, 4)``),
    e.g. ``simulate(...)["state_months_delta"]`` for the QALYs a program adds. ``discount_factor``
    (shape ``(..., H)``) discounts each month like the costs.

    >>> qalys(np.full((12, 4), [0, 0, 0, 1.0])).round(3).tolist()
    0.61
    """
    sm = np.asarray(state_months, dtype=float)
    u = state_values().utility if utility is None else np.asarray(utility, dtype=float)
    per_month = np.sum(sm * u, axis=-1)
    if discount_factor is not None:
        per_month = per_month * np.asarray(discount_factor, dtype=float)
    return np.sum(per_month, axis=-1) / 12.0
