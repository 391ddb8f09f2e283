"""Sums along the last axis (months, or pain-impact states) in a fixed order.

The model's arrays put draws first and months (or states) last, and are stored column-major for
speed (:data:`calculator.program._ORDER`). numpy's own ``sum(axis=-1)`` adds a contiguous row
pairwise but a column-major block column by column, so the same numbers could differ in the last
bits with the layout, or with how many draws (and book groups) share one array. These helpers always
add element 0, then 1, then 2, ... (as ``numpy.cumsum`` does), so a result never depends on either.

>>> last_axis_sum(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).tolist()
[6.0, 15.0]
>>> last_axis_cumsum(np.array([1.0, 2.0, 3.0])).tolist()
[1.0, 3.0, 6.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["last_axis_sum", "last_axis_weighted_sum", "last_axis_cumsum"]


def last_axis_sum(x: ArrayLike) -> np.ndarray:
    """``x.sum(axis=-1)``, added in index order (one vectorised add per element of the last axis)."""
    a = np.asarray(x, dtype=float)
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1])[()]
    out = a[..., 0].copy()
    for i in range(1, a.shape[-1]):
        out += a[..., i]
    return out[()]  # a 1-D input gives a numpy scalar, as numpy's sum does


def last_axis_weighted_sum(x: ArrayLike, w: ArrayLike) -> np.ndarray:
    """``last_axis_sum(x * w)`` for weights ``w`` along the last axis (1-D), without the product array:
    the same products, added in the same order, so the same bits.

    >>> last_axis_weighted_sum(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 0.5])).tolist()
    [2.0, 5.0]
    """
    a = np.asarray(x, dtype=float)
    wt = np.asarray(w, dtype=float)
    if wt.shape != a.shape[-1:]:
        return last_axis_sum(a * wt)
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1])[()]
    out = a[..., 0] * wt[0]
    for i in range(1, a.shape[-1]):
        out += a[..., i] * wt[i]
    return np.asarray(out)[()]


def last_axis_cumsum(x: ArrayLike) -> np.ndarray:
    """``numpy.cumsum(x, axis=-1)`` (same order of additions), keeping ``x``'s memory layout."""
    a = np.asarray(x, dtype=float)
    out = a.copy(order="K")
    for i in range(1, a.shape[-1]):
        out[..., i] += out[..., i - 1]
    return out
