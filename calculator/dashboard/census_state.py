"""The census's session state on the dashboard: the file in memory, its options, cached results.

One home for what the "Your workforce" page and the Report page share (the Report page no longer
imports from the workforce page). The census is stacked on the scenario by
:func:`calculator.assemble.assemble`, the order the CLI uses. The uploaded bytes live only in this
session's memory; "Remove the file" drops them.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from calculator import Scenario, apply_sets, from_json, get_path, to_json
from calculator.assemble import assemble
from calculator.census import DEFAULT_BY, Census, CensusError, CensusResult, read_census
from calculator.guards import release_memory
from calculator.presets import PresetError

from . import state

P = "bp_census_"
FILE_KEY = P + "file"  # (name, bytes): the census, in memory only
DIGEST_KEY = P + "digest"  # (bytes object, its SHA-256): hashed once per file
CENSUS_KEY = P + "census"  # (file digest and options, Census): the parsed census of the file in use
UPLOAD_KEY = P + "upload"
ACTIVE_KEY = P + "active"  # {"base": scenario JSON before the census, "employees": N, "name": file name}
SOURCES_KEY = P + "sources"  # path -> where its value came from (preset, survey, census)
MESSAGE_KEY = P + "message"
INDUSTRY_KEY = P + "industry"
KIND_KEY = P + "kind"
BY_KEY = P + "by"
EXCLUDE_KEY = P + "exclude"
DECIMAL_KEY = P + "decimal"

#: Scenario paths the census sets (restored by "Stop using it").
CENSUS_PATHS = ("workforce.employees", "workforce.hourly_wage", "workforce.annual_salary",
                "workforce.annual_hours", "condition.prevalence", "condition.absence_days", "condition.presenteeism")
KINDS = {"auto": "Detect automatically", "employee": "One row per employee",
         "aggregated": "One row per group, with a headcount column"}
DIM_WORDS = {"job_family": "Job family", "age_band": "Age band", "sex": "Sex", "industry": "Industry",
             "location": "Location"}
SEVERITY_WORDS = {"error": "Problem", "warning": "Note"}


# Cached core calls (inputs are all arguments; results stay in memory)


# The upload (up to 200 MB) is hashed once, when it arrives; the caches are keyed on that digest and
# take the bytes and the parsed census as unhashed (underscore) arguments.


# The census is kept in this session's state as the object itself, for the file and options in use:
# st.cache_data would keep a pickled copy (about the upload's size again) and unpickle a fresh copy on
# every rerun, and a global cache would keep it after the user removes the file (memory, issue 10).
def cached_census(digest: str, name: str, kind: str, column_map: tuple[tuple[str, str], ...],
                  _data: bytes, decimal: str = "auto") -> Census:
    key = (digest, name, kind, column_map, decimal)
    memo = ss().get(CENSUS_KEY)
    if memo is not None and memo[0] == key:
        return memo[1]
    ss().pop(CENSUS_KEY, None)  # the previous census goes before the next one is read (peak)
    with st.spinner("Reading and checking the census ..."):
        census = read_census(_data, name, kind=kind, column_map=dict(column_map), decimal=decimal)
    ss()[CENSUS_KEY] = (key, census)
    return census


@st.cache_data(max_entries=8, show_spinner="Computing the segment results ...")
def cached_result(digest: str, name: str, kind: str, column_map: tuple[tuple[str, str], ...], scenario_json: str,
                  by: tuple[str, ...], exclude: bool, industry: str | None, _census: Census,
                  decimal: str = "auto") -> CensusResult:
    """The census stacked on the scenario by :func:`calculator.assemble.assemble` (the CLI's order)."""
    return assemble(from_json(scenario_json), industry=industry, census=_census, by=by, exclude_invalid=exclude,
                    industry_in_base=True).census


# ---------------------------------------------------------------------------------------------
# Session helpers


def ss() -> Any:
    return st.session_state


def sources() -> dict[str, dict[str, Any]]:
    return ss().setdefault(SOURCES_KEY, {})


def current_file() -> tuple[str, bytes] | None:
    return ss().get(FILE_KEY)


def digest(data: bytes) -> str:
    """SHA-256 of the file in memory, computed once per file and kept in the session."""
    known = ss().get(DIGEST_KEY)
    if known is not None and known[0] is data:
        return known[1]
    sha = hashlib.sha256(data).hexdigest()
    ss()[DIGEST_KEY] = (data, sha)
    return sha


def column_map_key(name: str, data: bytes) -> str:
    return P + f"map:{name}:{digest(data)[:16]}"


def column_map(name: str, data: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(ss().get(column_map_key(name, data), {}).items()))


def industry() -> str | None:
    return ss().get(INDUSTRY_KEY) or None


def base_scenario() -> Scenario:
    """The current scenario with the values the census replaced put back (the census's own inputs)."""
    cur = state.current_scenario()
    active = ss().get(ACTIVE_KEY)
    if not active:
        return cur
    base = from_json(active["base"])
    return apply_sets(cur, [(p, get_path(base, p)) for p in CENSUS_PATHS])


def census_options() -> tuple[str, bytes, str, tuple, tuple[str, ...] | None, bool] | None:
    f = current_file()
    if f is None:
        return None
    name, data = f
    by = ss().get(BY_KEY)
    return name, data, ss().get(KIND_KEY, "auto"), column_map(name, data), tuple(by) if by is not None else None, \
        bool(ss().get(EXCLUDE_KEY, False))


def decimal() -> str:
    """The decimal-mark choice of the page (auto, point or comma)."""
    return ss().get(DECIMAL_KEY) or "auto"


def read_current(name: str, data: bytes) -> Census:
    """The census of the file in memory with the page's options (cached)."""
    return cached_census(digest(data), name, ss().get(KIND_KEY, "auto"), column_map(name, data), data, decimal())


def current_result(base: Scenario) -> CensusResult | None:
    opts = census_options()
    if opts is None:
        return None
    name, data, kind, cmap, by, exclude = opts
    sha = digest(data)
    census = cached_census(sha, name, kind, cmap, data, decimal())
    by = by if by is not None else tuple(d for d in DEFAULT_BY if d in census.fields())
    return cached_result(sha, name, kind, cmap, to_json(base), tuple(by), exclude, industry(), census, decimal())


def active_census() -> tuple[str, CensusResult] | None:
    """``(key, result)`` of the census every page uses, or None when none is in use.

    ``key`` identifies the result (file digest, options and the scenario it was stacked on), so a
    cache can hold the report built from it; the report takes the :class:`CensusResult` itself
    (:func:`calculator.export.build_report`, the same call as the CLI's ``report --census``).
    """
    if not ss().get(ACTIVE_KEY):
        return None
    opts = census_options()
    base = base_scenario()
    res = current_result(base)
    if res is None or opts is None:
        return None
    name, data, kind, cmap, by, exclude = opts
    key = hashlib.sha256(repr((digest(data), kind, cmap, by, exclude, industry(), decimal(),
                               to_json(base))).encode()).hexdigest()
    return key, res


def record(applied: list, kind: str) -> None:
    src = sources()
    for a in applied:
        src[a.path] = {"kind": kind, "value": a.value, "source": a.source, "provenance": a.provenance,
                       "keys": list(a.source_keys), "note": a.note}


def change_base(change, kind: str, clear_kind: str | None = None) -> None:
    """Apply a preset or survey change; when the census is in use, to its base, then re-apply it."""
    session = ss()
    if clear_kind:
        for p in [p for p, v in sources().items() if v["kind"] == clear_kind]:
            sources().pop(p)
    active = session.get(ACTIVE_KEY)
    base = base_scenario()
    try:
        new_base, applied = change(base)
    except (CensusError, PresetError) as exc:
        session[MESSAGE_KEY] = ("error", str(exc))
        return
    record(applied, kind)
    if not active:
        state.set_scenario(new_base)
        return
    try:
        res = current_result(new_base)
    except CensusError as exc:
        session[MESSAGE_KEY] = ("error", str(exc))
        return
    session[ACTIVE_KEY] = {**active, "base": to_json(new_base)}
    state.set_scenario(res.scenario)
    record(list(res.applied), "census")


def forget_file() -> None:
    stop_using()
    for k in (FILE_KEY, EXCLUDE_KEY, BY_KEY, DIGEST_KEY, CENSUS_KEY):  # the digest entry holds the bytes too
        ss().pop(k, None)
    release_memory()  # the freed pages of the file and its census go back to the OS now


def edited_since_census(current: Scenario, census_scenario: Scenario) -> list[str]:
    """The census-set inputs whose current value differs from the census's (changed on another page)."""
    out = []
    for p in CENSUS_PATHS:
        a, b = get_path(current, p), get_path(census_scenario, p)
        if a != b and not (isinstance(a, (int, float)) and isinstance(b, (int, float))
                           and abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))):
            out.append(p)
    return out


def use_census() -> None:
    session = ss()
    base = base_scenario()
    try:
        res = current_result(base)
    except CensusError as exc:
        session[MESSAGE_KEY] = ("error", str(exc))
        return
    if res is None:
        return
    session[ACTIVE_KEY] = {"base": to_json(base), "employees": int(res.total["employees"]), "name": current_file()[0]}
    state.set_scenario(res.scenario)
    record(list(res.applied), "census")


def stop_using() -> None:
    session = ss()
    if session.get(ACTIVE_KEY):
        state.set_scenario(base_scenario())
        session[ACTIVE_KEY] = None
        for p in [p for p, v in sources().items() if v["kind"] == "census"]:
            sources().pop(p)
