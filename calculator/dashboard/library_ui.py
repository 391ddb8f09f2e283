"""The scenario name and "Save to library" in every page's header, and the session's library handle.

:func:`header` is called once by the shell, so both are reachable from any page. The library
opens only when it is used (a save, or the Library page), so a database that is down, locked or
read-only never slows or breaks the other pages: the user sees one clear message beside the
control they used, and the current scenario stays exactly as it was.

Where the library lives, first match wins: ``[connections.scenarios]`` in ``.streamlit/secrets.toml``
(the section ``st.connection("scenarios", type="sql")`` reads), ``$BACKPAIN_ROI_DB``, else SQLite in
the user's data directory (docs/LIBRARY.md).
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from calculator import Scenario
from calculator.scenario_library import (
    LibraryError,
    NameExists,
    ScenarioLibrary,
    name_slug,
    open_library,
    resolve_url,
)

from . import fmt, state

NAME_KEY = state.widget_key("name")  # cleared with the other widgets when the scenario is replaced
TAGS_KEY = "bp_lib_tags"
NOTE_KEY = "bp_lib_note"
MSG_KEY = "bp_lib_save_msg"
PENDING_KEY = "bp_lib_pending"  # the name that exists, waiting for "save as a new version"
NAME_ERR_KEY = "bp_lib_name_error"
#: Seconds a save waits for another writer before saying the library is locked (the CLI waits 30).
DASHBOARD_BUSY_TIMEOUT_S = 5.0


def _secrets_url() -> str | None:
    """The URL of ``[connections.scenarios]`` in secrets.toml, through ``st.connection`` when it can."""
    try:
        conf = st.secrets.get("connections", {}).get("scenarios")
    except (FileNotFoundError, KeyError, AttributeError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - a malformed secrets.toml must not break the page
        return None
    if not conf:
        return None
    try:
        return st.connection("scenarios", type="sql").engine.url.render_as_string(hide_password=False)
    except Exception:  # noqa: BLE001 - e.g. the driver named there is not installed: build the URL ourselves
        import sqlalchemy as sa
        if conf.get("url"):
            return str(conf["url"])
        driver = conf.get("dialect", "") + (f"+{conf['driver']}" if conf.get("driver") else "")
        return sa.URL.create(driver, username=conf.get("username"), password=conf.get("password"),
                             host=conf.get("host"), port=conf.get("port"), database=conf.get("database"),
                             query=dict(conf.get("query", {}))).render_as_string(hide_password=False)


def library_url() -> str:
    return _secrets_url() or resolve_url(None)


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_library(url: str) -> ScenarioLibrary:
    return open_library(url, busy_timeout=DASHBOARD_BUSY_TIMEOUT_S)


def get_library() -> ScenarioLibrary:
    """The library of this server (opened and migrated once); raises :class:`LibraryError`."""
    return _cached_library(library_url())


def json_file_name(scenario: Scenario) -> str:
    """The scenario download's file name, led by the scenario's name when it has one."""
    slug = name_slug(scenario.name)
    return f"{slug}_backpain-roi-scenario.json" if slug else "backpain-roi-scenario.json"


def _on_name() -> None:
    raw = st.session_state.get(NAME_KEY, "")
    errs = state.update([("name", json.dumps(raw.strip() or "Default scenario"))])
    st.session_state[NAME_ERR_KEY] = (f"The name was not changed: {errs[0]}." if errs else None)


def _tags() -> list[str]:
    return [t.strip() for t in str(st.session_state.get(TAGS_KEY, "")).split(",") if t.strip()]


def save_current(if_exists: str = "error") -> None:
    """Save the current scenario under its name (button callback); the outcome goes to the message."""
    scenario = state.current_scenario()
    name = scenario.name
    st.session_state[PENDING_KEY] = None
    try:
        rec = get_library().save(name, scenario, tags=_tags(), note=st.session_state.get(NOTE_KEY) or "",
                                 if_exists=if_exists)  # type: ignore[arg-type]
    except NameExists:
        st.session_state[PENDING_KEY] = name
        st.session_state[MSG_KEY] = ("warning", f"“{fmt.md(name)}” is already in the library. Save this as its "
                                                "next version (the earlier ones are kept), or change the name above.")
        return
    except LibraryError as err:
        st.session_state[MSG_KEY] = ("error", fmt.md(str(err)))
        return
    st.session_state[MSG_KEY] = ("success", f"Saved “{fmt.md(rec.name)}” as version {rec.version} "
                                            f"({fmt.md(get_library().where)}).")


def save_box(container: Any) -> None:
    """The contents of the "Save to library" popover."""
    with container:
        name = state.current_scenario().name
        st.markdown(f"Saves **{fmt.md(name)}** with every input and its headline results, so you can load, "
                    "compare and re-check it later. Change the name in the field beside this button.")
        st.text_input("Tags (comma-separated)", key=TAGS_KEY, placeholder="massage, 2026",
                      help="Short labels to filter by on the Library page, e.g. a therapy or a plan year.")
        st.text_area("Note", key=NOTE_KEY, height=80, max_chars=5000,
                     help="Free text kept with this version, e.g. why these inputs.")
        row = st.container(horizontal=True, gap="small")
        row.button("Save", icon=":material/bookmark_add:", type="primary", key="lib-save", on_click=save_current)
        if st.session_state.get(PENDING_KEY) == name:
            row.button("Save as a new version", icon=":material/library_add:", key="lib-save-version",
                       on_click=save_current, args=("new_version",))
        msg = st.session_state.get(MSG_KEY)
        if msg:
            getattr(st, msg[0])(msg[1])


def header() -> None:
    """Scenario name field and "Save to library" popover, on every page."""
    scenario = state.current_scenario()
    row = st.container(horizontal=True, gap="small", vertical_alignment="bottom", key="scenario-name-row")
    with row.container(width=420):
        st.text_input("Scenario name", value=scenario.name, key=NAME_KEY, on_change=_on_name, max_chars=200,
                      help="Shown on every page, in the share link, in report headers, file names and the JSON, "
                           "and used as its name in the library.")
    save_box(row.popover("Save to library", icon=":material/bookmark_add:", key="save-popover"))
    err = st.session_state.get(NAME_ERR_KEY)
    if err:
        st.error(fmt.md(err), icon=":material/error:")
