"""The health-plan paths in JSON and CSV exports (and in ``evaluate --format json``): one home.

``with_plan(results, scenario)`` adds ``budget_impact`` (whole horizon and ``years``) and the
program's QALY fields (``program.qalys_gained``, ``program.per_participant.qaly_gain``,
``program.cost_per_qaly`` (null when dominant or dominated), ``program.dominance``, ``program.nmb``
keyed by threshold ...) to a ``Result.to_dict()``; ``plan_rows(scenario)`` gives the same figures as
rows of the CSV results table. Values set from the user's claims are listed in
``budget_impact.from_claims``.
"""

from __future__ import annotations

from typing import Any

from ..budget import budget_impact
from ..cea import cost_effectiveness
from ..scenario import Scenario

__all__ = ["with_plan", "plan_rows", "mark_from_claims"]


def with_plan(results: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """``results`` (a ``Result.to_dict()``) with ``budget_impact`` and the program's QALY fields."""
    out = dict(results)
    out["budget_impact"] = budget_impact(scenario).to_dict()
    extra = cost_effectiveness(scenario).to_program_dict()
    prog = dict(out.get("program") or {})
    per = dict(prog.get("per_participant") or {})
    per["qaly_gain"] = extra.pop("qaly_gain_per_participant")
    out["program"] = prog | extra | {"per_participant": per}
    if isinstance(out.get("programs"), list) and out["programs"]:
        out["programs"] = [out["program"], *out["programs"][1:]]
    return out


_BUDGET = {"gross_cost": "USD", "offsets": "USD", "refund": "USD", "net": "USD", "pmpm": "USD/member/month",
           "pepm": "USD/employee/month", "share_of_plan_spend": "fraction", "members": "count",
           "paid_to_allowed": "fraction"}
_CE = {"qalys_gained": "QALY", "qaly_gain_per_participant": "QALY", "incremental_cost": "USD",
       "cost_per_qaly": "USD/QALY", "qaly_burden": "QALY/yr"}


def plan_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """CSV rows (section, program, metric, value, unit, text) of the budget impact and the CEA."""
    b, ce = budget_impact(scenario), cost_effectiveness(scenario)
    note = "from your claims: " + ", ".join(b.from_claims) if b.from_claims else ""
    rows = [{"section": "budget_impact", "program": b.therapy, "metric": k, "value": getattr(b, k), "unit": u,
             "text": note} for k, u in _BUDGET.items()]
    for y in b.years.itertuples():
        for k in ("gross_cost", "offsets", "net", "pmpm"):
            rows.append({"section": "budget_impact", "program": b.therapy, "metric": f"year_{int(y.year)}_{k}",
                         "value": float(getattr(y, k)), "unit": _BUDGET[k], "text": ""})
    rows += [{"section": "cost_effectiveness", "program": ce.therapy, "metric": k, "value": getattr(ce, k),
              "unit": u, "text": ce.dominance if k == "cost_per_qaly" else ""} for k, u in _CE.items()]
    rows += [{"section": "cost_effectiveness", "program": ce.therapy, "metric": f"nmb_{w}", "value": v,
              "unit": "USD", "text": ""} for w, v in ce.nmb.items()]
    return rows


def mark_from_claims(inputs: Any, scenario: Scenario) -> Any:
    """The report's input table with ``provenance`` = "FROM YOUR CLAIMS" where the claims set the value
    (one home: :func:`calculator.export.report.build_report` marks claims, survey and census alike)."""
    from .report import _mark_origins
    return _mark_origins(inputs, {p: "claims" for p in scenario.plan.from_claims})
