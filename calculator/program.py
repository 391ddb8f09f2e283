"""A benefit program as monthly cash flows: participants, costs, savings, discounting.

:class:`ProgramInputs` holds every number the program model needs. Numeric fields may be floats or
numpy arrays of shape ``(n,)`` (one value per Monte Carlo draw); :func:`simulate` then returns
arrays of shape ``(n, H)`` for monthly flows and ``(n,)`` for totals. Structural settings (horizon,
perspective, valuation, switches, offer and booster intervals, impact mix) are plain scalars.

Model (docs/METHODS.md has the full statement). :func:`simulate` runs four named steps that mirror
the workbook's sections:

1. :func:`participants` -- offers at months 0, I, 2I, ...; cohort 0 is ``N e p u`` employees with
   chronic LBP plus ``N e (1-p) u0`` without; later cohorts are the new hires since the last offer,
   ``(1 - r^I)`` times those numbers (``r = (1 - turnover)^(1/12)`` monthly retention, evaluated at
   mid-month). Completers with chronic LBP carry the therapy's profile (ramp, peak, decay).
2. :func:`costs` -- sessions x (employer's price + work time when the perspective counts it) +
   admin per eligible employee per month + setup in month 0.
3. :func:`savings` -- pain-impact states (:mod:`calculator.states`): a share
   ``rho = min(1, E x response_per_point x m x dose)`` of completers responds at the peak and moves
   to a lighter state; each cost component falls by ``phi_x rho profile(t)``, where ``phi_x`` is the
   share of that component a full response removes at the scenario's impact mix. Presenteeism
   follows ``presenteeism_link`` of the shift. Medical offsets are allowed amounts; the perspective
   (:mod:`calculator.perspective`) decides who gets which share.
4. :func:`totals` -- totals, ROI, :func:`calculator.finance.npv`, payback, break-even values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import burden as bd
from . import states as st
from .arrays import last_axis_cumsum, last_axis_sum
from .effect import WEEKS_PER_MONTH, effect_profile
from .finance import discount_factors, npv, payback_from_cumulative, roi
from .perspective import rule

__all__ = ["ProgramInputs", "NUMERIC_FIELDS", "simulate", "outcomes", "cohort_flows", "annual_burden", "participants", "costs",
           "savings", "totals", "state_occupancy"]


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
    # condition (levels at the library's default impact mix; the scenario's mix weights the states)
    prevalence: object
    absence_days: object
    presenteeism: object
    medical_excess_cost: object
    hours_per_day: object
    plan_paid_share: object
    # translation
    response_per_point: object
    presenteeism_link: object
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
    premium_passthrough: object
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
    impact_mix: tuple[float, float, float] = (0.25, 0.35, 0.40)
    premium_lag_months: int = 12


_STRUCTURAL = {"visit_cap", "multiplier_on_presenteeism", "on_paid_time", "on_site",
               "offer_interval_months", "booster_interval_months", "booster_sessions",
               "horizon_months", "valuation", "perspective", "impact_mix", "premium_lag_months"}
#: Numeric inputs that may be arrays (Monte Carlo draws).
NUMERIC_FIELDS = tuple(f.name for f in fields(ProgramInputs) if f.name not in _STRUCTURAL)


def _a(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _col(x) -> np.ndarray:
    """Parameters broadcast against months (last axis)."""
    return _a(x)[..., None]


#: Memory order of the (draws, months) and (draws, states) arrays: column-major, so each month (state)
#: is one contiguous run of draws. Every elementwise step then runs over long contiguous rows and the
#: sums over months add whole rows (about 3x faster than row-major, whose rows are 12 months long;
#: the numbers are the same up to the order of floating-point additions). Steps that create such an
#: array from a per-draw column and a per-month row pass ``order=_ORDER``; the rest inherit it.
_ORDER = "F"


def _retention(r: np.ndarray, H: int) -> np.ndarray:
    """``r ** (m + 0.5)`` for months m = 0..H-1 (last axis): share still employed at mid-month.

    As ``sqrt(r) r^m``, one multiplication per month: a few times faster than ``numpy.power`` over
    every draw-month, and exact IEEE arithmetic, so a value never depends on where its draw sits in
    the array (numpy's vectorised power can differ in the last bit with the position). Differs from
    the power by at most ``m`` units in the last place."""
    out = np.empty(np.broadcast_shapes(r.shape, (H,)), order=_ORDER)
    if H == 0:
        return out
    col = r[..., 0]
    out[..., 0] = np.sqrt(col)
    for m in range(1, H):
        np.multiply(out[..., m - 1], col, out=out[..., m])
    return out


def _state_levels(inp: ProgramInputs) -> dict[str, np.ndarray]:
    """Per-state attributable values at the scenario's levels, shape ``(..., 4)``.

    Each condition level (absence days, presenteeism, medical cost) scales the library's per-state
    values so that the library's default mix reproduces the level exactly.
    """
    sv = st.state_values()
    lib_mix = st.default_mix()
    out = {}
    for key, per_state, level in (
        ("absence_hours", sv.absence_excess_hours, _a(inp.absence_days) * inp.hours_per_day),
        ("presenteeism", sv.presenteeism, _a(inp.presenteeism)),
        ("medical", sv.medical, _a(inp.medical_excess_cost)),
    ):
        out[key] = np.multiply(level[..., None], per_state / float(lib_mix @ per_state), order=_ORDER)
    return out


def annual_burden(inp: ProgramInputs) -> dict[str, np.ndarray]:
    """Yearly burden of chronic LBP for the whole workforce and per affected employee.

    Returns absenteeism, presenteeism, medical (allowed, all payers) and total cost [USD/yr], hours
    and days lost, the number affected, the per-affected-employee costs the program's savings are
    built on, and the per-state values (``state_*``, shape ``(..., 4)``) at the scenario's levels.
    Absence is valued state by state, so the friction-cost cap applies to each state's absence.
    """
    comp = bd.hourly_compensation(inp.hourly_wage, inp.benefits_load)
    affected = _a(inp.employees) * inp.prevalence
    mix = st.mix_vector(*inp.impact_mix)
    lv = _state_levels(inp)
    hd = _a(inp.hours_per_day)[..., None]
    state_valued = bd.absence_hours(lv["absence_hours"] / hd, hd, inp.valuation,
                                    _a(inp.friction_period_weeks)[..., None],
                                    _a(inp.friction_elasticity)[..., None])
    actual_abs_h = last_axis_sum(mix * lv["absence_hours"])
    valued_abs_h = last_axis_sum(mix * state_valued)
    pres_frac = last_axis_sum(mix * lv["presenteeism"])
    pres_h = bd.presenteeism_hours(inp.annual_hours, actual_abs_h, pres_frac)
    pres_mult = inp.productivity_multiplier if inp.multiplier_on_presenteeism else 1.0
    med = last_axis_sum(mix * lv["medical"])
    per_aff_abs = valued_abs_h * comp * inp.productivity_multiplier
    per_aff_pres = pres_h * comp * pres_mult
    absenteeism = bd.absenteeism_cost(affected, valued_abs_h, comp, inp.productivity_multiplier)
    presenteeism = bd.presenteeism_cost(affected, pres_h, comp, pres_mult)
    medical = bd.medical_cost(affected, med)
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
        "per_affected_medical": med,
        "per_affected_absence_hours": actual_abs_h,
        "per_affected_presenteeism_fraction": pres_frac,
        "state_absence_valued_hours": state_valued,
        "state_presenteeism": lv["presenteeism"],
        "state_medical": lv["medical"],
        "mix": mix,
    }


def participants(inp: ProgramInputs, occupancy: bool = True) -> dict[str, np.ndarray]:
    """Step 1: cohorts, retention, sessions used and the effect profile of completers.

    Monthly arrays (last axis = month): ``sessions`` (course sessions used), ``boosters`` (booster
    sessions), ``active`` (participants still employed), ``active_affected`` (those with chronic
    LBP), ``effective`` (completers with chronic LBP still employed x effect profile, 0-1); totals
    ``starters`` and ``starters_affected``; ``dose`` (share of the course covered).
    ``occupancy=False`` leaves out ``active`` and ``active_affected`` (only the detail tables and the
    state occupancy use them; the Monte Carlo path does not).
    """
    H = int(inp.horizon_months)
    months = np.arange(H)
    w = WEEKS_PER_MONTH
    r = _col((1.0 - _a(inp.turnover)) ** (1.0 / 12.0))
    eligible = _a(inp.employees) * inp.eligibility
    aff0 = _col(eligible * inp.prevalence * inp.uptake)
    unaff0 = _col(eligible * (1.0 - _a(inp.prevalence)) * inp.uptake_unaffected)
    S = _col(inp.sessions)
    cap = S if inp.visit_cap is None else np.minimum(S, float(inp.visit_cap))
    c = _col(inp.completion)
    used_per_starter = cap * (c + (1.0 - c) * _col(inp.noncompleter_session_share))
    T = _col(inp.course_weeks)
    boosting = inp.booster_interval_months > 0 and inp.booster_sessions > 0
    B_weeks = inp.booster_interval_months * w if boosting else 0.0
    # Every cohort follows the same path by age (months since its offer): compute the per-age
    # arrays once, then add each later cohort's copy shifted by its start month.
    ret_age = _retention(r, H)  # still employed at mid-month
    overlap = np.clip(np.minimum((months + 1) * w, T) - months * w, 0.0, w)
    sess_age = np.multiply(ret_age * used_per_starter, overlap / T, order=_ORDER)
    eff_age = np.multiply(c * ret_age, effect_profile((months + 0.5) * w, T, _col(inp.decay_per_week), B_weeks),
                          order=_ORDER)
    boost_age = c * ret_age * inp.booster_sessions * ((months > 0) & (months % max(
        inp.booster_interval_months, 1) == 0)) if boosting else np.zeros_like(ret_age)
    interval = max(int(inp.offer_interval_months), 1)
    starts = range(interval, H, interval)  # later cohorts: the new hires since the last offer
    n_all0 = aff0 + unaff0
    later = 1.0 - r**interval
    boosters = n_all0 * boost_age if boosting else np.zeros(np.broadcast_shapes(n_all0.shape, boost_age.shape),
                                                              order=_ORDER)
    out = {"sessions": n_all0 * sess_age, "boosters": boosters, "effective": aff0 * eff_age}
    per_age = {"sessions": (n_all0, sess_age), "boosters": (n_all0, boost_age), "effective": (aff0, eff_age)}
    if occupancy:
        out |= {"active": n_all0 * ret_age, "active_affected": aff0 * ret_age}
        per_age |= {"active": (n_all0, ret_age), "active_affected": (aff0, ret_age)}
    for start in starts:
        m = H - start
        for key, (n0, age) in per_age.items():
            out[key][..., start:] += (n0 * later) * age[..., :m]
    out["starters"] = n_all0[..., 0] * (1.0 + later[..., 0] * len(starts))
    out["starters_affected"] = aff0[..., 0] * (1.0 + later[..., 0] * len(starts))
    out["dose"] = cap / S
    out["eligible"] = eligible
    out["boosting"] = boosting
    return out


def _purchased(parts: dict[str, np.ndarray]) -> np.ndarray:
    """Sessions bought each month: course sessions, plus booster sessions when there are boosters."""
    return parts["sessions"] + parts["boosters"] if parts["boosting"] else parts["sessions"]


def costs(inp: ProgramInputs, parts: dict[str, np.ndarray], hourly_comp) -> dict[str, np.ndarray]:
    """Step 2: monthly program costs (sessions at the employer's share, work time, admin, setup)."""
    purchased = _purchased(parts)
    price = _col(inp.price_per_session)
    share_emp = _col(inp.employer_share)
    pays_time = inp.on_paid_time and rule(inp.perspective).work_time
    hours_per_session = _col(inp.session_hours) + (0.0 if inp.on_site else _col(inp.travel_hours))
    time_rate = hours_per_session * _col(hourly_comp) if pays_time else 0.0  # [USD/session]
    admin = _col(parts["eligible"] * _a(inp.admin_pepm))
    setup = _a(inp.setup_cost)
    flow = purchased * (price * share_emp + time_rate) + admin
    return {"purchased": purchased, "flow": flow, "admin": admin, "setup": setup, "price": price,
            "share_emp": share_emp, "time_rate": time_rate, "pays_time": pays_time}


def _response(inp: ProgramInputs, dose) -> tuple[np.ndarray, np.ndarray]:
    """Responder share per unit of effect multiplier ``U`` and the capped share ``rho`` (…, 1)."""
    unit = _col(inp.effect_size) * _col(inp.response_per_point) * dose
    return unit, np.minimum(1.0, unit * _col(inp.effect_multiplier))


def _lagged(flow: np.ndarray, lag: int) -> np.ndarray:
    """``flow`` delayed by ``lag`` months (what falls beyond the horizon is lost)."""
    out = np.zeros_like(flow)
    if lag < flow.shape[-1]:
        out[..., lag:] = flow[..., : flow.shape[-1] - lag]
    return out


#: Cost component -> the per-state values its full-response share is computed from.
_STATE_OF = {"absenteeism": "state_absence_valued_hours", "presenteeism": "state_presenteeism",
             "medical": "state_medical"}


def _phi(inp: ProgramInputs, b: dict[str, np.ndarray], key: str) -> np.ndarray:
    """Share of a component's burden that a full response removes (presenteeism: times the link)."""
    phi = st.component_shares(b["mix"], b[_STATE_OF[key]])
    return phi * _a(inp.presenteeism_link) if key == "presenteeism" else phi


def _gross(eff: np.ndarray, b: dict[str, np.ndarray], phi: np.ndarray, key: str) -> np.ndarray:
    """Monthly gross saving of a component [USD/month]: responders x per-affected cost x share / 12."""
    return eff * _col(b[f"per_affected_{key}"] * phi / 12.0)


def savings(inp: ProgramInputs, parts: dict[str, np.ndarray], b: dict[str, np.ndarray],
            rho=None) -> dict[str, np.ndarray]:
    """Step 3: monthly savings by component, in the perspective's view, for responder share ``rho``.

    ``medical_offset_allowed`` is the all-payer medical saving; ``medical_offset_plan_paid`` the
    plan's share of it (reported whatever the perspective).
    """
    who = rule(inp.perspective)
    if rho is None:
        rho = _response(inp, parts["dose"])[1]
    phi = {key: _phi(inp, b, key) for key in _STATE_OF}
    eff = parts["effective"] * rho
    gross = {key: _gross(eff, b, phi[key], key) for key in phi}
    plan_paid = gross["medical"] * _col(inp.plan_paid_share)
    passed = (_col(inp.premium_passthrough) * _lagged(plan_paid, int(inp.premium_lag_months))
              if who.medical_passthrough else None)
    if who.medical_now:  # every flow keeps the full (draws, months) shape
        medical = plan_paid if passed is None else plan_paid + passed
    else:
        medical = 0.0 * plan_paid if passed is None else passed + 0.0 * plan_paid
    flows = {"absenteeism": gross["absenteeism"] if who.productivity else 0.0 * gross["absenteeism"],
             "presenteeism": gross["presenteeism"] if who.productivity else 0.0 * gross["presenteeism"],
             "medical": medical}
    return {"flows": flows, "medical_offset_allowed": gross["medical"],
            "medical_offset_plan_paid": plan_paid, "phi": phi}


def cohort_flows(inp: ProgramInputs) -> dict[str, np.ndarray]:
    """What the plan-year budget needs from the program model, and no more: the monthly all-payer
    medical offsets (``medical_offset_allowed``) and sessions bought (``sessions_purchased_monthly``),
    and the totals ``participants`` and ``participants_affected`` -- the same values as
    :func:`simulate` (the same steps), without the employer's costs, productivity savings and totals.
    """
    H = int(inp.horizon_months)
    b = annual_burden(inp)
    parts = participants(inp, occupancy=False)
    rho = _response(inp, parts["dose"])[1]
    eff = parts["effective"] * rho
    shape = np.broadcast_shapes(np.shape(parts["effective"]), np.shape(rho), (H,))
    return {"medical_offset_allowed": np.broadcast_to(_gross(eff, b, _phi(inp, b, "medical"), "medical"), shape),
            "sessions_purchased_monthly": np.broadcast_to(_purchased(parts), shape),
            "participants": _a(parts["starters"]), "participants_affected": _a(parts["starters_affected"])}


def state_occupancy(inp: ProgramInputs) -> dict[str, np.ndarray]:
    """Person-months in each pain-impact state among participants with chronic LBP, by month.

    Arrays of shape ``(..., H, 4)`` (states in :data:`calculator.states.STATES` order): ``usual_care``
    (participants with chronic LBP still employed, at the scenario's impact mix), ``program``
    (the same people with the program) and ``delta`` (program - usual care; sums to 0 over states).
    QALYs gained = :func:`calculator.states.qalys` of ``delta`` (optionally discounted).
    """
    parts = participants(inp)
    mix = st.mix_vector(*inp.impact_mix)
    rho = _response(inp, parts["dose"])[1]
    delta = (parts["effective"] * rho)[..., None] * st.responder_shift(mix)
    uc = parts["active_affected"][..., None] * mix
    return {"usual_care": uc, "program": uc + delta, "delta": delta}


def totals(inp: ProgramInputs, cost: np.ndarray, sav: dict, unit_full_savings: np.ndarray,
           price_coef: np.ndarray, unit: np.ndarray) -> dict[str, np.ndarray]:
    """Step 4: totals over the horizon, ROI, NPV (:func:`calculator.finance.npv`), payback and
    break-even values.

    Break-even effect multiplier: savings grow with the responder share ``rho = min(1, U m)`` until
    every completer responds, so the multiplier that breaks even is ``cost / (S_full U)`` when the
    full-response savings ``S_full`` cover the cost, and does not exist (nan) otherwise.
    """
    savings_flow = sav["flows"]["absenteeism"] + sav["flows"]["presenteeism"] + sav["flows"]["medical"]
    shape = np.broadcast_shapes(np.shape(cost), np.shape(savings_flow))
    savings_flow = np.broadcast_to(savings_flow, shape)
    net = savings_flow - cost
    total_cost = last_axis_sum(cost)
    total_savings = last_axis_sum(savings_flow)
    fixed = total_cost - price_coef * _a(inp.price_per_session)
    u = unit[..., 0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        be_price = np.where(price_coef > 0, (total_savings - fixed) / price_coef, np.nan)
        be_price = np.where(be_price > 0, be_price, np.nan)
        be_rho = np.where(unit_full_savings > 0, total_cost / unit_full_savings, np.inf)
        be_mult = np.where((be_rho <= 1.0) & (u > 0), be_rho / np.where(u > 0, u, 1.0), np.nan)
        bcr = np.where(total_cost > 0, total_savings / np.where(total_cost > 0, total_cost, 1), np.nan)
    cumulative = last_axis_cumsum(net)
    return {
        "savings": savings_flow, "net": net, "cumulative_net": cumulative,
        "discount_factor": discount_factors(shape[-1], inp.discount_rate),
        "total_cost": total_cost, "total_savings": total_savings,
        "net_benefit": total_savings - total_cost, "roi": roi(total_savings, total_cost), "bcr": bcr,
        "npv": npv(net, inp.discount_rate), "payback_month": payback_from_cumulative(cumulative),
        "breakeven_price_per_session": be_price, "breakeven_effect_multiplier": be_mult,
    }


def _detail_arrays(cst: dict, parts: dict, b: dict, months_axis: dict, cost: np.ndarray, delta: np.ndarray,
                   shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The per-component monthly arrays of :func:`simulate` (``detail=True``: tables, charts, workbook)."""
    purchased_full = np.broadcast_to(cst["purchased"], shape)
    cost_setup = np.zeros(shape)
    cost_setup[..., 0] = np.broadcast_to(cst["setup"], shape[:-1])
    uc = parts["active_affected"][..., None] * b["mix"]
    return {
        "cost_setup": cost_setup,
        "cost_admin": np.broadcast_to(cst["admin"], shape),
        "cost_sessions": purchased_full * cst["price"] * cst["share_emp"],
        "cost_work_time": purchased_full * cst["time_rate"] if cst["pays_time"] else np.zeros(shape),
        "cost": cost,
        "saving_absenteeism": months_axis["absenteeism"],
        "saving_presenteeism": months_axis["presenteeism"],
        "saving_medical": months_axis["medical"],
        "participants_active": np.broadcast_to(parts["active"], shape),
        "effective_participants": np.broadcast_to(parts["effective"], shape),
        "sessions_purchased_monthly": purchased_full,
        "state_months_usual_care": uc,
        "state_months_program": uc + delta,
        "state_months_delta": delta,
    }


def _steps(inp: ProgramInputs, occupancy: bool) -> tuple:
    """Steps 1-3 and the monthly cost flow with setup in month 0 (shared by :func:`simulate` and
    :func:`outcomes`): burden, participants, costs, (unit, rho), savings, the (draws, months) shape, cost."""
    H = int(inp.horizon_months)
    b = annual_burden(inp)
    parts = participants(inp, occupancy)
    cst = costs(inp, parts, b["hourly_compensation"])
    unit, rho = _response(inp, parts["dose"])
    sav = savings(inp, parts, b, rho)
    shape = np.broadcast_shapes(np.shape(cst["flow"]), np.shape(parts["effective"]), np.shape(rho),
                                np.shape(cst["setup"]) + (1,), (H,))
    cost = np.broadcast_to(cst["flow"], shape).copy(order="K")
    cost[..., 0] += cst["setup"]
    return b, parts, cst, unit, rho, sav, shape, cost


def outcomes(inp: ProgramInputs) -> dict[str, np.ndarray]:
    """The Monte Carlo path: :func:`totals` of the program and nothing else -- ``total_cost``,
    ``total_savings``, ``net_benefit``, ``roi``, ``npv``, ``payback_month``, ``cumulative_net`` ...
    with the same values as :func:`simulate` (the same steps), without its extra arrays and sums;
    the break-even price and effect multiplier are ``nan``."""
    _, _, _, unit, _, sav, shape, cost = _steps(inp, occupancy=False)
    none = np.zeros(shape[:-1])  # no break-even inputs: both break-even values come out nan
    return totals(inp, cost, sav, none, none, unit)


def simulate(inp: ProgramInputs, detail: bool = True, qalys: bool | None = None) -> dict[str, np.ndarray]:
    """Monthly cash flows and totals of one program (vectorised over draws).

    Returns monthly arrays (last axis = month): ``net``, ``cumulative_net``, ``discount_factor``,
    ``medical_offset_allowed`` and ``medical_offset_plan_paid`` (all-payer and plan-paid medical
    savings, whatever the perspective), ``sessions_purchased_monthly`` and, with ``detail`` (the
    default), ``cost_setup``, ``cost_admin``, ``cost_sessions``, ``cost_work_time``, ``cost``,
    ``saving_absenteeism``, ``saving_presenteeism``, ``saving_medical``, ``savings``,
    ``participants_active``, ``effective_participants`` and the state occupancy
    ``state_months_usual_care`` / ``state_months_program`` / ``state_months_delta`` (shape
    ``(..., H, 4)``, person-months per state among participants with chronic LBP; see
    :func:`state_occupancy`); totals: ``total_cost``, ``total_savings``,
    ``savings_absenteeism``/``presenteeism``/``medical``, ``net_benefit``, ``roi``, ``bcr``,
    ``npv``, ``payback_month``, ``participants``, ``participants_affected``,
    ``sessions_purchased``, ``breakeven_price_per_session``, ``breakeven_effect_multiplier``,
    ``reduction_clipped``, ``responder_share``, ``qaly_gain`` and ``qaly_gain_discounted``.
    ``detail=False`` (Monte Carlo) skips the per-component monthly arrays and the break-even effect
    multiplier (``nan``); every other total is the same. ``qalys`` (default: ``detail``) computes
    ``qaly_gain`` and ``qaly_gain_discounted``; without it they are ``nan`` (a lean Monte Carlo path:
    the state occupancy is most of a draw's arithmetic).
    """
    qalys = detail if qalys is None else qalys
    H = int(inp.horizon_months)
    b, parts, cst, unit, rho, sav, shape, cost = _steps(inp, occupancy=detail)
    if detail:  # savings at a 100% response: the break-even effect multiplier
        full = savings(inp, parts, b, np.ones_like(rho))
        full_total = sum(last_axis_sum(np.broadcast_to(f, shape)) for f in full["flows"].values())
    else:
        full_total = np.zeros(shape[:-1])
    price_coef = last_axis_sum(cst["purchased"]) * cst["share_emp"][..., 0]  # d(total cost)/d(price)
    out = totals(inp, cost, sav, full_total, price_coef, unit)
    months_axis = {key: np.broadcast_to(f, shape) for key, f in sav["flows"].items()}
    dfac = out["discount_factor"]
    responders = parts["effective"] * rho if (qalys or detail) else None  # responder-months per month
    delta = responders[..., None] * st.responder_shift(b["mix"]) if detail else None
    nan = np.full(shape[:-1], np.nan)
    out |= {
        "months": np.arange(H),
        "savings_absenteeism": last_axis_sum(months_axis["absenteeism"]),
        "savings_presenteeism": last_axis_sum(months_axis["presenteeism"]),
        "savings_medical": last_axis_sum(months_axis["medical"]),
        "medical_offset_allowed": np.broadcast_to(sav["medical_offset_allowed"], shape),
        "medical_offset_plan_paid": np.broadcast_to(sav["medical_offset_plan_paid"], shape),
        "participants": _a(parts["starters"]),
        "participants_affected": _a(parts["starters_affected"]),
        "sessions_purchased": last_axis_sum(cst["purchased"]),
        "sessions_purchased_monthly": np.broadcast_to(cst["purchased"], shape),
        "reduction_clipped": (unit * _col(inp.effect_multiplier) > 1.0)[..., 0],
        "responder_share": rho[..., 0],
        "qaly_gain": st.responder_qalys(responders, b["mix"]) if qalys else nan,
        "qaly_gain_discounted": st.responder_qalys(responders, b["mix"], discount_factor=dfac) if qalys else nan,
        "burden": b,
    }
    if detail:
        out |= _detail_arrays(cst, parts, b, months_axis, cost, delta, shape)
    return out
