"""Input specs of the health-plan view (``plan.*``), registered into :data:`fields.FIELDS`.

Kept in its own module so the shared field list stays untouched; importing it (the Health plan
page does) adds the specs. "From your claims" is a value origin like a census or survey.
"""

from __future__ import annotations

from calculator.budget import FEE_BASIS_LABELS
from calculator.scenario import Plan

from . import fields
from .fields import FieldSpec

PLAN_SPECS: list[FieldSpec] = [
    FieldSpec("plan.members", "Plan members (employees and dependents; blank = employees x members per employee)",
              "count", step=100, optional=True,
              note="Everyone the plan covers. Leave blank to estimate it from the number of employees."),
    FieldSpec("plan.members_per_employee", "Members per enrolled employee", "number", 2, 0.1),
    FieldSpec("plan.member_months", "Member months per plan year (blank = members x 12)", "number", 0, 1000,
              optional=True, note="From your enrolment or claims file; PMPM divides by it."),
    FieldSpec("plan.fee_basis", "How the program is paid", "choice", choices=dict(FEE_BASIS_LABELS),
              note="The unit the vendor or provider bills: per employee per month, per member per month, per "
                   "engaged member per month, per participant per plan year, or per visit (claims)."),
    FieldSpec("plan.fee_amount", "Fee per unit ($; blank = the per-visit cost restated on this basis)",
              "money", 2, 1, optional=True),
    FieldSpec("plan.engaged_months", "Months a participant is engaged per plan year (blank = course length)",
              "number", 1, 1, optional=True),
    FieldSpec("plan.medical_trend", "Medical cost trend (% per year)", "percent", 1, 0.5),
    FieldSpec("plan.horizon_years", "Budget-impact horizon (plan years)", "count"),
    FieldSpec("plan.total_plan_spend", "Total plan spend in year 1 ($; blank = members x the national average)",
              "money", 0, 100_000, optional=True),
    FieldSpec("plan.fees_at_risk", "Fees at risk under a savings guarantee (%)", "percent", 0, 5),
    FieldSpec("plan.guarantee_ratio", "Guaranteed savings per dollar of fees", "number", 1, 0.5),
    FieldSpec("condition.plan_paid_share", "Paid-to-allowed: the plan's share of allowed medical cost (%)",
              "percent", 1, 1),
]


def register() -> None:
    """Add the plan specs to the shared field list (idempotent; existing specs win)."""
    fields._MODELS.setdefault("plan", Plan)
    fields.ORIGIN_CAPTIONS.setdefault("claims", "From your claims")
    for spec in PLAN_SPECS:
        fields.FIELDS.setdefault(spec.path, spec)


register()
