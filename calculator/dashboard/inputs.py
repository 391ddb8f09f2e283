"""Input widgets bound to scenario paths: ``field("condition.prevalence")`` draws one input.

Each widget has a stable key (``bp_w:<path>``), help text built from the parameter library
(meaning, unit, default, plausible and allowed range, source), a caption saying whether the value is
the default (and its source) or changed, and, when the last entry was rejected, an error beside it
that names the field and the allowed range. Bounds are checked by the scenario validator rather
than clamped by the widget, so an out-of-range entry is explained instead of silently replaced.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from . import fmt, state
from .fields import FIELDS, ORIGINS_KEY, current_value, default_caption, help_text


def field(path: str, where: Any = None, *, label: str | None = None, caption: bool = True) -> None:
    """Draw the input for ``path`` in ``where`` (default: the current container)."""
    dg = where if where is not None else st
    spec = FIELDS[path]
    scenario = state.current_scenario()
    key = state.widget_key(path)
    if key not in st.session_state:
        st.session_state[key] = spec.to_widget(current_value(scenario, path))
        state.errors().pop(path, None)
    text = fmt.label(label or spec.label)  # no backslash in the accessible name
    helptext = help_text(scenario, path)
    common = dict(key=key, help=helptext, on_change=state.on_widget_change, args=(path,))
    if spec.kind == "bool":
        dg.toggle(text, **common)
    elif spec.kind == "choice":
        options = list(spec.choices)
        if len(options) <= 3:
            dg.radio(text, options, format_func=spec.choices.get, **common)
        else:
            dg.selectbox(text, options, format_func=spec.choices.get, **common)
    elif spec.kind == "count":
        dg.number_input(text, step=int(spec.step), format="%d",
                        placeholder="blank" if spec.optional else None, **common)
    else:
        dg.number_input(text, step=float(spec.step), format=f"%.{spec.decimals}f",
                        placeholder="blank" if spec.optional else None, **common)
    err = state.field_error(path)
    if err:
        dg.error(fmt.md(err), icon=":material/error:")
    elif caption:
        dg.caption(default_caption(scenario, path, st.session_state.get(ORIGINS_KEY)))


def fields(paths: list[str], where: Any = None, columns: int = 1) -> None:
    """Several fields, optionally spread over columns (they stack on narrow screens)."""
    dg = where if where is not None else st
    if columns <= 1:
        for p in paths:
            field(p, dg)
        return
    cols = dg.columns(columns)
    for i, p in enumerate(paths):
        field(p, cols[i % columns])
