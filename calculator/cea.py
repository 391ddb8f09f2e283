"""Cost-effectiveness: QALYs gained, cost per QALY, net monetary benefit, threshold price, CEAC.

Conventions (docs/METHODS.md, "Cost-effectiveness")
----------------------------------------------------
* QALYs come from the person-months spent in each pain-impact state with and without the program
  (:mod:`calculator.states`), weighted by the state's SF-6D utility and **discounted like the
  costs**: a month ``m`` is weighted ``(1 + d) ** (-m / 12)``.
* Incremental cost = program cost - the savings counted in a perspective. ``health_plan`` (the
  headline): the plan's program spend (setup, admin, its share of session prices) minus plan-paid
  medical offsets; ``societal``: every cost (incl. co-pays and paid work time) minus all-payer
  medical offsets and productivity savings. Costs are discounted (NPV of the monthly flows).
* Cost per QALY = incremental cost / incremental QALYs in the north-east quadrant (more cost, more
  QALYs) and the south-west one (less cost, fewer QALYs: then it is money saved per QALY lost).
  Elsewhere no ratio is reported: ``dominant`` = more QALYs for no more money; ``dominated`` = no more
  QALYs for more (or the same) money.
* NMB(lambda) = lambda x dQALY - dCost [USD]; a program is cost-effective at lambda when NMB > 0.
* Threshold price per session at lambda: the price that makes NMB(lambda) = 0 (cost is linear in
  the price per session).
* Interval of the cost per QALY (5th-95th percentile of the draws' ratios) only when the QALY gain
  is positive in every draw: then a lower ratio is always better and the percentiles are ordered
  (a negative lower bound means dominant in those draws). When some draws gain no QALYs the ratio
  changes meaning across draws (Briggs, O'Brien and Blackhouse 2002), so no ratio interval is
  given: the NMB interval at each threshold and the acceptability curve are reported instead.
* CEAC: for each willingness to pay, the share of Monte Carlo draws in which each option has the
  highest NMB among "cover none" (NMB 0) and every therapy (``p_optimal``), and the share in which
  a therapy's NMB is positive (``p_cost_effective``, against no cover).

Every function is vectorised over draws.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .evidence import library

__all__ = [
    "THRESHOLD_IDS",
    "thresholds",
    "dominance",
    "cost_per_qaly",
    "cost_per_qaly_interval",
    "net_monetary_benefit",
    "threshold_price",
    "ceac",
    "qaly_burden",
]

#: Parameter rows of the willingness-to-pay values reported (ICER's $50k/$100k/$150k).
THRESHOLD_IDS = ("cea.threshold_low", "cea.threshold_mid", "cea.threshold_high")


def thresholds() -> tuple[float, ...]:
    """Willingness-to-pay values reported everywhere [USD/QALY] (from the parameter library).

    >>> thresholds()
    (50000.0, 100000.0, 150000.0)
    """
    lib = library()
    return tuple(float(lib.value(t)) for t in THRESHOLD_IDS)


def dominance(d_cost: ArrayLike, d_qaly: ArrayLike) -> np.ndarray:
    """Quadrant of the cost-effectiveness plane, as text per draw.

    ``dominant`` (dQ > 0, dC <= 0), ``dominated`` (dQ <= 0, dC >= 0, not both 0), ``ratio``
    (dQ > 0, dC > 0), ``cheaper_fewer_qalys`` (dQ < 0, dC < 0), ``no_difference`` (both 0).

    >>> dominance([-10, 10, 10, -10, 0], [0.1, -0.1, 0.1, -0.1, 0]).tolist()
    ['dominant', 'dominated', 'ratio', 'cheaper_fewer_qalys', 'no_difference']
    """
    c, q = np.broadcast_arrays(np.asarray(d_cost, dtype=float), np.asarray(d_qaly, dtype=float))
    out = np.full(c.shape, "ratio", dtype=object)
    out[(q > 0) & (c <= 0)] = "dominant"
    out[(q <= 0) & (c >= 0)] = "dominated"
    out[(q < 0) & (c < 0)] = "cheaper_fewer_qalys"
    out[(q == 0) & (c == 0)] = "no_difference"
    return out


def cost_per_qaly(d_cost: ArrayLike, d_qaly: ArrayLike) -> np.ndarray:
    """Incremental cost-effectiveness ratio [USD/QALY]; ``nan`` when dominant, dominated or no change.

    Defined in the north-east (more cost, more QALYs) and south-west (less cost, fewer QALYs)
    quadrants only; a ratio elsewhere would mislead (a negative ratio mixes dominant and dominated).

    >>> cost_per_qaly([495.0], [0.041]).round(0).tolist()
    [12073.0]
    >>> bool(np.isnan(cost_per_qaly(-116.0, 0.023)))
    True
    """
    c, q = np.broadcast_arrays(np.asarray(d_cost, dtype=float), np.asarray(d_qaly, dtype=float))
    ok = ((q > 0) & (c > 0)) | ((q < 0) & (c < 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, c / np.where(q != 0, q, 1.0), np.nan)


def cost_per_qaly_interval(d_cost: ArrayLike, d_qaly: ArrayLike, level: float = 0.90) -> tuple[float, float, str]:
    """``(low, high, "")``: the central ``level`` interval of the draws' cost per QALY [USD/QALY], or
    ``(nan, nan, reason)`` when a ratio interval would mislead (the QALY gain is not positive in every
    draw; see the module's conventions). A negative ``low`` = dominant in the lowest draws.

    >>> cost_per_qaly_interval([100.0, 200.0, 300.0], [0.01, 0.01, 0.01], level=1.0)
    (10000.0, 30000.0, '')
    >>> lo, hi, why = cost_per_qaly_interval([100.0, 200.0], [0.01, -0.01]); why[:40]
    'no ratio interval: the QALY gain is zero'
    >>> cost_per_qaly_interval([100.0, 200.0], [0.0, 0.0])[2]
    'no ratio interval: no draw gains QALYs (no cost per QALY to report)'
    """
    c, q = np.broadcast_arrays(np.asarray(d_cost, dtype=float), np.asarray(d_qaly, dtype=float))
    bad = int(np.count_nonzero(~(q > 0)))
    if q.size and bad == q.size:
        return math.nan, math.nan, "no ratio interval: no draw gains QALYs (no cost per QALY to report)"
    if bad or not q.size:  # a count, not a rounded share: 1 draw in 3,000 must not read "0.0%"
        share = bad / max(q.size, 1)
        return math.nan, math.nan, (f"no ratio interval: the QALY gain is zero or negative in {bad:,} of "
                                    f"{q.size:,} draws ({'<0.1%' if 0 < share < 0.001 else f'{share:.1%}'}), "
                                    "where cost per QALY changes "
                                    "meaning; read the NMB interval and the acceptability curve instead")
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(c / q, [tail, 1.0 - tail])
    return float(lo), float(hi), ""


def net_monetary_benefit(d_cost: ArrayLike, d_qaly: ArrayLike, wtp: ArrayLike) -> np.ndarray:
    """NMB = lambda dQ - dC [USD] (positive = cost-effective at lambda).

    >>> float(net_monetary_benefit(495.0, 0.041, 50_000))
    1555.0
    """
    return np.asarray(wtp, dtype=float) * np.asarray(d_qaly, dtype=float) - np.asarray(d_cost, dtype=float)


def threshold_price(d_cost: ArrayLike, d_qaly: ArrayLike, price: ArrayLike, cost_per_price: ArrayLike,
                    wtp: ArrayLike) -> np.ndarray:
    """Price per session at which NMB(lambda) = 0 [USD/session]; ``nan`` if no price does (<= 0).

    Incremental cost is linear in the price: ``dC(p) = dC - k (price - p)``, ``k`` = d(cost)/d(price)
    (sessions bought x payer share, discounted). So ``p* = price + (lambda dQ - dC) / k``.

    >>> float(threshold_price(100.0, 0.01, 50.0, 10.0, 50_000))
    90.0
    """
    k = np.asarray(cost_per_price, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.asarray(price, dtype=float) + net_monetary_benefit(d_cost, d_qaly, wtp) / np.where(k > 0, k, np.nan)
    return np.where(p > 0, p, np.nan)


def ceac(d_costs: ArrayLike, d_qalys: ArrayLike, wtp: Sequence[float], options: Sequence[str]) -> pd.DataFrame:
    """Cost-effectiveness acceptability curves for several options at once.

    Parameters
    ----------
    d_costs, d_qalys : incremental cost [USD] and QALYs of each option against no cover, shape
        ``(options, draws)``
    wtp : willingness-to-pay values [USD/QALY]
    options : option ids (e.g. therapies)

    Returns a long table: ``wtp``, ``option``, ``p_optimal`` (share of draws in which the option has
    the highest NMB and beats no cover), ``p_cost_effective`` (share with NMB > 0), and one row per
    wtp with ``option = "none"`` (no cover is optimal). ``p_optimal`` sums to 1 over options + none.

    >>> t = ceac([[10.0, -5.0]], [[0.001, 0.001]], [0, 20_000], ["a"])
    >>> t[t.option == "a"].p_optimal.tolist()
    [0.5, 1.0]
    """
    c = np.atleast_2d(np.asarray(d_costs, dtype=float))
    q = np.atleast_2d(np.asarray(d_qalys, dtype=float))
    lams = np.asarray(list(wtp), dtype=float)[:, None]
    T, n = c.shape
    p_opt, p_ce = np.empty((len(lams), T + 1)), np.full((len(lams), T + 1), math.nan)
    best_nmb = np.zeros((len(lams), n))  # no cover (option 0) has NMB 0 and wins ties, as argmax did
    best = np.zeros((len(lams), n), dtype=np.int64)
    for t in range(T):  # a running maximum over options: (thresholds, draws) arrays, contiguous
        nmb = lams * q[t] - c[t]
        p_ce[:, t + 1] = (nmb > 0).mean(axis=1)
        better = nmb > best_nmb
        best_nmb = np.where(better, nmb, best_nmb)
        best[better] = t + 1
    for t in range(T + 1):
        p_opt[:, t] = (best == t).mean(axis=1)
    lams = lams[:, 0]
    opts = [*options, "none"]
    order = [*range(1, T + 1), 0]  # options first, then no cover, per threshold
    return pd.DataFrame({"wtp": np.repeat(lams, T + 1), "option": opts * len(lams),
                         "p_optimal": p_opt[:, order].ravel(), "p_cost_effective": p_ce[:, order].ravel()})


def qaly_burden(affected: ArrayLike, mix: ArrayLike, utility: ArrayLike) -> np.ndarray:
    """QALYs lost per year to chronic LBP [QALY/yr] = ``n sum_s mix_s (u_none - u_s)``.

    ``mix`` and ``utility`` are over the states (last axis), ``none`` first. The Herman 2019 typical
    mix (25/35/40) and SF-6D weights give 0.125 QALY per person-year (payer-notes §1):

    >>> round(float(qaly_burden(1, [0, .25, .35, .40], [0.806, 0.763, 0.704, 0.610])), 3)
    0.125
    """
    u = np.asarray(utility, dtype=float)
    loss = u[..., :1] - u
    return np.asarray(affected, dtype=float) * np.sum(np.asarray(mix, dtype=float) * loss, axis=-1)


# ---------------------------------------------------------------------------------------------
# From a scenario

PERSPECTIVES = ("health_plan", "societal")


def _npv(flows: Any, dfac: np.ndarray) -> np.ndarray:
    return np.sum(np.asarray(flows, dtype=float) * dfac, axis=-1)


def state_months_delta(sim: dict[str, Any]) -> np.ndarray:
    """Person-months in each pain-impact state, program minus no program: shape ``(..., H, 4)``.

    Read from the program simulation (:mod:`calculator.states` interface).
    """
    return np.asarray(sim["state_months_delta"], dtype=float)


def incremental(inp: Any) -> dict[str, np.ndarray]:
    """Discounted incremental costs per perspective, QALYs gained, and d(cost)/d(price) [per workforce].

    One simulation of the program (every cost and saving component, month by month) gives both views:
    ``health_plan`` = setup + admin + sessions - medical offsets; ``societal`` = every cost (incl. paid
    work time) - medical - absenteeism - presenteeism savings. Keys: ``qalys`` [QALY],
    ``cost_health_plan``, ``cost_societal`` [USD, NPV], ``price_coef`` [USD per USD of price per session,
    NPV], ``participants``, ``participants_with_lbp``. Arrays of draws in ``inp`` give arrays out.
    """
    from .program import simulate
    from .states import qalys
    sim = simulate(dataclasses.replace(inp, perspective="self_insured"))
    dfac = np.asarray(sim["discount_factor"], dtype=float)
    plan_cost = _npv(sim["cost_setup"], dfac) + _npv(sim["cost_admin"], dfac) + _npv(sim["cost_sessions"], dfac)
    share = np.asarray(inp.employer_share, dtype=float)[..., None]
    sessions = np.asarray(sim["sessions_purchased_monthly"], dtype=float)
    copays = _npv(sessions * np.asarray(inp.price_per_session, dtype=float)[..., None] * (1.0 - share), dfac)
    soc_cost = _npv(sim["cost"], dfac) + copays - _npv(sim["medical_offset_allowed"], dfac) - _npv(
        sim["saving_absenteeism"], dfac) - _npv(sim["saving_presenteeism"], dfac)
    med = _npv(sim["medical_offset_plan_paid"], dfac)
    return {
        "qalys": qalys(state_months_delta(sim), discount_factor=dfac),
        "cost_health_plan": plan_cost - med, "cost_societal": soc_cost,
        "price_coef": _npv(sessions * share, dfac),
        "participants": np.asarray(sim["participants"], dtype=float),
        "participants_with_lbp": np.asarray(sim["participants_affected"], dtype=float),
    }


@dataclass(frozen=True)
class CostEffectiveness:
    """Cost-effectiveness of one program against no cover (the trial comparator, usually usual care).

    ``table``: one row per perspective (``health_plan``, ``societal``): incremental cost [USD, NPV],
    QALYs gained [QALY, discounted], cost per QALY (``nan`` unless both differences have the same
    sign), ``dominance``, ``nmb_<wtp>`` [USD] and ``threshold_price_<wtp>`` [USD/session]. The
    headline fields (``cost_per_qaly``, ``dominance``, ``nmb``, ``threshold_prices``) are the health
    plan's view; ``qaly_burden`` is the QALYs lost per year to chronic LBP in the workforce.
    """

    therapy: str
    therapy_label: str
    horizon_months: int
    discount_rate: float
    participants: float
    participants_with_lbp: float
    qalys_gained: float
    qaly_gain_per_participant: float | None
    incremental_cost: float
    cost_per_qaly: float | None
    dominance: str
    nmb: dict[str, float]
    threshold_prices: tuple[float | None, ...]
    wtp: tuple[float, ...]
    qaly_burden: float
    table: pd.DataFrame = dataclasses.field(repr=False)

    def to_program_dict(self) -> dict[str, Any]:
        """Fields merged into ``program`` of ``evaluate`` JSON (``nmb`` keyed by threshold)."""
        return {
            "qalys_gained": self.qalys_gained, "qaly_gain_per_participant": self.qaly_gain_per_participant,
            "incremental_cost_health_plan": self.incremental_cost, "cost_per_qaly": self.cost_per_qaly,
            "dominance": self.dominance, "nmb": self.nmb,
            "threshold_price_per_session": {str(int(w)): p for w, p in zip(self.wtp, self.threshold_prices,
                                                                            strict=True)},
            "qaly_burden": self.qaly_burden, "cea_perspective": "health_plan",
        }

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "table"}
        d["wtp"], d["threshold_prices"] = list(self.wtp), list(self.threshold_prices)
        d["perspectives"] = self.table.to_dict(orient="records")
        return d


def _none(x: float) -> float | None:
    return None if not math.isfinite(x) else x


def _rows(inc: dict[str, np.ndarray], price: float, wtp: Sequence[float]) -> pd.DataFrame:
    rows = []
    q = float(inc["qalys"])
    for name in PERSPECTIVES:
        c = float(inc[f"cost_{name}"])
        row = {"perspective": name, "incremental_cost": c, "qalys_gained": q,
               "cost_per_qaly": float(cost_per_qaly(c, q)), "dominance": str(dominance(c, q))}
        coef = float(inc["price_coef"]) if name == "health_plan" else float(inc["price_coef"]) / max(
            float(inc.get("share", 1.0)), 1e-12)
        for w in wtp:
            row[f"nmb_{int(w)}"] = float(net_monetary_benefit(c, q, w))
            row[f"threshold_price_{int(w)}"] = float(threshold_price(c, q, price, coef, w))
        rows.append(row)
    return pd.DataFrame(rows)


def cost_effectiveness(scenario: Any, program_index: int = 0) -> CostEffectiveness:
    """QALYs gained, cost per QALY, NMB and threshold prices of a scenario's program."""
    from .model import build_inputs
    from .states import default_mix, state_values
    inp = build_inputs(scenario, program_index)
    inc = incremental(inp) | {"share": np.asarray(inp.employer_share, dtype=float)}
    wtp = thresholds()
    price = float(inp.price_per_session)
    table = _rows(inc, price, wtp)
    hp = table.iloc[0]
    part = float(inc["participants"])
    prog = scenario.programs[program_index]
    mix = getattr(scenario.condition, "impact_mix", None)
    mix_vec = default_mix() if mix is None else np.array([0.0, mix.low, mix.moderate, mix.high])
    burden = float(qaly_burden(scenario.workforce.employees * float(inp.prevalence), mix_vec, state_values().utility))
    return CostEffectiveness(
        therapy=prog.therapy, therapy_label=library().therapy(prog.therapy).label,
        horizon_months=int(inp.horizon_months), discount_rate=float(inp.discount_rate), participants=part,
        participants_with_lbp=float(inc["participants_with_lbp"]), qalys_gained=float(inc["qalys"]),
        qaly_gain_per_participant=float(inc["qalys"]) / part if part > 0 else None,
        incremental_cost=float(hp["incremental_cost"]), cost_per_qaly=_none(float(hp["cost_per_qaly"])),
        dominance=str(hp["dominance"]), nmb={str(int(w)): float(hp[f"nmb_{int(w)}"]) for w in wtp},
        threshold_prices=tuple(_none(float(hp[f"threshold_price_{int(w)}"])) for w in wtp), wtp=wtp,
        qaly_burden=burden, table=table,
    )


#: Willingness-to-pay grid of the acceptability curve [USD/QALY]: 0 to 200,000 in steps of 5,000.
CEAC_GRID = tuple(float(w) for w in range(0, 200_001, 5_000))


@dataclass(frozen=True)
class CEAResult:
    """Monte Carlo cost-effectiveness of every therapy at once (health plan's view).

    ``table``: one row per therapy: base-case and mean incremental cost and QALYs with 5-95%
    intervals, the cost per QALY's 5-95% interval (``p5_cost_per_qaly``/``p95_cost_per_qaly``; NaN
    with ``cost_per_qaly_interval_note`` saying why when a ratio interval would mislead), mean NMB
    with its 5-95% interval and P(cost-effective) at each reported threshold, share of draws dominant.
    ``ceac``: :func:`ceac` over :data:`CEAC_GRID` (long table). ``draws``: per therapy and draw,
    incremental cost and QALYs.
    """

    draws: int
    seed: int
    horizon_months: int
    wtp: tuple[float, ...]
    table: pd.DataFrame = dataclasses.field(repr=False)
    ceac: pd.DataFrame = dataclasses.field(repr=False)
    samples: pd.DataFrame = dataclasses.field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"draws": self.draws, "seed": self.seed, "horizon_months": self.horizon_months,
                "wtp": list(self.wtp), "perspective": "health_plan",
                "therapies": self.table.to_dict(orient="records"), "ceac": self.ceac.to_dict(orient="records")}


def _stacked_draws(scenario: Any, n: int, rng: np.random.Generator) -> tuple[list[str], Any, dict[str, np.ndarray]]:
    """Every therapy's inputs stacked into ``(T n,)`` columns with common random numbers (as psa_compare)."""
    from . import uncertainty as unc
    from .model import build_inputs
    from .program import NUMERIC_FIELDS
    scenarios = unc._therapy_scenarios(scenario, 0)
    parts = [unc._shared_and_own(unc.uncertainty_table(sc, 0, ())) for _, sc in scenarios]
    bases = [build_inputs(sc, 0) for _, sc in scenarios]
    shared = unc._draw_rows(parts[0][0], n, rng)
    own = [unc._draw_rows(o, n, rng) for _, o in parts]
    varying = set(shared) | {k for c in own for k in c}
    varying |= {f for f in NUMERIC_FIELDS if len({getattr(b, f) for b in bases}) > 1}
    cols = {f: np.concatenate([shared[f] if f in shared else o.get(f, np.full(n, float(getattr(b, f))))
                               for o, b in zip(own, bases, strict=True)])
            for f in NUMERIC_FIELDS if f in varying}
    return [tid for tid, _ in scenarios], bases, cols


def _health_plan_draws(inp: Any) -> tuple[np.ndarray, np.ndarray]:
    """Incremental cost [USD, NPV] and discounted QALYs of many draws, the lean way.

    The health plan's view of the program simulation nets exactly the plan's costs and offsets, so
    its NPV is minus the incremental cost; the monthly component arrays are not needed
    (``detail=False``). Equal to :func:`incremental`'s ``cost_health_plan`` and ``qalys`` (tested).
    """
    from .program import simulate
    sim = simulate(dataclasses.replace(inp, perspective="health_plan"), detail=False, qalys=True)
    return -np.asarray(sim["npv"], dtype=float), np.asarray(sim["qaly_gain_discounted"], dtype=float)


def _psa_row(tid: str, label: str, base: dict[str, np.ndarray], dc: np.ndarray, dq: np.ndarray,
             wtp: Sequence[float]) -> dict[str, Any]:
    """One therapy's row of :attr:`CEAResult.table`: means and 5-95% intervals of cost, QALYs, cost
    per QALY (or why none) and NMB at each threshold, P(cost-effective), share dominant."""
    lo, hi, why = cost_per_qaly_interval(dc, dq)
    r = {"therapy": tid, "label": label,
         "base_cost": float(base["cost_health_plan"]), "base_qalys": float(base["qalys"]),
         "mean_cost": float(dc.mean()), "p5_cost": float(np.quantile(dc, 0.05)),
         "p95_cost": float(np.quantile(dc, 0.95)), "mean_qalys": float(dq.mean()),
         "p5_qalys": float(np.quantile(dq, 0.05)), "p95_qalys": float(np.quantile(dq, 0.95)),
         "share_dominant": float(np.mean((dq > 0) & (dc <= 0))),
         "p5_cost_per_qaly": lo, "p95_cost_per_qaly": hi, "cost_per_qaly_interval_note": why}
    for w in wtp:
        nmb = w * dq - dc
        r[f"mean_nmb_{int(w)}"] = float(nmb.mean())
        r[f"p5_nmb_{int(w)}"], r[f"p95_nmb_{int(w)}"] = (float(x) for x in np.quantile(nmb, [0.05, 0.95]))
        r[f"p_cost_effective_{int(w)}"] = float(np.mean(nmb > 0))
    return r


def cea_psa(scenario: Any, draws: int = 2000, seed: int = 20240101) -> CEAResult:
    """Monte Carlo cost-effectiveness of every therapy (QALYs from the same draws as the PSA).

    Inputs shared by all therapies take the same draws (common random numbers), as in
    :func:`calculator.uncertainty.psa_compare`; evaluation is vectorised in cache-sized blocks.
    """
    from . import uncertainty as unc
    n = unc._check_draws(draws)
    rng, seed = unc._rng(seed)
    ids, bases, cols = _stacked_draws(scenario, n, rng)
    T, H = len(ids), int(bases[0].horizon_months)
    unc._guard(n, len(cols), H, T)
    total = n * T
    dc, dq = np.empty(total), np.empty(total)
    block = max(1, (1 << 16) // H)  # the PSA's cache-sized blocks
    for a in range(0, total, block):
        b = min(total, a + block)
        c, q = _health_plan_draws(dataclasses.replace(bases[0], **{k: v[a:b] for k, v in cols.items()}))
        dc[a:b], dq[a:b] = np.broadcast_to(c, (b - a,)), np.broadcast_to(q, (b - a,))
    dc, dq = dc.reshape(T, n), dq.reshape(T, n)
    wtp = thresholds()
    curve = ceac(dc, dq, CEAC_GRID, ids)
    lib = library()
    rows = [_psa_row(tid, lib.therapy(tid).label, incremental(bases[t]), dc[t], dq[t], wtp)
            for t, tid in enumerate(ids)]
    samples = pd.DataFrame({"therapy": pd.Categorical.from_codes(np.repeat(np.arange(T), n), categories=ids),
                            "draw": np.tile(np.arange(n), T),
                            "incremental_cost": dc.ravel(), "qalys_gained": dq.ravel()})
    return CEAResult(draws=n, seed=seed, horizon_months=H, wtp=wtp, table=pd.DataFrame(rows), ceac=curve,
                     samples=samples)
