"""Drift: re-run a saved scenario under the current parameter library and attribute every change.

A saved version keeps the value, range and distribution of each parameter-library row its inputs
came from (:func:`.summary.parameter_snapshot`). An input *follows* its row when its saved value
equals the row's value at save time (or, for a therapy field left empty, the catalogue value):
the user did not change it, so under today's library it takes today's value. Inputs the user set
keep their value, and the rows behind them are listed as changed-but-not-used.

Attribution is sequential: starting from the saved scenario with every input explicit, the rows
whose value changed are applied one at a time in parameter-table order; each row's effect is the
change in each result when it is applied, so the row effects add up exactly to the total change.
A residual row "calculation changes" is the difference between the stored results and the saved
scenario re-run today with its old values (non-zero only when the model code itself changed).
Range or distribution changes do not move the base case; they are listed and show up in
P(ROI > 0), which is re-estimated with the stored seed and number of draws.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..evidence import Library, library
from ..scenario import Scenario, ScenarioError, apply_sets, get_path
from .db import LibraryError
from .records import SavedScenario
from .summary import METRICS, SUMMARY_DRAWS, SUMMARY_SEED, deterministic, parameter_rows, roi_uncertainty

#: Results attributed row by row (the deterministic ones; P(ROI > 0) and the interval need a PSA).
ATTRIBUTED = ("burden_total", "cost", "savings", "net_benefit", "roi", "npv", "payback_month",
              "breakeven_price_per_session", "cost_pmpm")
_ROW_FIELDS = ("value", "low", "high", "distribution", "dist_params")


@dataclass(frozen=True)
class Drift:
    """What changed for one saved version. ``rows``: one line per parameter row that changed;
    ``results``: each result saved / now / change; ``attribution``: result change per row."""

    name: str
    version: int
    saved_parameter_set: str
    current_parameter_set: str
    rows: pd.DataFrame
    results: pd.DataFrame
    attribution: pd.DataFrame
    scenario_now: Scenario = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(len(self.rows)) or bool(self.results["changed"].any())

    def to_dict(self) -> dict[str, Any]:
        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(df.to_json(orient="records"))
        return {"name": self.name, "version": self.version, "saved_parameter_set": self.saved_parameter_set,
                "current_parameter_set": self.current_parameter_set, "changed": self.changed,
                "parameter_rows": recs(self.rows), "results": recs(self.results),
                "attribution": recs(self.attribution), "notes": list(self.notes)}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)
    return a == b


def _row_changes(saved: dict[str, Any], lib: Library, pid: str) -> list[str]:
    if pid not in lib.parameters:
        return ["removed from the library"]
    p = lib.parameters[pid]
    return [f"{f} {saved.get(f)!r} -> {getattr(p, f)!r}" if f in ("distribution", "dist_params")
            else f"{f} {saved.get(f):g} -> {getattr(p, f):g}"
            for f in _ROW_FIELDS if f in saved and not _same(saved.get(f), getattr(p, f))]


def _followers(s: Scenario, rows: dict[str, list[str]], snap: dict[str, dict]) -> dict[str, list[str]]:
    """Paths (per row) whose saved value is the row's saved value, i.e. the user left them at default."""
    out: dict[str, list[str]] = {}
    for pid, paths in rows.items():
        if pid in snap:
            out[pid] = [p for p in paths if get_path(s, p) is None or _same(get_path(s, p), snap[pid]["value"])]
    return out


def _set(s: Scenario, sets: list[tuple[str, Any]]) -> Scenario:
    return apply_sets(s, [(p, json.dumps(v)) for p, v in sets]) if sets else s


def _typed(s: Scenario, path: str, value: float) -> Any:
    cur = get_path(s, path)
    return int(round(value)) if isinstance(cur, int) and not isinstance(cur, bool) else float(value)


def drift(saved: SavedScenario, lib: Library | None = None, *, uncertainty: bool = True) -> Drift:
    """Re-run ``saved`` under ``lib`` (default: the current library) and attribute the changes."""
    lib = lib or library()
    s0 = saved.scenario
    snap = saved.parameters
    notes: list[str] = []
    if snap is None:
        notes.append("This version was saved before the library kept parameter rows (schema revision 0002), "
                     "so the change is shown as a total only.")
        snap = {}
    rows = parameter_rows(s0)
    follow = _followers(s0, rows, snap)
    try:
        base = _set(s0, [(p, _typed(s0, p, snap[pid]["value"])) for pid, ps in follow.items() for p in ps])
    except ScenarioError as err:
        raise LibraryError(f"{saved.name!r} cannot be re-run: {err}") from None
    table, steps, cur = [], [], base
    prev = deterministic(base)
    for pid in [p for p in lib.parameters if p in snap] + [p for p in snap if p not in lib.parameters]:
        what = _row_changes(snap[pid], lib, pid)
        if not what:
            continue
        used = follow.get(pid, [])
        new_val = lib.parameters[pid].value if pid in lib.parameters else snap[pid]["value"]
        value_changed = not _same(new_val, snap[pid]["value"])
        effect = {}
        if value_changed and used:
            try:
                cur = _set(cur, [(p, _typed(cur, p, new_val)) for p in used])
            except ScenarioError as err:
                raise LibraryError(f"{saved.name!r} cannot take the new value of {pid}: {err}") from None
            now = deterministic(cur)
            effect = {k: _delta(now[k], prev[k]) for k in ATTRIBUTED}
            prev = now
            steps.append({"parameter": pid} | effect)
        table.append({"parameter": pid, "label": snap[pid].get("label", pid), "change": "; ".join(what),
                      "used_by": ", ".join(used) if used else "",
                      "applies": ("value used" if value_changed and used else
                                  "you set your own value" if value_changed else "range/distribution only"),
                      "net_benefit_effect": effect.get("net_benefit"), "roi_effect": effect.get("roi")})
    results = _results(saved, base, cur, uncertainty)
    attribution = _attribution(saved, base, steps)
    return Drift(saved.name, saved.version, saved.parameter_set, lib.version,
                 pd.DataFrame(table, columns=["parameter", "label", "change", "used_by", "applies",
                                              "net_benefit_effect", "roi_effect"]),
                 results, attribution, cur, tuple(notes))


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _results(saved: SavedScenario, base: Scenario, now_s: Scenario, uncertainty: bool) -> pd.DataFrame:
    now: dict[str, Any] = deterministic(now_s)
    if uncertainty:
        now |= roi_uncertainty(now_s, int(saved.summary.get("psa_draws", SUMMARY_DRAWS)),
                               int(saved.summary.get("psa_seed", SUMMARY_SEED)))
    rows = []
    for key, label, kind in METRICS:
        if key not in now:
            continue
        old = saved.summary.get(key)
        rows.append({"result": key, "label": label, "kind": kind, "saved": old, "now": now[key],
                     "change": _delta(now[key], old),  # None when either is None (e.g. never pays back)
                     "changed": not (old is None and now[key] is None
                                     or old is not None and now[key] is not None and _same(old, now[key]))})
    return pd.DataFrame(rows)


def _attribution(saved: SavedScenario, base: Scenario, steps: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows: 'calculation changes' (stored vs re-run with old values), then one per parameter row."""
    rerun = deterministic(base)
    resid = {"parameter": "calculation changes"} | {k: _delta(rerun[k], saved.summary.get(k)) for k in ATTRIBUTED}
    out = pd.DataFrame([resid, *steps], columns=["parameter", *ATTRIBUTED])
    return out.astype(dict.fromkeys(ATTRIBUTED, float))  # None (e.g. no payback either way) -> NaN
