"""The validated scenario: workforce, condition, effect translation, programs and analysis.

A :class:`Scenario` is the only input of the model. It is frozen and validated at the boundary:
unknown fields are rejected by name, out-of-range values name the field and the allowed range,
and every field not given takes its default from the parameter library
(``calculator/data/parameters.csv``). Fields are addressed by dotted paths such as
``workforce.employees`` or ``programs.0.uptake``.

Therapy-specific program fields (``price_per_session``, ``sessions``, ``course_weeks``,
``effect_size``, ``decay_per_week``, ``session_hours``) default to ``null``, meaning "the catalogue
value of the chosen therapy", so changing ``programs.0.therapy`` changes them too.

>>> s = set_path(Scenario(), "workforce.employees", "250")
>>> s.workforce.employees
250
>>> set_path(s, "condition.prevalence", "1.5")
Traceback (most recent call last):
...
calculator.scenario.ScenarioError: condition.prevalence = 1.5 is out of range: allowed 0 to 1
"""

from __future__ import annotations

import json
import re
import types
import typing
import unicodedata
import warnings
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .evidence import library
from .guards import InputError, is_ascii_digits, loads_json, parse_index, read_limited

__all__ = [
    "SCHEMA_VERSION",
    "REMOVED_IN_V2",
    "SchemaUpgradeWarning",
    "upgrade",
    "ScenarioError",
    "Workforce",
    "ImpactMix",
    "Condition",
    "Translation",
    "Program",
    "Analysis",
    "Plan",
    "FEE_BASES",
    "Scenario",
    "get_path",
    "set_path",
    "apply_sets",
    "to_json",
    "from_json",
    "load",
    "save",
    "field_paths",
    "parameter_id_for_path",
    "PATH_TO_PARAMETER",
    "therapy_switch",
]

#: Version 2 (issue 9): the pain-impact states replaced translation.{absence,presenteeism,medical}_per_point.
#: A version-1 document still loads: :func:`upgrade` drops those fields and says so.
SCHEMA_VERSION = 2
#: Fields a version-1 scenario had that version 2 no longer has (no model input reads them).
REMOVED_IN_V2 = ("translation.absence_per_point", "translation.presenteeism_per_point",
                 "translation.medical_per_point")
_LIB = library()
#: Largest scenario file or upload read [bytes] (a scenario is about 3 KB).
MAX_SCENARIO_BYTES = 1024 * 1024


class ScenarioError(ValueError):
    """A scenario could not be built: every message names the field and what is allowed."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def _p(pid: str, kind: type = float, *, nullable: bool = False) -> Any:
    """A pydantic Field whose default, bounds and description come from parameter ``pid``."""
    p = _LIB.parameter(pid)
    default: Any = None if nullable else kind(p.value)
    return Field(
        default=default,
        ge=kind(p.min_allowed) if kind is int else p.min_allowed,
        le=kind(p.max_allowed) if kind is int else p.max_allowed,
        description=f"{p.label} [{p.unit}]",
        json_schema_extra={"parameter": pid},
    )


_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)


class Workforce(BaseModel):
    """The employer's workforce (an average employee; see the census module for segments)."""

    model_config = _CONFIG
    employees: int = _p("workforce.employees", int)
    hourly_wage: float = _p("workforce.hourly_wage")
    annual_salary: float | None = Field(
        default=None, gt=0, le=10_000_000,
        description="Average annual salary [USD/yr]; when given it replaces hourly_wage "
        "(hourly wage = salary / annual hours)",
    )
    annual_hours: float = _p("workforce.annual_hours")
    benefits_load: float = _p("workforce.benefits_load")
    productivity_multiplier: float = _p("workforce.productivity_multiplier")
    multiplier_on_presenteeism: bool = Field(
        default=False,
        description="Also apply the productivity multiplier to presenteeism hours (off by default "
        "to avoid overstating; Pauly 2008)",
    )
    turnover: float = _p("workforce.turnover")

    @property
    def effective_hourly_wage(self) -> float:
        """Hourly wage used by the model [USD/h]: from the salary when one is given."""
        if self.annual_salary is not None:
            return self.annual_salary / self.annual_hours
        return self.hourly_wage


class ImpactMix(BaseModel):
    """Shares of employees with chronic LBP in each pain-impact state (sum to 1; calculator.states)."""

    model_config = _CONFIG
    low: float = _p("condition.impact_mix.low")
    moderate: float = _p("condition.impact_mix.moderate")
    high: float = _p("condition.impact_mix.high")

    @model_validator(mode="after")
    def _sums_to_one(self) -> ImpactMix:
        total = self.low + self.moderate + self.high
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"low + moderate + high must sum to 1, got {total:.6g} "
                             f"({self.low:g} + {self.moderate:g} + {self.high:g})")
        return self

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.low, self.moderate, self.high)


class Condition(BaseModel):
    """Chronic low back pain in this workforce, by pain-impact state (docs/METHODS.md).

    ``absence_days``, ``presenteeism`` and ``medical_excess_cost`` are the levels at the library's
    default impact mix: changing one scales every state's value by the same factor; the scenario's
    ``impact_mix`` then weights the states. At the defaults both readings agree.
    """

    model_config = _CONFIG
    prevalence: float = _p("condition.prevalence")
    impact_mix: ImpactMix = Field(default_factory=ImpactMix)
    absence_days: float = _p("condition.absence_days")
    presenteeism: float = _p("condition.presenteeism")
    medical_excess_cost: float = _p("condition.medical_excess_cost")
    hours_per_day: float = _p("condition.hours_per_day")
    plan_paid_share: float = _p("condition.plan_paid_share")


class Translation(BaseModel):
    """How a clinical effect (RDQ points) moves people to lighter pain-impact states."""

    model_config = _CONFIG
    response_per_point: float = _p("translation.response_per_point")
    presenteeism_link: float = _p("translation.presenteeism_link")


THERAPY_FIELDS = ("price_per_session", "sessions", "course_weeks", "effect_size", "decay_per_week",
                  "session_hours")


def therapy_switch(therapy: str) -> dict[str, Any]:
    """THE therapy-switch rule (its one home): a program that changes therapy takes the new therapy's
    catalogue price, sessions, effect ... (its therapy-specific overrides are cleared to ``None``).

    >>> sorted(therapy_switch("yoga"))[:3], therapy_switch("yoga")["therapy"]
    (['course_weeks', 'decay_per_week', 'effect_size'], 'yoga')
    """
    return {"therapy": therapy, **{f: None for f in THERAPY_FIELDS}}


class Program(BaseModel):
    """One benefit design: which therapy, who can use it, what it costs the employer."""

    model_config = _CONFIG
    therapy: str = Field(default="relaxation_massage", description="Therapy id from the catalogue")
    eligibility: float = _p("program.eligibility")
    uptake: float = _p("program.uptake")
    uptake_unaffected: float = _p("program.uptake_unaffected")
    completion: float = _p("program.completion")
    noncompleter_session_share: float = _p("program.noncompleter_session_share")
    employer_share: float = _p("program.employer_share")
    visit_cap: int | None = Field(default=None, ge=1, le=100,
                                  description="Most sessions covered per course [sessions]; null = no cap")
    price_per_session: float | None = _p("therapy.relaxation_massage.price_per_session", nullable=True)
    sessions: int | None = _p("therapy.relaxation_massage.sessions", int, nullable=True)
    course_weeks: float | None = _p("therapy.relaxation_massage.course_weeks", nullable=True)
    effect_size: float | None = _p("therapy.relaxation_massage.effect_size", nullable=True)
    decay_per_week: float | None = _p("therapy.relaxation_massage.decay_per_week", nullable=True)
    session_hours: float | None = _p("therapy.relaxation_massage.session_hours", nullable=True)
    setup_cost: float = _p("program.setup_cost")
    admin_pepm: float = _p("program.admin_pepm")
    on_paid_time: bool = Field(default=False,
                               description="Sessions happen on paid work time (their hours are a cost)")
    on_site: bool = Field(default=False, description="Sessions on site (no travel time)")
    travel_hours: float = _p("program.travel_hours")
    effect_multiplier: float = _p("program.effect_multiplier")
    offer_interval_months: int = _p("program.offer_interval_months", int)
    booster_interval_months: int = _p("program.booster_interval_months", int)
    booster_sessions: int = _p("program.booster_sessions", int)

    @field_validator("therapy")
    @classmethod
    def _known_therapy(cls, v: str) -> str:
        if v not in _LIB.therapies:
            raise ValueError(f"unknown therapy {v!r}; choose one of: {', '.join(_LIB.therapies)}")
        return v

    def resolved(self, name: str) -> float:
        """A therapy-specific field: the user's value, else the therapy's catalogue value."""
        own = getattr(self, name)
        return own if own is not None else _LIB.therapy_parameter(self.therapy, name).value


class Analysis(BaseModel):
    """How results are computed and from whose point of view."""

    model_config = _CONFIG
    horizon_months: int = _p("analysis.horizon_months", int)
    discount_rate: float = _p("analysis.discount_rate")
    valuation: Literal["human_capital", "friction_cost"] = Field(
        default="human_capital", description="Human-capital (every lost hour at full cost) or "
        "friction-cost (absence counted only up to the friction period)")
    friction_period_weeks: float = _p("analysis.friction_period_weeks")
    friction_elasticity: float = _p("analysis.friction_elasticity")
    perspective: Literal["self_insured", "fully_insured", "health_plan"] = Field(
        default="self_insured", description="self_insured = productivity + the plan-paid share of "
        "medical offsets; fully_insured = productivity (+ premium pass-through if set); health_plan = "
        "plan-paid medical only")
    premium_passthrough: float = _p("analysis.premium_passthrough")
    premium_lag_months: int = _p("analysis.premium_lag_months", int)


FEE_BASES = ("pepm", "pmpm", "pempm", "per_participant", "per_visit")


class Plan(BaseModel):
    """The health plan's view (budget impact per member per month; docs/HEALTH_PLAN.md).

    ``null`` fields take a value from elsewhere: ``members`` = employees x members per employee;
    ``member_months`` = members x 12 per plan year; ``fee_amount`` = the therapy's price per session
    x the employer's share per visit, or on another basis the fee with the same year-1 cost; ``engaged_months`` = the course length;
    ``paid_to_allowed`` = ``condition.plan_paid_share``; ``uptake_by_year`` = the program's uptake every year; ``total_plan_spend`` = members x the
    library's spend per member. ``from_claims`` lists the paths a claims extract set.
    """

    model_config = _CONFIG
    members: int | None = Field(default=None, ge=1, le=100_000_000,
                                description="Plan members (employees and dependents) [members]; null = "
                                "employees x members_per_employee")
    members_per_employee: float = _p("plan.members_per_employee")
    member_months: float | None = Field(default=None, gt=0, le=1.2e9,
                                        description="Member months per plan year [member-months]; null = members x 12")
    fee_basis: Literal["pepm", "pmpm", "pempm", "per_participant", "per_visit"] = Field(
        default="per_visit", description="How the program is paid: per employee per month, per member per "
        "month, per engaged member per month, per participant per plan year, or per visit")
    fee_amount: float | None = Field(default=None, ge=0, le=100_000,
                                     description="Fee per unit of the fee basis [USD]; null = price per session x "
                                     "employer share per visit, or on another basis the fee that costs the "
                                     "plan the same in plan year 1")
    engaged_months: float | None = Field(default=None, gt=0, le=12,
                                         description="Months a participant is engaged per plan year (PEMPM basis) "
                                         "[months]; null = the course length")
    medical_trend: float = _p("plan.medical_trend")
    horizon_years: int = _p("plan.horizon_years", int)
    uptake_by_year: list[Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None, max_length=5, description="Uptake among members with chronic LBP in plan years 1, 2, ... "
        "[fraction]; null = the program's uptake every year; a shorter list repeats its last value")
    total_plan_spend: float | None = Field(default=None, gt=0, le=1e12,
                                           description="Total plan spend in plan year 1 [USD/yr]; null = members x "
                                           "the library's spend per member")
    fees_at_risk: float = _p("plan.fees_at_risk")
    guarantee_ratio: float = _p("plan.guarantee_ratio")
    claims_file: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="Name of the claims extract applied (docs/HEALTH_PLAN.md)")
    from_claims: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=40, description="Scenario paths set from your claims")

    @field_validator("from_claims")
    @classmethod
    def _claim_paths(cls, v: list[str]) -> list[str]:
        bad = [p for p in v if not re.fullmatch(r"(condition|plan)(\.[a-z_]+)+", p)]
        if bad:
            raise ValueError(f"not a condition.* or plan.* path: {', '.join(map(repr, bad[:3]))}")
        return v

    @field_validator("uptake_by_year", mode="before")
    @classmethod
    def _uptake_text(cls, v: Any) -> Any:
        if isinstance(v, str):  # "0.1,0.2,0.25" from a form or --set
            return _uptake_items(v)
        if isinstance(v, (int, float)):
            return [v]
        return v


_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


def _uptake_items(text: str) -> list[float]:
    """``"0.1, 0.2; 0.25"`` -> numbers. An empty item (``0.1,,0.2``) is refused by its position, and
    only ASCII numbers are read (``float`` would accept Arabic-Indic digits and ``1_0``)."""
    if not text.strip():
        return []
    out = []
    for i, item in enumerate(text.replace(";", ",").split(","), start=1):
        x = item.strip()
        if not x:
            raise ValueError(f"item {i} is empty; give numbers separated by commas, e.g. 0.1,0.2,0.25; "
                             f"got {text[:60]!r}")
        if len(x) > 40 or not _ASCII_NUMBER.fullmatch(x):
            raise ValueError(f"item {i} ({x[:20]!r}) is not a number written with the digits 0-9; give numbers "
                             "separated by commas, e.g. 0.1,0.2,0.25")
        out.append(float(x))
    return out


class Scenario(BaseModel):
    """Everything the model needs. Missing fields take defaults from the parameter library."""

    model_config = _CONFIG
    schema_version: Literal[2] = SCHEMA_VERSION
    name: Annotated[str, Field(max_length=200)] = "Default scenario"
    parameter_set: str | None = Field(
        default=None, description="Parameter-library version the scenario was saved with")
    workforce: Workforce = Field(default_factory=Workforce)
    condition: Condition = Field(default_factory=Condition)
    translation: Translation = Field(default_factory=Translation)
    programs: Annotated[list[Program], Field(min_length=1, max_length=12)] = Field(
        default_factory=lambda: [Program()])
    analysis: Analysis = Field(default_factory=Analysis)
    plan: Plan = Field(default_factory=Plan)  # health plan view (issue 11)

    @field_validator("name")
    @classmethod
    def _printable_name(cls, v: str) -> str:
        bad = sorted({f"U+{ord(ch):04X}" for ch in v if ord(ch) < 32 or 127 <= ord(ch) < 160})
        if bad:
            raise ValueError(f"the name contains control characters ({', '.join(bad)}); use plain text")
        if not any(unicodedata.category(ch)[0] not in "CZ" for ch in v):  # blanks, zero-width spaces only
            raise ValueError("the name must have at least one visible character")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        wage = self.workforce.effective_hourly_wage
        lo, hi = Workforce.model_fields["hourly_wage"].metadata[0].ge, Workforce.model_fields["hourly_wage"].metadata[1].le
        if not lo <= wage <= hi:
            raise ValueError(
                f"workforce.annual_salary / workforce.annual_hours = {wage:.4g} USD/h is outside the allowed "
                f"hourly wage range {lo:g} to {hi:g}")
        absence_h = self.condition.absence_days * self.condition.hours_per_day
        if absence_h > self.workforce.annual_hours:
            raise ValueError(
                f"condition.absence_days x condition.hours_per_day = {absence_h:g} h exceeds "
                f"workforce.annual_hours = {self.workforce.annual_hours:g} h"
            )
        return self


# ---------------------------------------------------------------------------------------------
# Paths, errors, JSON


def _fmt_num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _field_bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    info = model.model_fields[name]
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else (getattr(m, "gt", None) if lo is None else lo)
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return lo, hi


_SECTION_MODELS: dict[str, type[BaseModel]] = {
    "workforce": Workforce, "condition": Condition, "translation": Translation,
    "programs": Program, "analysis": Analysis, "plan": Plan,
}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    if not loc:
        return Scenario
    return _SECTION_MODELS.get(str(loc[0]))


def _messages(err: ValidationError) -> list[str]:
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        path = ".".join(str(p) for p in loc)
        typ, val = e["type"], e.get("input")
        if typ == "extra_forbidden":
            parent = _model_at(loc[:-1] if loc[:1] != ("programs",) else ("programs",))
            allowed = ", ".join(parent.model_fields) if parent else ""
            out.append(f"unknown field {path!r}" + (f" (allowed here: {allowed})" if allowed else ""))
        elif typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            model = _model_at(loc[:1]) if len(loc) > 1 else Scenario
            lo, hi = _field_bounds(model, str(loc[-1])) if model and str(loc[-1]) in model.model_fields else (None, None)
            rng = f"allowed {_fmt_num(lo)} to {_fmt_num(hi)}" if lo is not None and hi is not None else e["msg"].lower()
            out.append(f"{path} = {_fmt_num(val)} is out of range: {rng}")
        elif typ in ("int_parsing", "int_parsing_size", "int_from_float", "float_parsing", "int_type", "float_type"):
            out.append(_type_message(loc, path, typ, val))
        elif typ == "bool_parsing" or typ == "bool_type":
            out.append(f"{path} must be true or false, got {val!r}")
        elif typ == "literal_error":
            out.append(f"{path} = {val!r} is not allowed: {e['msg'].replace('Input should be ', 'use ')}")
        elif typ == "finite_number":
            out.append(f"{path} must be a finite number")
        elif typ in ("too_short", "too_long"):
            out.append(f"{path}: {e['msg']}")
        elif typ == "model_type" or typ == "dict_type":
            out.append(f"{path or 'scenario'} must be an object with named fields, got {type(val).__name__}")
        elif typ == "value_error":
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
            out.append(f"{path}: {msg}" if path else msg)
        else:
            out.append(f"{path or 'scenario'}: {e['msg']}")
    return out


def _range_text(loc: tuple) -> str:
    model = _model_at(loc[:1]) if len(loc) > 1 else Scenario
    name = str(loc[-1])
    if model is None or name not in model.model_fields:
        return ""
    lo, hi = _field_bounds(model, name)
    return f" from {_fmt_num(lo)} to {_fmt_num(hi)}" if lo is not None and hi is not None else ""


def _type_message(loc: tuple, path: str, typ: str, val: Any) -> str:
    shown = _fmt_num(val) if isinstance(val, (int, float)) and not isinstance(val, bool) else repr(val)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    if typ.startswith("int"):
        return f"{path} must be a whole number{_range_text(loc)}, got {shown}"
    return f"{path} must be a number{_range_text(loc)}, got {shown}"


def _is_bool_field(model: type[BaseModel], name: str) -> bool:
    ann = model.model_fields[name].annotation
    args = typing.get_args(ann) if typing.get_origin(ann) in (typing.Union, types.UnionType) else (ann,)
    return bool in args


def _refuse_bools(data: dict) -> None:
    """JSON ``true``/``false`` is never a number (pydantic would read ``true`` as 1)."""
    bad = []
    if isinstance(data.get("schema_version"), bool):
        bad.append(f"schema_version must be the number {SCHEMA_VERSION}, got {str(data['schema_version']).lower()}")
    for sec, model in _SECTION_MODELS.items():
        nodes = data.get(sec)
        items = list(enumerate(nodes)) if sec == "programs" and isinstance(nodes, list) else [(None, nodes)]
        for idx, node in items:
            if not isinstance(node, dict):
                continue
            for k, v in node.items():
                if isinstance(v, bool) and k in model.model_fields and not _is_bool_field(model, k):
                    path = f"{sec}.{idx}.{k}" if idx is not None else f"{sec}.{k}"
                    kind = "a whole number" if model.model_fields[k].annotation in (int, int | None) else "a number"
                    bad.append(f"{path} must be {kind}{_range_text((sec, k))}, got {str(v).lower()}")
    if bad:
        raise ScenarioError(bad)


class SchemaUpgradeWarning(UserWarning):
    """An older scenario was upgraded on load; the message (one line) says what was dropped."""


def upgrade(data: dict) -> tuple[dict, list[str]]:
    """A version-1 scenario document as version 2, and notices (one line each) saying what changed.

    Version 2 removed ``translation.{absence,presenteeism,medical}_per_point`` (the pain-impact
    states now carry those effects), so they are dropped; everything else is kept as given. Any
    other document is returned unchanged with no notices.

    >>> upgrade({"schema_version": 1, "translation": {"medical_per_point": 0.01}})[0]
    {'schema_version': 2, 'translation': {}}
    """
    version = data.get("schema_version")
    if type(version) is not int or version != 1:
        return data, []
    out = {**data, "schema_version": SCHEMA_VERSION}
    tr = out.get("translation")
    dropped = []
    if isinstance(tr, dict):
        dropped = [p for p in REMOVED_IN_V2 if p.split(".")[1] in tr]
        out["translation"] = {k: v for k, v in tr.items() if f"translation.{k}" not in REMOVED_IN_V2}
    if not dropped:
        return out, []
    return out, [f"scenario schema version 1 upgraded to {SCHEMA_VERSION}: {', '.join(dropped)} dropped (no longer "
                 "model inputs; the pain-impact states now set absence, presenteeism and medical costs)"]


def build(data: Any) -> Scenario:
    """Validate raw data (a dict from JSON, a form, a query string) into a :class:`Scenario`.

    A version-1 document is upgraded first (:func:`upgrade`); what was dropped is issued as a
    :class:`SchemaUpgradeWarning` the caller can show (the CLI prints it on stderr as one line).
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"a scenario must be a JSON object, got {type(data).__name__}")
    data, notes = upgrade(data)
    for note in notes:
        warnings.warn(note, SchemaUpgradeWarning, stacklevel=2)
    _refuse_bools(data)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_messages(err)) from None


def to_dict(scenario: Scenario) -> dict:
    return scenario.model_dump(mode="json")


def to_json(scenario: Scenario) -> str:
    """Canonical JSON text (2-space indent, fields in schema order, trailing newline).

    Save -> load -> save gives identical bytes.
    """
    return json.dumps(to_dict(scenario), indent=2, ensure_ascii=False) + "\n"


def from_json(text: str | bytes) -> Scenario:
    """Parse and validate scenario JSON; errors name the line/column or the field."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ScenarioError("the scenario file is not UTF-8 text") from None
    if len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"the scenario is {len(text):,} characters; at most {MAX_SCENARIO_BYTES:,} are read")
    try:
        data = loads_json(text)
    except InputError as exc:
        raise ScenarioError(str(exc)) from None
    version = data.get("schema_version", SCHEMA_VERSION) if isinstance(data, dict) else SCHEMA_VERSION
    if type(version) is not int or version not in (1, SCHEMA_VERSION):
        shown = json.dumps(version)[:40]
        raise ScenarioError(f"schema_version {shown} is not supported (this version reads 1 and {SCHEMA_VERSION}; "
                            "version 1 is upgraded on load)")
    return build(data)


def load(path: str) -> Scenario:
    """Read a scenario JSON file."""
    try:
        raw = read_limited(path, MAX_SCENARIO_BYTES, "the scenario file")
    except InputError as exc:
        raise ScenarioError(f"cannot read scenario file: {exc}") from None
    try:
        return from_json(raw)
    except ScenarioError as exc:
        raise ScenarioError([f"{path}: {m}" for m in exc.messages]) from None


def save(scenario: Scenario, path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(to_json(scenario))


def _parse_value(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    t = text.strip()
    if t.lower() in ("null", "none", ""):
        return None
    try:
        return loads_json(t, constants=True)
    except InputError as exc:
        if str(exc).startswith("not valid JSON"):
            return t  # plain text (a therapy id, a name): the field's own check decides
        raise ScenarioError(str(exc)) from None


def _split(path: str) -> list[str]:
    parts = path.strip().split(".")
    if not path.strip() or any(p == "" for p in parts):
        raise ScenarioError(f"bad path {path!r}: use dotted names such as workforce.employees")
    return parts


def get_path(scenario: Scenario, path: str) -> Any:
    """Value at a dotted path (``programs.0.uptake``)."""
    node: Any = to_dict(scenario)
    for part in _split(path):
        if isinstance(node, list):
            if not is_ascii_digits(part) or len(part) > 6 or int(part) >= len(node):
                raise ScenarioError(f"unknown path {path!r}: index {part!r} out of range (0-{len(node) - 1})")
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise ScenarioError(_unknown(path, node))
    return node


def _unknown(path: str, node: Any) -> str:
    hint = f" (allowed here: {', '.join(node)})" if isinstance(node, dict) else ""
    return f"unknown path {path!r}{hint}"


def set_path(scenario: Scenario, path: str, value: Any) -> Scenario:
    """A new scenario with ``value`` (a string is parsed as JSON when it can be) at ``path``.

    ``programs.N.*`` with N equal to the number of programs adds a new default program.
    """
    return apply_sets(scenario, [(path, value)])


def apply_sets(scenario: Scenario, sets: list[tuple[str, Any]]) -> Scenario:
    """Apply several ``(path, value)`` assignments, then validate once."""
    data = to_dict(scenario)
    for path, value in sets:
        parts = _split(path)
        node: Any = data
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                try:
                    idx = parse_index(part, len(node))
                except InputError:
                    raise ScenarioError(f"unknown path {path!r}: {part!r} should be a program index, written "
                                        f"with the digits 0-9 (0 to {len(node) - 1})") from None
                if idx == len(node) and not last:
                    node.append(to_dict(Scenario()).get("programs")[0])
                if idx >= len(node):
                    raise ScenarioError(
                        f"unknown path {path!r}: program index {idx} out of range (0-{len(node) - 1})")
                if last:
                    raise ScenarioError(f"unknown path {path!r}: give a field, e.g. {path}.uptake")
                node = node[idx]
            elif isinstance(node, dict):
                if part not in node:
                    raise ScenarioError(_unknown(path, node))
                if last:
                    if isinstance(node[part], dict) or (  # a list of numbers or words (plan.*) is one value
                            isinstance(node[part], list) and any(isinstance(v, (dict, list)) for v in node[part])):
                        raise ScenarioError(f"{path!r} is a section; set one of its fields instead")
                    try:
                        node[part] = _parse_value(value)
                    except ScenarioError as exc:
                        raise ScenarioError(f"{path}: {exc}") from None
                else:
                    node = node[part]
            else:
                raise ScenarioError(_unknown(path, None))
    return build(data)


def field_paths(scenario: Scenario | None = None) -> list[str]:
    """Every settable dotted path of the scenario (program fields for each program)."""
    s = scenario or Scenario()
    out: list[str] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(f"{prefix}.{i}", v)
        else:
            out.append(prefix)

    walk("", to_dict(s))
    return out


#: Scenario fields whose default is a parameter-library row (program fields use program.*).
PATH_TO_PARAMETER: dict[str, str] = {}
for _sec, _model in (("workforce", Workforce), ("condition", Condition), ("translation", Translation),
                     ("analysis", Analysis), ("programs", Program), ("plan", Plan)):
    for _name, _info in _model.model_fields.items():
        extra = _info.json_schema_extra or {}
        if isinstance(extra, dict) and "parameter" in extra and _sec != "programs":
            PATH_TO_PARAMETER[f"{_sec}.{_name}"] = str(extra["parameter"])
for _name in ("low", "moderate", "high"):
    PATH_TO_PARAMETER[f"condition.impact_mix.{_name}"] = f"condition.impact_mix.{_name}"


def parameter_id_for_path(scenario: Scenario, path: str) -> str | None:
    """The parameter-library row behind a dotted path (therapy fields follow the chosen therapy)."""
    parts = path.split(".")
    if parts[0] == "programs" and len(parts) == 3:
        prog = scenario.programs[int(parts[1])]
        if parts[2] in THERAPY_FIELDS:
            return f"therapy.{prog.therapy}.{parts[2]}"
        pid = f"program.{parts[2]}"
        return pid if pid in _LIB.parameters else None
    return PATH_TO_PARAMETER.get(path)
