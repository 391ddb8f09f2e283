"""Budget impact from the health plan's (budget holder's) view: gross cost, offsets, net, PMPM.

ISPOR good practice (Mauskopf 2007; Sullivan 2014): the budget holder's perspective, results plan
year by plan year over a 1-5 year horizon, no discounting, no productivity. docs/METHODS.md
("Budget impact") states the model; docs/HEALTH_PLAN.md is the user guide.

Conventions
-----------
* Money is in USD at the library's price year; costs and offsets are positive numbers and
  **net budget impact = gross cost - fee refunds - offsets** (positive = the plan spends more,
  negative = the plan saves). PMPM = net / member months; PEPM = net / employee months.
* Plan year ``y`` = 1..Y. People with chronic LBP who start the program in year ``c`` generate
  medical offsets in years ``c, c+1, ...`` from the program's own effect curve (ramp, decay,
  turnover), so the offsets of year ``y`` are ``sum_c starters_c x offset_age[y - c]``.
* Offsets are allowed-cost reductions x the paid-to-allowed ratio, grown by the medical trend
  ``(1 + trend) ** (y - 1)``; program fees are contract prices and do not trend.
* Fees at risk: the vendor refunds ``min(s x fees, max(0, g x fees - offsets))`` each year, where
  ``s`` is the share of fees at risk and ``g`` the guaranteed savings per dollar of fees.

Every function is vectorised: numeric arguments may be arrays of Monte Carlo draws of shape
``(n,)``; yearly outputs then have shape ``(n, Y)``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .effect import WEEKS_PER_MONTH
from .evidence import library
from .program import ProgramInputs, cohort_flows
from .scenario import Scenario

__all__ = [
    "FEE_BASIS_LABELS",
    "PlanPMPM",
    "plan_pmpm",
    "plan_members",
    "starters_by_year",
    "fee_units",
    "carry_forward",
    "trend_factors",
    "fee_refund",
    "budget_table",
    "BudgetImpact",
    "per_participant_profile",
    "paid_to_allowed",
    "budget_impact",
]

FEE_BASIS_LABELS = {
    "pepm": "per employee per month (PEPM)",
    "pmpm": "per member per month (PMPM)",
    "pempm": "per engaged member per month (PEMPM)",
    "per_participant": "per participant per plan year",
    "per_visit": "per visit",
}


def _a(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def plan_members(employees: ArrayLike, members_per_employee: ArrayLike) -> np.ndarray:
    """Plan members [members] = employees x members per employee (employee + dependents).

    >>> float(plan_members(1000, 2.0))
    2000.0
    """
    return _a(employees) * members_per_employee


def starters_by_year(members: ArrayLike, eligibility: ArrayLike, prevalence: ArrayLike,
                     uptake_by_year: ArrayLike, uptake_unaffected: ArrayLike,
                     uptake_reference: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """People who start the program in each plan year: (with chronic LBP, all) [people/yr].

    Parameters
    ----------
    members : plan members [members]
    eligibility : share of members eligible [fraction]
    prevalence : share of members with chronic LBP [fraction]
    uptake_by_year : uptake among eligible members with chronic LBP in years 1..Y [fraction], last axis
    uptake_unaffected : uptake among eligible members without it, at the reference uptake [fraction]
    uptake_reference : the program's own uptake; members without LBP follow the curve in proportion

    Notes
    -----
    ``with_lbp_y = M e p u_y``; ``all_y = with_lbp_y + M e (1 - p) u0 (u_y / u_ref)`` (``u_ref`` = 0
    gives no one without LBP).

    >>> w, t = starters_by_year(1_000_000, 1.0, 0.1, [0.25, 0.25], 0.0, 0.25)
    >>> w.tolist(), t.tolist()
    ([25000.0, 25000.0], [25000.0, 25000.0])
    """
    u = _a(uptake_by_year)
    col = lambda x: _a(x)[..., None]  # noqa: E731
    base = col(_a(members) * eligibility)
    with_lbp = base * col(prevalence) * u
    ref = col(uptake_reference)
    ratio = np.divide(u, ref, out=np.zeros(np.broadcast_shapes(u.shape, ref.shape)), where=ref > 0)
    without = base * (1.0 - col(prevalence)) * col(uptake_unaffected) * ratio
    return with_lbp, with_lbp + without


def carry_forward(starters: ArrayLike, per_starter_by_age: ArrayLike) -> np.ndarray:
    """Yearly totals when each year's starters generate ``per_starter_by_age[k]`` in their year k.

    ``out_y = sum_{c <= y} starters_c x per_starter_by_age[y - c]`` (a truncated convolution along the
    last axis; both arrays have Y years there).

    >>> carry_forward([10, 20], [1.0, 0.5]).tolist()
    [10.0, 25.0]
    """
    s, f = _a(starters), _a(per_starter_by_age)
    Y = s.shape[-1]
    out = np.zeros(np.broadcast_shapes(s.shape, f.shape))
    for c in range(Y):
        out[..., c:] += s[..., c:c + 1] * f[..., :Y - c]
    return out


def trend_factors(medical_trend: ArrayLike, years: int) -> np.ndarray:
    """``(1 + trend) ** (y - 1)`` for plan years 1..Y [ratio], last axis = years.

    >>> np.round(trend_factors(0.08, 3), 4).tolist()
    [1.0, 1.08, 1.1664]
    """
    return (1.0 + _a(medical_trend)[..., None]) ** np.arange(years)


def fee_units(basis: str, *, employees: ArrayLike, member_months: ArrayLike, starters: ArrayLike,
              engaged_months: ArrayLike, visits: ArrayLike) -> np.ndarray:
    """Billable units per plan year for a fee basis [employee-months, member-months, ...].

    pepm: employees x 12; pmpm: member months; pempm: starters x engaged months; per_participant:
    starters; per_visit: visits. ``starters`` and ``visits`` carry the year axis.

    >>> fee_units("pmpm", employees=1, member_months=24_000, starters=np.zeros(2),
    ...           engaged_months=3, visits=np.zeros(2)).tolist()
    [24000.0, 24000.0]
    """
    starters = _a(starters)
    shape = starters.shape
    if basis == "pepm":
        return np.broadcast_to(_a(employees)[..., None] * 12.0, shape).copy()
    if basis == "pmpm":
        return np.broadcast_to(_a(member_months)[..., None], shape).copy()
    if basis == "pempm":
        return starters * _a(engaged_months)[..., None]
    if basis == "per_participant":
        return starters.copy()
    if basis == "per_visit":
        return np.broadcast_to(_a(visits), shape).copy()
    raise ValueError(f"unknown fee basis {basis!r}; choose one of: {', '.join(FEE_BASIS_LABELS)}")


def fee_refund(fees: ArrayLike, offsets: ArrayLike, share_at_risk: ArrayLike,
               guarantee_ratio: ArrayLike) -> np.ndarray:
    """Fees refunded under a savings guarantee [USD/yr]: ``min(s F, max(0, g F - O))``.

    >>> fee_refund(100.0, 150.0, 0.5, 2.0).item(), fee_refund(100.0, 190.0, 0.5, 2.0).item()
    (50.0, 10.0)
    """
    f = _a(fees)
    s = _a(share_at_risk)[..., None] if np.ndim(share_at_risk) else _a(share_at_risk)
    g = _a(guarantee_ratio)[..., None] if np.ndim(guarantee_ratio) else _a(guarantee_ratio)
    return np.minimum(s * f, np.maximum(0.0, g * f - _a(offsets)))


def budget_table(*, gross_cost: ArrayLike, offsets_allowed: ArrayLike, paid_to_allowed: ArrayLike,
                 medical_trend: ArrayLike, member_months: ArrayLike, employees: ArrayLike,
                 total_plan_spend: ArrayLike, fees_at_risk: ArrayLike = 0.0,
                 guarantee_ratio: ArrayLike = 0.0) -> dict[str, np.ndarray]:
    """Yearly budget impact from gross cost and allowed offsets (last axis = plan years).

    Parameters
    ----------
    gross_cost : program fees in each plan year [USD/yr]
    offsets_allowed : allowed medical cost avoided in each plan year, before trend [USD/yr]
    paid_to_allowed : plan's share of allowed cost [fraction]
    medical_trend : yearly medical trend [fraction/yr]
    member_months : member months per plan year [member-months]
    employees : employees (for PEPM) [employees]
    total_plan_spend : total plan spend in plan year 1 [USD/yr]; grows with the trend
    fees_at_risk, guarantee_ratio : see :func:`fee_refund`

    Returns ``gross_cost``, ``offsets``, ``refund``, ``net``, ``pmpm``, ``pepm``, ``plan_spend``,
    ``share_of_plan_spend`` per year.

    Examples
    --------
    PHTI 2024 arithmetic: a net saving of $4.4M for 1M members is $0.37 PMPM.

    >>> t = budget_table(gross_cost=[24.875e6], offsets_allowed=[29.275e6], paid_to_allowed=1.0,
    ...                  medical_trend=0.0, member_months=12e6, employees=500_000, total_plan_spend=8.951e9)
    >>> round(t["net"].item() / 1e6, 2), round(t["pmpm"].item(), 3)
    (-4.4, -0.367)
    """
    gross = _a(gross_cost)
    Y = gross.shape[-1]
    trend = trend_factors(medical_trend, Y)
    offsets = _a(offsets_allowed) * _a(paid_to_allowed)[..., None] * trend
    refund = fee_refund(gross, offsets, fees_at_risk, guarantee_ratio)
    net = gross - refund - offsets
    mm = _a(member_months)[..., None]
    spend = _a(total_plan_spend)[..., None] * trend
    return {
        "gross_cost": np.broadcast_to(gross, net.shape), "offsets": offsets, "refund": refund, "net": net,
        "pmpm": net / mm, "pepm": net / (_a(employees)[..., None] * 12.0), "plan_spend": spend,
        "share_of_plan_spend": net / spend,
    }


# ---------------------------------------------------------------------------------------------
# From a scenario


def paid_to_allowed(scenario: Scenario) -> tuple[float, str]:
    """The plan's share of allowed cost and where it came from (one home: ``condition.plan_paid_share``)."""
    return float(scenario.condition.plan_paid_share), "condition.plan_paid_share"


def per_participant_profile(inp: ProgramInputs, years: int) -> dict[str, np.ndarray]:
    """What one starter with chronic LBP brings in each year since starting (last axis = age in years).

    One cohort is simulated from the program model (health-plan perspective, no later cohorts)
    over ``years`` years: ``offset_allowed`` = medical cost avoided [USD, allowed, before trend],
    ``visits`` = sessions used per starter (with or without LBP, incl. boosters), ``active`` =
    share still a member (turnover) at mid-year.
    """
    H = 12 * years
    one = dataclasses.replace(inp, horizon_months=H, offer_interval_months=H + 1, perspective="health_plan")
    sim = cohort_flows(one)  # medical offsets and sessions of the program model, nothing else
    start_aff = np.asarray(sim["participants_affected"], dtype=float)[..., None]
    start_all = np.asarray(sim["participants"], dtype=float)[..., None]
    by_year = lambda x: np.asarray(x, dtype=float).reshape(*np.shape(x)[:-1], years, 12).sum(axis=-1)  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = np.where(start_aff > 0, by_year(sim["medical_offset_allowed"]) / start_aff, 0.0)
        visits = np.where(start_all > 0, by_year(sim["sessions_purchased_monthly"]) / start_all, 0.0)
    return {"offset_allowed": offset, "visits": visits}


@dataclass(frozen=True)
class BudgetImpact:
    """Budget impact of one program over the plan's horizon (USD; positive net = plan spends more).

    ``years``: one row per plan year (year, members, member_months, starters, starters_with_lbp,
    units, offsets_allowed (before paid-to-allowed and trend), gross_cost, refund, offsets, net, pmpm,
    pepm, plan_spend, share_of_plan_spend).
    Whole-horizon figures: ``gross_cost``, ``offsets``, ``refund``, ``net``, ``pmpm`` (net / all
    member months), ``pepm``, ``share_of_plan_spend`` (net / total plan spend over the horizon).
    ``sources`` says where members, paid-to-allowed, fee and uptake came from; ``from_claims``
    the scenario paths your claims set.
    """

    therapy: str
    fee_basis: str
    fee_amount: float
    members: float
    employees: float
    horizon_years: int
    paid_to_allowed: float
    medical_trend: float
    gross_cost: float
    offsets: float
    refund: float
    net: float
    pmpm: float
    pepm: float
    share_of_plan_spend: float
    years: pd.DataFrame = dataclasses.field(repr=False)
    sources: dict[str, str] = dataclasses.field(default_factory=dict)
    from_claims: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``budget_impact`` JSON: whole horizon, ``years`` (one object per plan year), sources."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "years"}
        d["from_claims"] = list(self.from_claims)
        d["fee_basis_label"] = FEE_BASIS_LABELS[self.fee_basis]
        d["years"] = self.years.to_dict(orient="records")
        return d


def _uptake_curve(scenario: Scenario, program_index: int) -> np.ndarray:
    Y = scenario.plan.horizon_years
    given = scenario.plan.uptake_by_year
    if not given:
        return np.full(Y, scenario.programs[program_index].uptake)
    return np.array([given[min(y, len(given) - 1)] for y in range(Y)], dtype=float)


def _per_visit_fee(scenario: Scenario, program_index: int) -> float:
    prog = scenario.programs[program_index]
    return float(prog.resolved("price_per_session")) * prog.employer_share


def _fee_amount(scenario: Scenario, program_index: int, units_year1: float | None = None,
                visits_year1: float | None = None) -> float:
    """The fee per unit: ``plan.fee_amount``; blank = the per-visit price, or on another basis the fee
    whose year-1 cost equals paying per visit (so switching basis alone changes nothing)."""
    plan = scenario.plan
    if plan.fee_amount is not None:
        return float(plan.fee_amount)
    per_visit = _per_visit_fee(scenario, program_index)
    if plan.fee_basis == "per_visit" or not units_year1:
        return per_visit
    return per_visit * float(visits_year1 or 0.0) / float(units_year1)


def scenario_budget(scenario: Scenario, inp: ProgramInputs, program_index: int = 0,
                    fee: float | None = None, profile: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Yearly budget arrays for a scenario with model inputs ``inp`` (arrays for Monte Carlo draws).

    ``fee`` fixes the fee per unit (the Monte Carlo passes the base case's, a contract price);
    ``None`` = :func:`_fee_amount`. ``profile``: :func:`per_participant_profile` of ``inp`` over the
    plan's horizon when the caller has it already (a book run computes it for many groups at once)."""
    plan, prog = scenario.plan, scenario.programs[program_index]
    Y = plan.horizon_years
    members = float(plan.members) if plan.members is not None else float(
        plan_members(scenario.workforce.employees, plan.members_per_employee))
    mm = plan.member_months if plan.member_months is not None else members * 12.0
    prof = per_participant_profile(inp, Y) if profile is None else profile
    aff, starters = starters_by_year(members, inp.eligibility, inp.prevalence, _uptake_curve(scenario, program_index),
                                     inp.uptake_unaffected, prog.uptake)
    engaged = plan.engaged_months if plan.engaged_months is not None else min(
        12.0, math.ceil(float(prog.resolved("course_weeks")) / WEEKS_PER_MONTH))
    visits = carry_forward(starters, prof["visits"])
    units = fee_units(plan.fee_basis, employees=scenario.workforce.employees, member_months=mm, starters=starters,
                      engaged_months=engaged, visits=visits)
    if fee is None:
        fee = _fee_amount(scenario, program_index, float(np.mean(np.asarray(units)[..., 0])),
                          float(np.mean(np.asarray(visits)[..., 0])))
    gross = units * fee
    spend = plan.total_plan_spend if plan.total_plan_spend is not None else (
        members * library().value("plan.total_spend_per_member"))
    allowed = carry_forward(aff, prof["offset_allowed"])
    out = budget_table(gross_cost=gross, offsets_allowed=allowed,
                       paid_to_allowed=paid_to_allowed(scenario)[0], medical_trend=plan.medical_trend,
                       member_months=mm, employees=scenario.workforce.employees, total_plan_spend=spend,
                       fees_at_risk=plan.fees_at_risk, guarantee_ratio=plan.guarantee_ratio)
    return out | {"units": units, "fee": np.asarray(fee), "starters": starters, "starters_with_lbp": aff,
                  "offsets_allowed": allowed,
                  "members": np.asarray(members),
                  "member_months": np.asarray(float(mm))}


@dataclass(frozen=True)
class PlanPMPM:
    """Whole-horizon budget impact of :func:`scenario_budget`: ``net`` [USD over the plan's horizon,
    positive = the plan spends more], ``member_months`` [member-months over the horizon], ``pmpm`` =
    net / member months [USD/member/month] (arrays when the inputs are draws) and ``fee`` per unit."""

    net: np.ndarray
    member_months: float
    pmpm: np.ndarray
    fee: float


def plan_pmpm(scenario: Scenario, inp: ProgramInputs, program_index: int = 0,
              fee: float | None = None, profile: dict[str, np.ndarray] | None = None) -> PlanPMPM:
    """The plan's net budget impact per member per month over its horizon, for model inputs ``inp``
    (numpy arrays = one value per draw; ``fee`` fixed = a contract price, as :func:`budget_interval`
    holds it; ``profile`` as in :func:`scenario_budget`). With the scenario's own inputs, ``pmpm``
    is :func:`budget_impact`'s.

    >>> from calculator import Scenario
    >>> from calculator.model import build_inputs
    >>> s = Scenario()
    >>> abs(float(plan_pmpm(s, build_inputs(s, 0)).pmpm) - budget_impact(s).pmpm) < 1e-12
    True
    """
    out = scenario_budget(scenario, inp, program_index, fee, profile)
    mm = float(out["member_months"]) * scenario.plan.horizon_years
    net = np.sum(out["net"], axis=-1)
    return PlanPMPM(net=net, member_months=mm, pmpm=net / mm, fee=float(out["fee"]))


def budget_impact(scenario: Scenario, program_index: int = 0) -> BudgetImpact:
    """Budget impact of a scenario's program from the health plan's view, plan year by plan year.

    >>> from calculator import Scenario
    >>> b = budget_impact(Scenario())
    >>> len(b.years) == Scenario().plan.horizon_years, b.fee_basis
    (True, 'per_visit')
    """
    from .model import build_inputs
    plan = scenario.plan
    out = scenario_budget(scenario, build_inputs(scenario, program_index), program_index)
    Y = plan.horizon_years
    mm = float(out["member_months"])
    years = pd.DataFrame({"year": np.arange(1, Y + 1), "members": float(out["members"]), "member_months": mm}
                         | {k: np.asarray(out[k], dtype=float).reshape(Y) for k in (
                             "starters", "starters_with_lbp", "units", "offsets_allowed", "gross_cost", "refund",
                             "offsets", "net",
                             "pmpm", "pepm", "plan_spend", "share_of_plan_spend")})
    tot = {k: float(years[k].sum()) for k in ("gross_cost", "offsets", "refund", "net")}
    ptoa, ptoa_src = paid_to_allowed(scenario)
    sources = {
        "members": "plan.members" if plan.members is not None else "workforce.employees x plan.members_per_employee",
        "paid_to_allowed": ptoa_src,
        "fee_amount": "plan.fee_amount" if plan.fee_amount is not None else
        f"programs.{program_index}.price_per_session x programs.{program_index}.employer_share" + (
            "" if plan.fee_basis == "per_visit" else ", restated per unit of the fee basis (same year-1 cost)"),
        "uptake_by_year": "plan.uptake_by_year" if plan.uptake_by_year else f"programs.{program_index}.uptake",
        "total_plan_spend": "plan.total_plan_spend" if plan.total_plan_spend is not None else
        "members x library: plan.total_spend_per_member",
    }
    return BudgetImpact(
        therapy=scenario.programs[program_index].therapy, fee_basis=plan.fee_basis,
        fee_amount=float(out["fee"]), members=float(out["members"]),
        employees=float(scenario.workforce.employees), horizon_years=Y, paid_to_allowed=ptoa,
        medical_trend=plan.medical_trend, **tot, pmpm=tot["net"] / (mm * Y),
        pepm=tot["net"] / (scenario.workforce.employees * 12.0 * Y),
        share_of_plan_spend=tot["net"] / float(years["plan_spend"].sum()), years=years, sources=sources,
        from_claims=tuple(plan.from_claims),
    )


def budget_interval(scenario: Scenario, draws: int = 1000, seed: int = 20240101,
                    program_index: int = 0) -> pd.DataFrame:
    """Monte Carlo intervals of the budget impact: one row per plan year plus ``year = 0`` (whole horizon).

    Every uncertain model input is drawn as in :func:`calculator.uncertainty.psa` (same seed, same
    draws); columns: year, base, mean, p5, p95 of ``net`` [USD] and of ``pmpm`` [USD/member/month],
    and ``p_saves`` = share of draws in which the plan saves money (net < 0).

    >>> from calculator import Scenario
    >>> t = budget_interval(Scenario(), draws=200, seed=1)
    >>> t["year"].tolist() == [0, 1, 2, 3], bool((t["pmpm_p5"] <= t["pmpm_p95"]).all())
    (True, True)
    """
    from .model import build_inputs
    from .uncertainty import _check_draws, _rng, sample
    n = _check_draws(draws)
    rng, seed = _rng(seed)
    cols = sample(scenario, n, rng, program_index=program_index)
    base_inp = build_inputs(scenario, program_index)
    inp = dataclasses.replace(base_inp, **{c: cols[c].to_numpy() for c in cols.columns})
    base = scenario_budget(scenario, base_inp, program_index)
    out = scenario_budget(scenario, inp, program_index, fee=float(base["fee"]))
    mm = float(out["member_months"])
    net = np.broadcast_to(out["net"], (n, scenario.plan.horizon_years))
    whole = net.sum(axis=-1)
    rows = []
    for y, x, b in [(0, whole, float(np.sum(base["net"])))] + [
            (i + 1, net[:, i], float(np.asarray(base["net"]).reshape(-1)[i])) for i in range(net.shape[1])]:
        months = mm * (net.shape[1] if y == 0 else 1)
        q5, q95 = np.quantile(x, [0.05, 0.95])
        rows.append({"year": y, "net_base": b, "net_mean": float(x.mean()), "net_p5": float(q5),
                     "net_p95": float(q95), "pmpm_base": b / months, "pmpm_mean": float(x.mean()) / months,
                     "pmpm_p5": float(q5) / months, "pmpm_p95": float(q95) / months,
                     "p_saves": float(np.mean(x < 0)), "draws": n, "seed": seed})
    return pd.DataFrame(rows)
