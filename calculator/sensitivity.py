"""Deterministic sensitivity: what drives the answer (tornado), and where the program breaks even.

* :func:`one_way_table` - the generic one-way analysis: any vectorised model, each input at its low
  and high with the others at base, all rows evaluated in one call; sorted by swing.
* :func:`one_way` - the same for a scenario: every input in use whose range is not a point (the
  parameter library's low/high, moved with a user-changed value as in
  :func:`calculator.uncertainty.uncertainty_table`), outcome ROI, net benefit or NPV.
* :func:`two_way` - a grid over two inputs (default uptake x effect size; also price per session x
  effect size) with ROI, net benefit and NPV at every node; :func:`break_even` - the break-even
  contour (outcome = 0) interpolated along the y axis of that grid.

Scenario presets (conservative / base / optimistic) live with every other named source of values
in :mod:`calculator.presets`; the names below are re-exported from there for older imports.

Every chart is a table first: the figures in :mod:`calculator.charts_uncertainty` draw these
tables and add no numbers of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .model import build_inputs
from .presets import apply_scenario_preset, compare_presets, preset_names, preset_overrides, scenario_presets
from .scenario import Scenario
from .uncertainty import UncertaintyError, _evaluate, resolve_inputs, uncertainty_table

__all__ = [
    "OUTCOMES",
    "DEFAULT_TWO_WAY",
    "SensitivityError",
    "one_way_table",
    "one_way",
    "two_way",
    "break_even",
    "scenario_presets",
    "preset_names",
    "apply_scenario_preset",
    "preset_overrides",
    "compare_presets",
]

#: Outcomes a sensitivity analysis can report.
OUTCOMES = ("roi", "net_benefit", "npv")
#: The two-way maps the dashboard shows first: (x, y) input names.
DEFAULT_TWO_WAY = (("uptake", "effect_size"), ("price_per_session", "effect_size"))
#: Most grid points per axis of a two-way map.
MAX_GRID = 201


class SensitivityError(UncertaintyError):
    """Bad input to a sensitivity analysis (names the argument and what is allowed)."""


def _check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise SensitivityError(f"unknown outcome {outcome!r}; choose one of: {', '.join(OUTCOMES)}")
    return outcome


def one_way_table(model: Callable[[dict[str, np.ndarray]], np.ndarray], base: Mapping[str, float],
                  ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One-way sensitivity of any vectorised model.

    Parameters
    ----------
    model : takes ``{input: array (m,)}`` (every input in ``ranges``) and returns the outcome,
        shape ``(m,)``; it is called once with ``m = 1 + 2 k`` rows (base, then each input low/high)
    base : base value of every input in ``ranges``
    ranges : ``{input: (low, high)}``

    Returns
    -------
    DataFrame with input, value, low, high, base_outcome, outcome_low, outcome_high and
    swing = |outcome_high - outcome_low|, sorted by swing (largest first).

    Examples
    --------
    A linear model's swing is |slope| x (high - low):

    >>> f = lambda c: 3 * c["a"] - 2 * c["b"]
    >>> one_way_table(f, {"a": 1, "b": 1}, {"a": (0, 2), "b": (0, 5)})[["input", "swing"]].values.tolist()
    [['b', 10.0], ['a', 6.0]]
    """
    names = list(ranges)
    if not names:
        raise SensitivityError("one-way sensitivity needs at least one input with a range")
    m = 1 + 2 * len(names)
    cols = {k: np.full(m, float(base[k])) for k in names}
    for j, k in enumerate(names):
        lo, hi = ranges[k]
        cols[k][1 + 2 * j], cols[k][2 + 2 * j] = float(lo), float(hi)
    y = np.asarray(model(cols), dtype=float)
    if y.shape != (m,):
        raise SensitivityError(f"the model returned shape {y.shape}, expected ({m},)")
    lo_y, hi_y = y[1::2], y[2::2]
    df = pd.DataFrame({
        "input": names, "value": [float(base[k]) for k in names],
        "low": [float(ranges[k][0]) for k in names], "high": [float(ranges[k][1]) for k in names],
        "base_outcome": y[0], "outcome_low": lo_y, "outcome_high": hi_y, "swing": np.abs(hi_y - lo_y),
    })
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _model(scenario: Scenario, program_index: int, outcome: str) -> Callable:
    base = build_inputs(scenario, program_index)

    def model(cols: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(cols.values())))
        return _evaluate(base, cols, n)[0][outcome]

    return model


def one_way(scenario: Scenario, outcome: str = "roi", *, program_index: int = 0,
            inputs: Iterable[str] | str | None = None, fixed: Iterable[str] | str = ()) -> pd.DataFrame:
    """Tornado table: each input in use at its low and high, the others at the scenario's values.

    Parameters
    ----------
    scenario : the validated scenario
    outcome : "roi" [ratio], "net_benefit" or "npv" [USD over the horizon]
    program_index : which program
    inputs : restrict to these inputs (names or scenario paths); default every input in use whose
        low/high range is not a single point
    fixed : inputs left out (held at the scenario's value), as in :func:`calculator.uncertainty.psa`

    Returns
    -------
    :func:`one_way_table` plus path, parameter, label, unit, outcome and ``sampled`` (also drawn
    in the Monte Carlo analysis), sorted by swing.
    """
    _check_outcome(outcome)
    spec = uncertainty_table(scenario, program_index, fixed).set_index("input")
    usable = spec[spec["in_use"] & ~spec["fixed_by_user"]]
    if inputs is None:
        names = [k for k, r in usable.iterrows() if r["range_low"] < r["range_high"]]
    else:
        try:
            names = resolve_inputs(inputs, usable.index, program_index, what="parameter")
        except UncertaintyError as err:
            raise SensitivityError(str(err)) from None
    ranges = {k: (spec.at[k, "range_low"], spec.at[k, "range_high"]) for k in names}
    df = one_way_table(_model(scenario, program_index, outcome), spec["value"].to_dict(), ranges)
    meta = spec.loc[df["input"], ["path", "parameter", "label", "unit", "sampled"]].reset_index(drop=True)
    out = pd.concat([df, meta], axis=1)
    out.insert(1, "outcome", outcome)
    return out


def _axis(spec: pd.DataFrame, name: str, given: tuple[float, float] | None) -> tuple[float, float]:
    lo_ok, hi_ok = spec.at[name, "min_allowed"], spec.at[name, "max_allowed"]
    if given is not None:
        lo, hi = map(float, given)
        if not (lo_ok <= lo < hi <= hi_ok):
            raise SensitivityError(f"range of {name} must satisfy {lo_ok:g} <= low < high <= {hi_ok:g}, "
                                   f"got {lo:g} to {hi:g}")
        return lo, hi
    lo, hi = spec.at[name, "range_low"], spec.at[name, "range_high"]
    if lo == hi:  # your value has no range: the library's range, else half to 1.5 times the value
        v = spec.at[name, "value"]
        lo, hi = spec.at[name, "low"], spec.at[name, "high"]
        if lo == hi:
            lo, hi = max(lo_ok, 0.5 * v), min(hi_ok, 1.5 * v)
    if not lo < hi:
        raise SensitivityError(f"{name} has no range to map; give its range explicitly")
    return float(lo), float(hi)


def _break_even_value(model: Callable, n_name: str, value: float, lo: float, hi: float,
                      lo_ok: float, hi_ok: float) -> float | None:
    """The value of one input at which net benefit crosses 0 nearest its base (scan, then interpolate)."""
    top = min(hi_ok, 10 * max(hi, abs(value), 1e-9))  # search up to 10x the plausible range
    xs = np.linspace(max(lo_ok, 0.0) if lo_ok >= 0 else lo_ok, top, 2001)
    y = model({n_name: xs})
    s = np.sign(y)
    idx = np.nonzero(s[:-1] * s[1:] < 0)[0]
    if idx.size == 0:
        return None
    roots = xs[idx] - y[idx] * (xs[idx + 1] - xs[idx]) / (y[idx + 1] - y[idx])
    return float(roots[np.argmin(np.abs(roots - value))])


def two_way(scenario: Scenario, param_x: str = "uptake", param_y: str = "effect_size",
            grid: int | tuple[Sequence[float], Sequence[float]] = 21, *, program_index: int = 0,
            x_range: tuple[float, float] | None = None,
            y_range: tuple[float, float] | None = None) -> pd.DataFrame:
    """Two-way map: ROI, net benefit and NPV on a grid of two inputs.

    Parameters
    ----------
    param_x, param_y : input names or scenario paths (default uptake x effect size)
    grid : points per axis (2-201), or the two axes' values ``(xs, ys)``
    x_range, y_range : the axes' spans; default each input's low-high range (for a value without
        a range, such as one you set to 0, the library's range, else half to 1.5 times the value),
        the y span widened, when needed, to include the value at which the base case breaks even

    Returns
    -------
    Long DataFrame: param_x, param_y, x, y, roi, net_benefit, npv (one row per grid node, x
    outer, y inner). :func:`break_even` turns it into the contour.
    """
    spec = uncertainty_table(scenario, program_index).set_index("input")
    usable = [k for k in spec.index if spec.at[k, "in_use"]]
    try:
        names = resolve_inputs([param_x, param_y], usable, program_index, what="parameter")
    except UncertaintyError as err:
        raise SensitivityError(str(err)) from None
    if len(names) < 2:
        raise SensitivityError(f"param_x and param_y must be two different inputs, both are {names[0]!r}")
    nx, ny = names
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, bool):
        if not 2 <= grid <= MAX_GRID:
            raise SensitivityError(f"grid must be between 2 and {MAX_GRID} points per axis, got {grid}")
        xlo, xhi = _axis(spec, nx, x_range)
        ylo, yhi = _axis(spec, ny, y_range)
        if y_range is None:
            nb = _model(scenario, program_index, "net_benefit")
            be = _break_even_value(nb, ny, spec.at[ny, "value"], ylo, yhi,
                                   spec.at[ny, "min_allowed"], spec.at[ny, "max_allowed"])
            if be is not None and not ylo <= be <= yhi:
                pad = 0.1 * (yhi - ylo)
                ylo = max(spec.at[ny, "min_allowed"], min(ylo, be - pad))
                yhi = min(spec.at[ny, "max_allowed"], max(yhi, be + pad))
        xs, ys = np.linspace(xlo, xhi, int(grid)), np.linspace(ylo, yhi, int(grid))
    else:
        try:
            xs, ys = (np.asarray(a, dtype=float) for a in grid)
        except (TypeError, ValueError):
            raise SensitivityError("grid must be a number of points or a pair (xs, ys) of number lists") from None
        if xs.ndim != 1 or ys.ndim != 1 or not 1 <= xs.size <= MAX_GRID or not 1 <= ys.size <= MAX_GRID:
            raise SensitivityError(f"grid axes must be lists of 1 to {MAX_GRID} numbers")
        for name, a in ((nx, xs), (ny, ys)):
            lo_ok, hi_ok = spec.at[name, "min_allowed"], spec.at[name, "max_allowed"]
            if not np.all(np.isfinite(a)) or a.min() < lo_ok or a.max() > hi_ok:
                raise SensitivityError(f"grid values of {name} must lie in {lo_ok:g} to {hi_ok:g}")
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    out, _ = _evaluate(build_inputs(scenario, program_index), {nx: X.ravel(), ny: Y.ravel()}, X.size)
    return pd.DataFrame({"param_x": nx, "param_y": ny, "x": X.ravel(), "y": Y.ravel(),
                         "roi": out["roi"], "net_benefit": out["net_benefit"], "npv": out["npv"]})


def break_even(grid: pd.DataFrame, outcome: str = "net_benefit") -> pd.DataFrame:
    """Break-even contour of a :func:`two_way` grid: for each x, the y values where outcome = 0.

    Linear interpolation between neighbouring grid nodes along y. ROI is 0 exactly where net
    benefit is 0 (when there is a cost), and net benefit is linear in the price per session and in
    the effect size (until a cost component would be cut by more than 100%), so interpolating net
    benefit (the default) is exact on those axes; interpolating the ratio ROI is only approximate.
    Columns: x, y. No row for an x whose column never crosses 0.

    >>> g = pd.DataFrame({"x": [0, 0, 1, 1], "y": [0, 2, 0, 2], "net_benefit": [-1, 1, -1, -0.5]})
    >>> break_even(g).values.tolist()
    [[0.0, 1.0]]
    """
    _check_outcome(outcome)
    rows = []
    for x, col in grid.sort_values(["x", "y"]).groupby("x", sort=True):
        y, v = col["y"].to_numpy(float), col[outcome].to_numpy(float)
        for i in range(len(y) - 1):
            a, b = v[i], v[i + 1]
            if not (np.isfinite(a) and np.isfinite(b)):
                continue
            if a == 0:
                rows.append((float(x), float(y[i])))
            elif a * b < 0:
                rows.append((float(x), float(y[i] - a * (y[i + 1] - y[i]) / (b - a))))
        if len(v) and v[-1] == 0:
            rows.append((float(x), float(y[-1])))
    return pd.DataFrame(rows, columns=["x", "y"])
