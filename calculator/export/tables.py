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

from ..fmt import NEVER, PRICE_YEAR
from ..fmt import payback as fmt_payback
from ..scenario import Scenario
from .report import ReportData, build_report, conservative_overrides
from .safe import csv_value

__all__ = ["results_frame", "monthly_frame", "comparison_frame", "inputs_frame", "dictionary_frame", "csv_bytes", "json_bytes", "frame_csv_bytes", "TABLES"]

#: Tables a CSV export can hold (one table per CSV file).
TABLES = ("results", "monthly", "comparison", "inputs", "sources", "segments", "dictionary")

_USD = f"USD ({PRICE_YEAR} prices)"
_BURDEN_UNITS = {
    "total": f"{_USD}/yr", "absenteeism": f"{_USD}/yr", "presenteeism": f"{_USD}/yr", "medical": f"{_USD}/yr",
    "in_perspective": f"{_USD}/yr", "per_employee": f"{_USD}/yr", "per_affected_employee": f"{_USD}/yr",
    "per_100_employees": f"{_USD}/yr", "affected_employees": "count", "hours_lost": "h/yr",
    "days_lost": "days/yr", "absence_hours": "h/yr", "presenteeism_hours": "h/yr",
    "hourly_compensation": f"{_USD}/h", "benchmark_hours_per_employee": "h/yr",
    "hours_lost_per_employee": "h/yr", "benchmark_ratio": "ratio",
}
_PROGRAM_UNITS = {
    "cost": _USD, "savings": _USD, "savings_absenteeism": _USD, "savings_presenteeism": _USD,
    "savings_medical": _USD, "net_benefit": _USD, "roi": "ratio", "benefit_cost_ratio": "ratio",
    "npv": _USD, "payback_month": "month", "participants": "count",
    "participants_with_back_pain": "count", "cost_per_participant": _USD,
    "savings_per_participant": _USD, "cost_per_employee_per_month": f"{_USD}/employee/month",
    "net_per_employee_per_month": f"{_USD}/employee/month", "breakeven_price_per_session": f"{_USD}/session",
    "breakeven_effect_multiplier": "ratio", "breakeven_effect_size": "RDQ points",
    "price_per_session": f"{_USD}/session", "sessions": "sessions", "effect_size": "RDQ points",
    "horizon_months": "months",
}


# The monthly cash-flow table's columns as files name them: what they hold, with the unit.
MONTHLY_COLUMNS = {
    "program": ("program", "index", "program number in the scenario (0 = the proposal)"),
    "therapy": ("therapy", "id", "therapy id (calculator/data/therapies.csv)"),
    "month": ("month", "month", "month of the program, 1 = first month"),
    "setup": ("setup_cost_usd", _USD, "one-off setup cost paid in the month"),
    "admin": ("admin_cost_usd", _USD, "administration fee (per eligible employee per month)"),
    "sessions": ("session_cost_usd", _USD, "employer's share of the session price, in dollars"),
    "work_time": ("work_time_cost_usd", _USD, "paid work time spent in sessions and travel"),
    "cost": ("total_cost_usd", _USD, "all program cost in the month"),
    "saving_absenteeism": ("saving_absenteeism_usd", _USD, "absence avoided, valued at compensation"),
    "saving_presenteeism": ("saving_presenteeism_usd", _USD, "presenteeism avoided, valued at compensation"),
    "saving_medical": ("saving_medical_usd", _USD, "excess medical cost avoided"),
    "savings": ("total_savings_usd", _USD, "all savings in the month"),
    "net": ("net_usd", _USD, "savings minus cost in the month"),
    "cumulative_net": ("cumulative_net_usd", _USD, "net cash flow summed from month 1"),
    "discount_factor": ("discount_factor", "ratio", "(1 + discount rate)^(-(month - 1)/12), for the NPV"),
    "participants_active": ("participants_active", "people", "participants still employed and enrolled"),
    "effective_participants": ("effective_participants", "people",
                               "participants weighted by the share of the effect they have that month"),
    "sessions_purchased": ("sessions_purchased", "sessions", "number of sessions paid for in the month"),
}
COMPARISON_COLUMNS = {
    "therapy": ("therapy", "id", "therapy id"), "label": ("label", "text", "therapy name"),
    "evidence_grade": ("evidence_grade", "grade", "strength of the trial evidence"),
    "comparator": ("comparator", "text", "what the trial compared the therapy with"),
    "sessions": ("sessions_per_course", "sessions", "sessions in one course"),
    "price_per_session": ("price_per_session_usd", _USD, "price of one session"),
    "effect_size": ("effect_size_rdq_points", "RDQ points", "trial effect on disability vs comparator"),
    "participants": ("participants", "people", "employees who start the program"),
    "cost": ("cost_usd", _USD, "program cost over the horizon"),
    "savings": ("savings_usd", _USD, "savings over the horizon"),
    "net_benefit": ("net_benefit_usd", _USD, "savings minus cost over the horizon"),
    "roi": ("roi_fraction", "fraction", "(savings - cost) / cost; 0.10 = 10%"),
    "benefit_cost_ratio": ("benefit_cost_ratio", "USD per USD", "savings per dollar of cost"),
    "npv": ("npv_usd", _USD, "net present value at the scenario's discount rate"),
    "payback_month": ("payback_month", "month", "first month the cumulative net reaches zero; 'never' if not "
                      "within the horizon"),
    "cost_per_participant": ("cost_per_participant_usd", _USD, "cost divided by participants"),
    "breakeven_price_per_session": ("breakeven_price_per_session_usd", _USD,
                                    "session price at which the program breaks even"),
    "chosen": ("chosen", "true/false", "the therapy of the scenario's proposal"),
}
RESULTS_COLUMNS = {
    "section": ("section", "text", "scenario, burden, program, program_conservative or uncertainty"),
    "program": ("program", "text", "therapy id (index:id when the scenario has several programs)"),
    "metric": ("metric", "text", "what the row measures"),
    "value": ("value", "see unit", "the number (empty when the row holds text)"),
    "unit": ("unit", "text", f"unit of value; money is {_USD}"),
    "text": ("text", "text", "text values: names, 'never' for a payback not reached, 'not run'"),
}
INPUT_COLUMNS = {"value": "value", "default": "default", "low": "low", "high": "high", "unit": "unit"}


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
        {"section": "scenario", "program": "", "metric": "price_year", "value": PRICE_YEAR, "unit": "year",
         "text": "every dollar figure is in US dollars at this year's prices"},
        {"section": "scenario", "program": "", "metric": "horizon_months", "value": d.horizon, "unit": "months",
         "text": ""},
    ]
    for k, unit in _BURDEN_UNITS.items():
        rows.append({"section": "burden", "program": "", "metric": k,
                     "value": _clean(getattr(d.result.burden, k)), "unit": unit})
    for case, res in (("base", d.result), ("conservative", d.conservative)):
        for i, p in enumerate(res.programs):
            if case == "conservative" and i > 0:
                continue
            for k, unit in _PROGRAM_UNITS.items():
                v = _clean(getattr(p, k))
                rows.append({"section": "program" if case == "base" else "program_conservative",
                             "program": p.therapy if len(res.programs) == 1 else f"{i}:{p.therapy}",
                             "metric": k, "value": v, "unit": unit,
                             "text": NEVER if k == "payback_month" and v is None else ""})
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
    """Month-by-month cash flow of every program, one row per program and month.

    Columns are named for what they hold, with the unit (:data:`MONTHLY_COLUMNS`): the model's
    ``sessions`` column (dollars spent on sessions) is ``session_cost_usd`` here.
    """
    d = _d(report)
    parts = []
    for i, p in enumerate(d.result.programs):
        m = p.monthly.copy()
        m.insert(0, "therapy", p.therapy)
        m.insert(0, "program", i)
        parts.append(m)
    df = pd.concat(parts, ignore_index=True)
    return df.rename(columns={k: v[0] for k, v in MONTHLY_COLUMNS.items()})


def comparison_frame(report: ReportData | Scenario) -> pd.DataFrame:
    """Every therapy side by side, columns named with their unit, payback 'never' when not reached."""
    d = _d(report)
    df = d.comparison.copy()
    df["payback_month"] = [NEVER if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
                           for v in df["payback_month"]]
    return df.rename(columns={k: v[0] for k, v in COMPARISON_COLUMNS.items()})


def inputs_frame(report: ReportData | Scenario) -> pd.DataFrame:
    """The inputs table with the price year of every dollar value."""
    d = _d(report)
    df = d.inputs.copy()
    df.insert(df.columns.get_loc("unit") + 1, "price_year",
              [PRICE_YEAR if str(u).startswith("USD") else None for u in df["unit"]])
    return df


def dictionary_frame(report: ReportData | Scenario | None = None) -> pd.DataFrame:
    """The data dictionary: every column of every table with its unit and meaning."""
    rows = [{"table": t, "column": name, "unit": unit, "meaning": meaning}
            for t, cols in (("results", RESULTS_COLUMNS), ("monthly", MONTHLY_COLUMNS),
                            ("comparison", COMPARISON_COLUMNS)) for name, unit, meaning in cols.values()]
    rows += [{"table": "inputs", "column": c, "unit": "see unit column",
              "meaning": f"the input's {c} (money in {_USD})"} for c in ("value", "default", "low", "high")]
    rows += [{"table": "inputs", "column": "price_year", "unit": "year",
              "meaning": "price year of a dollar-valued input (empty for other units)"},
             {"table": "sources", "column": "n", "unit": "number", "meaning": "reference number used in the reports"}]
    return pd.DataFrame(rows, columns=["table", "column", "unit", "meaning"])


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
    ``segments``) as CSV bytes; ``dictionary`` lists every column's unit and meaning."""
    d = _d(report, uncertainty)
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(TABLES)}")
    if table == "segments" and d.segments is None:
        raise ValueError("the segments table needs a census (--census FILE)")
    df = {"results": results_frame, "monthly": monthly_frame,
          "comparison": comparison_frame, "inputs": inputs_frame, "dictionary": dictionary_frame,
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
    res.pop("scenario")
    for prog in [res["program"], *res["programs"]]:
        prog["payback"] = fmt_payback(prog.get("payback_month"))  # 'month 6' or 'never', spelled out
    # the embedded scenario is exactly the text scenario_sha256 hashes (calculator.scenario.to_json)
    scenario = json.loads(d.scenario_json)
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
        "scenario_sha256_of": "the 'scenario' object as calculator.scenario.to_json writes it: "
                              "json.dumps(scenario, indent=2, ensure_ascii=False) + newline, UTF-8",
        "currency": "USD", "price_year": PRICE_YEAR,
        "scenario": scenario,
        "results": res,
        "conservative": {"definition": "the shared 'conservative' scenario preset (calculator/data/presets.csv), "
                                       "each override applied where more pessimistic than the scenario",
                         "overrides": conservative_overrides(d.scenario), "program": cons},
        "uncertainty": unc,
        "monthly": _records(monthly_frame(d)),
        "comparison": _records(comparison_frame(d)),
        "inputs": _records(inputs_frame(d)),
        "dictionary": _records(dictionary_frame(d)),
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
