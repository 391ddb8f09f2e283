"""The one stacking order of scenario values, used by the CLI, the dashboard and the reports.

    base scenario (file or defaults)
      -> scenario preset (conservative / base / optimistic; direction rule)
      -> industry preset (wage, prevalence, absence of an industry)
      -> your WPAI survey (presenteeism, absence days)
      -> your claims extract (prevalence, impact mix, medical cost, members, plan-paid share)
      -> your --set values (and the dashboard's edits)
      -> your census (its census-equivalent scenario; segments)

Each later source wins over the earlier ones, and every value that a named source filled is listed
in :attr:`Assembled.applied` with where it came from.

**Census vs your own value on the same field.** The census is applied last, from the scenario your
values built: a value you set that the census uses as a fallback (the wage of rows without pay, the
hours of rows without hours, the prevalence, absence and presenteeism that the census scales by
age, sex and job family) is used. A value the census replaces *completely* would be silently
ignored, so it is refused with a message naming the field and the census value instead:
``workforce.employees`` (always: the census counts them), the wage fields when every row has pay,
``workforce.annual_hours`` when every row has hours.

>>> from calculator import Scenario
>>> a = assemble(Scenario(), preset="conservative", industry="health_care", sets=[("workforce.employees", "800")])
>>> a.scenario.workforce.employees, a.scenario.programs[0].effect_multiplier, [v.source for v in a.applied][:1]
(800, 0.5, ['preset: conservative'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .presets import AppliedValue, SurveyResults, apply_named_preset, apply_preset, apply_survey, parse_survey
from .scenario import Scenario, apply_sets

__all__ = ["ORDER", "Assembled", "AssemblyError", "assemble", "census_conflicts"]

#: The stacking order, earliest first (shown in docs and the dashboard).
ORDER = ("base", "preset", "industry", "survey", "claims", "set", "census")

_WAGE_PATHS = ("workforce.hourly_wage", "workforce.annual_salary")


class AssemblyError(ValueError):
    """Two sources of values cannot be combined as asked (the message says which and what to do)."""


@dataclass(frozen=True)
class Assembled:
    """The assembled scenario, what each named source applied, and the census results if any."""

    scenario: Scenario
    applied: tuple[AppliedValue, ...] = ()
    census: Any = None  # calculator.census.CensusResult
    sets: tuple[tuple[str, Any], ...] = field(default=())
    claims_changes: Any = None  # DataFrame path/before/after/source when a claims extract was applied


def census_conflicts(census: Any, sets: Iterable[tuple[str, Any]], result: Any) -> list[str]:
    """One message per ``--set`` path that the census would replace completely (see the module)."""
    paths = {str(p).strip(): v for p, v in sets}
    d = census.data
    used = d[~d["error"] & (d["headcount"] > 0)]
    every_row_paid = bool((used["hourly_wage"].notna() | used["annual_pay"].notna()).all())
    every_row_hours = bool(used["hours_per_year"].notna().all())
    eq = result.scenario.workforce
    out = []
    if "workforce.employees" in paths:
        out.append(f"--set workforce.employees={paths['workforce.employees']} conflicts with the census, which "
                   f"counts {eq.employees:,} employees in its rows; drop the --set, or drop the census")
    for p in _WAGE_PATHS:
        if p in paths and every_row_paid:
            out.append(f"--set {p}={paths[p]} conflicts with the census: every row has its own pay, so your "
                       "value would not be used; drop the --set, or remove the pay column")
    if "workforce.annual_hours" in paths and every_row_hours:
        out.append(f"--set workforce.annual_hours={paths['workforce.annual_hours']} conflicts with the census: "
                   "every row has its own hours, so your value would not be used; drop the --set, or remove "
                   "the hours column")
    return out


def _survey(value: SurveyResults | str | None) -> SurveyResults | None:
    if value is None or isinstance(value, SurveyResults):
        return value
    return parse_survey(str(value)) if str(value).strip() else None


def _unmark_claims(s: Scenario, changes: Any, set_paths: set[str]) -> tuple[Scenario, Any]:
    """Drop the "from your claims" mark (``plan.from_claims`` and the change rows) of every path a
    ``--set`` overrode: the value shown is the user's, not the extract's."""
    marks = [p for p in s.plan.from_claims if p not in set_paths]
    s = s.model_copy(update={"plan": s.plan.model_copy(update={"from_claims": marks})})
    return s, changes[~changes["path"].isin(set_paths)].reset_index(drop=True)


def assemble(base: Scenario, preset: str | None = None, industry: str | None = None,
             survey: SurveyResults | str | None = None, census: Any = None,
             sets: Sequence[tuple[str, Any]] = (), *, by: Iterable[str] | None = None,
             exclude_invalid: bool = False, program_index: int = 0, industry_in_base: bool = False,
             claims: Any = None) -> Assembled:
    """Stack the sources in :data:`ORDER`; raise on a census/``--set`` conflict (never silence).

    ``census`` is a validated :class:`calculator.census.Census` (read by the caller: this function
    does no I/O). ``industry_in_base``: ``base`` already holds the ``industry`` preset (the
    dashboard applies it when chosen); the census still needs its name so a job family's preset
    replaces it rather than stacking on it. ``claims`` is a :class:`calculator.claims.ClaimsSummary`
    (read by the caller); its values are marked "from your claims". Errors: :class:`~calculator.presets.PresetError`,
    :class:`~calculator.scenario.ScenarioError`, :class:`~calculator.census.CensusError`,
    :class:`AssemblyError`; each message names the source.
    """
    s, applied = base, []
    if preset:
        s, got = apply_named_preset(s, preset)
        applied += got
    if industry and not industry_in_base:
        s, got = apply_preset(s, industry)
        applied += got
    sv = _survey(survey)
    if sv is not None:
        s, got = apply_survey(s, sv)
        applied += got
    changes = None
    if claims is not None:
        from .claims import apply_claims

        s, changes = apply_claims(s, claims)
        applied += [AppliedValue(r.path, float(r.after), "from your claims", (), "YOUR DATA",
                                 f"from your claims extract ({r.before} before)") for r in changes.itertuples()]
    sets = tuple((str(p).strip(), v) for p, v in sets)
    if sets:
        s = apply_sets(s, list(sets))
        set_paths = {p for p, _ in sets}
        applied = [a for a in applied if a.path not in set_paths]  # your value replaced the source's
        if changes is not None and "plan.from_claims" not in set_paths:  # and is no longer "from your claims"
            s, changes = _unmark_claims(s, changes, set_paths)
    if census is None:
        return Assembled(s, tuple(applied), None, sets, changes)
    from .census import evaluate_census

    res = evaluate_census(s, census, by=by, exclude_invalid=exclude_invalid, industry=industry,
                          program_index=program_index)
    problems = census_conflicts(census, sets, res)
    if problems:
        raise AssemblyError("; ".join(problems))
    census_paths = {a.path for a in res.applied}
    applied = [a for a in applied if a.path not in census_paths] + list(res.applied)
    return Assembled(res.scenario, tuple(applied), res, sets, changes)

