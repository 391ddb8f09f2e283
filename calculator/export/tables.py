"""Tidy tables of a report, and the CSV / JSON files made from them.

``results_frame``: one row per figure (``section, program, metric, value, unit, text``): the
scenario's identity, the burden, each program (base case), the first program in the conservative
case, then the uncertainty summary (or ``status = not run``).
``monthly_frame``: the month-by-month cash flow of every program (``program``, ``therapy`` and the
columns of ``ProgramResult.monthly``).

CSV text fields pass through :func:`calculator.export.safe.csv_value`, so a scenario name such as
``=HYPERLINK(...)`` cannot run as a formula when the file is opened in a spreadsheet. Numbers are
written unchanged, with full precision.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import pandas as pd

from ..scenario import Scenario
from .report import ReportData, build_report, conservative_overrides
from .safe import csv_value

__all__ = ["results_frame", "monthly_frame", "csv_bytes", "json_bytes", "frame_csv_bytes", "TABLES"]

#: Tables a CSV export can hold (one table per CSV file).
TABLES = ("results", "monthly", "comparison", "inputs", "sources", "segments")

_BURDEN_UNITS = {
    "total": "USD/yr", "absenteeism": "USD/yr", "presenteeism": "USD/yr", "medical": "USD/yr",
    "in_perspective": "USD/yr", "per_employee": "USD/yr", "per_affected_employee": "USD/yr",
    "per_100_employees": "USD/yr", "affected_employees": "count", "hours_lost": "h/yr",
    "days_lost": "days/yr", "absence_hours": "h/yr", "presenteeism_hours": "h/yr",
    "hourly_compensation": "USD/h", "benchmark_hours_per_employee": "h/yr",
    "hours_lost_per_employee": "h/yr", "benchmark_ratio": "ratio",
}
_PROGRAM_UNITS = {
    "cost": "USD", "savings": "USD", "savings_absenteeism": "USD", "savings_presenteeism": "USD",
    "savings_medical": "USD", "net_benefit": "USD", "roi": "ratio", "benefit_cost_ratio": "ratio",
    "npv": "USD", "payback_month": "month", "participants": "count",
    "participants_with_back_pain": "count", "cost_per_participant": "USD",
    "savings_per_participant": "USD", "cost_per_employee_per_month": "USD/employee/month",
    "net_per_employee_per_month": "USD/employee/month", "breakeven_price_per_session": "USD/session",
    "breakeven_effect_multiplier": "ratio", "breakeven_effect_size": "RDQ points",
    "price_per_session": "USD/session", "sessions": "sessions", "effect_size": "RDQ points",
    "horizon_months": "months",
}


def _d(report: ReportData | Scenario, uncertainty: Any = None) -> ReportData:
    return report if isinstance(report, ReportData) else build_report(report, uncertainty=uncertainty)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return _clean(v.item())
    return v


def results_frame(report: ReportData | Scenario) -> pd.DataFrame:
    """One row per figure: ``section, program, metric, value, unit, text``.

    ``value`` is numeric (empty when undefined, e.g. payback never reached); ``text`` holds the
    few text values (scenario name, parameter set, "not run").
    """
    d = _d(report)
    rows: list[dict[str, Any]] = [
        {"section": "scenario", "program": "", "metric": "name", "value": None, "unit": "", "text": d.scenario.name},
        {"section": "scenario", "program": "", "metric": "parameter_set", "value": None, "unit": "",
         "text": d.result.parameter_set},
        {"section": "scenario", "program": "", "metric": "scenario_sha256", "value": None, "unit": "",
         "text": d.scenario_sha256},
    ]
    for k, unit in _BURDEN_UNITS.items():
        rows.append({"section": "burden", "program": "", "metric": k,
                     "value": _clean(getattr(d.result.burden, k)), "unit": unit})
    for case, res in (("base", d.result), ("conservative", d.conservative)):
        for i, p in enumerate(res.programs):
            if case == "conservative" and i > 0:
                continue
            for k, unit in _PROGRAM_UNITS.items():
                rows.append({"section": "program" if case == "base" else "program_conservative",
                             "program": p.therapy if len(res.programs) == 1 else f"{i}:{p.therapy}",
                             "metric": k, "value": _clean(getattr(p, k)), "unit": unit})
    u = d.uncertainty
    if u is None:
        rows.append({"section": "uncertainty", "program": "", "metric": "status", "value": None, "unit": "",
                     "text": "not run"})
    else:
        for k, unit in (("draws", "count"), ("level", "fraction"), ("roi_low", "ratio"), ("roi_median", "ratio"),
                        ("roi_high", "ratio"), ("p_roi_positive", "fraction"), ("net_low", "USD"),
                        ("net_median", "USD"), ("net_high", "USD"), ("p_payback", "fraction")):
            v = getattr(u, k)
            if v is not None:
                rows.append({"section": "uncertainty", "program": d.program.therapy, "metric": k,
                             "value": _clean(float(v)), "unit": unit})
    from .tables_plan import plan_rows  # budget impact and cost per QALY (issue 11)
    rows += plan_rows(d.scenario)
    df = pd.DataFrame(rows, columns=["section", "program", "metric", "value", "unit", "text"])
    df["value"] = df["value"].astype(float)
    df["text"] = df["text"].fillna("")
    return df


def monthly_frame(report: ReportData | Scenario) -> pd.DataFrame:
    """Month-by-month cash flow of every program, one row per program and month."""
    d = _d(report)
    parts = []
    for i, p in enumerate(d.result.programs):
        m = p.monthly.copy()
        m.insert(0, "therapy", p.therapy)
        m.insert(0, "program", i)
        parts.append(m)
    return pd.concat(parts, ignore_index=True)


def _sources_frame(d: ReportData) -> pd.DataFrame:
    return pd.DataFrame([{"n": n, "key": r.key, "citation": r.citation(), "link": r.link}
                         for n, r in enumerate(d.references, start=1)])


def frame_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV (UTF-8, LF line ends) with every text field neutralised against formula injection."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([csv_value(str(c)) for c in df.columns])
    for rec in df.itertuples(index=False):
        w.writerow(["" if (v is None or (isinstance(v, float) and math.isnan(v))) else
                    (repr(float(v)) if isinstance(v, float) else csv_value(_clean(v))) for v in rec])
    return buf.getvalue().encode("utf-8")


def csv_bytes(report: ReportData | Scenario, table: str = "results", *, uncertainty: Any = None) -> bytes:
    """One table (``results``, ``monthly``, ``comparison``, ``inputs``, ``sources`` or, with a census,
    ``segments``) as CSV bytes."""
    d = _d(report, uncertainty)
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(TABLES)}")
    if table == "segments" and d.segments is None:
        raise ValueError("the segments table needs a census (--census FILE)")
    df = {"results": results_frame, "monthly": monthly_frame,
          "comparison": lambda x: x.comparison, "inputs": lambda x: x.inputs,
          "sources": _sources_frame, "segments": lambda x: x.segments}[table](d)
    return frame_csv_bytes(df)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in rec.items()} for rec in df.to_dict(orient="records")]


def json_bytes(report: ReportData | Scenario, *, uncertainty: Any = None) -> bytes:
    """Everything in one JSON document: results, monthly cash flow, comparison, inputs, sources.

    Top-level keys: ``format``, ``generated``, ``parameter_set``, ``scenario_sha256``, ``scenario``,
    ``results`` (``Result.to_dict()`` without the scenario), ``conservative``, ``uncertainty``
    (``{"status": "not run"}`` when absent), ``monthly``, ``comparison``, ``inputs``, ``sources``.
    """
    d = _d(report, uncertainty)
    from .tables_plan import with_plan  # budget_impact and the program's QALY paths (issue 11)
    res = with_plan(d.result.to_dict(), d.scenario)
    scenario = res.pop("scenario")
    u = d.uncertainty
    unc: dict[str, Any] = {"status": "not run"} if u is None else {
        "status": "simulation output", **{k: _clean(getattr(u, k)) for k in (
            "draws", "seed", "level", "roi_low", "roi_median", "roi_high", "p_roi_positive",
            "net_low", "net_median", "net_high", "p_payback")}}
    if u is not None and u.table is not None:
        unc["table"] = _records(u.table)
    cons = d.conservative.program.to_dict()
    doc = {
        "format": "backpain-roi report 1",
        "generated": d.generated.isoformat(),
        "parameter_set": d.result.parameter_set,
        "scenario_sha256": d.scenario_sha256,
        "scenario": scenario,
        "results": res,
        "conservative": {"definition": "the shared 'conservative' scenario preset (calculator/data/presets.csv), "
                                       "each override applied where more pessimistic than the scenario",
                         "overrides": conservative_overrides(d.scenario), "program": cons},
        "uncertainty": unc,
        "monthly": _records(monthly_frame(d)),
        "comparison": _records(d.comparison),
        "inputs": _records(d.inputs),
        "sources": _records(_sources_frame(d)),
    }
    if d.segments is not None:
        doc["segments"] = _records(d.segments)
        doc["segment_notes"] = list(d.segment_notes)
    return (json.dumps(_clean_tree(doc), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _clean_tree(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_tree(v) for v in obj]
    return _clean(obj)
