"""A benefit program as monthly cash flows: participants, costs, savings, with turnover and boosters.

:class:`ProgramInputs` holds every number the program model needs. Numeric fields may be floats or
numpy arrays of shape ``(n,)`` (one value per Monte Carlo draw); :func:`simulate` then returns
arrays of shape ``(n, H)`` for monthly flows and ``(n,)`` for totals. Structural settings (horizon,
perspective, valuation, switches, offer and booster intervals) are plain scalars.

Model (docs/METHODS.md has the full statement)
-----------------------------------------------
* Offers at months 0, I, 2I, ... (I = offer interval). Cohort 0 is ``N e p u`` employees with
  chronic LBP plus ``N e (1-p) u0`` without; later cohorts are the new hires since the last offer,
  ``(1 - r^I)`` times those numbers, where ``r = (1 - turnover)^(1/12)`` is monthly retention.
* A cohort's members stay with probability ``r`` per month (evaluated at mid-month); leavers take
  the benefit with them and stop using sessions.
* Sessions: each starter uses ``min(S, cap) (c + (1 - c) s_nc)`` sessions, spread over the course
  weeks; boosters (optional) give completers ``S_b`` sessions every ``B`` months and restore the
  peak effect.
* Savings: completers with chronic LBP (non-completers get no effect) reduce their attributable
  absence, presenteeism and medical cost by ``min(1, E m a_x dose) * profile(t)``, where ``E`` is
  the therapy's RDQ effect, ``m`` the effect multiplier, ``a_x`` the translation per RDQ point and
  ``dose = min(1, cap / S)``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import burden as bd
from .effect import WEEKS_PER_MONTH, effect_profile
from .finance import discount_factors, payback_from_cumulative, roi

__all__ = ["ProgramInputs", "NUMERIC_FIELDS", "simulate", "annual_burden"]


@dataclass(frozen=True)
class ProgramInputs:
    """Everything the program model needs (see :mod:`calculator.model` for how it is built)."""

    # workforce
    employees: object
    hourly_wage: object
    annual_hours: object
    benefits_load: object
    productivity_multiplier: object
    turnover: object
    # condition
    prevalence: object
    absence_days: object
    presenteeism: object
    medical_excess_cost: object
    hours_per_day: object
    # translation
    absence_per_point: object
    presenteeism_per_point: object
    medical_per_point: object
    # program
    eligibility: object
    uptake: object
    uptake_unaffected: object
    completion: object
    noncompleter_session_share: object
    employer_share: object
    price_per_session: object
    sessions: object
    course_weeks: object
    effect_size: object
    decay_per_week: object
    session_hours: object
    setup_cost: object
    admin_pepm: object
    travel_hours: object
    effect_multiplier: object
    # analysis
    discount_rate: object
    friction_period_weeks: object
    friction_elasticity: object
    # structural settings (scalars, never sampled)
    visit_cap: int | None = None
    multiplier_on_presenteeism: bool = False
    on_paid_time: bool = False
    on_site: bool = False
    offer_interval_months: int = 12
    booster_interval_months: int = 0
    booster_sessions: int = 0
    horizon_months: int = 12
    valuation: str = "human_capital"
    perspective: str = "self_insured"


_STRUCTURAL = {"visit_cap", "multiplier_on_presenteeism", "on_paid_time", "on_site",
               "offer_interval_months", "booster_interval_months", "booster_sessions",
               "horizon_months", "valuation", "perspective"}
#: Numeric inputs that may be arrays (Monte Carlo draws).
NUMERIC_FIELDS = tuple(f.name for f in fields(ProgramInputs) if f.name not in _STRUCTURAL)


def _a(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def annual_burden(inp: ProgramInputs) -> dict[str, np.ndarray]:
    """Yearly burden of chronic LBP for the whole workforce and per affected employee.

    Returns absenteeism, presenteeism, medical and total cost [USD/yr], hours and days lost, the
    number affected, and the per-affected-employee costs the program's savings are built on.
    """
    comp = bd.hourly_compensation(inp.hourly_wage, inp.benefits_load)
    affected = _a(inp.employees) * inp.prevalence
    actual_abs_h = bd.absence_hours(inp.absence_days, inp.hours_per_day)
    valued_abs_h = bd.absence_hours(inp.absence_days, inp.hours_per_day, inp.valuation,
                                    inp.friction_period_weeks, inp.friction_elasticity)
    pres_h = bd.presenteeism_hours(inp.annual_hours, actual_abs_h, inp.presenteeism)
    pres_mult = inp.productivity_multiplier if inp.multiplier_on_presenteeism else 1.0
    per_aff_abs = valued_abs_h * comp * inp.productivity_multiplier
    per_aff_pres = pres_h * comp * pres_mult
    per_aff_med = _a(inp.medical_excess_cost)
    absenteeism = bd.absenteeism_cost(affected, valued_abs_h, comp, inp.productivity_multiplier)
    presenteeism = bd.presenteeism_cost(affected, pres_h, comp, pres_mult)
    medical = bd.medical_cost(affected, inp.medical_excess_cost)
    hours_lost = affected * (actual_abs_h + pres_h)
    return {
        "hourly_compensation": comp,
        "affected": affected,
        "absenteeism": absenteeism,
        "presenteeism": presenteeism,
        "medical": medical,
        "total": absenteeism + presenteeism + medical,
        "absence_hours": affected * actual_abs_h,
        "presenteeism_hours": affected * pres_h,
        "hours_lost": hours_lost,
        "days_lost": hours_lost / _a(inp.hours_per_day),
        "per_affected_absenteeism": per_aff_abs,
        "per_affected_presenteeism": per_aff_pres,
        "per_affected_medical": per_aff_med,
    }


def simulate(inp: ProgramInputs, detail: bool = True) -> dict[str, np.ndarray]:
    """Monthly cash flows and totals of one program (vectorised over draws).

    Returns monthly arrays (last axis = month): ``net``, ``cumulative_net``, ``discount_factor``
    and, with ``detail`` (the default), ``cost_setup``, ``cost_admin``, ``cost_sessions``,
    ``cost_work_time``, ``cost``, ``saving_absenteeism``, ``saving_presenteeism``,
    ``saving_medical``, ``savings``, ``participants_active``, ``effective_participants``,
    ``sessions_purchased_monthly``; and totals: ``total_cost``, ``total_savings``,
    ``savings_absenteeism``/``presenteeism``/``medical``, ``net_benefit``, ``roi``, ``bcr``,
    ``npv``, ``payback_month``, ``participants``, ``participants_affected``,
    ``sessions_purchased``, ``breakeven_price_per_session``, ``breakeven_effect_multiplier``,
    ``reduction_clipped``. ``detail=False`` (Monte Carlo) skips the per-component monthly arrays;
    every total is the same.
    """
    H = int(inp.horizon_months)
    months = np.arange(H)
    w = WEEKS_PER_MONTH
    col = lambda x: _a(x)[..., None]  # noqa: E731  (parameters broadcast against months)

    b = annual_burden(inp)
    r = col((1.0 - _a(inp.turnover)) ** (1.0 / 12.0))
    eligible = _a(inp.employees) * inp.eligibility
    aff0 = col(eligible * inp.prevalence * inp.uptake)
    unaff0 = col(eligible * (1.0 - _a(inp.prevalence)) * inp.uptake_unaffected)

    S = col(inp.sessions)
    cap = S if inp.visit_cap is None else np.minimum(S, float(inp.visit_cap))
    dose = cap / S
    c = col(inp.completion)
    used_per_starter = cap * (c + (1.0 - c) * col(inp.noncompleter_session_share))
    T = col(inp.course_weeks)
    k = col(inp.decay_per_week)
    boosting = inp.booster_interval_months > 0 and inp.booster_sessions > 0
    B_weeks = inp.booster_interval_months * w if boosting else 0.0

    unit = {  # reduction per unit of effect multiplier, before clipping at 100%
        "absenteeism": col(inp.effect_size) * col(inp.absence_per_point) * dose,
        "presenteeism": col(inp.effect_size) * col(inp.presenteeism_per_point) * dose,
        "medical": col(inp.effect_size) * col(inp.medical_per_point) * dose,
    }
    mult = col(inp.effect_multiplier)
    reduction = {key: np.minimum(1.0, u * mult) for key, u in unit.items()}
    clipped = np.zeros(np.broadcast_shapes(*(u.shape for u in unit.values()), mult.shape)[:-1] or (), bool)
    for u in unit.values():
        clipped = clipped | (u * mult > 1.0)[..., 0]

    # Every cohort follows the same path by age (months since its offer): compute the per-age
    # arrays once, then add each later cohort's copy shifted by its start month.
    ret_age = r ** (months + 0.5)  # still employed at mid-month
    overlap = np.clip(np.minimum((months + 1) * w, T) - months * w, 0.0, w)
    sess_age = ret_age * used_per_starter * (overlap / T)
    eff_age = c * ret_age * effect_profile((months + 0.5) * w, T, k, B_weeks)
    interval = max(int(inp.offer_interval_months), 1)
    starts = range(interval, H, interval)  # later cohorts: the new hires since the last offer
    n_all0 = aff0 + unaff0
    later = 1.0 - r**interval
    sessions_m = n_all0 * sess_age
    effective_people = aff0 * eff_age
    active_m = n_all0 * ret_age
    booster_m = 0.0
    if boosting:
        is_boost = (months > 0) & (months % inp.booster_interval_months == 0)
        boost_age = c * ret_age * inp.booster_sessions * is_boost
        booster_m = n_all0 * boost_age
    for start in starts:
        m = H - start
        sessions_m[..., start:] += (n_all0 * later) * sess_age[..., :m]
        effective_people[..., start:] += (aff0 * later) * eff_age[..., :m]
        active_m[..., start:] += (n_all0 * later) * ret_age[..., :m]
        if boosting:
            booster_m[..., start:] += (n_all0 * later) * boost_age[..., :m]
    starters = n_all0[..., 0] * (1.0 + later[..., 0] * len(starts))
    starters_aff = aff0[..., 0] * (1.0 + later[..., 0] * len(starts))

    purchased = sessions_m + booster_m if boosting else sessions_m
    price = col(inp.price_per_session)
    share_emp = col(inp.employer_share)
    comp = col(b["hourly_compensation"])
    pays_time = inp.on_paid_time and inp.perspective != "health_plan"
    hours_per_session = col(inp.session_hours) + (0.0 if inp.on_site else col(inp.travel_hours))
    time_rate = hours_per_session * comp if pays_time else 0.0  # [USD/session]
    admin = col(eligible * _a(inp.admin_pepm))
    setup = _a(inp.setup_cost)
    # cost per month = sessions x (employer's price + work time) + admin, plus setup in month 0
    cost_flow = purchased * (price * share_emp + time_rate) + admin

    counts = {"absenteeism": inp.perspective != "health_plan",
              "presenteeism": inp.perspective != "health_plan",
              "medical": inp.perspective != "fully_insured"}
    per_aff = {"absenteeism": col(b["per_affected_absenteeism"]),
               "presenteeism": col(b["per_affected_presenteeism"]),
               "medical": col(b["per_affected_medical"])}
    # savings of component x in month m = effective participants x per-affected cost / 12 x reduction
    coef = {key: (per_aff[key] / 12.0 * reduction[key] if counts[key] else 0.0) for key in per_aff}
    savings_flow = effective_people * (coef["absenteeism"] + coef["presenteeism"] + coef["medical"])
    shape = np.broadcast_shapes(np.shape(cost_flow), np.shape(savings_flow), np.shape(setup) + (1,), (H,))
    cost = np.broadcast_to(cost_flow, shape).copy()
    cost[..., 0] += setup
    savings = np.broadcast_to(savings_flow, shape)
    people_total = effective_people.sum(axis=-1)
    saving_totals = {key: np.broadcast_to(people_total * np.asarray(v)[..., 0] if np.ndim(v) else
                                          people_total * v, shape[:-1]) for key, v in coef.items()}
    unit_total = sum(people_total * (per_aff[key] / 12.0 * unit[key])[..., 0] for key in per_aff if counts[key])
    net = savings - cost
    cumulative = np.cumsum(net, axis=-1)
    dfac = discount_factors(H, inp.discount_rate)

    total_cost = cost.sum(axis=-1)
    total_savings = savings.sum(axis=-1)
    price_coef = purchased.sum(axis=-1) * share_emp[..., 0]  # d(total cost)/d(price)
    fixed = total_cost - price_coef * _a(inp.price_per_session)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        be_price = np.where(price_coef > 0, (total_savings - fixed) / price_coef, np.nan)
        be_price = np.where(be_price > 0, be_price, np.nan)
        be_mult = np.where(_a(unit_total) > 0, total_cost / unit_total, np.nan)
        bcr = np.where(total_cost > 0, total_savings / np.where(total_cost > 0, total_cost, 1), np.nan)
    participants = _a(starters)
    out = {
        "months": months,
        "net": net,
        "cumulative_net": cumulative,
        "discount_factor": dfac,
        "total_cost": total_cost,
        "total_savings": total_savings,
        "savings_absenteeism": saving_totals["absenteeism"],
        "savings_presenteeism": saving_totals["presenteeism"],
        "savings_medical": saving_totals["medical"],
        "net_benefit": total_savings - total_cost,
        "roi": roi(total_savings, total_cost),
        "bcr": bcr,
        "npv": np.sum(net * dfac, axis=-1),
        "payback_month": payback_from_cumulative(cumulative),
        "participants": participants,
        "participants_affected": _a(starters_aff),
        "sessions_purchased": purchased.sum(axis=-1),
        "breakeven_price_per_session": be_price,
        "breakeven_effect_multiplier": be_mult,
        "reduction_clipped": clipped,
        "burden": b,
    }
    if detail:
        purchased_full = np.broadcast_to(purchased, shape)
        cost_setup = np.zeros(shape)
        cost_setup[..., 0] = np.broadcast_to(setup, shape[:-1])
        out |= {
            "cost_setup": cost_setup,
            "cost_admin": np.broadcast_to(admin, shape),
            "cost_sessions": purchased_full * price * share_emp,
            "cost_work_time": purchased_full * time_rate if pays_time else np.zeros(shape),
            "cost": cost,
            "saving_absenteeism": np.broadcast_to(effective_people * coef["absenteeism"], shape),
            "saving_presenteeism": np.broadcast_to(effective_people * coef["presenteeism"], shape),
            "saving_medical": np.broadcast_to(effective_people * coef["medical"], shape),
            "savings": savings,
            "participants_active": np.broadcast_to(active_m, shape),
            "effective_participants": np.broadcast_to(effective_people, shape),
            "sessions_purchased_monthly": purchased_full,
        }
    return out
