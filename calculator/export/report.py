"""What every report says, computed once: headline figures, footnotes, numbered sources, texts.

The PDF, the slide deck, the workbook and the dashboard's Report page all read a
:class:`ReportData`, so they carry the same numbers and the same wording. Nothing here draws or
writes a file; the format modules turn this into bytes.

The *conservative case* shown first in every report is the project's ``conservative`` scenario
preset (``calculator/data/presets.csv``, the same preset the dashboard and the CLI's ``--preset``
use): the program's effect and use at the unfavourable end of the evidence (half the trial effect,
lower completion, more use by employees without back pain, higher turnover), the facts about the
workforce unchanged. Each override carries its reason and sources in that file. An override is
applied only where it is more pessimistic than the scenario's own value, so a scenario that is
already pessimistic is not made rosier by its "conservative" case.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import __version__, fmt
from ..evidence import Reference, library
from ..model import Result, compare, evaluate, input_table
from ..scenario import Scenario, ScenarioError, parameter_id_for_path, to_json
from .repro import report_time

__all__ = [
    "Uncertainty",
    "as_uncertainty",
    "Figure",
    "ReportData",
    "build_report",
    "origins_from_applied",
    "own_data_lines",
    "conservative_scenario",
    "conservative_overrides",
    "conservative_summary",
    "money",
    "pct",
    "payback_text",
    "sentence_label",
    "BURDEN_INPUTS",
    "COST_INPUTS",
    "SAVINGS_INPUTS",
    "LIMITATIONS",
    "METHOD",
]

# Model inputs behind each headline figure (names of calculator.program.ProgramInputs fields).
BURDEN_INPUTS = ("employees", "prevalence", "absence_days", "hours_per_day", "presenteeism",
                 "annual_hours", "hourly_wage", "benefits_load", "productivity_multiplier",
                 "medical_excess_cost")
COST_INPUTS = ("eligibility", "uptake", "uptake_unaffected", "completion",
               "noncompleter_session_share", "sessions", "price_per_session", "employer_share",
               "setup_cost", "admin_pepm", "turnover")
SAVINGS_INPUTS = ("effect_size", "course_weeks", "decay_per_week", "effect_multiplier",
                  "response_per_point", "presenteeism_link", "plan_paid_share", "completion",
                  "turnover")

#: Plain statements of what the model leaves out or assumes (shown in every report).
LIMITATIONS = (
    "Effects come from randomised trials of adults who sought care for chronic low back pain, "
    "against the trial's comparator (usually usual care). Employees who take up a workplace benefit "
    "may differ; the effect multiplier scales the trial effect for this.",
    "How much an improvement in disability (RDQ points) reduces absence, presenteeism and medical "
    "cost is an assumption anchored on published models (Herman 2019), not a trial outcome. It is "
    "the most uncertain link in the chain; the ranges carry that uncertainty.",
    "Presenteeism per pain-impact state is anchored on the same state's absence (IBI 2013: 4.4 "
    "presenteeism days per 4 absence days); no trial measured how therapies change it, so only part "
    "of the state shift (a range that includes none) lowers it.",
    "Human-capital valuation counts every lost hour at full employer compensation; the "
    "friction-cost option caps each pain-impact state's yearly absence at the friction period, which "
    "lowers the figures only when that absence is longer than the period (not at the defaults).",
    "Medical offsets are allowed amounts; a self-insured employer (or a health plan) saves only the "
    "plan-paid share, and a fully insured employer sees them, if at all, in later premiums "
    "(off by default).",
    "Not modelled: replacement and hiring costs, spill-over to colleagues, opioid-related harms, "
    "quality of life, and any long-term effect beyond the decay observed in trials.",
    "Results are averages for a workforce. They are not predictions for any person and must not "
    "be used for hiring, personnel or coverage decisions about individuals.",
)

#: The method in brief (one paragraph per step).
METHOD = (
    "Yearly burden. Employees with chronic low back pain = headcount x prevalence. Each loses "
    "absence hours (days x hours per day; friction-cost: only days within the friction period, "
    "times the elasticity) and presenteeism hours ((annual hours - absence hours) x attributable "
    "presenteeism). Hours are valued at total compensation (wage x benefits load; absence also "
    "times the team-production multiplier); excess medical cost is added per person.",
    "Program. Eligible employees are offered the benefit at month 0 and at every open enrolment; "
    "later offers reach the new hires since the previous one. Starters with back pain (uptake) and "
    "without (uptake among others) use sessions over the course; non-completers use a share of "
    "them; leavers (monthly retention (1 - turnover)^(1/12)) stop. The employer pays its share of "
    "the session price, a setup cost, a monthly administration fee and, if sessions are on paid "
    "time, the hours.",
    "Savings. Completers with back pain improve by the trial effect (RDQ points) times the effect "
    "multiplier; each point removes a fixed share of their absence, presenteeism and medical cost "
    "(capped at 100%). The effect ramps up over the course, peaks at its end and then decays "
    "exponentially; booster courses, if chosen, restore the peak.",
    "Finance. Monthly flows, month 0 = program start. ROI = (savings - cost) / cost over the horizon, "
    "undiscounted; NPV discounts month m by (1 + d)^(-m/12) (month 0 undiscounted; this differs "
    "from Excel's NPV()); payback = first month in which cumulative net cash flow reaches zero.",
    "Uncertainty. A probabilistic sensitivity analysis draws every uncertain input from the "
    "distribution in Appendix A and runs the same model for each draw; the ROI interval and the "
    "probability that the program pays for itself come from those draws.",
)


# ---------------------------------------------------------------------------------------------
# Formatting


def money(x: float | None, *, short: bool = False) -> str:
    """US dollars as :func:`calculator.fmt.money` writes them (whole dollars; ``short``: ``$1.2M``).

    >>> money(1204226.4), money(-1083.2), money(1204226.4, short=True), money(None)
    ('$1,204,226', '−$1,083', '$1.2M', 'n/a')
    """
    return fmt.money(x, cents=False, short=short)


def pct(x: float | None, digits: int = 0, *, signed: bool = False) -> str:
    """Percent text as :func:`calculator.fmt.pct` writes it; ``n/a`` for None/NaN.

    >>> pct(-0.0925), pct(0.5912, signed=True), pct(0.081, 1)
    ('−9%', '+59%', '8.1%')
    """
    return fmt.pct(x, digits, signed=signed)


def sentence_label(label: str) -> str:
    """A label for use inside a sentence: first letter lower-cased unless it starts an acronym.

    >>> sentence_label("Relaxation (Swedish) massage"), sentence_label("MBSR")
    ('relaxation (Swedish) massage', 'MBSR')
    """
    return label if len(label) > 1 and label[1].isupper() else label[:1].lower() + label[1:]


def payback_text(month: float | None, horizon: int) -> str:
    """``'month 6'`` or ``'never (not within 12 months)'``."""
    return f"never (not within {horizon} months)" if month is None else fmt.payback(month)


# ---------------------------------------------------------------------------------------------
# Uncertainty summary (from calculator.uncertainty when it has been run)


@dataclass(frozen=True)
class Uncertainty:
    """A probabilistic sensitivity analysis, summarised for reports (simulation output).

    ``level`` is the central interval's coverage (0.90 = 5th to 95th percentile).
    ``table`` has one row per outcome: ``metric, mean, low, median, high`` (and may have more).
    """

    draws: int
    seed: int | None
    level: float
    roi_low: float
    roi_median: float
    roi_high: float
    p_roi_positive: float
    net_low: float | None = None
    net_median: float | None = None
    net_high: float | None = None
    p_payback: float | None = None  # P(payback within the 12-month plan year)
    roi_draws: Any = None  # optional array of ROI draws (for a histogram)
    table: pd.DataFrame | None = None
    psa_summary: pd.DataFrame | None = None  # PSAResult.summary as the uncertainty module made it


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, Mapping) and n in obj:
            return obj[n]
        if not isinstance(obj, Mapping) and hasattr(obj, n):
            return getattr(obj, n)
    return default


def as_uncertainty(obj: Any) -> Uncertainty | None:
    """Accept an :class:`Uncertainty`, a mapping or an object from ``calculator.uncertainty``.

    Recognised names: ``draws``/``n``; ``seed``; ``level``/``interval``; ``roi_low``/``roi_p05``,
    ``roi_median``/``roi_p50``, ``roi_high``/``roi_p95``; ``p_roi_positive``/``prob_roi_positive``;
    ``net_low`` ...; ``table``/``summary`` (DataFrame). ``None`` stays ``None`` (not run).
    """
    if obj is None or isinstance(obj, Uncertainty):
        return obj
    summary = _get(obj, "summary")
    if isinstance(summary, pd.DataFrame) and "outcome" in summary and hasattr(obj, "probability"):
        return _from_psa(obj)
    table = _get(obj, "table", "summary")
    if table is not None and not isinstance(table, pd.DataFrame):
        table = pd.DataFrame(table)
    lvl = _get(obj, "level", "interval", default=0.90)

    def num(*names: str) -> float | None:
        v = _get(obj, *names)
        return None if v is None else float(v)

    roi_low, roi_high = num("roi_low", "roi_p05", "roi_lo"), num("roi_high", "roi_p95", "roi_hi")
    p = num("p_roi_positive", "prob_roi_positive", "p_positive")
    if roi_low is None or roi_high is None or p is None:
        raise ValueError("uncertainty summary needs roi_low, roi_high and p_roi_positive")
    return Uncertainty(
        draws=int(_get(obj, "draws", "n", "n_draws", default=0)), seed=_get(obj, "seed"),
        level=float(lvl), roi_low=roi_low, roi_median=num("roi_median", "roi_p50") or float("nan"),
        roi_high=roi_high, p_roi_positive=p, net_low=num("net_low", "net_p05"),
        net_median=num("net_median", "net_p50"), net_high=num("net_high", "net_p95"),
        p_payback=num("p_payback"), roi_draws=_get(obj, "roi_draws"), table=table)


def _from_psa(res: Any) -> Uncertainty:
    """From :class:`calculator.uncertainty.PSAResult` (5th-95th percentile interval)."""
    s = res.summary.set_index("outcome")

    def q(outcome: str, col: str) -> float | None:
        if outcome not in s.index:
            return None
        v = float(s.loc[outcome, col])
        return None if math.isnan(v) else v

    table = res.summary[[c for c in ("label", "base_case", "mean", "p5", "median", "p95", "mc_se")
                         if c in res.summary.columns]].rename(
        columns={"label": "outcome", "base_case": "base case", "p5": "5th percentile",
                 "p95": "95th percentile", "mc_se": "Monte Carlo SE of mean"})
    roi = res.draws["roi"].to_numpy() if "roi" in getattr(res, "draws", {}) else None
    try:
        p12 = float(res.probability("payback_12_months"))
    except Exception:  # noqa: BLE001 - an older summary without the event
        p12 = None
    return Uncertainty(
        draws=int(res.draws_n), seed=res.seed, level=0.90,
        roi_low=q("roi", "p5"), roi_median=q("roi", "median") if q("roi", "median") is not None else float("nan"),
        roi_high=q("roi", "p95"), p_roi_positive=float(res.probability("roi_positive")),
        net_low=q("net_benefit", "p5"), net_median=q("net_benefit", "median"), net_high=q("net_benefit", "p95"),
        p_payback=p12, roi_draws=roi, table=table.reset_index(drop=True), psa_summary=res.summary)


# ---------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Figure:
    """One headline figure: label, value (model units), display text, footnote and sources."""

    key: str
    label: str
    value: float | None
    text: str
    note: str  # the footnote: how the number is built
    refs: tuple[int, ...]  # numbers in the report's reference list
    sub: str = ""  # a second line under the value (e.g. the conservative case)


CONSERVATIVE_PRESET = "conservative"

# Short names of the preset's overrides, for one-line descriptions.
_SHORT = {
    "effect_multiplier": "share of the trial effect", "completion": "completion",
    "uptake_unaffected": "uptake among employees without back pain",
    "noncompleter_session_share": "sessions used by non-completers", "turnover": "turnover",
    "uptake": "uptake", "response_per_point": "responders per RDQ point",
    "presenteeism_link": "share of the shift that lowers presenteeism",
}


def conservative_overrides(scenario: Scenario | None = None) -> list[dict[str, Any]]:
    """The ``conservative`` preset's overrides, one dict per scenario path it sets.

    Keys: ``path, field, value, short, reason, source_keys`` and, when a scenario is given,
    ``current`` (the scenario's value) and ``applied``: an override is applied only where it is at
    least as pessimistic as the scenario's own value, judged by the preset's direction from the
    library default (``value`` below the default: lower is pessimistic; above: higher is). So the
    conservative case is never more favourable than the base case on any input it touches.
    """
    from ..presets import moves_in_direction, scenario_presets
    from ..scenario import get_path

    lib = library()
    df = scenario_presets()
    rows = df[(df["preset"] == CONSERVATIVE_PRESET) & (df["path"] != "")]
    paths = []
    for r in rows.to_dict(orient="records"):
        if "*" in str(r["path"]):
            n = len(scenario.programs) if scenario is not None else 1
            paths.extend((str(r["path"]).replace("*", str(i)), r) for i in range(n))
        else:
            paths.append((str(r["path"]), r))
    out = []
    for path, r in paths:
        field_name = path.rsplit(".", 1)[-1]
        keys = r["source_keys"] if isinstance(r["source_keys"], (list, tuple)) else str(r["source_keys"]).split(";")
        value = float(r["value"])
        item = {"path": path, "field": field_name, "value": value,
                "short": _SHORT.get(field_name, field_name.replace("_", " ")), "reason": r["reason"],
                "source_keys": [k for k in keys if k]}
        if scenario is not None:
            current = float(get_path(scenario, path))
            pid = parameter_id_for_path(scenario, path)
            default = lib.parameter(pid).value if pid else current
            item["current"] = current
            item["applied"] = moves_in_direction(value, default, current)
        out.append(item)
    return out


def conservative_scenario(scenario: Scenario) -> Scenario:
    """The scenario with the ``conservative`` preset applied where it is more pessimistic: the same
    rule as the dashboard and ``--preset conservative`` (:func:`calculator.presets.apply_scenario_preset`)."""
    from ..presets import apply_scenario_preset
    return apply_scenario_preset(scenario, CONSERVATIVE_PRESET)


def conservative_summary(scenario: Scenario | None = None) -> str:
    """``'share of the trial effect 50%, completion 40%, ...'``: the overrides applied (fractions as %)."""
    seen: dict[str, str] = {}
    for o in conservative_overrides(scenario):
        if scenario is not None and not o["applied"]:
            continue
        seen.setdefault(o["short"], f"{o['short']} {o['value']:.0%}" if o["value"] <= 1 else f"{o['short']} {o['value']:g}")
    if not seen:
        return "no change: this scenario is already at least as pessimistic on every input the preset sets"
    return ", ".join(seen.values())


def ref_list(keys: Iterable[str]) -> str:
    """``'[1, 3-5]'`` from a set of reference numbers (consecutive numbers joined)."""
    nums = sorted(set(keys))  # type: ignore[arg-type]
    if not nums:
        return ""
    parts, start, prev = [], nums[0], nums[0]
    for n in nums[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else (f"{start},{prev}" if prev == start + 1 else f"{start}-{prev}"))
        if n is not None:
            start = prev = n
    return "[" + ",".join(parts) + "]"


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows (program 0 is the proposal; the others appear in the tables)."""

    scenario: Scenario
    result: Result
    conservative: Result
    comparison: pd.DataFrame
    inputs: pd.DataFrame  # input_table(...) of program 0, with a ``refs`` column
    references: list[Reference]  # numbered 1..n in this order
    uncertainty: Uncertainty | None
    generated: _dt.datetime
    scenario_json: str
    scenario_sha256: str
    figures: dict[str, Figure] = field(default_factory=dict)
    #: Per-segment results of an uploaded census (``CensusResult.table()``), or None.
    segments: pd.DataFrame | None = None
    #: Notes about the census (merged small segments, excluded rows).
    segment_notes: tuple[str, ...] = ()
    #: Conservative / base / optimistic cases side by side (``sensitivity.compare_presets``).
    cases: pd.DataFrame | None = None
    #: One-way sensitivity of the ROI (``sensitivity.one_way``): the tornado in the uncertainty appendix.
    tornado: pd.DataFrame | None = None
    #: Scenario paths whose value came from the employer's own data: ``{path: "census" | "claims" | "survey"}``.
    #: Reports cite them as "from your census" (not as the library's source).
    origins: Mapping[str, str] = field(default_factory=dict)

    # ----- convenience
    @property
    def program(self):
        return self.result.program

    @property
    def horizon(self) -> int:
        return self.scenario.analysis.horizon_months

    def ref_numbers(self, keys: Iterable[str]) -> tuple[int, ...]:
        index = {r.key: i for i, r in enumerate(self.references, start=1)}
        return tuple(sorted({index[k] for k in keys if k in index}))

    def refs_for_inputs(self, names: Iterable[str]) -> tuple[int, ...]:
        wanted = set(names)
        keys = [k for _, row in self.inputs.iterrows() if row["input"] in wanted
                for k in str(row["source_keys"]).split(";") if k]
        return self.ref_numbers(keys)

    @property
    def trial_refs(self) -> tuple[int, ...]:
        return self.ref_numbers(library().therapy(self.program.therapy).trial_source_keys)

    @property
    def conservative_refs(self) -> tuple[int, ...]:
        return self.ref_numbers(k for o in conservative_overrides(self.scenario) if o["applied"]
                                for k in o["source_keys"])

    # ----- the plain-language answer
    def verdict(self) -> str:
        base, cons = self.program, self.conservative.program
        h = self.horizon
        if cons.net_benefit >= 0:
            return f"Pays for itself within {h} months, even in the conservative case."
        if base.net_benefit >= 0:
            return (f"Pays for itself within {h} months in the base case, but not in the "
                    "conservative case.")
        return f"Does not pay for itself within {h} months on these assumptions."

    def question(self) -> str:
        p = self.program
        return (f"Would covering {sentence_label(p.therapy_label)} "
                f"for employees with chronic low back pain pay for itself within {self.horizon} months, "
                f"for a workforce of {self.scenario.workforce.employees:,} employees?")

    def answer(self) -> list[str]:
        """Plain sentences, conservative case first."""
        base, cons, h = self.program, self.conservative.program, self.horizon
        b = self.result.burden
        out = [self.verdict()]
        lead = f"Conservative case ({conservative_summary(self.scenario)}): "
        out.append(lead + f"the program costs {money(cons.cost)} and saves {money(cons.savings)} over "
                   f"{h} months, a net {money(cons.net_benefit)} (ROI {pct(cons.roi, 1)}); payback "
                   f"{payback_text(cons.payback_month, h)}.")
        out.append(f"Base case: cost {money(base.cost)}, savings {money(base.savings)}, net "
                   f"{money(base.net_benefit)} (ROI {pct(base.roi, 1)}, NPV {money(base.npv)}); payback "
                   f"{payback_text(base.payback_month, h)}. Break-even price: "
                   f"{money(base.breakeven_price_per_session)} per session (now {money(base.price_per_session)}).")
        u = self.uncertainty
        if u is None:
            out.append("Uncertainty analysis: not run. The ROI interval and the probability that "
                       "the program pays for itself are therefore not shown.")
        else:
            out.append(f"Uncertainty: across {u.draws:,} simulated draws the ROI lies between "
                       f"{pct(u.roi_low, 1)} and {pct(u.roi_high, 1)} ({u.level:.0%} interval); the "
                       f"probability that the program pays for itself (ROI > 0) is {pct(u.p_roi_positive)}.")
        out.append(f"Context: chronic low back pain costs this employer about {money(b.total)} a year "
                   f"({money(b.per_employee)} per employee); the program reaches "
                   f"{base.participants_with_back_pain:,.0f} of the {b.affected_employees:,.0f} "
                   "employees who have it.")
        return out


def _figures(d: ReportData) -> dict[str, Figure]:
    s, r, p, c = d.scenario, d.result, d.program, d.conservative.program
    b, h = r.burden, d.horizon
    inp = {row["input"]: row["value"] for _, row in d.inputs.iterrows()}
    prog = s.programs[0]
    burden_refs = d.refs_for_inputs(BURDEN_INPUTS)
    cost_refs = d.refs_for_inputs(COST_INPUTS + (("session_hours", "travel_hours") if prog.on_paid_time else ()))
    sav_refs = tuple(sorted(set(d.refs_for_inputs(SAVINGS_INPUTS) + d.trial_refs)))
    valuation = ("friction-cost valuation" if s.analysis.valuation == "friction_cost"
                 else "human-capital valuation")
    figs = {
        "burden": Figure(
            "burden", "Cost of back pain, per year", b.total, money(b.total),
            f"{b.affected_employees:,.0f} employees with chronic low back pain ({inp['prevalence']:.1%} "
            f"of {inp['employees']:,.0f}), each losing {fmt.quantity(inp['absence_days'])} absence days and "
            f"{inp['presenteeism']:.0%} of their hours at work, valued at "
            f"${b.hourly_compensation:,.2f}/h total compensation ({valuation}), plus "
            f"{money(inp['medical_excess_cost'])} excess medical cost a year.",
            burden_refs, sub=f"{money(b.per_employee)} per employee"),
        "cost": Figure(
            "cost", f"Program cost, {h} months", p.cost, money(p.cost),
            f"{p.participants:,.1f} participants ({inp['uptake']:.0%} uptake among employees with "
            f"back pain, {inp['uptake_unaffected']:.0%} among others) using up to "
            f"{inp['sessions']:g} sessions at {money(inp['price_per_session'])} "
            f"({inp['employer_share']:.0%} paid by the employer), plus setup "
            f"{money(inp['setup_cost'])} and ${inp['admin_pepm']:.2f} per eligible employee per month"
            + (", plus session and travel hours on paid time" if prog.on_paid_time else "") + ".",
            cost_refs, sub=f"conservative: {money(c.cost)}"),
        "savings": Figure(
            "savings", f"Savings, {h} months", p.savings, money(p.savings),
            f"Completers with back pain ({inp['completion']:.0%} of starters) improve by "
            f"{p.effect_size:g} RDQ points ({p.therapy_label} vs {library().therapy(p.therapy).comparator}); "
            f"each point moves {inp['response_per_point']:.0%} of them to a lighter pain-impact state "
            f"(high or moderate to low impact), which lowers their absence, presenteeism "
            f"({inp['presenteeism_link']:.0%} of the shift) and medical cost (the plan pays "
            f"{inp['plan_paid_share']:.0%}); the effect fades by {inp['decay_per_week']:.1%} a week after "
            f"the course and leavers ({inp['turnover']:.0%} a year) take it with them.",
            sav_refs, sub=f"conservative: {money(c.savings)}"),
        "roi": Figure(
            "roi", "Return on investment", p.roi, pct(p.roi, 1),
            f"ROI = (savings - cost) / cost over {h} months, undiscounted, from the cost and savings figures "
            f"(their sources are in those footnotes). Conservative case {pct(c.roi, 1)}. NPV at "
            f"{s.analysis.discount_rate:.0%}/yr: {money(p.npv)}.",
            (), sub=f"conservative: {pct(c.roi, 1)}"),
        "payback": Figure(
            "payback", "Payback", p.payback_month,
            "never" if p.payback_month is None else f"month {int(p.payback_month)}",
            f"First month from which the cumulative net cash flow (savings minus cost, from the cost and "
            f"savings figures) stays at or above zero; 'never' = not within the {h}-month horizon. "
            f"Conservative case: {payback_text(c.payback_month, h)}.",
            (), sub="conservative: " + ("never" if c.payback_month is None else f"month {int(c.payback_month)}")),
    }
    u = d.uncertainty
    if u is None:
        figs["interval"] = Figure("interval", "ROI interval", None, "not run",
                                  "Probabilistic sensitivity analysis not run for this report.", ())
        figs["p_positive"] = Figure("p_positive", "Chance it pays for itself", None, "not run",
                                    "Probabilistic sensitivity analysis not run for this report.", ())
    else:
        psa_note = (f"{u.draws:,} Monte Carlo draws" + (f" (seed {u.seed})" if u.seed is not None else "")
                    + " of every uncertain input from its distribution and range (each input's source is in "
                    "Appendix A).")
        figs["interval"] = Figure("interval", f"ROI, {u.level:.0%} interval", u.roi_low,
                                  f"{pct(u.roi_low, 1)} to {pct(u.roi_high, 1)}", psa_note, (),
                                  sub=f"median {pct(u.roi_median, 1)}")
        figs["p_positive"] = Figure("p_positive", "Chance it pays for itself", u.p_roi_positive,
                                    pct(u.p_roi_positive), "Share of draws with ROI > 0. " + psa_note, ())
    return figs


def _cases(s: Scenario) -> pd.DataFrame:
    """Program 0 under the conservative, base and optimistic presets (calculator/data/presets.csv)."""
    from ..sensitivity import compare_presets
    order = {"conservative": 0, "base": 1, "optimistic": 2}
    df = compare_presets(s)
    df = df[df["preset"].isin(order)].sort_values("preset", key=lambda c: c.map(order)).reset_index(drop=True)
    return df


def _tornado(s: Scenario) -> pd.DataFrame | None:
    """What drives the ROI (program 0), or None when no input can move it."""
    from ..sensitivity import one_way
    return one_way(s, "roi")


#: Kinds of the employer's own data a report cites ("from your claims"), in ``ReportData.origins``.
ORIGIN_KINDS = ("census", "survey", "claims")


def origins_from_applied(applied: Iterable[Any]) -> dict[str, str]:
    """``{path: "survey" | "claims" | "census"}`` of the values the employer's own data set, from
    :attr:`calculator.assemble.Assembled.applied` (presets are library values, not the user's data).

    >>> from calculator.presets import AppliedValue
    >>> origins_from_applied([AppliedValue("condition.presenteeism", 0.1, "your survey (n=85)", (), "DERIVED", ""),
    ...                       AppliedValue("condition.prevalence", 0.1, "from your claims", (), "YOUR DATA", ""),
    ...                       AppliedValue("workforce.hourly_wage", 30, "preset: Health care", (), "VERIFIED", "")])
    {'condition.presenteeism': 'survey', 'condition.prevalence': 'claims'}
    """
    out = {}
    for a in applied:
        src = str(a.source).lower()
        kind = next((k for k in ORIGIN_KINDS if f"your {k}" in src), None)
        if kind is not None:
            out[a.path] = kind
    return out


def _origins(s: Scenario, census: Any, origins: Mapping[str, str] | None) -> dict[str, str]:
    """Census values, then the claims marked in the scenario (``plan.from_claims``), then ``origins``."""
    out = {a.path: "census" for a in census.applied} if census is not None else {}
    out |= {p: "claims" for p in s.plan.from_claims}
    return out | {str(p): str(k) for p, k in (origins or {}).items() if k in ORIGIN_KINDS}


def _mark_origins(inputs: pd.DataFrame, origins: Mapping[str, str]) -> pd.DataFrame:
    """The input table with ``provenance`` = "FROM YOUR CLAIMS" (survey, census) where that data set the value."""
    if not origins or "path" not in inputs:
        return inputs
    out = inputs.copy()
    kinds = out["path"].map(origins)
    out.loc[kinds.notna(), "provenance"] = "FROM YOUR " + kinds[kinds.notna()].str.upper()
    return out


def _own_value(v: float, unit: str) -> str:
    if unit.startswith("fraction"):
        return pct(v, 1)
    if unit.startswith("USD"):
        return money(v)
    return f"{v:,.0f}" if unit in ("count", "members", "member months") else fmt.quantity(v, 3)


#: Plan inputs that claims set but the program's input table does not hold: path -> (label, unit).
_PLAN_LABELS = {"plan.members": ("Plan members", "count"), "plan.member_months": ("Member months per plan year", "count")}


def own_data_lines(d: ReportData) -> list[str]:
    """One line per input the employer's own data set, e.g. "Share of employees with chronic ... 8.6%
    (from your claims)": for the reports without an assumptions table (the summary and the deck)."""
    from ..scenario import get_path
    rows = d.inputs[d.inputs["path"].isin(list(d.origins))]
    out = [f"{r.label}: {_own_value(r.value, r.unit)} (from your {d.origins[r.path]})" for r in rows.itertuples()]
    params, shown = library().parameters, set(rows["path"])
    levels = ("low", "moderate", "high")  # the impact mix in its natural order, not alphabetical
    rank = lambda p: (p.rpartition(".")[0], levels.index(p.rpartition(".")[2]) if p.rpartition(".")[2] in levels  # noqa: E731
                      else 0, p)
    for path, kind in sorted(d.origins.items(), key=lambda kv: rank(kv[0])):  # the rest: never dropped
        if path in shown:
            continue
        label, unit = _PLAN_LABELS.get(path) or ((params[path].label, params[path].unit) if path in params
                                                 else (path, ""))
        try:
            raw = get_path(d.scenario, path)
        except ScenarioError:  # a path this scenario does not hold: still say the data set it
            raw = None
        value = (_own_value(float(raw), unit) if isinstance(raw, (int, float)) and not isinstance(raw, bool)
                 else "set" if raw is None else str(raw))
        out.append(f"{label}: {value} (from your {kind})")
    return out


def build_report(scenario: Scenario | Result, *, uncertainty: Any = None,
                 comparison: pd.DataFrame | None = None,
                 generated: _dt.datetime | None = None, census: Any = None, headline: bool = True,
                 origins: Mapping[str, str] | None = None) -> ReportData:
    """Evaluate (if needed) and gather everything a report shows.

    ``uncertainty`` is the summary of ``calculator.uncertainty``. When it is ``None`` the report
    runs the fixed-seed headline simulation (``uncertainty.HEADLINE_DRAWS`` draws, seed
    ``uncertainty.DEFAULT_SEED``, about 0.05 s) so that P(ROI > 0) and the ROI interval stand beside
    every headline ROI; ``headline=False`` leaves it out (the reports then say "not run");
    ``census`` a :class:`calculator.census.CensusResult` whose segment table the reports add (its
    applied values are cited "from your census"); ``origins`` marks further paths as coming from the
    employer's ``"claims"`` or ``"survey"``.
    """
    result = scenario if isinstance(scenario, Result) else evaluate(scenario)
    s = result.scenario
    if uncertainty is None and headline:
        from ..uncertainty import DEFAULT_SEED, HEADLINE_DRAWS, psa
        uncertainty = psa(s, HEADLINE_DRAWS, DEFAULT_SEED)
    cons = evaluate(conservative_scenario(s))
    comp = compare(s) if comparison is None else comparison
    lib = library()
    keys = list(result.sources)
    keys.extend(k for o in conservative_overrides(s) if o["applied"] for k in o["source_keys"])
    for tid in comp["therapy"]:
        if tid in lib.therapies:  # "none" (cover nothing) has no source
            keys.extend(lib.therapy(tid).trial_source_keys)
    inputs = input_table(s, 0)
    own = _origins(s, census, origins)
    inputs = _mark_origins(inputs, own)  # "FROM YOUR CLAIMS" / "FROM YOUR SURVEY" / "FROM YOUR CENSUS"
    refs = lib.citations(keys)
    text = to_json(s.model_copy(update={"parameter_set": s.parameter_set or result.parameter_set}))
    d = ReportData(
        scenario=s, result=result, conservative=cons, comparison=comp, inputs=inputs,
        references=refs, uncertainty=as_uncertainty(uncertainty),
        generated=generated or report_time(),
        scenario_json=text, scenario_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        segments=None if census is None else census.table(),
        cases=_cases(s), tornado=_tornado(s),
        origins=own,
        segment_notes=() if census is None else tuple(census.notes) + (
            (f"{census.rows_excluded:,} census rows with problems were excluded",) if census.rows_excluded else ()),
    )
    index = {r.key: i for i, r in enumerate(refs, start=1)}
    inputs["refs"] = [ref_list(index[k] for k in str(v).split(";") if k in index)
                      for v in inputs["source_keys"]]
    object.__setattr__(d, "figures", _figures(d))
    return d


def software_line(d: ReportData) -> str:
    return (f"backpain-roi {__version__}; parameter set {d.result.parameter_set}; scenario SHA-256 "
            f"{d.scenario_sha256[:16]}; generated {d.generated:%Y-%m-%d %H:%M} UTC")


def limitations(d: ReportData) -> list[str]:
    """The fixed limitations plus this scenario's own sanity warnings."""
    return list(LIMITATIONS) + [f"Warning: {w.message}" for w in d.result.warnings]


def therapy_rows(d: ReportData) -> list[dict[str, Any]]:
    """One row per therapy in the comparison: evidence, effect range, trial sources, results."""
    lib = library()
    rows = []
    for _, c in d.comparison.iterrows():
        if c["therapy"] not in lib.therapies:  # the "cover nothing" baseline row
            continue
        th = lib.therapy(c["therapy"])
        eff = lib.therapy_parameter(th.id, "effect_size")
        rows.append({
            "therapy": th.id, "label": th.label, "short_label": th.short_label,
            "grade": th.evidence_grade, "comparator": th.comparator, "outcome": th.outcome,
            "effect": c["effect_size"], "effect_low": eff.low, "effect_high": eff.high,
            "refs": ref_list(d.ref_numbers(th.trial_source_keys)) or ", ".join(th.trial_source_keys),
            "keys": th.trial_source_keys, "cost": c["cost"], "savings": c["savings"],
            "net_benefit": c["net_benefit"], "roi": c["roi"], "payback_month": c["payback_month"],
            "chosen": bool(c["chosen"]),
        })
    return rows
