"""Industry and job-family presets, and age/sex-specific relative prevalence.

Presets are data (``calculator/data/industry_presets.csv``), one row per preset and parameter:

* ``hourly_wage`` [USD/h] and ``benefits_load`` [ratio] *replace* the workforce values;
* ``prevalence_multiplier``, ``absence_multiplier`` and ``presenteeism_multiplier`` [ratio] *scale*
  the parameter library's base values of ``condition.prevalence``, ``condition.absence_days`` and
  ``condition.presenteeism`` (the library base, not the scenario's current value, so applying a
  preset twice changes nothing).

A preset that has no row for a parameter leaves it alone (a multiplier of 1). No preset changes
presenteeism: no source in the evidence review supports a difference by industry or occupation.
Every row carries low/high, source keys (resolved in ``references.csv``), a provenance tag and a
note that shows the arithmetic. ``kind`` is ``industry`` (the employer as a whole) or
``job_family`` (a group of employees in a census).

Age/sex-specific relative prevalence comes from ``calculator/data/prevalence_by_age_sex.csv``:
NHIS 2007 low back pain in the past 3 months by age band and sex, divided by its average over the
US employed population's age/sex mix (CPS), so a workforce with the national mix has a relative
prevalence of exactly 1. The *gradient* of any back pain is applied to *chronic* back pain, an
assumption documented in docs/CENSUS.md.

>>> p = preset("health_care")
>>> p.multiplier("prevalence_multiplier"), p.multiplier("presenteeism_multiplier")
(1.32, 1.0)
>>> round(float(relative_prevalence(["45-64"], ["F"])[0]), 3)
1.238
>>> preset("mining")
Traceback (most recent call last):
...
calculator.presets.PresetError: unknown preset 'mining'; choose one of: all_industries, ...
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .evidence import PROVENANCE, library, read_number, read_table
from .guards import MAX_NUMBER_CHARS, InputError, parse_int
from .scenario import Scenario, ScenarioError, apply_sets, get_path, parameter_id_for_path

__all__ = [
    "PRESET_PARAMETERS",
    "AGE_BANDS",
    "SEXES",
    "PresetError",
    "PresetValue",
    "Preset",
    "AppliedValue",
    "presets",
    "preset",
    "industries",
    "job_families",
    "match_preset",
    "apply_preset",
    "presets_frame",
    "age_sex_table",
    "relative_prevalence",
    "scenario_presets",
    "preset_names",
    "preset_overrides",
    "moves_in_direction",
    "apply_named_preset",
    "apply_scenario_preset",
    "compare_presets",
    "SurveyResults",
    "parse_survey",
    "apply_survey",
]

#: What each preset parameter does: (scenario path, "set" or "scale", unit).
PRESET_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "hourly_wage": ("workforce.hourly_wage", "set", "USD/h"),
    "benefits_load": ("workforce.benefits_load", "set", "ratio"),
    "prevalence_multiplier": ("condition.prevalence", "scale", "ratio"),
    "absence_multiplier": ("condition.absence_days", "scale", "ratio"),
    "presenteeism_multiplier": ("condition.presenteeism", "scale", "ratio"),
}

#: Age bands of the prevalence table (NHIS), in order; "unknown" when a census has no age.
AGE_BANDS = ("under 45", "45-64", "65 and over")
#: Sex codes: F, M, and U (not known, not disclosed, or neither).
SEXES = ("F", "M", "U")

_KINDS = ("industry", "job_family")


class PresetError(ValueError):
    """An unknown preset name, or a malformed preset file."""


@dataclass(frozen=True)
class PresetValue:
    """One row of the preset table."""

    preset: str
    parameter: str
    value: float
    low: float
    high: float
    unit: str
    source_keys: tuple[str, ...]
    provenance: str
    note: str

    @property
    def path(self) -> str:
        """The scenario path this value fills (``workforce.hourly_wage`` ...)."""
        return PRESET_PARAMETERS[self.parameter][0]

    @property
    def mode(self) -> str:
        """``set`` (replaces the value) or ``scale`` (multiplies the library base)."""
        return PRESET_PARAMETERS[self.parameter][1]


@dataclass(frozen=True)
class Preset:
    id: str
    kind: str
    label: str
    aliases: tuple[str, ...]
    values: dict[str, PresetValue]

    def get(self, parameter: str) -> PresetValue | None:
        return self.values.get(parameter)

    def multiplier(self, parameter: str) -> float:
        """A ``*_multiplier`` value, 1.0 when the preset has no row for it."""
        v = self.values.get(parameter)
        return 1.0 if v is None else v.value


@dataclass(frozen=True)
class AppliedValue:
    """A scenario value filled from a preset or a survey: where it went and where it came from."""

    path: str
    value: float
    source: str  # shown in the "source" column: "preset: Health care ..." or "your survey (n=85)"
    source_keys: tuple[str, ...]
    provenance: str
    note: str


def _norm(text: str) -> str:
    """Label normalised for matching: lower case, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


def _data(name: str) -> list[dict[str, str]]:
    return read_table(name, error=PresetError)


def _float(name: str, line: int, col: str, text: str) -> float:
    return read_number(name, line, col, text, error=PresetError)


def _keys(name: str, line: int, text: str) -> tuple[str, ...]:
    refs = library().references
    keys = tuple(k.strip() for k in text.split(";") if k.strip())
    if not keys:
        raise PresetError(f"{name} line {line}: no source key")
    missing = [k for k in keys if k not in refs]
    if missing:
        raise PresetError(f"{name} line {line}: source key(s) {', '.join(missing)} not in references.csv")
    return keys


@lru_cache(maxsize=1)
def presets() -> dict[str, Preset]:
    """Every preset, loaded from ``industry_presets.csv`` and validated once per process."""
    name = "industry_presets.csv"
    lib = library()
    raw: dict[str, dict[str, Any]] = {}
    alias_owner: dict[tuple[str, str], str] = {}
    for i, r in enumerate(_data(name), start=2):
        pid, kind, par = r["preset"].strip(), r["kind"].strip(), r["parameter"].strip()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", pid):
            raise PresetError(f"{name} line {i}: preset id {pid!r} must be lower_snake_case")
        if kind not in _KINDS:
            raise PresetError(f"{name} line {i}: kind {kind!r} must be one of {', '.join(_KINDS)}")
        if par not in PRESET_PARAMETERS:
            raise PresetError(f"{name} line {i}: unknown parameter {par!r}; known: {', '.join(PRESET_PARAMETERS)}")
        unit = PRESET_PARAMETERS[par][2]
        if r["unit"] != unit:
            raise PresetError(f"{name} line {i}: {par} must be in {unit}, got {r['unit']!r}")
        if r["provenance"] not in PROVENANCE:
            raise PresetError(f"{name} line {i}: unknown provenance {r['provenance']!r}")
        if not r["note"].strip():
            raise PresetError(f"{name} line {i}: every preset value needs a note")
        v, lo, hi = (_float(name, i, c, r[c]) for c in ("value", "low", "high"))
        if not lo <= v <= hi:
            raise PresetError(f"{name} line {i} ({pid}.{par}): need low <= value <= high, got {lo} / {v} / {hi}")
        path = PRESET_PARAMETERS[par][0]
        if PRESET_PARAMETERS[par][1] == "set":
            bound = lib.parameter(path)
            if not bound.min_allowed <= lo and hi <= bound.max_allowed:
                raise PresetError(f"{name} line {i} ({pid}.{par}): range outside {path}'s allowed "
                                  f"{bound.min_allowed:g}-{bound.max_allowed:g}")
        elif lo <= 0:
            raise PresetError(f"{name} line {i} ({pid}.{par}): a multiplier must be positive")
        entry = raw.setdefault(pid, {"kind": kind, "label": r["label"].strip(), "aliases": [], "values": {}})
        if entry["kind"] != kind or entry["label"] != r["label"].strip():
            raise PresetError(f"{name} line {i}: preset {pid!r} changes its kind or label between rows")
        if par in entry["values"]:
            raise PresetError(f"{name} line {i}: duplicate {pid}.{par}")
        for alias in (a for a in r["aliases"].split(";") if a.strip()):
            key = (kind, _norm(alias))
            if alias_owner.setdefault(key, pid) != pid:
                raise PresetError(f"{name} line {i}: alias {alias.strip()!r} is used by {alias_owner[key]!r} too")
            entry["aliases"].append(_norm(alias))
        entry["values"][par] = PresetValue(pid, par, v, lo, hi, unit, _keys(name, i, r["source_keys"]),
                                           r["provenance"], r["note"].strip())
    return {pid: Preset(pid, e["kind"], e["label"], tuple(e["aliases"]), e["values"]) for pid, e in raw.items()}


def preset(pid: str, kind: str | None = None) -> Preset:
    """The preset called ``pid`` (of ``kind``, when given); the error lists every valid name."""
    table = {k: p for k, p in presets().items() if kind is None or p.kind == kind}
    if pid not in table:
        what = {"industry": "industry preset", "job_family": "job-family preset"}.get(kind or "", "preset")
        raise PresetError(f"unknown {what} {pid!r}; choose one of: {', '.join(table)}")
    return table[pid]


def industries() -> list[Preset]:
    return [p for p in presets().values() if p.kind == "industry"]


def job_families() -> list[Preset]:
    return [p for p in presets().values() if p.kind == "job_family"]


@lru_cache(maxsize=4096)
def match_preset(label: str, kind: str) -> str | None:
    """The preset of ``kind`` whose id, label or alias equals ``label`` (case and punctuation ignored).

    >>> match_preset("Warehouse Associate", "job_family"), match_preset("Nurses", "job_family")
    ('manual_handling', 'patient_care')
    >>> match_preset("Astronaut", "job_family") is None
    True
    """
    key = _norm(label)
    if not key:
        return None
    for p in presets().values():
        if p.kind == kind and (key == _norm(p.id) or key == _norm(p.label) or key in p.aliases):
            return p.id
    return None


def apply_preset(scenario: Scenario, pid: str, kind: str | None = "industry") -> tuple[Scenario, list[AppliedValue]]:
    """The scenario with an industry (or job-family) preset filled in, and what was filled.

    ``set`` values replace the scenario's; multipliers scale the *library* base values (so the
    result does not depend on what the scenario held before). Override any of them afterwards with
    ``apply_sets``. A salary in ``workforce.annual_salary`` is cleared when the preset sets a wage.
    ``kind`` restricts the choice (industries by default; ``None`` allows job families too).

    >>> s, applied = apply_preset(Scenario(), "health_care")
    >>> round(s.condition.prevalence, 5), [a.path for a in applied]
    (0.10692, ['workforce.hourly_wage', 'condition.prevalence', 'condition.absence_days'])
    """
    p = preset(pid, kind)
    lib = library()
    sets: list[tuple[str, Any]] = []
    applied: list[AppliedValue] = []
    for pv in p.values.values():
        path = pv.path
        value = pv.value if pv.mode == "set" else lib.value(path) * pv.value
        sets.append((path, value))
        how = "" if pv.mode == "set" else f" (library {lib.value(path):g} x {pv.value:g})"
        applied.append(AppliedValue(path, value, f"preset: {p.label}{how}", pv.source_keys, pv.provenance,
                                    pv.note))
    if "hourly_wage" in p.values and scenario.workforce.annual_salary is not None:
        sets.append(("workforce.annual_salary", None))
    try:
        return apply_sets(scenario, sets), applied
    except ScenarioError as exc:
        raise PresetError(f"preset {pid!r} does not fit this scenario: {exc}") from None


def presets_frame() -> pd.DataFrame:
    """Every preset value with its range, unit, provenance and full citations (for tables and docs)."""
    lib = library()
    rows = []
    for p in presets().values():
        for pv in p.values.values():
            rows.append({
                "preset": p.id, "kind": p.kind, "label": p.label, "parameter": pv.parameter,
                "path": pv.path, "mode": pv.mode, "value": pv.value, "low": pv.low, "high": pv.high,
                "unit": pv.unit, "provenance": pv.provenance, "source_keys": ";".join(pv.source_keys),
                "source": " | ".join(r.citation() for r in lib.citations(pv.source_keys)),
                "note": pv.note,
            })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Age/sex-specific relative prevalence


@lru_cache(maxsize=1)
def age_sex_table() -> pd.DataFrame:
    """The prevalence table with a ``relative`` column (1 = US employed-population average).

    ``relative = value / sum(reference_share x value)`` over the F and M rows (whose reference
    shares sum to 1). Rows with sex ``U`` hold the both-sexes value of the source.
    """
    name = "prevalence_by_age_sex.csv"
    rows = []
    for i, r in enumerate(_data(name), start=2):
        if r["age_band"] not in AGE_BANDS or r["sex"] not in SEXES:
            raise PresetError(f"{name} line {i}: age_band must be one of {AGE_BANDS} and sex one of {SEXES}")
        if r["provenance"] not in PROVENANCE:
            raise PresetError(f"{name} line {i}: unknown provenance {r['provenance']!r}")
        v, lo, hi, share = (_float(name, i, c, r[c]) for c in ("value", "low", "high", "reference_share"))
        if not (lo <= v <= hi and 0 < v < 100 and 0 <= share <= 1):
            raise PresetError(f"{name} line {i}: need low <= value <= high, 0 < value < 100, 0 <= share <= 1")
        rows.append({"age_band": r["age_band"], "sex": r["sex"], "value": v, "low": lo, "high": hi,
                     "unit": r["unit"], "reference_share": share,
                     "source_keys": ";".join(_keys(name, i, r["source_keys"])),
                     "provenance": r["provenance"], "note": r["note"]})
    df = pd.DataFrame(rows)
    if len(df) != len(AGE_BANDS) * len(SEXES) or df.duplicated(["age_band", "sex"]).any():
        raise PresetError(f"{name}: need exactly one row per age band and sex")
    fm = df[df["sex"] != "U"]
    if not math.isclose(fm["reference_share"].sum(), 1.0, abs_tol=1e-6):
        raise PresetError(f"{name}: the F and M reference shares must sum to 1")
    ref_mean = float((fm["reference_share"] * fm["value"]).sum())
    df["relative"] = df["value"] / ref_mean
    return df


@lru_cache(maxsize=1)
def _relative_lookup() -> dict[tuple[str, str], float]:
    """Relative prevalence for every (age band or 'unknown', sex) pair."""
    df = age_sex_table()
    out = {(r.age_band, r.sex): float(r.relative) for r in df.itertuples()}
    fm = df[df["sex"] != "U"]
    for sex in ("F", "M"):  # age unknown: average over the reference age mix of that sex
        sub = fm[fm["sex"] == sex]
        out[("unknown", sex)] = float((sub["reference_share"] * sub["relative"]).sum() / sub["reference_share"].sum())
    out[("unknown", "U")] = 1.0
    return out


def relative_prevalence(age_band: Any, sex: Any) -> np.ndarray:
    """Relative prevalence [ratio, 1 = US employed average] for arrays of age bands and sexes.

    ``age_band`` in :data:`AGE_BANDS` or ``"unknown"``; ``sex`` in ``F``/``M``/``U``.
    """
    lookup = _relative_lookup()
    a = np.asarray(age_band, dtype=object)
    s = np.asarray(sex, dtype=object)
    a, s = np.broadcast_arrays(a, s)
    return np.array([lookup[(str(x), str(y))] for x, y in zip(a.ravel(), s.ravel(), strict=True)],
                    dtype=float).reshape(a.shape)


# ---------------------------------------------------------------------------------------------
# Scenario presets


@lru_cache(maxsize=1)
def scenario_presets() -> pd.DataFrame:
    """The scenario presets (``calculator/data/presets.csv``), validated.

    One row per override: preset, path (``programs.*`` = every program), value, reason,
    source_keys; plus one row per preset with an empty path that describes it. Every source key is
    in ``references.csv``, every path is a scenario field backed by a library parameter, and every
    value lies inside that parameter's low-high range (a preset stays within the evidence).
    """
    lib = library()
    default = Scenario()
    path = resources.files("calculator") / "data" / "presets.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    described: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for line, r in enumerate(rows, start=2):
        where = f"presets.csv line {line}"
        if None in r or any(v is None for v in r.values()):
            raise PresetError(f"{where}: wrong number of columns")
        keys = [k for k in r["source_keys"].split(";") if k]
        missing = [k for k in keys if k not in lib.references]
        if not keys or missing:
            raise PresetError(f"{where}: unknown or missing source key(s) {', '.join(missing) or '(none)'}")
        if not r["reason"].strip():
            raise PresetError(f"{where}: every row needs a reason")
        if not r["path"]:
            described.add(r["preset"])
            continue
        if (r["preset"], r["path"]) in seen:
            raise PresetError(f"{where}: {r['preset']} sets {r['path']} twice")
        seen.add((r["preset"], r["path"]))
        concrete = r["path"].replace("*", "0")
        pid = parameter_id_for_path(default, concrete)
        if pid is None:
            raise PresetError(f"{where}: {r['path']!r} is not a scenario field with a library parameter")
        par = lib.parameter(pid)
        try:
            value = float(r["value"])
        except ValueError:
            raise PresetError(f"{where}: value {r['value']!r} is not a number") from None
        if value == par.value:
            raise PresetError(f"{where}: {r['path']} = {value:g} equals the library default, so it has no "
                              "direction (a preset moves a value only in its own direction)")
        if not par.low <= value <= par.high:
            raise PresetError(f"{where}: {r['path']} = {value:g} lies outside the parameter's range "
                                   f"{par.low:g} to {par.high:g}")
    df = pd.DataFrame(rows)
    undescribed = set(df["preset"]) - described
    if undescribed:
        raise PresetError(f"presets.csv: preset(s) {', '.join(sorted(undescribed))} need a row with an "
                               "empty path that describes them")
    return df


def preset_names() -> list[str]:
    """Names of the scenario presets, in file order (conservative, base, optimistic)."""
    return list(dict.fromkeys(scenario_presets()["preset"]))


def preset_overrides(scenario: Scenario, name: str) -> list[dict[str, Any]]:
    """A preset's overrides for this scenario, one dict per path, with whether each is applied.

    Keys: ``path, value, default, current, applied``. A preset moves an input only in its own
    direction, judged from the library default: a value below the default applies only where it is
    below the scenario's own value, one above only where above. So the conservative preset is never
    more favourable than the scenario on any input it touches, and the optimistic one never less.
    """
    names = preset_names()
    if name not in names:
        raise PresetError(f"unknown preset {name!r}; choose one of: {', '.join(names)}")
    lib = library()
    df = scenario_presets()
    rows = df[(df["preset"] == name) & (df["path"] != "")]
    out = []
    for r in rows.itertuples(index=False):
        paths = [r.path.replace("*", str(i)) for i in range(len(scenario.programs))] if "*" in r.path else [r.path]
        for path in paths:
            value = float(r.value)
            current = float(get_path(scenario, path))
            pid = parameter_id_for_path(scenario, path)
            default = lib.parameter(pid).value if pid else current
            applied = moves_in_direction(value, default, current)
            out.append({"path": path, "value": value, "default": default, "current": current, "applied": applied})
    return out


def moves_in_direction(value: float, default: float, current: float) -> bool:
    """THE direction rule (its one home): a preset value below the library default applies only where
    it is at or below the scenario's own value, one above only where at or above. So a conservative
    preset never makes a scenario more favourable on any input it touches, and an optimistic one
    never less. A value equal to the default has no direction (the data loader refuses it).

    >>> moves_in_direction(0.5, 1.0, 0.8), moves_in_direction(0.5, 1.0, 0.3), moves_in_direction(0.4, 0.25, 0.6)
    (True, False, False)
    """
    if value < default:
        return value <= current
    if value > default:
        return value >= current
    raise PresetError(f"a preset value {value:g} equal to its default has no direction")


def apply_named_preset(scenario: Scenario, name: str) -> tuple[Scenario, list[AppliedValue]]:
    """A scenario preset applied by the direction rule, and the values it applied."""
    df = scenario_presets()
    reasons = {(r.preset, r.path): (r.reason, tuple(k for k in r.source_keys.split(";") if k))
               for r in df.itertuples(index=False)}
    chosen = [o for o in preset_overrides(scenario, name) if o["applied"]]
    applied = []
    for o in chosen:
        pattern = next((p for (n, p) in reasons if n == name and p and
                        re.fullmatch(p.replace(".", r"\.").replace("*", r"\d+"), o["path"])), o["path"])
        reason, keys = reasons.get((name, pattern), ("", ()))
        applied.append(AppliedValue(o["path"], o["value"], f"preset: {name}", keys, "ASSUMPTION", reason))
    sets = [(o["path"], o["value"]) for o in chosen]
    try:
        return (apply_sets(scenario, sets) if sets else scenario), applied
    except ScenarioError as err:
        raise PresetError(f"preset {name!r} does not fit this scenario: {err}") from None


def apply_scenario_preset(scenario: Scenario, name: str) -> Scenario:
    """The scenario with a preset's overrides applied in the preset's direction only (``programs.*``
    reaches every program; see :func:`preset_overrides`).

    >>> s = apply_scenario_preset(Scenario(), "conservative")
    >>> s.programs[0].effect_multiplier, s.workforce.turnover
    (0.5, 0.4)
    >>> worse = apply_sets(Scenario(), [("workforce.turnover", "0.6")])
    >>> apply_scenario_preset(worse, "conservative").workforce.turnover   # already more pessimistic
    0.6
    """
    return apply_named_preset(scenario, name)[0]


def compare_presets(scenario: Scenario, program_index: int = 0) -> pd.DataFrame:
    """Every preset applied to the scenario, side by side: one row per preset.

    Columns: preset, description, cost, savings, net_benefit, roi, npv, payback_month [USD over the
    horizon; ROI ratio; months, nan = not within the horizon], overrides (``path=value; ...``).
    """
    df = scenario_presets()
    rows = []
    for name in preset_names():
        sub = df[df["preset"] == name]
        from .model import evaluate  # the model is downstream of the presets

        p = evaluate(apply_scenario_preset(scenario, name)).programs[program_index]
        rows.append({
            "preset": name, "description": sub.loc[sub["path"] == "", "reason"].iloc[0],
            "cost": p.cost, "savings": p.savings, "net_benefit": p.net_benefit,
            "roi": np.nan if p.roi is None else p.roi, "npv": p.npv,
            "payback_month": np.nan if p.payback_month is None else p.payback_month,
            "overrides": "; ".join(f"{r.path}={r.value}" for r in sub[sub["path"] != ""].itertuples()),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Bring-your-own survey (WPAI)


def _survey_error(message: str) -> ValueError:
    """Survey problems are census-upload problems to the user (imported late: census imports presets)."""
    from .census.files import CensusError

    return CensusError(message)


@dataclass(frozen=True)
class SurveyResults:
    """Aggregate results of the employer's own WPAI (or similar) survey [fractions 0-1].

    ``presenteeism``: mean impairment while working among respondents with chronic back pain;
    ``absenteeism``: mean share of work time missed among them; ``respondents``: how many of them.
    ``comparison_*``: the same among respondents *without* back pain (default: the library's
    ``survey.comparison_*`` values), subtracted so that only the excess is costed.
    """

    respondents: int
    presenteeism: float | None = None
    absenteeism: float | None = None
    comparison_presenteeism: float | None = None
    comparison_absenteeism: float | None = None

    def __post_init__(self) -> None:
        if self.presenteeism is None and self.absenteeism is None:
            raise _survey_error("survey: give presenteeism, absenteeism or both")
        for name in ("presenteeism", "absenteeism", "comparison_presenteeism", "comparison_absenteeism"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= 1):
                raise _survey_error(f"survey: {name} = {v!r} must be a fraction from 0 to 1 (e.g. 0.31 or 31%)")
        mg = int(library().value("census.min_group_size"))
        if not isinstance(self.respondents, int) or self.respondents < mg:
            raise _survey_error(f"survey: respondents = {self.respondents!r}; at least {mg} are needed for a "
                              "reliable, anonymous average")


def parse_survey(text: str) -> SurveyResults:
    """``"presenteeism=31%,absenteeism=0.04,respondents=85"`` -> :class:`SurveyResults` (CLI ``--survey``).

    >>> parse_survey("presenteeism=31%, respondents=85").presenteeism
    0.31
    """
    vals: dict[str, Any] = {}
    allowed = {f.name for f in dataclasses.fields(SurveyResults)}
    for item in (i for i in text.split(",") if i.strip()):
        key, eq, raw = item.partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if not eq or key not in allowed:
            raise _survey_error(f"survey: {item.strip()!r} is not KEY=VALUE with KEY one of {', '.join(sorted(allowed))}")
        if key == "respondents":
            try:
                vals[key] = parse_int(raw, "survey: respondents", max_digits=9)
            except InputError as exc:
                raise _survey_error(str(exc)) from None
            continue
        pct = raw.endswith("%")
        num = raw[:-1] if pct else raw
        try:
            if len(num) > MAX_NUMBER_CHARS or not num.isascii():
                raise ValueError(num)
            v = float(num)
        except ValueError:
            raise _survey_error(f"survey: {key} must be a number such as 0.31 or 31%, got {raw!r}") from None
        if not pct and v > 1:
            raise _survey_error(f"survey: {key} = {raw} is ambiguous; write a fraction (0.31) or a percentage (31%)")
        vals[key] = v / 100 if pct else v
    if "respondents" not in vals:
        raise _survey_error("survey: give the number of respondents with back pain, e.g. respondents=85")
    return SurveyResults(**vals)


def apply_survey(scenario: Scenario, survey: SurveyResults) -> tuple[Scenario, list[AppliedValue]]:
    """The scenario with presenteeism and/or absence days from the survey; what was replaced.

    Attributable presenteeism = survey mean - comparison (at least 0). Absence days =
    (work time missed - comparison) x annual hours / hours per day (WPAI's absenteeism is the share
    of scheduled hours missed).

    >>> s, a = apply_survey(Scenario(), SurveyResults(respondents=85, presenteeism=0.30))
    >>> round(s.condition.presenteeism, 3), a[0].source
    (0.085, 'your survey (n=85)')
    """
    lib = library()
    sets: list[tuple[str, Any]] = []
    applied: list[AppliedValue] = []
    label = f"your survey (n={survey.respondents})"
    if survey.presenteeism is not None:
        comp = survey.comparison_presenteeism
        comp_note = "your comparison group" if comp is not None else "Montgomery 2017 controls (library)"
        comp = lib.value("survey.comparison_presenteeism") if comp is None else comp
        v = max(0.0, survey.presenteeism - comp)
        sets.append(("condition.presenteeism", v))
        applied.append(AppliedValue("condition.presenteeism", v, label, () if survey.comparison_presenteeism
                                    is not None else lib.parameter("survey.comparison_presenteeism").source_keys,
                                    "DERIVED", f"{survey.presenteeism:.1%} impairment with back pain - "
                                               f"{comp:.1%} without ({comp_note})"))
    if survey.absenteeism is not None:
        comp = survey.comparison_absenteeism
        comp = lib.value("survey.comparison_absenteeism") if comp is None else comp
        days = max(0.0, survey.absenteeism - comp) * scenario.workforce.annual_hours / scenario.condition.hours_per_day
        sets.append(("condition.absence_days", days))
        applied.append(AppliedValue("condition.absence_days", days, label, (), "DERIVED",
                                    f"({survey.absenteeism:.1%} - {comp:.1%}) of {scenario.workforce.annual_hours:g} h"
                                    f" / {scenario.condition.hours_per_day:g} h per day"))
    try:
        return apply_sets(scenario, sets), applied
    except ScenarioError as exc:
        raise _survey_error(f"survey: {exc}") from None
