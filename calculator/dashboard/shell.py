"""What every page shares: the logo, the scenario toolbar (share, download, load, reset), and
messages from restoring a share link. ``app.py`` calls :func:`pages` and :func:`frame`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import streamlit as st

from calculator.evidence import PRICE_YEAR

from . import fmt, library_ui, state, style
from .fields import changed_paths
from .messages import collapse
from .registry import PageSpec

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def pages(specs: list[PageSpec], default: str | None = None) -> list[st.Page]:
    """``st.Page`` objects for the registry, in order; ``default`` is a url_path (else the first)."""
    chosen = default if default is not None else specs[0].url_path
    out = []
    for p in specs:
        render = importlib.import_module(f"calculator.dashboard.pages.{p.module}").render
        out.append(st.Page(render, title=p.title, url_path=p.url_path, icon=p.icon, default=(p.url_path == chosen)))
    return out


def _logo() -> None:
    wordmark, icon = ASSETS / "wordmark.svg", ASSETS / "icon.svg"
    if wordmark.is_file():
        st.logo(str(wordmark), icon_image=str(icon) if icon.is_file() else None, size="large")


def _toolbar() -> None:
    from calculator import library

    scenario = state.current_scenario()
    changed = changed_paths(scenario)
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center", horizontal_alignment="right",
                       key="scenario-toolbar")
    with bar.popover("Share link", icon=":material/link:", key="share-popover"):
        st.markdown("Anyone who opens this link sees these results: it carries the inputs you changed "
                    "and the version of the parameter library.")
        st.code(state.share_link(), language=None, wrap_lines=True)
    bar.download_button("Download scenario", state.download_json(), file_name=library_ui.json_file_name(scenario),
                        mime="application/json", icon=":material/download:", on_click="ignore",
                        key="download-scenario", help="Save every input as a JSON file you can load again later.")
    with bar.popover("Load scenario", icon=":material/upload:", key="load-popover"):
        st.file_uploader("Scenario file (JSON, saved from this calculator)", type=["json"], key=state.UPLOAD_KEY,
                         on_change=state.on_upload,
                         help="A file saved with “Download scenario”. A file with a problem is rejected "
                              "with the reason, and nothing changes.")
    bar.button("Reset to defaults", icon=":material/restart_alt:", on_click=state.reset, key="reset-toolbar",
               help="Set every input back to its published default.")
    therapy = library().therapy(scenario.programs[0].therapy).short_label
    st.caption(fmt.md(
        f"Your scenario: {fmt.number(scenario.workforce.employees)} employees · {therapy} · "
        + (f"{len(changed)} input{'s' if len(changed) != 1 else ''} changed from the published defaults"
           if changed else "all inputs at their published defaults")))


def _messages() -> None:
    box = st.container()  # always one element, so the page below keeps its place (and state)
    for level, text in collapse(state.pop_notices()):
        getattr(box, level)(text)
    msg = state.upload_message()
    if msg:
        level, text = msg
        getattr(box, level)(text, icon=":material/error:" if level == "error" else ":material/check_circle:")
        st.session_state[state.UPLOAD_MSG_KEY] = None


def frame(page: st.Page) -> None:
    """Draw the shared frame around ``page`` and run it; then mirror the scenario in the URL."""
    _logo()
    style.inject()  # contrast, phone layout, print stylesheet (calculator/dashboard/style.py)
    state.bootstrap()
    library_ui.header()  # scenario name + "Save to library" (issue 13)
    _toolbar()
    _messages()
    page.run()
    st.divider()
    style.glossary()
    st.caption("backpain-roi shows aggregate, workforce-level estimates for planning a health benefit. "
               f"It is not for decisions about individual employees. Figures are US dollars at {PRICE_YEAR} prices.")
    state.sync_query_params()
