"""Side-by-side comparison of 2-4 scenarios: which inputs differ, and the key results.

Tables first (the chart in :mod:`calculator.charts_library` and the XLSX/PDF in
:mod:`calculator.export.compare` only present them). Results are computed now, under the current
parameter library, with the same PSA seed and draws for every scenario, so the columns are
comparable; each saved version's own drift is shown separately (:mod:`.drift`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..evidence import library
from ..model import build_inputs
from ..scenario import _SECTION_MODELS, THERAPY_FIELDS, Scenario, field_paths, get_path, parameter_id_for_path
from .db import LibraryError
from .summary import METRICS, SUMMARY_DRAWS, SUMMARY_SEED, headline

MIN_COMPARE, MAX_COMPARE = 2, 4
_SKIP = {"schema_version", "parameter_set", "name"}


@dataclass(frozen=True)
class Comparison:
    """``inputs``: path, label, one column per scenario, ``differs``. ``results``: result, label,
    kind, one column per scenario. ``names``: the column names, in order."""

    names: tuple[str, ...]
    inputs: pd.DataFrame
    results: pd.DataFrame
    parameter_set: str
    draws: int
    seed: int

    @property
    def differences(self) -> pd.DataFrame:
        return self.inputs[self.inputs["differs"]].reset_index(drop=True)


def field_label(s: Scenario, path: str) -> str:
    """Plain words for a path: the parameter row's label, else the schema's description."""
    parts = path.split(".")
    pid = parameter_id_for_path(s, path) if len(parts) > 1 else None
    if pid is not None:
        label = library().parameter(pid).label
        if parts[0] == "programs" and parts[2] in THERAPY_FIELDS:
            label = label.split(":", 1)[-1].strip() if ":" in label else label
    elif parts[-1] == "therapy":
        label = "Therapy"
    else:
        model = _SECTION_MODELS.get(parts[0])
        info = model.model_fields.get(parts[-1]) if model is not None else None
        label = (info.description or parts[-1]).split(" [")[0].split(";")[0].split("(")[0].strip() if info else path
    if parts[0] == "programs" and parts[1] != "0":
        label += f" (program {int(parts[1]) + 1})"
    return label[:1].upper() + label[1:]


def _resolved(s: Scenario, path: str):
    """The value in use at a path: an empty therapy field shows the therapy's catalogue value."""
    v = get_path(s, path)
    parts = path.split(".")
    if v is None and parts[0] == "programs" and parts[-1] in THERAPY_FIELDS:
        return getattr(build_inputs(s, int(parts[1])), parts[-1])
    return v


def compare_scenarios(items: list[tuple[str, Scenario]], *, draws: int = SUMMARY_DRAWS,
                      seed: int = SUMMARY_SEED) -> Comparison:
    """Compare 2-4 ``(name, scenario)`` pairs (names must differ)."""
    names = [n for n, _ in items]
    if not MIN_COMPARE <= len(items) <= MAX_COMPARE:
        raise LibraryError(f"compare {MIN_COMPARE} to {MAX_COMPARE} scenarios, got {len(items)}")
    if len(set(names)) != len(names):
        raise LibraryError(f"compare different scenarios; {', '.join(repr(n) for n in names)} repeats a name")
    paths: list[str] = []
    for _, s in items:
        paths += [p for p in field_paths(s) if p not in _SKIP and p not in paths]
    rows = []
    for p in paths:
        vals = []
        for _, s in items:
            try:
                vals.append(_resolved(s, p))
            except Exception:  # noqa: BLE001 - a path another scenario lacks (fewer programs)
                vals.append(None)
        rows.append({"path": p, "label": field_label(items[0][1], p), **dict(zip(names, vals, strict=True)),
                     "differs": len({repr(v) for v in vals}) > 1})
    heads = [headline(s, draws, seed) for _, s in items]
    res = [{"result": k, "label": lab, "kind": kind, **{n: h.get(k) for n, h in zip(names, heads, strict=True)}}
           for k, lab, kind in METRICS]
    res.insert(0, {"result": "therapy", "label": "Therapy", "kind": "text",
                   **{n: h["therapy_label"] for n, h in zip(names, heads, strict=True)}})
    return Comparison(tuple(names), pd.DataFrame(rows), pd.DataFrame(res), library().version, draws, seed)
