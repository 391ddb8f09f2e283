"""A book of business: every employer group of a broker's or carrier's book, each with its own PSA.

Three steps (docs/PORTFOLIO.md has the whole story):

1. :func:`read_groups` / :func:`groups_from_frame` - a groups file (CSV, XLSX or Parquet, read
   through the census module's guarded reader) becomes validated :class:`Group` rows: ``group_id``
   (required, unique), optional ``name`` and ``industry`` (an industry preset), and any scenario
   dotted path as a column header. Every problem names its row, column, value and allowed range.
2. :func:`run` - each group's Monte Carlo analysis (:func:`calculator.uncertainty.sample` and
   :func:`calculator.uncertainty.evaluate_draws`, the PSA engine itself) in chunks of groups, on
   joblib's loky process pool (``jobs``) or on Dask distributed (a ``LocalCluster`` or an existing
   scheduler). Workers return one summary row per group and the per-draw sums of cost and savings
   for the book, never the draws. Chunks are consumed in order through a bounded window, so rows
   stream to the output file as they finish and memory does not grow with the book.
3. :class:`BookResult` - per-group rows and book totals (DataFrames).

Reproducibility: each group's draws come from ``numpy.random.SeedSequence(seed, spawn_key=<the
SHA-256 of the group id>)``, so a group's numbers do not depend on the backend, the worker count,
the chunking or the other groups. Book-level sums per draw are accumulated in whole cents as
64-bit integers, which makes them exact and independent of the order in which chunks arrive.
With ``therapy="all"`` every therapy of a group uses the same seed, so the inputs the therapies
share take the same draws (common random numbers, as in :func:`calculator.psa_compare`).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import math
import sys
import time
import types
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import distributions as dist
from . import uncertainty as unc
from .budget import per_participant_profile, plan_pmpm
from .evidence import PRICE_YEAR, library
from .guards import is_ascii_digits
from .model import build_inputs, input_table
from .program import NUMERIC_FIELDS, ProgramInputs
from .scenario import Program, Scenario, field_paths, from_json, therapy_switch, to_json

__all__ = [
    "BookError", "Group", "TOTAL_COLUMNS", "WHOLE_BOOK", "GroupsFile", "BookResult", "ROW_COLUMNS", "CONFIDENT_P", "MAX_GROUPS",
    "read_groups", "groups_from_frame", "group_seed", "chunk_size", "run_chunk", "run", "portfolio",
]

#: "Groups where the benefit very likely pays back": P(ROI > 0) at least this (the issue's threshold).
CONFIDENT_P = 0.8
#: Most groups one book may hold (the census reader's row limit is larger; this keeps the summary
#: rows, about 0.5 kB each, under half a gigabyte).
MAX_GROUPS = 1_000_000
#: Draws x groups x therapies per chunk: a chunk's draws and outcomes then take about 30 MB.
CHUNK_DRAWS = 100_000
#: Most groups per chunk (few draws): keeps progress and streaming fine-grained.
CHUNK_GROUPS_MAX = 64
#: Draws behind each group's PMPM interval: the first this many of its own draws (the default of
#: :func:`calculator.budget.budget_interval`). The plan-year budget simulates one cohort over the plan's
#: whole horizon per draw, about 3x the work of a draw of the program model, so all 10,000 would
#: triple a book run for an interval whose 5th and 95th percentiles 1,000 draws already pin down.
PMPM_DRAWS = 1_000
#: Draw-months per vectorised call of the plan-year profile (about 1 MB per monthly array).
PROFILE_BLOCK_CELLS = 1 << 17
#: Chunks in flight per worker (the window that bounds memory while keeping workers busy).
WINDOW_PER_WORKER = 2
_RESERVED = ("group_id", "name", "industry")
#: Structural (never sampled) model settings: groups that share them are evaluated in one call.
_STRUCTURAL = tuple(f.name for f in dataclasses.fields(ProgramInputs) if f.name not in NUMERIC_FIELDS)

#: Per-group output columns, in order (units: USD over the horizon, ROI as a ratio).
ROW_COLUMNS = (
    "row", "group_id", "name", "status", "industry", "therapy", "perspective", "employees", "hourly_wage",
    "prevalence", "horizon_months", "draws", "cost_base", "savings_base", "net_benefit_base", "roi_base",
    "payback_month_base", "member_months", "plan_net_base", "pmpm_base", "pmpm_mean", "pmpm_p5", "pmpm_p95",
    "pmpm_draws", "net_benefit_mean", "net_benefit_p5", "net_benefit_median", "net_benefit_p95",
    "roi_mean", "roi_p5", "roi_median", "roi_p95", "prob_roi_positive", "prob_payback_12m", "evpi",
    "evpi_per_employee",
)
#: Book totals columns (one row per therapy; ``therapy == WHOLE_BOOK`` is the book as given).
TOTAL_COLUMNS = (
    "therapy", "label", "groups", "groups_failed", "employees", "cost_base", "savings_base", "net_benefit_base",
    "roi_base", "net_benefit_mean", "net_benefit_p5", "net_benefit_median", "net_benefit_p95", "roi_mean",
    "roi_p5", "roi_p95", "prob_net_positive", "prob_roi_positive_weighted", "roi_mean_weighted", "group_roi_p5",
    "group_roi_p25", "group_roi_median", "group_roi_p75", "group_roi_p95", "groups_confident",
    "employees_confident", "evpi", "member_months", "plan_net_base", "pmpm_base", "pmpm_mean", "pmpm_p5", "pmpm_p95",
)
#: The totals row of the whole book when each group keeps its own therapy.
WHOLE_BOOK = "whole_book"
_INT_COLUMNS = ("row", "employees", "horizon_months", "draws", "pmpm_draws")
_TEXT_COLUMNS = ("group_id", "name", "status", "industry", "therapy", "perspective")


class BookError(ValueError):
    """Bad input to a book run: the message names the file, column or argument and what is allowed."""


# ---------------------------------------------------------------------------------------------
# The groups file


@dataclass(frozen=True)
class Group:
    """One employer group: where it came from and the scenario paths its row sets (as text)."""

    row: int
    group_id: str
    name: str
    industry: str | None
    sets: tuple[tuple[str, str], ...]


@dataclass
class GroupsFile:
    """A validated groups file: the groups to run and every problem found (row, column, value)."""

    groups: list[Group]
    problems: pd.DataFrame  # row, group_id, column, value, problem
    invalid: list[Group]  # rows with problems (run only when excluded explicitly)
    columns: list[str]
    notes: list[str]

    def invalid_rows(self) -> pd.DataFrame:
        """One output row per invalid group: status ``invalid: <its problems>``."""
        rows = []
        for g in self.invalid:
            probs = self.problems[self.problems["row"] == g.row]
            text = "; ".join(f"{c}: {p}" for c, p in zip(probs["column"], probs["problem"], strict=True))
            rows.append(_empty_row(g, f"invalid: {text}"))
        return _frame(rows)


def _allowed_paths() -> tuple[set[str], set[str]]:
    flat = {p for p in field_paths() if not p.startswith("programs.")} - {"schema_version", "parameter_set", "name"}
    return flat, set(Program.model_fields)


def _check_header(columns: list[str]) -> None:
    flat, prog = _allowed_paths()
    if "group_id" not in columns:
        raise BookError(f"the groups file needs a group_id column; its columns are: {', '.join(columns[:20])}")
    for col in columns:
        if col in _RESERVED or col in flat:
            continue
        parts = col.split(".")
        if len(parts) == 3 and parts[0] == "programs" and is_ascii_digits(parts[1]) and parts[2] in prog:
            if len(parts[1]) <= 6 and int(parts[1]) == 0:  # ASCII only: "²".isdigit() but int("²") fails
                continue
            raise BookError(f"column {col!r}: a book run evaluates one program per group; use programs.0.{parts[2]}")
        near = difflib.get_close_matches(col, sorted(flat | {f"programs.0.{f}" for f in prog}), n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise BookError(f"column {col!r} is not a scenario path{hint}; allowed: group_id, name, industry and "
                        "dotted paths such as workforce.employees or programs.0.therapy (backpain-roi defaults "
                        "lists them)")


def _industry(text: str) -> tuple[str | None, str | None]:
    from .presets import industries, match_preset
    if not text.strip():
        return None, None
    pid = match_preset(text, "industry")
    if pid is None:
        return None, f"unknown industry; use one of: {', '.join(p.id for p in industries())}"
    return pid, None


def build_scenario(group: Group, base: Scenario) -> Scenario:
    """The group's scenario: the base, then its industry preset, then its own cells -- stacked by
    :func:`calculator.assemble.assemble`, the one home of the stacking order."""
    from .assemble import assemble
    sets = list(group.sets) + [("name", group.name or group.group_id)]
    return assemble(base, industry=group.industry, sets=sets).scenario


def _cell_problems(group: Group, base: Scenario) -> list[tuple[str, str, str]]:
    """(column, value, problem) for a row whose scenario does not validate."""
    try:
        build_scenario(group, base)
        return []
    except Exception as exc:  # noqa: BLE001 - every problem becomes a reported row, never a traceback
        whole = str(exc)
    out = []
    start = dataclasses.replace(group, sets=())
    for path, value in group.sets:
        try:
            build_scenario(dataclasses.replace(start, sets=((path, value),)), base)
        except Exception as exc:  # noqa: BLE001
            out.append((path, value, str(exc)))
    return out or [("(row)", "", whole)]


def _validate_rows(cells: dict[str, list[str]], rows: Iterable[int], base: Scenario,
                   columns: list[str]) -> tuple[list[Group], list[Group], list[dict[str, Any]]]:
    from .census import safe_label
    ok, bad, problems = [], [], []
    seen: dict[str, int] = {}
    paths = [c for c in columns if c not in _RESERVED]
    for i, row in enumerate(rows):
        gid = cells["group_id"][i].strip()
        name = safe_label(cells["name"][i])[0] if "name" in cells else ""
        found: list[tuple[str, str, str]] = []
        if not gid:
            found.append(("group_id", "", "group_id is required (one unique id per group)"))
        elif gid in seen:
            found.append(("group_id", gid, f"duplicate group_id: row {seen[gid]} has the same id"))
        else:
            seen[gid] = row
        ind, why = _industry(cells["industry"][i]) if "industry" in cells else (None, None)
        if why:
            found.append(("industry", cells["industry"][i], why))
        sets = tuple((p, cells[p][i].strip()) for p in paths if cells[p][i].strip())
        g = Group(int(row), safe_label(gid)[0], name, ind, sets)
        found += _cell_problems(g, base)
        for col, value, text in found:
            problems.append({"row": int(row), "group_id": g.group_id, "column": col, "value": value, "problem": text})
        (bad if found else ok).append(g)
    return ok, bad, problems


def _groups(columns: list[str], cells: dict[str, list[str]], rows: Iterable[int], base: Scenario | None,
            notes: list[str]) -> GroupsFile:
    _check_header(columns)
    n = len(cells["group_id"])
    if n == 0:
        raise BookError("the groups file has a header but no groups")
    if n > MAX_GROUPS:
        raise BookError(f"the groups file has {n:,} groups; at most {MAX_GROUPS:,} are accepted per run")
    ok, bad, problems = _validate_rows(cells, rows, base or Scenario(), columns)
    frame = pd.DataFrame(problems, columns=["row", "group_id", "column", "value", "problem"])
    return GroupsFile(ok, frame, bad, columns, notes)


def read_groups(data: bytes, filename: str | None = None, base: Scenario | None = None, *,
                max_bytes: int | None = None) -> GroupsFile:
    """Bytes of a CSV, XLSX or Parquet groups file -> validated groups (the census module's guarded
    :func:`calculator.census.read_table`: byte and row limits, zip-bomb check, encoding detection)."""
    from .census import DEFAULT_MAX_BYTES, CensusError, read_table
    try:
        t = read_table(data, filename, max_bytes=max_bytes or DEFAULT_MAX_BYTES, max_rows=MAX_GROUPS)
    except CensusError as exc:
        raise BookError(str(exc).replace("census", "groups file")) from None
    cols = [str(c).strip() for c in t.columns]
    cells = {c: [str(v) for v in t[raw].tolist()] for c, raw in zip(cols, t.columns, strict=True)}
    return _groups(cols, cells, t.attrs.get("rows", range(2, len(t) + 2)), base, list(t.attrs.get("notes", [])))


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating) and float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def groups_from_frame(df: pd.DataFrame, base: Scenario | None = None) -> GroupsFile:
    """A DataFrame with the groups file's columns -> validated groups (rows numbered from 2)."""
    if not isinstance(df, pd.DataFrame):
        raise BookError(f"groups must be a pandas DataFrame, got {type(df).__name__}")
    cols = [str(c).strip() for c in df.columns]
    cells = {c: [_text(v) for v in df[raw].tolist()] for c, raw in zip(cols, df.columns, strict=True)}
    return _groups(cols, cells, range(2, len(df) + 2), base, [])


# ---------------------------------------------------------------------------------------------
# One chunk of groups (runs in a worker)


def group_seed(seed: int, group_id: str) -> np.random.SeedSequence:
    """The group's seed sequence: the run seed and the SHA-256 of the group id (stable everywhere)."""
    digest = hashlib.sha256(group_id.encode("utf-8")).digest()
    return np.random.SeedSequence(int(seed), spawn_key=tuple(int.from_bytes(digest[i:i + 4], "little")
                                                             for i in range(0, 32, 4)))


def chunk_size(draws: int, therapies: int = 1) -> int:
    """Groups per chunk: depends only on the draws and therapies, never on the backend or workers."""
    return max(1, min(CHUNK_GROUPS_MAX, CHUNK_DRAWS // max(1, draws * therapies)))


@dataclass(frozen=True)
class ChunkTask:
    index: int
    groups: tuple[Group, ...]
    base_json: str
    therapies: tuple[str | None, ...]  # None = the group's own therapy
    draws: int
    seed: int
    batch: bool = True


@dataclass
class ChunkResult:
    index: int
    rows: pd.DataFrame  # the chunk's typed per-group rows (framed in the worker, not the driver)
    book: dict[str, np.ndarray]  # therapy -> int64 (2, draws): cost and savings in cents, summed
    plan: dict[str, np.ndarray]  # therapy -> int64 (PMPM draws,): plan budget impact (net) in cents, summed


def _with_therapy(s: Scenario, therapy: str | None) -> Scenario:
    """The scenario with one program: program 0, switched to ``therapy`` (the project's switch rule)."""
    prog = s.programs[0]
    if therapy is not None and therapy != prog.therapy:
        prog = prog.model_copy(update=therapy_switch(therapy))
    return s.model_copy(update={"programs": [prog]})


def _empty_row(g: Group, status: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS, math.nan)
    row.update(row=g.row, group_id=g.group_id, name=g.name, status=status, industry=g.industry or "",
               therapy="", perspective="")
    return row


def _q(x: np.ndarray, finite: bool = False) -> list[float]:
    """5%, median and 95% of the finite values of ``x`` (``finite``: they all are)."""
    ok = x if finite else x[np.isfinite(x)]
    return [float(v) for v in np.quantile(ok, (0.05, 0.5, 0.95))] if ok.size else [math.nan] * 3


def _summary(it: _Item, out: dict[str, np.ndarray], draws: int) -> dict[str, Any]:
    """The group's summary row: base case (``out``'s last value: the deterministic model) and the
    Monte Carlo summaries of its ``draws`` draws (numpy only: this runs once per group)."""
    g, s = it.group, it.scenario
    nb, roi, pay = out["net_benefit"][:draws], out["roi"][:draws], out["payback_month"][:draws]
    roi_ok = roi[np.isfinite(roi)]
    value = unc.evpi(np.column_stack([nb, np.zeros(nb.size)]))
    n = s.workforce.employees
    row = _empty_row(g, "ok")
    row.update(
        therapy=s.programs[0].therapy, perspective=s.analysis.perspective, employees=n,
        hourly_wage=s.workforce.effective_hourly_wage, prevalence=s.condition.prevalence,
        horizon_months=s.analysis.horizon_months, draws=draws, net_benefit_mean=float(nb.mean()),
        roi_mean=float(roi_ok.mean()) if roi_ok.size else math.nan,
        # nan (no cost; never paid back) compares False: counts as not positive, not within 12 months
        prob_roi_positive=float(np.count_nonzero(roi > 0) / roi.size),
        prob_payback_12m=float(np.count_nonzero(pay <= unc.PLAN_YEAR_MONTHS) / pay.size),
        evpi=value, evpi_per_employee=value / n,
    )
    for col, key in (("cost_base", "cost"), ("savings_base", "savings"), ("net_benefit_base", "net_benefit"),
                     ("roi_base", "roi"), ("payback_month_base", "payback_month")):
        row[col] = float(out[key][draws])
    row["net_benefit_p5"], row["net_benefit_median"], row["net_benefit_p95"] = _q(nb)
    row["roi_p5"], row["roi_median"], row["roi_p95"] = _q(roi_ok, finite=True)
    return row


def _plan_pmpm(it: _Item, m: int, prof: dict[str, np.ndarray]) -> tuple[dict[str, Any], np.ndarray]:
    """The group's plan budget impact per member per month: base case and the interval from its first
    ``m`` draws (the plan-year model of :func:`calculator.budget.plan_pmpm`, the fee held at the base
    case's as :func:`calculator.budget.budget_interval` does); and those draws' net [USD].

    ``prof``: the per-participant profile of the ``m`` draws, then of the base case (``m + 1`` rows)."""
    s = it.scenario
    base = plan_pmpm(s, it.inputs, profile={k: v[m] for k, v in prof.items()})
    sub = dataclasses.replace(it.inputs, **{k: v[:m] for k, v in it.draws.items()})
    sim = plan_pmpm(s, sub, fee=base.fee, profile={k: v[:m] for k, v in prof.items()})
    pm = np.broadcast_to(sim.pmpm, (m,))
    ok = pm[np.isfinite(pm)]
    p5, p95 = (float(v) for v in np.quantile(ok, (0.05, 0.95))) if ok.size else (math.nan, math.nan)
    row = {"member_months": base.member_months, "plan_net_base": float(base.net), "pmpm_base": float(base.pmpm),
           "pmpm_mean": float(ok.mean()) if ok.size else math.nan, "pmpm_p5": p5, "pmpm_p95": p95, "pmpm_draws": m}
    return row, np.broadcast_to(sim.net, (m,))


def _cents(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x, dtype=float) * 100.0).astype(np.int64)


@lru_cache(maxsize=64)
def _random_inputs(therapy: str) -> tuple[str, ...]:
    """Inputs whose library distribution for this therapy is not fixed (their values shape the draws)."""
    s = _with_therapy(Scenario(), therapy)
    t = input_table(s, 0)
    return tuple(t.loc[t["distribution"] != "fixed", "input"])


_SPEC_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
#: Sampling specifications kept (groups that share therapy, settings and uncertain values share one).
_SPEC_CACHE_SIZE = 4096


def draw_spec(s: Scenario, inp: ProgramInputs) -> tuple[tuple[str, str, dict, float, float], ...]:
    """(input, distribution, params, min, max) of every sampled input, in the order
    :func:`calculator.uncertainty.sample` draws them (shared inputs, then the therapy's own).

    Built by :func:`calculator.uncertainty.uncertainty_records` (the rows of its uncertainty table) and cached on what it depends on: the
    therapy, the structural settings and the values of the inputs that have a distribution.
    """
    therapy = s.programs[0].therapy
    key = (therapy, tuple(getattr(inp, k) for k in _STRUCTURAL),
           tuple(float(getattr(inp, f)) for f in _random_inputs(therapy)))
    hit = _SPEC_CACHE.get(key)
    if hit is not None:
        _SPEC_CACHE.move_to_end(key)
        return hit
    rows = [r for r in unc.uncertainty_records(s, 0, inputs=inp) if r["sampled"]]
    rows = [r for r in rows if not r["therapy_specific"]] + [r for r in rows if r["therapy_specific"]]
    spec = tuple((r["input"], r["distribution"], r["dist_params"], r["min_allowed"], r["max_allowed"]) for r in rows)
    _SPEC_CACHE[key] = spec
    if len(_SPEC_CACHE) > _SPEC_CACHE_SIZE:
        _SPEC_CACHE.popitem(last=False)
    return spec


def draw(s: Scenario, inp: ProgramInputs, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The same draws as ``calculator.uncertainty.sample(s, n, rng)`` (uncorrelated), without pandas.

    Draws are clipped to the input's allowed range, as ``sample`` does, unless the distribution's
    support already lies inside it (the clip would change nothing)."""
    out = {}
    for name, d, params, lo, hi in draw_spec(s, inp):
        x = dist.sample(d, params, n, rng)
        s_lo, s_hi = dist.support(d, params)
        out[name] = x if lo <= s_lo and s_hi <= hi else np.clip(x, lo, hi)
    return out


@dataclass
class _Item:
    group: Group
    scenario: Scenario
    inputs: ProgramInputs
    draws: dict[str, np.ndarray]


def _stack(items: list[_Item], n: int) -> dict[str, np.ndarray]:
    """One column per input that is drawn, or differs between the items; the rest stay scalars. Each
    item takes ``n + 1`` rows: its first ``n`` draws, then its base case (the inputs without uncertainty)."""
    varying = [f for f in NUMERIC_FIELDS if any(f in it.draws for it in items)
               or len({float(getattr(it.inputs, f)) for it in items}) > 1]
    cols = {}
    for f in varying:
        col = np.empty((len(items), n + 1))
        for j, it in enumerate(items):
            col[j, n] = float(getattr(it.inputs, f))
            col[j, :n] = it.draws[f][:n] if f in it.draws else col[j, n]
        cols[f] = col.reshape(-1)
    return cols


#: Settings the plan-year profile overrides (it follows one cohort, from the plan's view).
_PROFILE_OWN = ("horizon_months", "offer_interval_months", "perspective")


def _outcomes(sel: list[_Item], n: int) -> list[dict[str, np.ndarray]]:
    """Program outcomes of the items' draws and base cases (one vectorised call)."""
    res = unc.evaluate_arrays(sel[0].inputs, _stack(sel, n), len(sel) * (n + 1))
    return [{k: v[j * (n + 1):(j + 1) * (n + 1)] for k, v in res.items()} for j in range(len(sel))]


def _profiles(sel: list[_Item], m: int) -> list[dict[str, np.ndarray]]:
    """Plan-year per-participant profiles of the items' first ``m`` draws and base cases (vectorised
    over all of them, in blocks of :data:`PROFILE_BLOCK_CELLS` draw-months)."""
    cols, rows, years = _stack(sel, m), len(sel) * (m + 1), sel[0].scenario.plan.horizon_years
    step = max(1, PROFILE_BLOCK_CELLS // (12 * years))
    parts = [per_participant_profile(dataclasses.replace(sel[0].inputs, **{k: v[a:a + step] for k, v in cols.items()}),
                                     years) for a in range(0, rows, step)]
    prof = {k: np.concatenate([np.broadcast_to(p[k], (min(step, rows - i * step), years)) for i, p in enumerate(parts)])
            for k in parts[0]}
    return [{k: v[j * (m + 1):(j + 1) * (m + 1)] for k, v in prof.items()} for j in range(len(sel))]


def _in_batches(items: list[_Item], key: Callable[[_Item], tuple], work: Callable[[list[_Item]], list[Any]],
                batch: bool) -> list[Any]:
    """``work`` on the items, one call per ``key`` (``batch``) or per item; an item whose call fails
    gets its exception (a failing batch is rerun one item at a time to find it)."""
    groups: dict[tuple, list[int]] = {}
    for i, it in enumerate(items):
        groups.setdefault(key(it) if batch else (i,), []).append(i)
    out: list[Any] = [None] * len(items)
    for idx in groups.values():
        try:
            for i, r in zip(idx, work([items[i] for i in idx]), strict=True):
                out[i] = r
        except Exception as exc:  # noqa: BLE001 - isolate the failing item
            for i in idx:
                try:
                    out[i] = work([items[i]])[0] if len(idx) > 1 else exc
                except Exception as one:  # noqa: BLE001
                    out[i] = one
    return out


def _evaluate_items(items: list[_Item], n: int, batch: bool) -> list[Any]:
    """Per-draw outcomes of each item, then its base case (``n + 1`` values per outcome), by
    :func:`calculator.uncertainty.evaluate_arrays`; with ``batch`` one call per structural setting."""
    return _in_batches(items, lambda it: tuple(getattr(it.inputs, k) for k in _STRUCTURAL),
                       lambda sel: _outcomes(sel, n), batch)


def _profile_items(items: list[_Item], m: int, batch: bool) -> list[Any]:
    """Each item's plan-year profile (``m`` draws, then base); with ``batch`` one call per plan horizon
    and structural setting."""
    return _in_batches(items, lambda it: (it.scenario.plan.horizon_years,) + tuple(
        getattr(it.inputs, k) for k in _STRUCTURAL if k not in _PROFILE_OWN), lambda sel: _profiles(sel, m), batch)


def _failed(g: Group, exc: Exception) -> dict[str, Any]:
    return _empty_row(g, f"failed: {type(exc).__name__}: {' '.join(str(exc).split())}"[:500])


def _prepare(task: ChunkTask, base: Scenario) -> tuple[list[dict], list[_Item]]:
    failed, items = [], []
    for g in task.groups:
        try:
            s0 = build_scenario(g, base)
            for therapy in task.therapies:
                s = _with_therapy(s0, therapy)
                inp = build_inputs(s, 0)
                rng = np.random.default_rng(group_seed(task.seed, g.group_id))
                items.append(_Item(g, s, inp, draw(s, inp, task.draws, rng)))
        except Exception as exc:  # noqa: BLE001 - one group's failure must not stop the others
            failed.append(_failed(g, exc))
    return failed, items


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Evaluate one chunk of groups: summary rows and the chunk's per-draw book sums (in cents)."""
    base = from_json(task.base_json)
    rows, items = _prepare(task, base)
    n, m = task.draws, min(task.draws, PMPM_DRAWS)
    outs = _evaluate_items(items, n, task.batch)
    profs = _profile_items(items, m, task.batch)
    book: dict[str, np.ndarray] = {}
    plan: dict[str, np.ndarray] = {}
    for it, out, prof in zip(items, outs, profs, strict=True):
        try:
            for res in (out, prof):
                if isinstance(res, Exception):
                    raise res
            row = _summary(it, out, n)
            pm, plan_net = _plan_pmpm(it, m, prof)
            row.update(pm)
        except Exception as exc:  # noqa: BLE001
            rows.append(_failed(it.group, exc))
            continue
        rows.append(row)
        therapy = it.scenario.programs[0].therapy
        acc = book.setdefault(therapy, np.zeros((2, n), np.int64))
        acc[0] += _cents(out["cost"][:n])
        acc[1] += _cents(out["savings"][:n])
        acc = plan.setdefault(therapy, np.zeros(m, np.int64))
        acc += _cents(plan_net)
    rows.sort(key=lambda r: (r["row"], r["therapy"]))
    return ChunkResult(task.index, _frame(rows), book, plan)


# ---------------------------------------------------------------------------------------------
# Backends: joblib loky (local processes) or Dask distributed


def _iter_local(tasks: Iterator[ChunkTask], jobs: int) -> Iterator[ChunkResult]:
    if jobs == 1:
        for t in tasks:
            yield run_chunk(t)
        return
    from joblib import Parallel, delayed
    par = Parallel(n_jobs=jobs, backend="loky", return_as="generator", pre_dispatch=f"{WINDOW_PER_WORKER}*n_jobs")
    yield from par(delayed(run_chunk)(t) for t in tasks)


def _dask_client(jobs: int, scheduler: str | None) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BookError("the dask backend needs Dask distributed: pip install 'backpain-roi[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise BookError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    # Worker processes are spawned: they re-import the parent's __main__. Inside Streamlit that is the
    # page script (it would run again in every worker), so the cluster starts under a plain __main__.
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0")
    finally:
        if main is not None:
            sys.modules["__main__"] = main
    return Client(cluster), cluster


def _iter_dask(tasks: Iterator[ChunkTask], jobs: int, scheduler: str | None, client: Any) -> Iterator[ChunkResult]:
    own = client is None
    cluster = None
    if own:
        client, cluster = _dask_client(jobs, scheduler)
    window = WINDOW_PER_WORKER * max(1, len(client.scheduler_info().get("workers", {})) or jobs)
    pending: deque = deque()
    try:
        for t in tasks:
            pending.append(client.submit(run_chunk, t, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


# ---------------------------------------------------------------------------------------------
# Book totals (streamed) and the run


class _Totals:
    """Book totals accumulated chunk by chunk: O(draws) memory whatever the number of groups."""

    def __init__(self, draws: int):
        self.draws = draws
        self.sums: dict[str, np.ndarray] = {}
        self.plan: dict[str, np.ndarray] = {}

    def add(self, res: ChunkResult) -> None:
        for into, part in ((self.sums, res.book), (self.plan, res.plan)):
            for therapy, acc in part.items():
                if therapy in into:
                    into[therapy] += acc
                else:
                    into[therapy] = acc.copy()

    def frame(self, rows: pd.DataFrame, confident: float, whole_book: bool) -> pd.DataFrame:
        """One row per therapy; first, with ``whole_book``, the book as given (each group's own therapy)."""
        out = []
        ok = rows[rows["status"] == "ok"]
        if whole_book:
            total = sum(self.sums.values()) if self.sums else None
            plan = sum(self.plan.values()) if self.plan else None
            out.append(_therapy_totals(WHOLE_BOOK, ok, total, confident, int((rows["status"] != "ok").sum()))
                       | _plan_totals(ok, plan))
        for therapy in sorted(set(ok["therapy"]) | set(self.sums)):
            r = ok[ok["therapy"] == therapy]
            out.append(_therapy_totals(therapy, r, self.sums.get(therapy), confident,
                                       int((rows["therapy"] == therapy).sum() - len(r)))
                       | _plan_totals(r, self.plan.get(therapy)))
        return pd.DataFrame(out, columns=TOTAL_COLUMNS)


def _label(therapy: str) -> str:
    return "Whole book (each group's own therapy)" if therapy == WHOLE_BOOK else library().therapy(therapy).label


def _therapy_totals(therapy: str, r: pd.DataFrame, sums: np.ndarray | None, confident: float,
                    failed: int) -> dict[str, Any]:
    emp = r["employees"].astype(float)
    cost, sav = (sums[0] / 100.0, sums[1] / 100.0) if sums is not None else (np.zeros(1), np.zeros(1))
    net = sav - cost
    with np.errstate(divide="ignore", invalid="ignore"):
        book_roi = np.where(cost > 0, net / cost, np.nan)

    def w(c: str) -> float:
        return float(np.average(r[c], weights=emp)) if emp.sum() > 0 and r[c].notna().all() else math.nan

    q = r["roi_mean"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).tolist() if len(r) else [math.nan] * 5
    cost_b, sav_b = float(r["cost_base"].sum()), float(r["savings_base"].sum())
    nb_q, roi_q = _q(net), _q(book_roi)
    return {
        "therapy": therapy, "label": _label(therapy), "groups": int(len(r)),
        "groups_failed": failed, "employees": int(emp.sum()), "cost_base": cost_b, "savings_base": sav_b,
        "net_benefit_base": sav_b - cost_b, "roi_base": (sav_b - cost_b) / cost_b if cost_b > 0 else math.nan,
        "net_benefit_mean": float(net.mean()), "net_benefit_p5": nb_q[0], "net_benefit_median": nb_q[1],
        "net_benefit_p95": nb_q[2], "roi_mean": float(np.nanmean(book_roi)) if np.isfinite(book_roi).any() else math.nan,
        "roi_p5": roi_q[0], "roi_p95": roi_q[2], "prob_net_positive": float(np.mean(net > 0)),
        "prob_roi_positive_weighted": w("prob_roi_positive"), "roi_mean_weighted": w("roi_mean"),
        "group_roi_p5": q[0], "group_roi_p25": q[1], "group_roi_median": q[2], "group_roi_p75": q[3],
        "group_roi_p95": q[4], "groups_confident": int((r["prob_roi_positive"] >= confident).sum()),
        "employees_confident": int(emp[r["prob_roi_positive"] >= confident].sum()),
        "evpi": float(r["evpi"].sum()),
    }


def _plan_totals(r: pd.DataFrame, net_cents: np.ndarray | None) -> dict[str, Any]:
    """The book's plan budget impact: net over member months, summed across groups (member-weighted
    PMPM); the interval from the sum of each PMPM draw across groups (the first draws of every group)."""
    mm = float(r["member_months"].sum())
    net = float(r["plan_net_base"].sum())
    out = {"member_months": mm, "plan_net_base": net, "pmpm_base": net / mm if mm > 0 else math.nan,
           "pmpm_mean": math.nan, "pmpm_p5": math.nan, "pmpm_p95": math.nan}
    if net_cents is not None and mm > 0:
        pm = net_cents / 100.0 / mm
        q = np.quantile(pm, (0.05, 0.95))
        out.update(pmpm_mean=float(pm.mean()), pmpm_p5=float(q[0]), pmpm_p95=float(q[1]))
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows -> the typed per-group frame (whole numbers as Int64, text as str, the rest float).

    Column by column in numpy: this runs in the driver for every chunk, beside the workers."""
    data: dict[str, Any] = {}
    for c in ROW_COLUMNS:
        vals = [r.get(c) for r in rows]
        if c in _INT_COLUMNS:
            data[c] = pd.array([None if _missing(v) else round(float(v)) for v in vals], dtype="Int64")
        elif c in _TEXT_COLUMNS:
            data[c] = pd.Series(["" if _missing(v) else str(v) for v in vals], dtype=object).astype(str)
        else:
            data[c] = np.array([math.nan if v is None else float(v) for v in vals], dtype=float)
    return pd.DataFrame(data, columns=list(ROW_COLUMNS))


@dataclass
class BookResult:
    """A book run: one row per group (and therapy), book totals per therapy, run metadata."""

    groups: pd.DataFrame
    totals: pd.DataFrame
    draws: int
    seed: int
    backend: str
    jobs: int
    interrupted: bool
    groups_total: int
    seconds: float
    confident: float = CONFIDENT_P

    def confident_groups(self, therapy: str | None = None) -> list[str]:
        """Ids of the groups where P(ROI > 0) >= :data:`CONFIDENT_P` (for one therapy, or any)."""
        g = self.groups[(self.groups["status"] == "ok") & (self.groups["prob_roi_positive"] >= self.confident)]
        if therapy is not None:
            g = g[g["therapy"] == therapy]
        return list(dict.fromkeys(g["group_id"]))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: run metadata, totals and the per-group rows."""
        return {
            "draws": self.draws, "seed": self.seed, "backend": self.backend, "jobs": self.jobs,
            "interrupted": self.interrupted, "groups_total": self.groups_total,
            "groups_done": int(self.groups["group_id"].nunique()), "confident_threshold": self.confident,
            "totals": self.totals.to_dict(orient="records"), "confident_groups": self.confident_groups(),
            "groups": self.groups.to_dict(orient="records"), "currency": "USD", "price_year": PRICE_YEAR,
            "parameter_set": library().version,
        }


def _therapies(therapy: str | None) -> tuple[str | None, ...]:
    if therapy in (None, "", "own"):
        return (None,)
    if therapy == "all":
        return tuple(library().therapies)
    if therapy not in library().therapies:
        raise BookError(f"unknown therapy {therapy!r}; choose all or one of: {', '.join(library().therapies)}")
    return (therapy,)


def _check_run(draws: Any, seed: Any, backend: str, jobs: Any) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or not 1 <= draws <= 1_000_000:
        raise BookError(f"draws must be a whole number from 1 to 1,000,000, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise BookError(f"seed must be a whole number >= 0, got {seed!r}")
    if backend not in ("local", "dask"):
        raise BookError(f"backend must be local or dask, got {backend!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int | np.integer) or not 1 <= jobs <= 1024:
        raise BookError(f"jobs must be a whole number from 1 to 1024, got {jobs!r}")


def run(book: GroupsFile, draws: int = unc.DEFAULT_DRAWS, seed: int = unc.DEFAULT_SEED, *,
        base: Scenario | None = None, therapy: str | None = None, backend: str = "local", jobs: int = 1,
        scheduler: str | None = None, client: Any = None, exclude_invalid_rows: bool = False,
        batch: bool | None = None, progress: Callable[[int, int], None] | None = None,
        sink: Callable[[pd.DataFrame], None] | None = None, stop: Callable[[], bool] | None = None,
        confident: float = CONFIDENT_P) -> BookResult:
    """Run every group of ``book``; rows go to ``sink`` (in file order) as chunks finish.

    ``batch`` (None or True, the default: measured faster at 1,000 and at 10,000 draws) evaluates each
    chunk's groups in one vectorised call per structural setting; ``False`` one group per call.
    Results are identical either way.
    A Ctrl-C (KeyboardInterrupt), or ``stop()`` returning True after a chunk, stops the run cleanly:
    the rows finished so far have been passed to ``sink`` and the result has ``interrupted=True``.
    """
    _check_run(draws, seed, backend, jobs)
    if len(book.invalid) and not exclude_invalid_rows:
        raise BookError(_problems_line(book))
    therapies = _therapies(therapy)
    base_json = to_json(base or Scenario())
    size = chunk_size(int(draws), len(therapies))
    batch = True if batch is None else bool(batch)
    tasks = (ChunkTask(i, tuple(book.groups[a:a + size]), base_json, therapies, int(draws), int(seed), batch)
             for i, a in enumerate(range(0, len(book.groups), size)))
    frames = [book.invalid_rows()] if book.invalid else []
    if sink is not None and frames:
        sink(frames[0])
    totals, done, total, interrupted, t0 = _Totals(int(draws)), 0, len(book.groups), False, time.perf_counter()
    stream = _iter_local(tasks, jobs) if backend == "local" else _iter_dask(tasks, jobs, scheduler, client)
    try:
        for res in stream:
            df = res.rows
            totals.add(res)
            frames.append(df)
            if sink is not None:
                sink(df)
            done += int(df["row"].nunique())
            if progress is not None:
                progress(done, total)
            if stop is not None and stop() and done < total:
                interrupted = True
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if hasattr(stream, "close"):
            stream.close()
    rows = pd.concat(frames, ignore_index=True) if frames else _frame([])
    return BookResult(rows, totals.frame(rows, confident, therapies == (None,)), int(draws), int(seed), backend, int(jobs),
                      interrupted, total + len(book.invalid), time.perf_counter() - t0, confident)


def _problems_line(book: GroupsFile, most: int = 8) -> str:
    p = book.problems
    items = [f"row {r.row} column {r.column} value {r.value!r}: {r.problem}" for r in p.head(most).itertuples()]
    more = f"; and {len(p) - most} more" if len(p) > most else ""
    return (f"{len(book.invalid)} group row(s) have problems (fix them, or pass --exclude-invalid-rows to run "
            f"the others and list these in the output): " + "; ".join(items) + more)


def portfolio(groups_df: pd.DataFrame, draws: int = unc.DEFAULT_DRAWS, seed: int = unc.DEFAULT_SEED, *,
              backend: str = "local", jobs: int = 1, scheduler: str | None = None, client: Any = None,
              therapy: str | None = None, base: Scenario | None = None, exclude_invalid_rows: bool = False,
              progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every group of a book with its own PSA: ``(groups, totals)`` DataFrames.

    ``groups_df`` has the groups file's columns (``group_id``, optional ``name``, ``industry`` and
    scenario dotted paths). ``backend`` is ``"local"`` (joblib loky, ``jobs`` processes) or
    ``"dask"`` (a ``LocalCluster`` of ``jobs`` workers, or ``scheduler="tcp://host:port"``, or a
    ``dask.distributed.Client`` as ``client``). Results do not depend on the backend or ``jobs``.

    >>> df = pd.DataFrame({"group_id": ["A", "B"], "workforce.employees": [200, 5000]})
    >>> groups, totals = portfolio(df, draws=500, seed=1)
    >>> list(groups["status"]), int(totals["employees"].iloc[0])
    (['ok', 'ok'], 5200)
    """
    book = groups_from_frame(groups_df, base)
    res = run(book, draws, seed, base=base, therapy=therapy, backend=backend, jobs=jobs, scheduler=scheduler,
              client=client, exclude_invalid_rows=exclude_invalid_rows, progress=progress)
    if res.interrupted:
        raise KeyboardInterrupt
    return res.groups, res.totals

