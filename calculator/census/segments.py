"""Census segments: model cells, per-segment results, the census-equivalent scenario, notes.

:func:`evaluate_census` fills what the census lacks from the scenario (and presets), builds one
cell per age band x sex x job family (x industry, x location), runs the vectorised model once over
all cells, adds the cells up to the requested segments and merges any segment under the minimum
group size into "other". :func:`census_scenario` is one average affected employee whose burden
equals the sum over the cells, so every other page and command can use the census through an
ordinary :class:`~calculator.Scenario`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import guards as _guards
from ..evidence import library
from ..finance import roi as _roi
from ..model import Result, build_inputs, evaluate
from ..presets import AppliedValue, preset, relative_prevalence
from ..program import simulate
from ..scenario import Scenario, ScenarioError, build, to_dict
from .files import CensusError
from .validate import DEFAULT_BY, SEGMENT_DIMS, Census

__all__ = ["CensusResult", "min_group_size", "segment_cells", "evaluate_census", "census_scenario"]


def min_group_size() -> int:
    """Smallest segment shown on its own [employees] (parameter ``census.min_group_size``)."""
    return int(library().value("census.min_group_size"))

def _check_by(census: Census, by: Iterable[str] | None) -> tuple[str, ...]:
    have = census.fields()
    if by is None:
        return tuple(d for d in DEFAULT_BY if d in have)
    by = tuple(by)
    for d in by:
        if d not in SEGMENT_DIMS:
            raise CensusError(f"cannot segment by {d!r}; choose from: {', '.join(SEGMENT_DIMS)}")
        if d not in have:
            raise CensusError(f"cannot segment by {d!r}: the census has no such column "
                              f"(it can be segmented by: {', '.join(have) or 'nothing'})")
    return by


def _sum_by(keys: dict[str, pd.Series], sums: dict[str, np.ndarray]) -> pd.DataFrame:
    """``DataFrame(keys | sums).groupby(keys, observed=True, sort=True).sum().reset_index()``.

    The keys are categorical: their codes make one cell number per row (mixed radix), and
    ``np.bincount`` adds each column per cell. pandas' groupby would hold an int64 code array per key
    and more, about twice the census's own size for 600,000 rows (memory, issue 10)."""
    cats = [pd.Categorical(k) if not isinstance(k.dtype, pd.CategoricalDtype) else k.array for k in keys.values()]
    sizes = [max(len(c.categories), 1) for c in cats]
    if math.prod(sizes) > 1 << 26 or any((np.asarray(c.codes) < 0).any() for c in cats):
        work = pd.DataFrame({**keys, **sums})  # missing keys or too many cells: pandas' way
        return work.groupby(list(keys), observed=True, sort=True).sum().reset_index()
    flat = np.zeros(len(cats[0]) if cats else 0, dtype=np.int64)
    for c, size in zip(cats, sizes, strict=True):
        flat *= size
        flat += np.asarray(c.codes)
    total = math.prod(sizes)
    used = np.flatnonzero(np.bincount(flat, minlength=total))
    out: dict[str, Any] = {}
    for name, c, codes in zip(keys, cats, np.unravel_index(used, sizes), strict=True):
        out[name] = pd.Categorical.from_codes(codes, dtype=c.dtype)
    for name, v in sums.items():
        out[name] = np.bincount(flat, weights=v, minlength=total)[used]
    return pd.DataFrame(out)


_MODEL_KEYS = ("age_band", "sex", "job_family", "job_preset", "industry", "industry_preset")


def segment_cells(census: Census, scenario: Scenario, *, by: Iterable[str] | None = None,
                  exclude_invalid: bool = False, industry: str | None = None) -> pd.DataFrame:
    """Model inputs per cell (age band x sex x job family x industry [x location]).

    Missing wages take the row's industry preset wage, else the scenario's; missing hours take FTE x
    the scenario's annual hours, else the scenario's annual hours. Prevalence = scenario prevalence
    x age/sex relative prevalence x (job-family multiplier / scenario industry multiplier); absence
    days and presenteeism likewise with their multipliers. ``industry`` names the industry preset
    already applied to the scenario (so it is replaced, not doubled, by a job family's).
    """
    with _guards.freed_memory_returned():  # memory: issue 10 (docs/CENSUS.md, "Memory")
        return _segment_cells(census, scenario, by, exclude_invalid, industry)


def _segment_cells(census: Census, scenario: Scenario, by: Iterable[str] | None, exclude_invalid: bool,
                   industry: str | None) -> pd.DataFrame:
    by = _check_by(census, by)
    d = census.data
    if census.rows_with_errors and not exclude_invalid:
        raise CensusError(
            f"{census.rows_with_errors:,} of {census.rows_read:,} rows have problems (first: "
            f"{census.first_error()}); fix the file, or choose to exclude those rows")
    keep = ~d["error"].to_numpy() & (d["headcount"].to_numpy() > 0)
    if not keep.all():  # one filtered copy, and none for a clean file (memory, issue 10)
        d = d[keep]
    del keep
    if d.empty:
        raise CensusError("no employees left to evaluate (every row has a problem or a headcount of 0)")
    wf, cond = scenario.workforce, scenario.condition
    h0, w0 = wf.annual_hours, wf.effective_hourly_wage
    scen_preset = preset(industry, "industry") if industry else None

    n = d["headcount"].to_numpy(float)
    hours = d["hours_per_year"].to_numpy(float)
    hours_default = ~np.isfinite(hours)
    hours = np.where(hours_default, d["fte"].to_numpy(float) * h0, hours)
    hours = np.where(np.isfinite(hours), hours, h0)
    wage = d["hourly_wage"].to_numpy(float)
    wage = np.where(np.isfinite(wage), wage, d["annual_pay"].to_numpy(float) / hours)
    wage_default = ~np.isfinite(wage)
    if wage_default.any():
        ind = d["industry_preset"].astype(str).to_numpy()
        pw = {p: (preset(p).get("hourly_wage").value if p and preset(p).get("hourly_wage") else w0)
              for p in np.unique(ind)}
        wage = np.where(wage_default, np.vectorize(pw.get, otypes=[float])(ind) if len(ind) else w0, wage)

    keys = list(dict.fromkeys([*_MODEL_KEYS, *by]))
    hours_defaulted = n * (hours_default & ~np.isfinite(d["fte"].to_numpy(float)))
    del hours_default
    wage *= hours
    wage *= n  # now the pay of each row
    hours *= n
    cells = _sum_by({k: d[k] for k in keys}, {"employees": n, "hours": hours, "pay": wage,
                                             "wage_defaulted": n * wage_default, "hours_defaulted": hours_defaulted})
    del hours, wage, wage_default, hours_defaulted
    cells = cells[cells["employees"] > 0].reset_index(drop=True)

    cells["annual_hours"] = cells["hours"] / cells["employees"]
    cells["hourly_wage"] = cells["pay"] / cells["hours"]
    rr = relative_prevalence(cells["age_band"].astype(str).to_numpy(), cells["sex"].astype(str).to_numpy())

    def mult(name: str) -> np.ndarray:
        base = scen_preset.multiplier(name) if scen_preset else 1.0
        out = []
        for jp, ip in zip(cells["job_preset"].astype(str), cells["industry_preset"].astype(str), strict=True):
            chosen = preset(jp) if jp else (preset(ip) if ip else scen_preset)
            out.append((chosen.multiplier(name) if chosen else 1.0) / base)
        return np.asarray(out, dtype=float)

    cells["relative_prevalence"] = rr
    cells["prevalence_multiplier"] = mult("prevalence_multiplier")
    cells["absence_multiplier"] = mult("absence_multiplier")
    cells["presenteeism_multiplier"] = mult("presenteeism_multiplier")
    cells["prevalence"] = np.minimum(1.0, cond.prevalence * rr * cells["prevalence_multiplier"])
    cells["absence_days"] = np.minimum(cond.absence_days * cells["absence_multiplier"],
                                       cells["annual_hours"] / cond.hours_per_day)
    cells["presenteeism"] = np.minimum(1.0, cond.presenteeism * cells["presenteeism_multiplier"])
    return cells


_ADDITIVE = ("employees", "hours", "pay", "affected", "burden", "absenteeism", "presenteeism_cost", "medical",
             "hours_lost", "program_cost", "program_savings", "participants", "wage_defaulted", "hours_defaulted")


def _simulate_cells(cells: pd.DataFrame, scenario: Scenario, program_index: int) -> pd.DataFrame:
    base = build_inputs(scenario, program_index)
    n = cells["employees"].to_numpy(float)
    inp = dataclasses.replace(
        base, employees=n, hourly_wage=cells["hourly_wage"].to_numpy(float),
        annual_hours=cells["annual_hours"].to_numpy(float), prevalence=cells["prevalence"].to_numpy(float),
        absence_days=cells["absence_days"].to_numpy(float), presenteeism=cells["presenteeism"].to_numpy(float),
        setup_cost=base.setup_cost * n / n.sum())
    sim = simulate(inp)
    b = sim["burden"]
    out = cells.copy()
    out["affected"] = b["affected"]
    out["burden"] = b["total"]
    out["absenteeism"] = b["absenteeism"]
    out["presenteeism_cost"] = b["presenteeism"]
    out["medical"] = b["medical"]
    out["hours_lost"] = b["hours_lost"]
    out["program_cost"] = sim["total_cost"]
    out["program_savings"] = sim["total_savings"]
    out["participants"] = sim["participants"]
    return out


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Ratios recomputed from sums (never averaged)."""
    emp = df["employees"].to_numpy(float)
    df = df.copy()
    df["prevalence"] = df["affected"] / emp
    df["hourly_wage"] = df["pay"] / df["hours"]
    df["burden_per_employee"] = df["burden"] / emp
    df["net_benefit"] = df["program_savings"] - df["program_cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["roi"] = np.where(df["program_cost"] > 0, _roi(df["program_savings"].to_numpy(float),
                                                           df["program_cost"].to_numpy(float)), np.nan)
    return df


def _merge_small(seg: pd.DataFrame, by: tuple[str, ...], min_group: int) -> tuple[pd.DataFrame, int]:
    """Merge segments under ``min_group`` employees into one 'other' row (itself >= min_group)."""
    seg = seg.sort_values("employees", ascending=False, kind="stable").reset_index(drop=True)
    small = seg["employees"] < min_group
    if not small.any():
        seg["merged_segments"] = 1
        return seg, 0
    keep = seg[~small]
    other = seg[small]
    while 0 < other["employees"].sum() < min_group and len(keep):
        other = pd.concat([other, keep.iloc[[-1]]])
        keep = keep.iloc[:-1]
    row = {k: "other" for k in by}
    row.update({c: other[c].sum() for c in _ADDITIVE})
    row["merged_segments"] = len(other)
    keep = keep.assign(merged_segments=1)
    out = pd.concat([keep, pd.DataFrame([row])], ignore_index=True)
    return out, len(other)


@dataclass(frozen=True)
class CensusResult:
    """Results for a census: shown segments (each >= the minimum group), total, equivalent scenario."""

    scenario: Scenario  # the census-equivalent scenario (one average affected employee)
    result: Result  # evaluate(scenario): what every other page shows
    segments: pd.DataFrame  # display table, biggest first, 'other' last
    total: dict[str, float]
    by: tuple[str, ...]
    min_group_size: int
    merged_segments: int  # how many segments went into 'other'
    rows_used: int
    rows_excluded: int
    employees_excluded: int
    notes: tuple[str, ...]
    applied: tuple[AppliedValue, ...]  # scenario values that now come from the census

    SEGMENT_COLUMNS = ("segment", "employees", "share", "affected", "prevalence", "hourly_wage", "burden",
                       "absenteeism", "presenteeism_cost", "medical", "burden_per_employee", "hours_lost",
                       "program_cost", "program_savings", "net_benefit", "roi", "merged_segments")

    def table(self) -> pd.DataFrame:
        """The segment table with a readable ``segment`` label and no internal columns."""
        cols = [*self.by, *(c for c in self.SEGMENT_COLUMNS if c != "segment")]
        if self.segments.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ["segment", *cols]})
        out = self.segments[[c for c in cols if c in self.segments]].copy()
        out.insert(0, "segment", self.segments["segment"])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by), "min_group_size": self.min_group_size,
            "merged_segments": self.merged_segments, "rows_used": self.rows_used,
            "rows_excluded": self.rows_excluded, "employees_excluded": self.employees_excluded,
            "notes": list(self.notes), "total": dict(self.total),
            "segments": self.table().to_dict(orient="records"),
        }


def census_scenario(scenario: Scenario, cells: pd.DataFrame) -> Scenario:
    """One average employee whose yearly burden equals the sum over the cells.

    With ``A_s`` = affected employees of cell ``s`` (``n_s p_s``): prevalence ``P = sum A / N``;
    wage ``W = sum A w / sum A`` (of the average *affected* employee); absence days
    ``D = sum A d w / (sum A W)``; annual hours ``H = sum A H w / (sum A W)``; presenteeism
    ``Q = sum A (H_s - d_s h) q_s w_s / (sum A (H - D h) W)``. Absenteeism, presenteeism and medical
    cost, and hence the program's savings and cost (all linear in them), then match the segment sum
    exactly under human-capital valuation; work-time cost of sessions on paid time and the friction
    cap are close, not exact (docs/CENSUS.md).
    """
    hd = scenario.condition.hours_per_day
    n = cells["employees"].to_numpy(float)
    p = cells["prevalence"].to_numpy(float)
    w = cells["hourly_wage"].to_numpy(float)
    d = cells["absence_days"].to_numpy(float)
    h = cells["annual_hours"].to_numpy(float)
    q = cells["presenteeism"].to_numpy(float)
    N = n.sum()
    a = n * p
    if a.sum() <= 0:
        a = n  # nobody affected: plain averages (the burden is 0 whatever they are)
    W = (a * w).sum() / a.sum()
    D = (a * d * w).sum() / (a.sum() * W)
    H = (a * h * w).sum() / (a.sum() * W)
    work = (a * (h - d * hd) * w).sum()
    Q = (a * (h - d * hd) * q * w).sum() / work if work > 0 else scenario.condition.presenteeism
    data = to_dict(scenario)
    data["workforce"].update(employees=int(round(N)), hourly_wage=float(W), annual_salary=None, annual_hours=float(H))
    data["condition"].update(prevalence=float((n * p).sum() / N), absence_days=float(D), presenteeism=float(Q))
    try:
        return build(data)
    except ScenarioError as exc:
        raise CensusError(f"the census gives values outside the scenario's allowed ranges: {exc}") from None


def evaluate_census(scenario: Scenario, census: Census, *, by: Iterable[str] | None = None,
                    exclude_invalid: bool = False, industry: str | None = None, program_index: int = 0,
                    min_group: int | None = None) -> CensusResult:
    """Burden and program results per segment and in total; the census-equivalent scenario.

    ``by``: segment dimensions (default: job family, age band and sex, those the census has).
    Segments under ``min_group`` employees (default ``census.min_group_size``) are merged into
    "other"; nothing is reported per person. Raises :class:`CensusError` when rows have errors and
    ``exclude_invalid`` is False.
    """
    by = _check_by(census, by)
    mg = min_group_size() if min_group is None else int(min_group)
    cells = _simulate_cells(segment_cells(census, scenario, by=by, exclude_invalid=exclude_invalid,
                                          industry=industry), scenario, program_index)
    if by:
        seg = cells.groupby(list(by), observed=True, sort=True)[list(_ADDITIVE)].sum().reset_index()
        for k in by:
            seg[k] = seg[k].astype(str)
    else:
        seg = pd.DataFrame([{c: cells[c].sum() for c in _ADDITIVE}])
    N = float(cells["employees"].sum())
    notes: list[str] = []
    if N < mg:
        shown = seg.iloc[0:0].assign(merged_segments=pd.Series(dtype=int))
        merged = len(seg)
        notes.append(f"fewer than {mg} employees in total: no segment table is shown")
    else:
        shown, merged = _merge_small(seg, by, mg)
        if merged:
            notes.append(f"{merged} segment(s) with fewer than {mg} employees are merged into 'other'")
    shown = _finish(shown) if len(shown) else shown
    if len(shown):
        shown.insert(0, "segment", [" / ".join(str(r[k]) for k in by) if by else "all employees"
                                    for _, r in shown.iterrows()])
        shown.loc[shown["merged_segments"] > 1, "segment"] = "other"
        shown["share"] = shown["employees"] / N
    tot = _finish(pd.DataFrame([{c: cells[c].sum() for c in _ADDITIVE}])).iloc[0]
    total = {k: float(tot[k]) for k in ("employees", "affected", "prevalence", "hourly_wage", "burden",
                                        "absenteeism", "presenteeism_cost", "medical", "burden_per_employee",
                                        "hours_lost", "program_cost", "program_savings", "net_benefit", "roi")}
    d = census.data
    used = d[~d["error"] & (d["headcount"] > 0)]
    excluded = census.rows_with_errors if exclude_invalid else 0
    if excluded:
        notes.append(f"{excluded:,} row(s) with problems excluded ({census.employees_with_errors:,} employees)")
    wd, hd_ = float(cells["wage_defaulted"].sum()), float(cells["hours_defaulted"].sum())
    if wd:
        notes.append(f"no wage in the file for {wd:,.0f} employees: the scenario's (or industry preset's) wage is used")
    if hd_:
        notes.append(f"no hours in the file for {hd_:,.0f} employees: the scenario's "
                     f"{scenario.workforce.annual_hours:,.0f} hours a year are used")
    eq = census_scenario(scenario, cells)
    label = f"your census ({int(N):,} employees)"
    applied = tuple(AppliedValue(path, float(val), label, (), "DERIVED", note) for path, val, note in (
        ("workforce.employees", eq.workforce.employees, "headcount of the rows used"),
        ("workforce.hourly_wage", eq.workforce.hourly_wage, "wage of the average affected employee"),
        ("workforce.annual_hours", eq.workforce.annual_hours, "hours of the average affected employee (wage-weighted)"),
        ("condition.prevalence", eq.condition.prevalence, "affected / employees, by age, sex and job family"),
        ("condition.absence_days", eq.condition.absence_days, "average over affected employees (wage-weighted)"),
        ("condition.presenteeism", eq.condition.presenteeism, "average over affected employees' worked hours"),
    ))
    return CensusResult(eq, evaluate(eq), shown.reset_index(drop=True), total, by, mg, merged, len(used),
                        excluded, census.employees_with_errors if exclude_invalid else 0, tuple(notes), applied)
