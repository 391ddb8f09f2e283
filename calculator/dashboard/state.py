"""The dashboard's shared state: the current scenario, field errors, share links, cached core calls.

One validated :class:`~calculator.Scenario` per browser session lives in ``st.session_state``.
Widgets never hold the truth: each input widget is initialised from the scenario and, when the
user changes it, a callback validates the change through :func:`calculator.apply_sets`. A bad
value is kept in its widget with an error beside it, and the scenario (so every result) stays at
the last valid state.

Public API for pages (see ``calculator/dashboard/__init__.py``)::

    state.current_scenario()          # the last valid Scenario
    state.current_result()            # evaluate() of it, cached on the scenario JSON
    state.scenario_json()             # canonical JSON of the current scenario (a cache key)
    state.cached_evaluate(json_text)  # Result, cached
    state.cached_compare(json_text)   # compare() table, cached
    state.cached_input_table(json_text, i)
    state.update([(path, value), ...])  # validated change; returns error messages or []
    state.set_scenario(scenario)      # replace (upload, presets); widgets re-read it
    state.has_errors()                # any field currently invalid?

Share links: the scenario's non-default fields are mirrored in ``st.query_params`` as
``path=value`` pairs (``workforce.employees=250&programs.0.therapy=yoga``) plus ``ps=`` the
parameter-set version. On the first run of a session the query string is read back field by
field; a bad or unknown field is reported and that field alone falls back to its default.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping
from decimal import InvalidOperation
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from calculator import (
    Result,
    Scenario,
    ScenarioError,
    apply_sets,
    compare,
    evaluate,
    from_json,
    input_table,
    library,
)
from calculator import to_json as _to_json
from calculator.guards import is_ascii_digits
from calculator.scenario import (
    MAX_SCENARIO_BYTES,
    REMOVED_IN_V2,
    SchemaUpgradeWarning,
    therapy_switch,
    to_dict,
)

from . import fmt
from .fields import FIELDS, current_value, label_for_path, range_text
from .messages import plain

SCENARIO_KEY = "bp_scenario"
ERRORS_KEY = "bp_errors"
NOTICES_KEY = "bp_notices"
UPLOAD_MSG_KEY = "bp_upload_message"
WIDGET_PREFIX = "bp_w:"
UPLOAD_KEY = "bp_upload"

#: Query parameter holding the parameter-set version a share link was made with.
PIN_PARAM = "ps"
#: Query parameters Streamlit itself may use; never treated as scenario fields.
IGNORED_PARAMS = frozenset({"embed", "embed_options", "row"})  # row: Assumptions rows a KPI links to
#: Largest scenario file accepted: the core's one limit (a real scenario is a few kB).
MAX_UPLOAD_BYTES = MAX_SCENARIO_BYTES
#: Metadata that is not part of a share link.
_NOT_SHARED = frozenset({"schema_version", "parameter_set"})

_PATH_RE = re.compile(r"\b(?:workforce|condition|translation|analysis|programs\.\d+)\.[a-z_]+\b")


# ---------------------------------------------------------------------------------------------
# Pure helpers (no session): share-link encoding and messages


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for k, v in node.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(node, list) and any(isinstance(v, (dict, list)) for v in node):
        for i, v in enumerate(node):
            out.update(_flatten(v, f"{prefix}.{i}"))
    else:  # a value, or a list of plain values (plan.uptake_by_year, plan.from_claims): one share-link field
        out[prefix] = node
    return out


def _encode(value: Any) -> str:
    """A scenario value as query/`apply_sets` text: JSON for everything but plain words."""
    if isinstance(value, str) and re.fullmatch(r"[a-z_]+", value) and value not in ("true", "false", "null"):
        return value
    return json.dumps(value)


def query_from_scenario(scenario: Scenario) -> dict[str, str]:
    """The share-link query: every field that differs from its default, plus the version pin."""
    data = _flatten(to_dict(scenario))
    default_prog = _flatten(to_dict(Scenario())["programs"][0])
    defaults = _flatten(to_dict(Scenario()))
    out: dict[str, str] = {}
    for path, value in data.items():
        if path in _NOT_SHARED:
            continue
        if path.startswith("programs."):
            _, idx, rest = path.split(".", 2)
            default = default_prog.get(rest)
            if int(idx) > 0 and rest == "therapy":  # an extra program always names its therapy
                default = object()
        else:
            default = defaults.get(path)
        if value != default:
            out[path] = _encode(value)
    if out:
        out[PIN_PARAM] = library().version
    return out


def humanize(message: str) -> str:
    """A core error message with dotted paths replaced by the dashboard's plain-word labels."""
    return _PATH_RE.sub(lambda m: f"“{label_for_path(m.group(0))}”", message)


def field_message(path: str, value: Any, err: ScenarioError, scenario: Scenario) -> str:
    """The message shown beside a field whose new value was rejected."""
    spec = FIELDS.get(path)
    for msg in err.messages:
        if msg.startswith(f"{path} = ") and "out of range" in msg and spec is not None:
            shown = spec.show(value)
            return (f"{spec.label}: {shown} is outside the allowed range, {range_text(scenario, path)}. "
                    "The results still use your last valid value.")
    return "; ".join(humanize(m) for m in err.messages) + ". The results still use your last valid value."


def _one_value(key: str, raw: str | list[str], notices: list[tuple[str, str]]) -> str:
    """A query value; a repeated key keeps its last value, and says so."""
    if isinstance(raw, str):
        return raw
    values = [str(v) for v in raw] or [""]
    if len(set(values)) > 1:
        notices.append(("warning", f"The link gives “{plain(key, 60)}” {len(values)} times; the last value "
                                   f"({plain(values[-1], 60)}) is used."))
    return values[-1]


def _order(item: tuple[str, str]) -> tuple:
    parts = item[0].split(".")
    idx = int(parts[1]) if parts[0] == "programs" and len(parts) > 1 and is_ascii_digits(parts[1]) \
        and len(parts[1]) < 4 else -1
    return (idx, item[0] != "programs.0.therapy", item[0])


def _link_field_notice(key: str, raw: str, err: ScenarioError, scenario: Scenario) -> str:
    spec, shown = FIELDS.get(key), raw[:60]
    reason = "; ".join(humanize(m) for m in err.messages)
    if spec is not None and any(m.startswith(f"{key} = ") and "out of range" in m for m in err.messages):
        try:
            value = json.loads(raw) if len(raw) <= 40 else None
            shown = spec.show(spec.to_model(value) if spec.kind != "percent" else value)
        except (ValueError, TypeError, ArithmeticError, RecursionError):
            pass
        reason = f"the allowed range is {range_text(scenario, key)}"
    return (f"The link's value for “{fmt.md(label_for_path(key))}” ({plain(shown, 60)}) could not be used: "
            f"{plain(reason, 300)}. The default is used for this input.")


def scenario_from_query(params: Mapping[str, str | list[str]]) -> tuple[Scenario, list[tuple[str, str]]]:
    """Rebuild a scenario from a share-link query, field by field.

    ``params`` maps a key to its value, or to every value of a repeated key (the last is used and
    the link says so). Returns the scenario and notices ``(level, text)``: a field that is unknown
    or invalid is reported (user text as plain text) and left at its default; every other field is
    applied exactly. Unknown keys are listed in one notice, not one banner each.
    """
    notices: list[tuple[str, str]] = []
    scenario = Scenario()
    items = [(k, _one_value(k, v, notices)) for k, v in params.items() if k not in IGNORED_PARAMS and k != PIN_PARAM]
    unknown: list[str] = []
    removed = [k for k, _ in items if k in REMOVED_IN_V2]
    for key, raw in sorted(items, key=_order):
        if key in REMOVED_IN_V2:  # a link made before scenario schema 2: the field is no longer an input
            continue
        try:
            scenario = apply_sets(scenario, [(key, raw)])
        except ScenarioError as err:
            if any(m.startswith(f"unknown path {key!r}") or m.startswith(f"bad path {key!r}") for m in err.messages):
                unknown.append(key)
            else:
                notices.append(("warning", _link_field_notice(key, raw, err, scenario)))
    if unknown:
        shown = ", ".join(f"“{plain(k, 60)}”" for k in unknown[:10]) + (
            f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else "")
        notices.append(("warning", f"The link contains {len(unknown):,} "
                                   f"{'key that is' if len(unknown) == 1 else 'keys that are'} not an input of "
                                   f"this calculator, so {'it was' if len(unknown) == 1 else 'they were'} "
                                   f"ignored: {shown}."))
    if removed:
        notices.append(("info", f"This link was made by an older version: {', '.join(plain(k, 60) for k in removed)} "
                                "no longer exist (the pain-impact states now set absence, presenteeism and "
                                "medical costs), so the link's values for them were not used."))
    pin = params.get(PIN_PARAM)
    pin = pin[-1] if isinstance(pin, list) and pin else pin
    if pin is not None and pin != library().version:
        notices.append(("info", f"This link was made with parameter set {plain(pin, 40)}; this calculator "
                                f"uses {library().version}. The values in the link are applied exactly; "
                                "defaults that are not in the link may have been updated since."))
    if items and not any(level == "warning" for level, _ in notices):
        notices.append(("success", "Scenario restored from the link."))
    return scenario, notices


def parse_upload(data: bytes) -> tuple[Scenario | None, list[str]]:
    """Validate an uploaded scenario file: the scenario, or the problems in plain words."""
    if len(data) > MAX_UPLOAD_BYTES:
        return None, [f"the file is {len(data):,} bytes; a scenario file is at most {MAX_UPLOAD_BYTES:,}"]
    try:
        return from_json(data), []
    except ScenarioError as err:
        return None, [humanize(m) for m in err.messages]


# ---------------------------------------------------------------------------------------------
# Cached core calls: thin wrappers whose only inputs are their arguments


@st.cache_data(max_entries=256, show_spinner=False)
def cached_evaluate(scenario_json: str) -> Result:
    """``calculator.evaluate`` of a scenario given as canonical JSON (cached on the text)."""
    return evaluate(from_json(scenario_json))


@st.cache_data(max_entries=128, show_spinner=False)
def cached_compare(scenario_json: str, program_index: int = 0) -> pd.DataFrame:
    """``calculator.compare`` of a scenario given as canonical JSON (cached on the text)."""
    return compare(from_json(scenario_json), program_index)


@st.cache_data(max_entries=128, show_spinner=False)
def cached_headline(scenario_json: str, program_index: int = 0) -> Any:
    """``calculator.uncertainty.headline`` (fixed-seed PSA beside the headline ROI), cached (issue 9)."""
    from calculator.uncertainty import headline
    return headline(from_json(scenario_json), program_index=program_index)


def current_headline(program_index: int = 0) -> Any:
    """The headline PSA of the current scenario: P(ROI > 0) and the 90% interval of ROI."""
    return cached_headline(scenario_json(), program_index)


@st.cache_data(max_entries=128, show_spinner=False)
def cached_input_table(scenario_json: str, program_index: int = 0) -> pd.DataFrame:
    """``calculator.input_table`` of a scenario given as canonical JSON (cached on the text)."""
    return input_table(from_json(scenario_json), program_index)


# ---------------------------------------------------------------------------------------------
# Session state


def bootstrap() -> None:
    """Create the session's scenario on its first run, from the share link if there is one."""
    ss = st.session_state
    if SCENARIO_KEY not in ss:
        qp = st.query_params
        scenario, notices = scenario_from_query({k: qp.get_all(k) for k in qp})
        ss[SCENARIO_KEY] = scenario
        ss[ERRORS_KEY] = {}
        ss[NOTICES_KEY] = notices


def current_scenario() -> Scenario:
    """The last valid scenario of this session."""
    bootstrap()
    return st.session_state[SCENARIO_KEY]


def scenario_json() -> str:
    return _to_json(current_scenario())


def current_result() -> Result:
    """The evaluated current scenario (cached)."""
    return cached_evaluate(scenario_json())


def errors() -> dict[str, str]:
    bootstrap()
    return st.session_state[ERRORS_KEY]


def field_error(path: str) -> str | None:
    return errors().get(path)


def has_errors() -> bool:
    return bool(errors())


def pop_notices() -> list[tuple[str, str]]:
    """Messages from restoring a share link (shown once)."""
    bootstrap()
    out = list(st.session_state[NOTICES_KEY])
    st.session_state[NOTICES_KEY] = []
    return out


def widget_key(path: str) -> str:
    return WIDGET_PREFIX + path


def clear_widgets(paths: list[str] | None = None) -> None:
    """Forget widget values so the widgets re-read the scenario on their next render."""
    ss = st.session_state
    for key in [k for k in ss if isinstance(k, str) and k.startswith(WIDGET_PREFIX)]:
        if paths is None or key[len(WIDGET_PREFIX):] in paths:
            del ss[key]


def set_scenario(scenario: Scenario) -> None:
    """Replace the scenario (upload, reset); all errors are cleared and widgets re-read it."""
    bootstrap()
    st.session_state[SCENARIO_KEY] = scenario
    st.session_state[ERRORS_KEY] = {}
    clear_widgets()


def update(sets: list[tuple[str, Any]]) -> list[str]:
    """Apply ``(path, value)`` changes to the current scenario, validated; [] or the messages."""
    try:
        new = apply_sets(current_scenario(), [(p, v if isinstance(v, str) or v is None else _encode(v))
                                              for p, v in sets])
    except ScenarioError as err:
        return [humanize(m) for m in err.messages]
    st.session_state[SCENARIO_KEY] = new
    return []


def reset() -> None:
    """Back to the published defaults (callback for the reset buttons)."""
    set_scenario(Scenario())
    st.session_state[UPLOAD_MSG_KEY] = None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def on_widget_change(path: str) -> None:
    """Widget callback: validate the new value; keep the last valid scenario when it is rejected."""
    ss = st.session_state
    spec = FIELDS[path]
    errs = errors()
    scenario = current_scenario()
    raw = ss.get(widget_key(path))
    try:
        value = spec.to_model(raw)
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        kind = "a whole number" if spec.kind == "count" else "a number"
        errs[path] = f"{spec.label}: enter {kind} ({range_text(scenario, path)})."
        return
    if value is None and not spec.optional:
        errs[path] = f"{spec.label} needs a value: allowed {range_text(scenario, path)}."
        return
    if _same(value, current_value(scenario, path)):
        errs.pop(path, None)
        return
    sets = [(path, value if not isinstance(value, str) else _encode(value))]
    is_therapy = path.endswith(".therapy")
    if is_therapy:  # a new therapy brings its own published price, sessions and effect
        prefix = path.rsplit(".", 1)[0]
        sets = [(f"{prefix}.{k}", _encode(v) if isinstance(v, str) else v) for k, v in therapy_switch(value).items()]
    try:
        new = apply_sets(scenario, sets)
    except ScenarioError as err:
        errs[path] = field_message(path, value, err, scenario)
        return
    errs.pop(path, None)
    ss[SCENARIO_KEY] = new
    if is_therapy:
        prefix = path.rsplit(".", 1)[0]
        therapy_paths = [p for p, _ in sets if p != path]
        clear_widgets(therapy_paths)
        for p in therapy_paths:
            errs.pop(p, None)


def on_upload() -> None:
    """File-uploader callback: load a scenario file, or say what is wrong and change nothing."""
    ss = st.session_state
    file = ss.get(UPLOAD_KEY)
    if file is None:
        return
    with warnings.catch_warnings(record=True) as caught:  # an old (version-1) file is upgraded: say so
        warnings.simplefilter("always", SchemaUpgradeWarning)
        scenario, problems = parse_upload(file.getvalue())
    upgraded = [str(w.message) for w in caught if issubclass(w.category, SchemaUpgradeWarning)]
    name = plain(file.name, 80)
    if scenario is None:
        ss[UPLOAD_MSG_KEY] = ("error", f"{name} was not loaded; nothing was changed. "
                                       + " ".join(f"Problem: {plain(p, 300)}." for p in problems[:8]))
        return
    set_scenario(scenario)
    note = ""
    if scenario.parameter_set and scenario.parameter_set != library().version:
        note = (f" It was saved with parameter set {plain(scenario.parameter_set, 40)}; defaults it did not "
                f"change now come from {library().version}.")
    if len(scenario.programs) > 1:
        note += f" It has {len(scenario.programs)} programs; these pages edit the first."
    note += "".join(f" Note: {plain(u, 300)}." for u in dict.fromkeys(upgraded))
    ss[UPLOAD_MSG_KEY] = ("success", f"Loaded “{plain(scenario.name)}” from {name}.{note}")


def upload_message() -> tuple[str, str] | None:
    return st.session_state.get(UPLOAD_MSG_KEY)


def download_json() -> str:
    """The current scenario as JSON, pinned to the parameter-set version in use."""
    s = apply_sets(current_scenario(), [("parameter_set", json.dumps(library().version))])
    return _to_json(s)


def share_query() -> dict[str, str]:
    return query_from_scenario(current_scenario())


def share_link() -> str:
    """The address that reproduces this scenario (relative when the page address is unknown)."""
    query = share_query()
    base = st.context.url or ""
    return f"{base}?{urlencode(query)}" if query else (base or "?")


def sync_query_params() -> None:
    """Mirror the scenario's non-default fields in the address bar (only when they changed)."""
    want = share_query()
    have = st.query_params.to_dict()
    if {k: v for k, v in have.items() if k not in IGNORED_PARAMS} != want:
        st.query_params.from_dict({**{k: v for k, v in have.items() if k in IGNORED_PARAMS}, **want})
