"""The inputs the dashboard offers: one :class:`FieldSpec` per scenario path, in plain words.

A spec says how a scenario value is shown (percent, dollars, count ...), its label, and its step.
Everything else (default, unit, plausible range, allowed bounds, source) comes from the parameter
library row behind the path (``calculator.scenario.parameter_id_for_path``), so no number here
needs its own citation. Percent fields show fractions as percentages (0.081 <-> 8.1); that is the
only conversion, done with decimals so 8.1 becomes exactly 0.081.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from calculator import Scenario, library
from calculator.scenario import (
    THERAPY_FIELDS,
    Analysis,
    Condition,
    Program,
    Translation,
    Workforce,
    get_path,
    parameter_id_for_path,
)

from . import fmt

#: Kinds of input: how a value is shown and edited.
KINDS = ("count", "money", "percent", "number", "bool", "choice")

_MODELS = {"workforce": Workforce, "condition": Condition, "translation": Translation,
           "programs": Program, "analysis": Analysis}

UNIT_WORDS = {
    "count": "a count", "USD": "US dollars", "USD/h": "US dollars per hour", "USD/yr": "US dollars per year",
    "USD/session": "US dollars per session", "USD/employee/month": "US dollars per employee per month",
    "fraction": "percent", "fraction/yr": "percent per year", "fraction/RDQ point": "percent per Roland-Morris point",
    "ratio": "a ratio", "days/yr": "days per year", "h/yr": "hours per year", "h/day": "hours per day",
    "h/session": "hours per session", "sessions": "sessions", "weeks": "weeks", "months": "months",
    "1/week": "per week", "RDQ points": "Roland-Morris disability points (0-23 scale)",
}


@dataclass(frozen=True)
class FieldSpec:
    path: str  #: scenario path, e.g. "programs.0.uptake"
    label: str  #: plain words; no variable names
    kind: str  #: one of KINDS
    decimals: int = 0  #: shown decimals (in display units)
    step: float = 1.0  #: +/- step (in display units)
    optional: bool = False  #: None allowed (blank input)
    choices: dict[str, str] = field(default_factory=dict)  #: value -> label, for kind "choice"
    note: str = ""  #: extra help (what the field means when the library has no row)

    # -- conversion between scenario values and widget values --------------------------------
    def to_widget(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "percent":
            return float(Decimal(repr(float(value))) * 100)
        if isinstance(value, bool) and self.kind != "bool":
            raise ValueError("true/false is not a number")
        if self.kind == "count":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{value!r} is not a whole number")  # never 2.5 -> 2
            return int(value)
        if self.kind in ("money", "number"):
            return float(value)
        return value

    def to_model(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "percent":
            return float(Decimal(repr(float(value))) / 100)
        if isinstance(value, bool) and self.kind != "bool":
            raise ValueError("true/false is not a number")
        if self.kind == "count":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{value!r} is not a whole number")  # never 2.5 -> 2
            return int(value)
        if self.kind in ("money", "number"):
            return float(value)
        return value

    def show(self, value: Any) -> str:
        """A scenario value written for people: '8.1%', '$31.47', '1,000', 'Yes'."""
        if value is None:
            return "none"
        if self.kind == "percent":
            return fmt.pct(value, max(self.decimals, 0))
        if self.kind == "money":
            return fmt.money(value, cents=self.decimals > 0)
        if self.kind == "count":
            return fmt.number(value)
        if self.kind == "number":
            return fmt.number(value, self.decimals)
        if self.kind == "bool":
            return "Yes" if value else "No"
        return self.choices.get(value, str(value))

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[1]

    @property
    def therapy_specific(self) -> bool:
        return self.path.startswith("programs.") and self.name in THERAPY_FIELDS


def _therapy_choices() -> dict[str, str]:
    return {tid: t.short_label for tid, t in library().therapies.items()}


P = "programs.0."

SPECS: list[FieldSpec] = [
    # workforce and pay
    FieldSpec("workforce.employees", "Number of employees (headcount)", "count", step=50),
    FieldSpec("workforce.hourly_wage", "Average hourly wage ($ per hour)", "money", 2, 0.5),
    FieldSpec("workforce.annual_salary", "Average annual salary ($ per year, optional)", "money", 0, 1000,
              optional=True,
              note="Leave blank to use the hourly wage. When given, it replaces the hourly wage "
                   "(hourly wage = salary divided by hours worked per year)."),
    FieldSpec("workforce.annual_hours", "Hours worked per employee per year", "number", 0, 10),
    FieldSpec("workforce.benefits_load", "Total compensation as a multiple of wages (benefits load)",
              "number", 3, 0.01),
    FieldSpec("condition.hours_per_day", "Hours in a workday", "number", 1, 0.5),
    # back pain in the workforce
    FieldSpec("condition.prevalence", "Employees living with chronic low back pain (%)", "percent", 1, 0.5),
    FieldSpec("condition.absence_days", "Extra days off per affected employee per year", "number", 2, 0.5),
    FieldSpec("condition.presenteeism", "Extra productivity lost while at work (%)", "percent", 1, 1),
    FieldSpec("condition.medical_excess_cost", "Extra medical cost per affected employee ($ per year)",
              "money", 0, 100),
    FieldSpec("condition.plan_paid_share", "Share of medical cost the plan pays (the employee pays the rest) (%)",
              "percent", 0, 5),
    # valuation
    FieldSpec("workforce.productivity_multiplier", "Absence productivity multiplier (team effect)", "number",
              2, 0.05),
    FieldSpec("workforce.multiplier_on_presenteeism", "Apply the multiplier to reduced productivity at work too",
              "bool", note="Off by default to avoid overstating the cost (Pauly 2008)."),
    FieldSpec("analysis.valuation", "How lost work time is valued", "choice", choices={
        "human_capital": "Human capital: every lost hour at full compensation",
        "friction_cost": "Friction cost: absence counted only until cover is arranged"},
        note="Human capital counts every hour lost at its full cost (the usual employer view). "
             "Friction cost counts absence only for the weeks until work is covered."),
    FieldSpec("analysis.friction_period_weeks", "Friction period (weeks until cover is arranged)", "number", 0, 1),
    FieldSpec("analysis.friction_elasticity", "Share of output lost per hour absent (friction-cost method)",
              "number", 2, 0.05),
    FieldSpec("workforce.turnover", "Employee turnover (% leaving per year)", "percent", 0, 1),
    # the program
    FieldSpec(P + "therapy", "Therapy to cover", "choice", choices=_therapy_choices(),
              note="The therapy whose cost and evidence the program uses. Changing it resets price, "
                   "sessions and effect to that therapy's published values."),
    FieldSpec(P + "eligibility", "Employees eligible for the benefit (%)", "percent", 0, 5),
    FieldSpec(P + "uptake", "Employees with chronic back pain who take it up (%)", "percent", 1, 1),
    FieldSpec(P + "uptake_unaffected", "Other employees who use it too (%)", "percent", 1, 0.5),
    FieldSpec(P + "completion", "Starters who complete the course (%)", "percent", 0, 5),
    FieldSpec(P + "noncompleter_session_share", "Sessions used by those who stop early (% of the course)",
              "percent", 0, 5),
    FieldSpec(P + "employer_share", "Employer pays (% of the session price; the rest is the co-pay)",
              "percent", 0, 5),
    FieldSpec(P + "visit_cap", "Most sessions covered per course (blank = no cap)", "count", step=1,
              optional=True, note="A visit cap limits the sessions the plan pays for; fewer sessions than "
                                  "the trial used also scale the effect down in proportion."),
    FieldSpec(P + "price_per_session", "Price per session ($)", "money", 2, 1),
    FieldSpec(P + "sessions", "Sessions per course", "count"),
    FieldSpec(P + "course_weeks", "Course length (weeks)", "number", 0, 1),
    FieldSpec(P + "session_hours", "Length of a session (hours)", "number", 2, 0.25),
    FieldSpec(P + "setup_cost", "One-time setup cost ($)", "money", 0, 500),
    FieldSpec(P + "admin_pepm", "Administration fee ($ per eligible employee per month)", "money", 2, 0.05),
    FieldSpec(P + "on_site", "Sessions held on site (no travel time)", "bool"),
    FieldSpec(P + "on_paid_time", "Sessions take place in paid work time", "bool",
              note="When on, session and travel hours are counted as a cost at full compensation."),
    FieldSpec(P + "travel_hours", "Travel time per off-site session (hours)", "number", 2, 0.25),
    FieldSpec(P + "effect_size", "Improvement at the end of the course (Roland-Morris points)", "number", 1, 0.1),
    FieldSpec(P + "effect_multiplier", "Share of the trial effect expected in your workforce (%)", "percent", 0, 5),
    FieldSpec(P + "decay_per_week", "How fast the effect fades after the course (per week)", "number", 3, 0.001),
    FieldSpec(P + "offer_interval_months", "Months between enrolment windows", "count"),
    FieldSpec(P + "booster_interval_months", "Months between booster courses (0 = no boosters)", "count"),
    FieldSpec(P + "booster_sessions", "Sessions per booster course", "count"),
    # how the clinical effect becomes work time and medical cost
    FieldSpec("translation.response_per_point",
              "Completers who move to a lighter pain-impact state, per point of improvement (%)", "percent", 1, 0.5),
    FieldSpec("translation.presenteeism_link", "Share of that shift that also lowers lost productivity at work (%)",
              "percent", 0, 5),
    # analysis
    FieldSpec("analysis.horizon_months", "Horizon (months)", "count", step=6),
    FieldSpec("analysis.discount_rate", "Discount rate (% per year)", "percent", 1, 0.5),
    FieldSpec("analysis.perspective", "Whose costs and savings count", "choice", choices={
        "self_insured": "Self-insured employer: productivity and the plan-paid share of medical costs",
        "fully_insured": "Fully insured employer: productivity only (premium pass-through optional)",
        "health_plan": "Health plan: the plan-paid share of medical costs only"},
        note="A self-insured employer pays its own claims, so the plan-paid share of medical savings counts; "
             "a fully insured one pays premiums, so only productivity counts unless the insurer passes "
             "savings through; a health plan counts the medical cost it pays."),
    FieldSpec("analysis.premium_passthrough", "Share of medical savings returned through premiums (%)",
              "percent", 0, 5, note="Fully insured employers only; 0 = off (the default)."),
    FieldSpec("analysis.premium_lag_months", "Months before premiums reflect the savings", "count"),
    FieldSpec("condition.impact_mix.low", "People with low-impact chronic back pain (%)", "percent", 0, 5),
    FieldSpec("condition.impact_mix.moderate", "People with moderate-impact chronic back pain (%)", "percent", 0, 5),
    FieldSpec("condition.impact_mix.high", "People with high-impact chronic back pain (%)", "percent", 0, 5),
]

FIELDS: dict[str, FieldSpec] = {s.path: s for s in SPECS}


def label_for_path(path: str) -> str:
    """Plain-word label for any scenario path (program index normalised to the first program)."""
    parts = path.split(".")
    if parts[0] == "programs" and len(parts) == 3:
        key = f"programs.0.{parts[2]}"
        if key in FIELDS:
            return FIELDS[key].label if parts[1] == "0" else f"{FIELDS[key].label} (program {int(parts[1]) + 1})"
    if path in FIELDS:
        return FIELDS[path].label
    if path == "name":
        return "Scenario name"
    return path


def parameter(scenario: Scenario, path: str):
    """The parameter-library row behind a path, or None (salary, visit cap, switches, choices)."""
    pid = parameter_id_for_path(scenario, path)
    return library().parameter(pid) if pid else None


def bounds(scenario: Scenario, path: str) -> tuple[float | None, float | None]:
    """Allowed range of a field in scenario units: the library's min/max, else the schema's."""
    par = parameter(scenario, path)
    if par is not None:
        return par.min_allowed, par.max_allowed
    sec, name = path.split(".")[0], path.rsplit(".", 1)[1]
    info = _MODELS[sec].model_fields[name]
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else (getattr(m, "gt", None) if lo is None else lo)
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return lo, hi


def current_value(scenario: Scenario, path: str) -> Any:
    """The value the model uses: therapy-specific blanks resolve to the therapy's catalogue value."""
    spec = FIELDS.get(path)
    if spec is not None and spec.therapy_specific:
        return scenario.programs[int(path.split(".")[1])].resolved(spec.name)
    return get_path(scenario, path)


def default_value(scenario: Scenario, path: str) -> Any:
    """The value the path takes with nothing changed (for therapy fields: the chosen therapy's)."""
    par = parameter(scenario, path)
    spec = FIELDS.get(path)
    if par is not None:
        return int(par.value) if spec is not None and spec.kind == "count" else par.value
    return get_path(Scenario(), path if not path.startswith("programs.") else "programs.0." + path.split(".", 2)[2])


def range_text(scenario: Scenario, path: str) -> str:
    """'allowed 0% to 100%' in display units."""
    spec = FIELDS[path]
    lo, hi = bounds(scenario, path)
    if lo is None or hi is None:
        return ""
    return f"{spec.show(lo)} to {spec.show(hi)}"


def help_text(scenario: Scenario, path: str) -> str:
    """Help for a field: what it means, its unit, default, plausible range, allowed range, source."""
    spec = FIELDS[path]
    par = parameter(scenario, path)
    lines = []
    if par is not None:
        lines.append(fmt.md(par.label) + ".")
        if spec.note:
            lines.append(fmt.md(spec.note))
        lines.append(f"**Unit:** {UNIT_WORDS.get(par.unit, par.unit)}.")
        lines.append(f"**Default:** {fmt.md(spec.show(default_value(scenario, path)))}"
                     f" ({fmt.PROVENANCE_WORDS[par.provenance]}).")
        if par.low != par.high:
            lines.append(f"**Plausible range:** {fmt.md(spec.show(par.low))} to {fmt.md(spec.show(par.high))}.")
        lines.append(f"**Allowed:** {fmt.md(range_text(scenario, path))}.")
        lines.append(f"**Source:** {fmt.md(fmt.citations(par.source_keys))}.")
        lines.append(f"**Evidence note:** {fmt.md(par.evidence_note)}")
    else:
        if spec.note:
            lines.append(fmt.md(spec.note))
        rng = range_text(scenario, path) if spec.kind not in ("bool", "choice") else ""
        if rng:
            lines.append(f"**Allowed:** {fmt.md(rng)}.")
        lines.append(f"**Default:** {fmt.md(spec.show(default_value(scenario, path)))}.")
    return "\n\n".join(lines)


#: Words for a value set by the Your workforce page (path -> {"kind", "value", ...} in this key).
ORIGINS_KEY = "bp_census_sources"
ORIGIN_CAPTIONS = {"preset": "From the industry or job preset", "survey": "From your survey",
                   "census": "From your census", "claims": "From your claims"}


def default_caption(scenario: Scenario, path: str, origins: dict | None = None) -> str:
    """Short line under a field: 'Default · Luckhaupt et al. 2019', 'Changed by you · default 8.1% · ...'
    or, for a value set by a preset, survey or census (``origins``), 'From your survey · default 10%'."""
    spec = FIELDS[path]
    par = parameter(scenario, path)
    now, default = current_value(scenario, path), default_value(scenario, path)
    same = now == default or (isinstance(now, (int, float)) and isinstance(default, (int, float))
                              and abs(float(now) - float(default)) <= 1e-12 * max(1.0, abs(float(default))))
    src = f" · {fmt.citations(par.source_keys)}" if par is not None else ""
    if same:
        return fmt.md(f"Default{src}")
    origin = (origins or {}).get(path)
    if (origin is not None and isinstance(now, (int, float)) and isinstance(origin.get("value"), (int, float))
            and abs(float(now) - float(origin["value"])) < 1e-9):
        return fmt.md(f"{ORIGIN_CAPTIONS.get(origin.get('kind'), 'From your data')} · default {spec.show(default)}")
    return fmt.md(f"Changed by you · default {spec.show(default)}{src}")


def changed_paths(scenario: Scenario) -> list[str]:
    """Dashboard fields whose value differs from the default (for 'N inputs changed')."""
    out = []
    for path in FIELDS:
        if path.startswith("programs.") and len(scenario.programs) < 1:
            continue
        now, default = current_value(scenario, path), default_value(scenario, path)
        if isinstance(now, (int, float)) and isinstance(default, (int, float)) and not isinstance(now, bool):
            if abs(float(now) - float(default)) > 1e-12 * max(1.0, abs(float(default))):
                out.append(path)
        elif now != default:
            out.append(path)
    return out
