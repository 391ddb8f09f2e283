"""The public model: scenario in, results out.

>>> from calculator import Scenario, evaluate
>>> r = evaluate(Scenario())
>>> round(r.burden.total), round(r.burden.per_employee)
(752505, 753)
>>> round(r.program.roi, 3), r.program.payback_month is None
(-0.312, True)
>>> round(r.program.breakeven_price_per_session, 2)
44.05
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .effect import WEEKS_PER_MONTH, effect_profile
from .evidence import PRICE_YEAR, library
from .perspective import rule
from .program import NUMERIC_FIELDS, ProgramInputs, simulate
from .scenario import THERAPY_FIELDS, Scenario, parameter_id_for_path, therapy_switch, to_dict

__all__ = [
    "Burden",
    "ProgramResult",
    "Warning",
    "Result",
    "build_inputs",
    "input_table",
    "evaluate",
    "compare",
    "effect_curve",
    "benchmark_check",
]

#: Where each numeric model input comes from in the scenario (``{i}`` = program index).
INPUT_PATHS: dict[str, str] = {
    "employees": "workforce.employees", "hourly_wage": "workforce.hourly_wage",
    "annual_hours": "workforce.annual_hours", "benefits_load": "workforce.benefits_load",
    "productivity_multiplier": "workforce.productivity_multiplier", "turnover": "workforce.turnover",
    "prevalence": "condition.prevalence", "absence_days": "condition.absence_days",
    "presenteeism": "condition.presenteeism", "medical_excess_cost": "condition.medical_excess_cost",
    "hours_per_day": "condition.hours_per_day",
    "plan_paid_share": "condition.plan_paid_share",
    "response_per_point": "translation.response_per_point",
    "presenteeism_link": "translation.presenteeism_link",
    "discount_rate": "analysis.discount_rate",
    "premium_passthrough": "analysis.premium_passthrough",
    "friction_period_weeks": "analysis.friction_period_weeks",
    "friction_elasticity": "analysis.friction_elasticity",
}
for _name in NUMERIC_FIELDS:
    INPUT_PATHS.setdefault(_name, "programs.{i}." + _name)


def build_inputs(scenario: Scenario, program_index: int = 0) -> ProgramInputs:
    """Flatten a validated scenario into model inputs for one program (catalogue values resolved)."""
    s = scenario
    p = s.programs[program_index]
    vals: dict[str, Any] = {}
    for name, path in INPUT_PATHS.items():
        sec, _, fname = path.partition(".")
        if sec == "programs":
            fname = fname.split(".", 1)[1]
            vals[name] = float(p.resolved(fname) if fname in THERAPY_FIELDS else getattr(p, fname))
        else:
            vals[name] = float(getattr(getattr(s, sec), fname))
    vals["hourly_wage"] = float(s.workforce.effective_hourly_wage)
    return ProgramInputs(
        **vals,
        visit_cap=p.visit_cap,
        multiplier_on_presenteeism=s.workforce.multiplier_on_presenteeism,
        on_paid_time=p.on_paid_time,
        on_site=p.on_site,
        offer_interval_months=p.offer_interval_months,
        booster_interval_months=p.booster_interval_months,
        booster_sessions=p.booster_sessions,
        horizon_months=s.analysis.horizon_months,
        valuation=s.analysis.valuation,
        perspective=s.analysis.perspective,
        impact_mix=s.condition.impact_mix.as_tuple(),
        premium_lag_months=s.analysis.premium_lag_months,
    )


def input_table(scenario: Scenario, program_index: int = 0) -> pd.DataFrame:
    """Every numeric input in use: value, library default, range, unit, source, whether changed.

    One row per model input; ``parameter`` is the library row it defaults to, ``changed`` is True
    when the scenario's value differs from the library's base value.
    """
    return pd.DataFrame(input_records(scenario, program_index))


def input_records(scenario: Scenario, program_index: int = 0,
                  inputs: ProgramInputs | None = None) -> list[dict[str, Any]]:
    """:func:`input_table`'s rows as dicts (no pandas: the book builds one per employer group).
    ``inputs``: the scenario's already built :func:`build_inputs` for this program, if the caller has it."""
    lib = library()
    inp = build_inputs(scenario, program_index) if inputs is None else inputs
    rows = []
    for name in NUMERIC_FIELDS:
        path = INPUT_PATHS[name].format(i=program_index)
        pid = parameter_id_for_path(scenario, path)
        par = lib.parameter(pid)
        value = float(getattr(inp, name))
        rows.append({
            "input": name, "path": path, "parameter": pid, "label": par.label, "value": value,
            "default": par.value, "low": par.low, "high": par.high, "unit": par.unit,
            "distribution": par.distribution, "changed": not math.isclose(value, par.value, rel_tol=1e-12),
            "provenance": par.provenance, "source_keys": ";".join(par.source_keys),
        })
    return rows


def _f(x: Any) -> float | None:
    v = float(np.asarray(x))
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class Burden:
    """Yearly burden of chronic low back pain on the employer [USD/yr unless stated]."""

    total: float
    absenteeism: float
    presenteeism: float
    medical: float
    in_perspective: float
    per_employee: float
    per_affected_employee: float
    per_100_employees: float
    affected_employees: float
    hours_lost: float
    days_lost: float
    absence_hours: float
    presenteeism_hours: float
    hourly_compensation: float
    benchmark_hours_per_employee: float
    hours_lost_per_employee: float
    benchmark_ratio: float


@dataclass(frozen=True)
class ProgramResult:
    """One program over the horizon [USD over the horizon unless stated]."""

    therapy: str
    therapy_label: str
    evidence_grade: str
    cost: float
    savings: float
    savings_absenteeism: float
    savings_presenteeism: float
    savings_medical: float
    net_benefit: float
    roi: float | None
    benefit_cost_ratio: float | None
    npv: float
    payback_month: float | None
    participants: float
    participants_with_back_pain: float
    cost_per_participant: float | None
    savings_per_participant: float | None
    cost_per_employee_per_month: float
    net_per_employee_per_month: float
    breakeven_price_per_session: float | None
    breakeven_effect_multiplier: float | None
    breakeven_effect_size: float | None
    price_per_session: float
    sessions: float
    effect_size: float
    horizon_months: int
    monthly: pd.DataFrame = field(repr=False, compare=False)
    comparator: str = ""
    #: Per participant over the horizon [USD]: treatment_cost, medical_savings, productivity_savings, net.
    per_participant: dict[str, float | None] = field(default_factory=dict)
    #: Share of completers with chronic LBP who respond at the peak [fraction].
    responder_share: float = 0.0
    #: QALYs gained over the horizon by all participants (undiscounted) [QALY].
    qaly_gain: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "monthly"}
        return d


@dataclass(frozen=True)
class Warning:  # noqa: A001 - a sanity warning, not the builtin
    """A sanity warning: ``concerns`` is the result path it is about."""

    code: str
    concerns: str
    message: str


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    burden: Burden
    programs: list[ProgramResult]
    warnings: list[Warning]
    parameter_set: str
    sources: list[str]

    @property
    def program(self) -> ProgramResult:
        """The first program (the one the command line reports under ``program``)."""
        return self.programs[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested dict: ``burden.*``, ``program.*`` (first), ``programs``, ``warnings``."""
        progs = [p.to_dict() for p in self.programs]
        return {
            "burden": self.burden.__dict__.copy(),
            "program": progs[0],
            "programs": progs,
            "warnings": [w.__dict__.copy() for w in self.warnings],
            "currency": "USD",
            "price_year": PRICE_YEAR,
            "parameter_set": self.parameter_set,
            "sources": self.sources,
            "scenario": to_dict(self.scenario),
        }

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of every headline figure: one row per (section, program, metric).

        >>> from calculator import Scenario, evaluate
        >>> df = evaluate(Scenario()).to_frame()
        >>> df[df.metric == "total"].value.round().tolist()
        [752505.0]
        """
        rows = [{"section": "burden", "program": None, "metric": k, "value": v}
                for k, v in self.burden.__dict__.items()]
        for i, p in enumerate(self.programs):
            for k, v in p.to_dict().items():
                if isinstance(v, (int, float)) or v is None:
                    rows.append({"section": "program", "program": i, "metric": k, "value": v})
        return pd.DataFrame(rows)

    def monthly(self, program_index: int = 0) -> pd.DataFrame:
        """Month-by-month cash flow table of a program."""
        return self.programs[program_index].monthly


_MONTHLY_COLUMNS = {
    "cost_setup": "setup", "cost_admin": "admin", "cost_sessions": "sessions",
    "cost_work_time": "work_time", "cost": "cost", "saving_absenteeism": "saving_absenteeism",
    "saving_presenteeism": "saving_presenteeism", "saving_medical": "saving_medical",
    "savings": "savings", "net": "net", "cumulative_net": "cumulative_net",
    "discount_factor": "discount_factor", "participants_active": "participants_active",
    "effective_participants": "effective_participants",
    "sessions_purchased_monthly": "sessions_purchased",
}


def _breakeven_effect_possible(p: Any, be_mult: float, effect: float) -> bool:
    """The linear break-even effect holds only inside the allowed ranges and below the 100% cap.

    Beyond the effect multiplier's allowed maximum, beyond the disability scale (the effect-size
    bound), or where the reduction would exceed 100% of a cost, no real effect breaks even.
    """
    lib = library()
    if be_mult > lib.parameter("program.effect_multiplier").max_allowed:
        return False
    size = lib.therapy_parameter(p.therapy, "effect_size")
    if p.effect_multiplier > 0 and be_mult * effect / p.effect_multiplier > size.max_allowed:
        return False
    return True


def _program_result(scenario: Scenario, i: int, sim: dict[str, Any]) -> ProgramResult:
    lib = library()
    p = scenario.programs[i]
    th = lib.therapy(p.therapy)
    n, H = scenario.workforce.employees, scenario.analysis.horizon_months
    monthly = pd.DataFrame({"month": np.arange(1, H + 1)} | {
        out: np.asarray(sim[key], dtype=float) for key, out in _MONTHLY_COLUMNS.items()})
    part = float(sim["participants"])
    cost, sav = float(sim["total_cost"]), float(sim["total_savings"])
    be_mult = _f(sim["breakeven_effect_multiplier"])
    eff = float(p.resolved("effect_size"))
    if be_mult is not None and not _breakeven_effect_possible(p, be_mult, eff):
        be_mult = None
    return ProgramResult(
        therapy=p.therapy, therapy_label=th.label, evidence_grade=th.evidence_grade,
        cost=cost, savings=sav,
        savings_absenteeism=float(sim["savings_absenteeism"]),
        savings_presenteeism=float(sim["savings_presenteeism"]),
        savings_medical=float(sim["savings_medical"]),
        net_benefit=float(sim["net_benefit"]), roi=_f(sim["roi"]), benefit_cost_ratio=_f(sim["bcr"]),
        npv=float(sim["npv"]), payback_month=_f(sim["payback_month"]),
        participants=part, participants_with_back_pain=float(sim["participants_affected"]),
        cost_per_participant=cost / part if part > 0 else None,
        savings_per_participant=sav / part if part > 0 else None,
        cost_per_employee_per_month=cost / (n * H),
        net_per_employee_per_month=(sav - cost) / (n * H),
        breakeven_price_per_session=_f(sim["breakeven_price_per_session"]),
        breakeven_effect_multiplier=be_mult,
        # The trial effect (RDQ points) that would break even with this scenario's multiplier.
        breakeven_effect_size=(be_mult * eff / p.effect_multiplier
                               if be_mult is not None and p.effect_multiplier > 0 else None),
        price_per_session=float(p.resolved("price_per_session")),
        sessions=float(p.resolved("sessions")), effect_size=eff, horizon_months=H, monthly=monthly,
        comparator=th.comparator,
        per_participant=_per_participant(sim, part),
        responder_share=float(sim["responder_share"]), qaly_gain=float(sim["qaly_gain"]),
    )


def _per_participant(sim: dict[str, Any], part: float) -> dict[str, float | None]:
    """Treatment cost, medical and productivity savings and net per participant [USD/horizon]."""
    if part <= 0:
        return {"treatment_cost": None, "medical_savings": None, "productivity_savings": None, "net": None}
    prod = float(sim["savings_absenteeism"] + sim["savings_presenteeism"])
    return {"treatment_cost": float(sim["total_cost"]) / part,
            "medical_savings": float(sim["savings_medical"]) / part,
            "productivity_savings": prod / part,
            "net": float(sim["net_benefit"]) / part}


def _warnings(scenario: Scenario, burden: Burden, progs: list[ProgramResult],
              sims: list[dict[str, Any]]) -> list[Warning]:
    lib = library()
    out: list[Warning] = []
    limit = lib.value("sanity.benchmark_ratio")
    hours = {b: lib.value(pid) for b, pid in _HOUR_BENCHMARKS.items()}
    ratios = {b: burden.hours_lost_per_employee / v for b, v in hours.items() if v > 0}
    if ratios and all(r > limit or r < 1 / limit for r in ratios.values()):
        listed = "; ".join(f"{b}: {hours[b]:.1f} h/yr, ratio {r:.2f}" for b, r in ratios.items())
        out.append(Warning(
            "burden_vs_benchmark", "burden.hours_lost",
            f"Hours lost per employee ({burden.hours_lost_per_employee:.1f} h/yr) lie outside "
            f"{1 / limit:g}x-{limit:g}x of every published benchmark ({listed}): check prevalence, "
            "absence days and presenteeism."))
    roi_high = lib.value("sanity.roi_high")
    for i, (p, sim) in enumerate(zip(progs, sims, strict=True)):
        prog = scenario.programs[i]
        where = "program" if i == 0 else f"programs.{i}"
        if p.roi is not None and p.roi > roi_high:
            out.append(Warning(
                "roi_above_evidence", f"{where}.roi",
                f"ROI of {p.roi:.1f} is above {roi_high:g}, beyond what published back-pain "
                "programme evaluations support: check uptake, effect and the translation to work loss."))
        if p.breakeven_effect_multiplier is None and p.savings < p.cost and float(sim["responder_share"]) > 0:
            out.append(Warning(
                "no_breakeven_effect", f"{where}.breakeven_effect_size",
                "No plausible effect makes this program break even within the horizon: even if every "
                "completer responded (or the effect reached its allowed maximum), savings would not cover "
                "the cost."))
        if bool(np.any(sim["reduction_clipped"])):
            out.append(Warning(
                "effect_capped", f"{where}.savings",
                "The effect would remove more than 100% of a cost component; it was capped at 100%."))
        if prog.resolved("course_weeks") > scenario.analysis.horizon_months * 52 / 12:
            out.append(Warning(
                "horizon_shorter_than_course", f"{where}.savings",
                "The horizon ends before the course does: most of the benefit falls outside it."))
        unaffected = p.participants - p.participants_with_back_pain
        if p.participants > 0 and unaffected > p.participants_with_back_pain:
            out.append(Warning(
                "uptake_mostly_unaffected", f"{where}.cost",
                f"{unaffected / p.participants:.0%} of participants ({unaffected:,.1f} of "
                f"{p.participants:,.1f}) are expected to have no chronic back pain: most of the spend "
                "buys no productivity or medical savings back."))
        if prog.therapy == "usual_care":
            out.append(Warning(
                "comparator", f"{where}.roi",
                "Usual care is the comparator every effect is measured against: covering it adds cost "
                "and saves nothing in this model; it is not a money-saving program."))
        if prog.booster_sessions > 0 and prog.booster_interval_months > 0:
            out.append(Warning(
                "boosters_assumed", f"{where}.savings",
                "Booster courses are assumed to restore the end-of-course effect; trials have not "
                "tested maintenance sessions for chronic low back pain."))
    for i, prog in enumerate(scenario.programs):
        if not rule(scenario.analysis.perspective).work_time and prog.on_paid_time:
            out.append(Warning("health_plan_work_time", "program.cost" if i == 0 else f"programs.{i}.cost",
                               "From a health plan's perspective paid work time is not a cost; it is left out."))
    return out


#: Published lost-time benchmarks in hours per employee per year (parameter ids).
_HOUR_BENCHMARKS = {"Stewart 2003": "benchmark.lpt_hours_per_employee",
                    "IBI 2013": "benchmark.ibi_lost_hours_per_employee"}


def benchmark_check(result: Result) -> pd.DataFrame:
    """Our yearly lost-time burden per employee against published national benchmarks.

    One row per comparison: ``benchmark``, ``measure``, ``unit``, ``benchmark_value`` (hours, or
    USD at the library's price year), ``ours``, ``ratio`` (ours / benchmark), ``within_half_to_double``
    (0.5x-2x), ``definition`` (what the benchmark counts, which explains a gap) and ``citation``.
    The Cost page, the PDF and the workbook show this table; :func:`evaluate` warns when the hours lie
    outside 0.5x-2x of every benchmark.

    >>> from calculator import Scenario, evaluate
    >>> benchmark_check(evaluate(Scenario()))[["benchmark", "unit"]].values.tolist()[:2]
    [['Stewart 2003', 'h/yr'], ['IBI 2013', 'h/yr']]
    """
    lib = library()
    b = result.burden
    n = result.scenario.workforce.employees
    prod_cost = (b.absenteeism + b.presenteeism) / n
    rows = [
        ("Stewart 2003", "Lost productive time (absence + reduced performance) per employee", "h/yr",
         lib.value("benchmark.lpt_hours_per_employee"), b.hours_lost_per_employee,
         "Any back pain with lost time in a 2-week window (3.2% of workers), all US workers 2001-02; "
         "counts acute episodes, misses people without lost time that fortnight.",
         "benchmark.lpt_hours_per_employee"),
        ("IBI 2013", "Sick days + presenteeism per employee", "h/yr",
         lib.value("benchmark.ibi_lost_hours_per_employee"), b.hours_lost_per_employee,
         "Employees reporting any low back pain (nearly 1 in 4), excess over employees without it; "
         "a broader population than chronic LBP, so a higher figure than ours is expected.",
         "benchmark.ibi_lost_hours_per_employee"),
        ("IBI 2013", "Sick-day + presenteeism cost per employee", f"USD/yr ({PRICE_YEAR}$)",
         lib.value("benchmark.ibi_lost_time_cost_per_employee"), prod_cost,
         "As above, in dollars (2013$ brought to the price year with CPI-U); ours values hours at "
         "this scenario's total compensation.", "benchmark.ibi_lost_time_cost_per_employee"),
    ]
    out = []
    for name, measure, unit, bench, ours, definition, pid in rows:
        ratio = ours / bench if bench > 0 else float("nan")
        out.append({"benchmark": name, "measure": measure, "unit": unit, "benchmark_value": bench,
                    "ours": ours, "ratio": ratio, "within_half_to_double": bool(0.5 <= ratio <= 2.0),
                    "definition": definition,
                    "citation": " | ".join(r.citation() for r in lib.citations(lib.parameter(pid).source_keys))})
    return pd.DataFrame(out)


def evaluate(scenario: Scenario) -> Result:
    """Evaluate every program of a scenario: yearly burden, program results, sanity warnings."""
    lib = library()
    sims, progs = [], []
    for i in range(len(scenario.programs)):
        sim = simulate(build_inputs(scenario, i))
        sims.append(sim)
        progs.append(_program_result(scenario, i, sim))
    b = sims[0]["burden"]
    n = scenario.workforce.employees
    total = float(b["total"])
    who = rule(scenario.analysis.perspective)
    in_persp = (float(b["absenteeism"] + b["presenteeism"]) if who.productivity else 0.0) + (
        float(b["medical"]) * scenario.condition.plan_paid_share if who.medical_now else 0.0)
    bench = lib.value("benchmark.lpt_hours_per_employee")
    hpe = float(b["hours_lost"]) / n
    affected = float(b["affected"])
    burden = Burden(
        total=total, absenteeism=float(b["absenteeism"]), presenteeism=float(b["presenteeism"]),
        medical=float(b["medical"]), in_perspective=in_persp, per_employee=total / n,
        per_affected_employee=total / affected if affected > 0 else 0.0,
        per_100_employees=total * 100 / n, affected_employees=affected,
        hours_lost=float(b["hours_lost"]), days_lost=float(b["days_lost"]),
        absence_hours=float(b["absence_hours"]), presenteeism_hours=float(b["presenteeism_hours"]),
        hourly_compensation=float(b["hourly_compensation"]),
        benchmark_hours_per_employee=bench, hours_lost_per_employee=hpe,
        benchmark_ratio=hpe / bench,
    )
    keys: list[str] = []
    for i in range(len(scenario.programs)):
        for pid in input_table(scenario, i)["source_keys"]:
            keys.extend(pid.split(";"))
        keys.extend(lib.therapy(scenario.programs[i].therapy).trial_source_keys)
    for pid in _HOUR_BENCHMARKS.values():
        keys.extend(lib.parameter(pid).source_keys)
    sources = [r.key for r in lib.citations(keys)]
    return Result(scenario, burden, progs, _warnings(scenario, burden, progs, sims), lib.version, sources)


def effect_curve(scenario: Scenario, program_index: int = 0, weeks: int | None = None) -> pd.DataFrame:
    """A program's modelled effect by week [RDQ points of improvement vs the comparator].

    ``trial_effect`` = end-of-course effect x :func:`calculator.effect.effect_profile` (boosters
    restore the peak as in :func:`calculator.program.simulate`); ``expected_effect`` also applies
    the effect multiplier; ``within_horizon`` marks weeks inside the analysis horizon.

    >>> from calculator import Scenario
    >>> effect_curve(Scenario()).set_index("week").loc[[10, 26], "trial_effect"].round(2).tolist()
    [2.9, 1.99]
    """
    inp = build_inputs(scenario, program_index)
    horizon_weeks = scenario.analysis.horizon_months * WEEKS_PER_MONTH
    last = weeks if weeks is not None else int(math.ceil(max(horizon_weeks, 52.0)))
    t = np.arange(0, last + 1, dtype=float)
    boosting = inp.booster_interval_months > 0 and inp.booster_sessions > 0
    booster_weeks = inp.booster_interval_months * WEEKS_PER_MONTH if boosting else 0.0
    prof = effect_profile(t, inp.course_weeks, inp.decay_per_week, booster_weeks)
    peak = float(inp.effect_size)
    return pd.DataFrame({"week": t, "trial_effect": peak * prof,
                         "expected_effect": peak * float(inp.effect_multiplier) * prof,
                         "within_horizon": t <= horizon_weeks})


def compare(scenario: Scenario, program_index: int = 0) -> pd.DataFrame:
    """Every therapy in the catalogue under the same workforce and benefit design, one row each.

    The chosen program's design (uptake, co-pay, cap, costs, horizon ...) is kept; its
    therapy-specific overrides (price, sessions, effect ...) are reset to each therapy's catalogue
    values. A first row ``none`` ("cover nothing": cost 0, savings 0) is the baseline every
    program must beat; ``comparator`` states what each therapy's trial effect was measured against.
    Sorted by net benefit, best first; ``chosen`` marks the scenario's own therapy.

    >>> df = compare(Scenario())
    >>> df.set_index("therapy").loc["none", ["cost", "savings", "net_benefit"]].tolist()
    [0.0, 0.0, 0.0]
    """
    lib = library()
    base = scenario.programs[program_index]
    rows = [{
        "therapy": "none", "label": "Cover nothing (no new benefit)", "comparator": "-",
        "evidence_grade": "-", "sessions": 0.0, "price_per_session": 0.0, "effect_size": 0.0,
        "participants": 0.0, "cost": 0.0, "savings": 0.0, "net_benefit": 0.0, "roi": np.nan,
        "benefit_cost_ratio": np.nan, "npv": 0.0, "payback_month": np.nan,
        "cost_per_participant": np.nan, "breakeven_price_per_session": np.nan, "chosen": False,
    }]
    for tid, th in lib.therapies.items():
        prog = base if tid == base.therapy else base.model_copy(update=therapy_switch(tid))
        sc = scenario.model_copy(update={"programs": [prog]})
        sim = simulate(build_inputs(sc, 0))
        pr = _program_result(sc, 0, sim)
        rows.append({
            "therapy": tid, "label": th.label, "comparator": th.comparator,
            "evidence_grade": th.evidence_grade,
            "sessions": pr.sessions, "price_per_session": pr.price_per_session,
            "effect_size": pr.effect_size, "participants": pr.participants, "cost": pr.cost,
            "savings": pr.savings, "net_benefit": pr.net_benefit, "roi": pr.roi,
            "benefit_cost_ratio": pr.benefit_cost_ratio, "npv": pr.npv,
            "payback_month": pr.payback_month, "cost_per_participant": pr.cost_per_participant,
            "breakeven_price_per_session": pr.breakeven_price_per_session,
            "chosen": tid == base.therapy,
        })
    df = pd.DataFrame(rows).sort_values("net_benefit", ascending=False, kind="stable")
    return df.reset_index(drop=True)
