"""Library: the saved scenarios. Filter, load, compare 2-4 side by side, check drift, export/import, delete.

All numbers come from :mod:`calculator.scenario_library` (tables) and :mod:`calculator.charts_library`
(the chart); this page only lays them out. A library that cannot be opened shows one message and
the rest of the calculator keeps working with the current scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from calculator import from_json
from calculator.charts_library import comparison_chart_table, comparison_figure, money_figure, roi_figure
from calculator.export.compare import comparison_pdf, comparison_xlsx
from calculator.export.compare import format_value as _format_value
from calculator.scenario_library import (
    Comparison,
    LibraryError,
    SavedScenario,
    compare_scenarios,
    drift,
    export_bytes,
    import_bytes,
    name_slug,
)
from calculator.scenario_library.transfer import MAX_IMPORT_BYTES

from .. import fmt, library_ui, state, ui

UNDO_KEY = "bp_lib_undo"  # deleted entries of this session, newest last
NOTICE_KEY = "bp_lib_notice"
DRIFT_KEY = "bp_lib_drift"
ALL = "(all)"


def format_value(value: Any, kind: str) -> str:
    """The export's formatting, with the dashboard's true minus sign."""
    text = _format_value(value, kind)
    return text.replace("-", fmt.MINUS) if kind in ("money", "ratio", "prob") else text


def _notice(level: str, text: str) -> None:
    st.session_state[NOTICE_KEY] = (level, text)


def _guard(fn: Callable[[], Any]) -> Any:
    """Run a library call from a callback; a failure becomes the page's notice."""
    try:
        return fn()
    except LibraryError as err:
        _notice("error", fmt.md(str(err)))
        return None


# -- callbacks ------------------------------------------------------------------------------------


def _load(name: str, version: int | None = None) -> None:
    rec = _guard(lambda: library_ui.get_library().get(name, version))
    if rec is not None:
        state.set_scenario(rec.scenario)
        _notice("success", f"Loaded “{fmt.md(name)}” (version {rec.version}). Every page now shows it.")


def _delete(name: str) -> None:
    entry = _guard(lambda: library_ui.get_library().delete(name))
    if entry is not None:
        st.session_state.setdefault(UNDO_KEY, []).append(entry)
        _notice("info", f"Deleted “{fmt.md(name)}” and its {len(entry['versions'])} version(s). "
                        "Undo is available until you close this tab.")


def _undo() -> None:
    stack = st.session_state.get(UNDO_KEY) or []
    if not stack:
        return
    entry = stack[-1]
    if _guard(lambda: library_ui.get_library().restore(entry)) is not None:
        stack.pop()
        _notice("success", f"Restored “{fmt.md(entry['name'])}” with all its versions.")


def _import() -> None:
    file = st.session_state.get("lib-import-file")
    if file is None:
        _notice("warning", "Choose a library file (.json or .zip) first.")
        return
    if file.size > MAX_IMPORT_BYTES:
        _notice("error", f"{fmt.md(file.name)} is {file.size:,} bytes; a library file is at most {MAX_IMPORT_BYTES:,}.")
        return
    rep = _guard(lambda: import_bytes(library_ui.get_library(), file.getvalue(), file.name,
                                      skip_invalid=bool(st.session_state.get("lib-import-skip")),
                                      if_exists=st.session_state.get("lib-import-exists", "error")))
    if rep is not None:
        text = f"Imported {len(rep.imported)} scenario(s) from {fmt.md(file.name)}."
        if rep.skipped:
            text += " Skipped: " + " ".join(f"{fmt.md(s)}." for s in rep.skipped[:10])
        _notice("success" if not rep.skipped else "warning", text)


# -- cached computations ------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner="Comparing ...")
def cached_comparison(items: tuple[tuple[str, str], ...]) -> Comparison:
    """The comparison of ``(name, scenario JSON)`` pairs (cached on the texts)."""
    return compare_scenarios([(n, from_json(j)) for n, j in items])


def _comparison_pdf(items: tuple[tuple[str, str], ...]) -> bytes:
    from calculator.export.render import ChartsUnavailable, render_png
    cmp = cached_comparison(items)
    try:
        png = render_png([comparison_figure(comparison_chart_table(cmp))], [(1100, 420)])[0]
    except ChartsUnavailable:
        png = None
    return comparison_pdf(cmp, chart_png=png)


# -- sections -----------------------------------------------------------------------------------


def _list_frame(recs: list[SavedScenario]) -> pd.DataFrame:
    def s(r: SavedScenario, k: str, kind: str) -> str:
        return format_value(r.summary.get(k), kind)
    return pd.DataFrame([{
        "Name": r.name, "Versions": r.versions, "Therapy": r.summary.get("therapy_label", r.therapy),
        "Tags": ", ".join(r.tags), "Saved (UTC)": f"{r.saved_at:%Y-%m-%d %H:%M}",
        "ROI": s(r, "roi", "ratio"), "90% interval": f"{s(r, 'roi_p5', 'prob')} to {s(r, 'roi_p95', 'prob')}",
        "P(ROI > 0)": s(r, "p_roi_positive", "prob"), "Net benefit": s(r, "net_benefit", "money"),
        "NPV": s(r, "npv", "money"), "Note": r.note[:80]} for r in recs])


def _filters(lib: Any) -> list[SavedScenario]:
    everything = lib.list()
    row = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with row.container(width=300):
        text = st.text_input("Search names and notes", key="lib-search", placeholder="e.g. yoga")
    with row.container(width=200):
        tag = st.selectbox("Tag", [ALL, *lib.tags()], key="lib-tag")
    therapies = sorted({r.therapy: r.summary.get("therapy_label", r.therapy) for r in everything}.items(),
                       key=lambda kv: kv[1])
    with row.container(width=260):
        therapy = st.selectbox("Therapy", [ALL, *[t for t, _ in therapies]], key="lib-therapy",
                               format_func=lambda t: dict(therapies).get(t, t))
    return lib.list(text=text or None, tag=None if tag == ALL else tag, therapy=None if therapy == ALL else therapy)


def _one(lib: Any, names: list[str]) -> None:
    st.header("Load, check or delete a scenario")
    row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
    with row.container(width=360):
        name = st.selectbox("Scenario", names, key="lib-pick")
    if name is None:
        return
    row.button("Load", icon=":material/upload:", key="lib-load", on_click=_load, args=(name,),
               help="Make this the current scenario on every page.")
    row.button("Check for drift", icon=":material/update:", key="lib-drift",
               on_click=lambda: st.session_state.__setitem__(DRIFT_KEY, name),
               help="Re-run it under today's parameter library: what changed, and which parameter rows caused it.")
    row.button("Delete", icon=":material/delete:", key="lib-delete", on_click=_delete, args=(name,),
               help="Delete it and its history (you can undo this until you close the tab).")
    _history(lib, name)
    if st.session_state.get(DRIFT_KEY) == name:
        _drift_view(lib, name)


def _history(lib: Any, name: str) -> None:
    hist = lib.history(name)
    with st.expander(f"Versions of “{fmt.md(name)}” ({len(hist)})", key="lib-history"):
        view = pd.DataFrame([{"Version": h.version, "Saved (UTC)": f"{h.saved_at:%Y-%m-%d %H:%M}",
                              "Therapy": h.summary.get("therapy_label", h.therapy), "Tags": ", ".join(h.tags),
                              "ROI": format_value(h.summary.get("roi"), "ratio"),
                              "90% interval": f"{format_value(h.summary.get('roi_p5'), 'prob')} to "
                                              f"{format_value(h.summary.get('roi_p95'), 'prob')}",
                              "P(ROI > 0)": format_value(h.summary.get("p_roi_positive"), "prob"),
                              "Note": h.note[:80]} for h in reversed(hist)])
        st.dataframe(view, hide_index=True, height=_rows_height(min(len(view), 10)))
        if len(hist) > 1:
            row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
            with row.container(width=200):
                v = st.selectbox("Version", [h.version for h in reversed(hist)], key="lib-history-version")
            row.button("Load this version", key="lib-history-load", on_click=_load, args=(name, v))


def _drift_view(lib: Any, name: str) -> None:
    try:
        d = drift(lib.get(name))
    except LibraryError as err:
        st.error(fmt.md(str(err)))
        return
    st.markdown(f"**Drift of “{fmt.md(name)}”** (version {d.version}): saved with parameter set "
                f"{d.saved_parameter_set}, re-run with {d.current_parameter_set}.")
    for n in d.notes:
        st.caption(fmt.md(n))
    res = d.results
    view = pd.DataFrame({"Result": res["label"],
                         "Saved": [format_value(v, k) for v, k in zip(res["saved"], res["kind"], strict=True)],
                         "Now": [format_value(v, k) for v, k in zip(res["now"], res["kind"], strict=True)]})
    st.container(key="lib-drift-results").dataframe(view, hide_index=True)
    if d.rows.empty:
        st.success("No parameter row this scenario uses has changed since it was saved.")
    else:
        rows = d.rows.assign(**{"Net benefit effect": d.rows["net_benefit_effect"].map(
            lambda v: "" if pd.isna(v) else ("+" if v >= 0 else fmt.MINUS) + fmt.money(abs(v)))})
        st.markdown("Parameter rows that changed (effects are applied one row at a time and add up to the change):")
        st.container(key="lib-drift-rows").dataframe(
            rows[["parameter", "label", "change", "applies", "Net benefit effect"]].rename(
                columns={"parameter": "Row", "label": "Parameter", "change": "Change", "applies": "Applies"}),
            hide_index=True)
        st.button("Load the re-run scenario", key="lib-drift-load", on_click=state.set_scenario,
                  args=(d.scenario_now,), help="Make the scenario with today's values the current scenario.")


def _rows_height(n: int) -> int:
    """Pixels that show ``n`` rows and the header without an inner scroll bar."""
    return 35 * (n + 1) + 3


def _highlight(df: pd.DataFrame, differs: pd.Series) -> Any:
    return df.style.apply(lambda r: ["background-color: #FFF4CC; font-weight: 600" if differs.iloc[r.name] else ""
                                     for _ in r], axis=1)


def _compare(lib: Any, names: list[str]) -> None:
    st.header("Compare 2 to 4 scenarios side by side")
    chosen = st.multiselect("Scenarios to compare", names, key="lib-compare", max_selections=4,
                            placeholder="Choose 2 to 4 saved scenarios")
    if len(chosen) < 2:
        st.caption("Choose at least two scenarios.")
        return
    try:
        items = tuple((n, lib.get(n).scenario_json) for n in chosen)
        cmp = cached_comparison(items)
    except LibraryError as err:
        st.error(fmt.md(str(err)))
        return
    st.caption(f"Computed now with parameter set {cmp.parameter_set}; P(ROI > 0) and the 90% interval from "
               f"{cmp.draws:,} simulations with the same seed ({cmp.seed}) for every scenario.")
    res = cmp.results
    view = pd.DataFrame({"Result": res["label"], **{n: [format_value(v, k) if k != "text" else v for v, k in
                                                        zip(res[n], res["kind"], strict=True)] for n in cmp.names}})
    st.container(key="lib-compare-results").dataframe(view, hide_index=True, height=_rows_height(len(view)))
    chart_table = comparison_chart_table(cmp)
    left, right = st.columns(2)  # side by side on a wide screen, stacked on a phone
    with left:
        ui.chart(roi_figure(chart_table), key="lib-compare-roi")
    with right:
        ui.chart(money_figure(chart_table), key="lib-compare-money")
    all_inputs = st.toggle("Show every input (differences stay highlighted)", key="lib-compare-all")
    inp = (cmp.inputs if all_inputs else cmp.differences).reset_index(drop=True)
    table = pd.DataFrame({"Input": inp["label"], **{n: inp[n].map(lambda v: "(none)" if v is None else str(v))
                                                    for n in cmp.names}})
    st.container(key="lib-compare-inputs").dataframe(_highlight(table, inp["differs"]), hide_index=True,
                                                     height=_rows_height(len(table)) if len(table) <= 40 else "auto")
    base = "backpain-roi_comparison_" + "_vs_".join(name_slug(n) or "Default" for n in cmp.names)[:120]
    row = st.container(horizontal=True, gap="small")
    row.download_button("Comparison (Excel)", data=lambda: comparison_xlsx(cached_comparison(items)),
                        file_name=f"{base}.xlsx", icon=":material/table_view:", key="lib-dl-xlsx", on_click="ignore",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    row.download_button("Comparison (PDF page)", data=lambda: _comparison_pdf(items), file_name=f"{base}.pdf",
                        icon=":material/picture_as_pdf:", key="lib-dl-pdf", on_click="ignore", mime="application/pdf")


def _transfer(lib: Any) -> None:
    st.header("Export and import")
    row = st.container(horizontal=True, gap="small")
    row.download_button("Export library (JSON)", data=lambda: export_bytes(lib, "json"),
                        file_name="backpain-roi-library.json", mime="application/json", key="lib-export-json",
                        icon=":material/download:", on_click="ignore")
    row.download_button("Export library (ZIP)", data=lambda: export_bytes(lib, "zip"),
                        file_name="backpain-roi-library.zip", mime="application/zip", key="lib-export-zip",
                        icon=":material/folder_zip:", on_click="ignore")
    st.file_uploader("Library file to import (.json or .zip, exported from this calculator)", type=["json", "zip"],
                     key="lib-import-file")
    opts = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with opts.container(width=380):
        st.radio("A name that is already in the library", ["error", "skip", "new_version"], key="lib-import-exists",
                 horizontal=True, format_func={"error": "stop", "skip": "keep mine", "new_version": "add as versions"}.get)
    opts.checkbox("Import the valid entries and skip the others", key="lib-import-skip",
                  help="Without this, a file with any problem is not imported at all, and every problem is listed.")
    opts.button("Import", icon=":material/upload_file:", key="lib-import", on_click=_import)


def render() -> None:
    ui.header("Library: your saved scenarios",
              "Name a scenario at the top of any page and press **Save to library**. Here you can find it again, "
              "load it, compare up to four side by side, see what newer evidence changes, and share the "
              "whole library as one file.")
    msg = st.session_state.pop(NOTICE_KEY, None)
    if msg:
        getattr(st, msg[0])(msg[1])
    stack = st.session_state.get(UNDO_KEY) or []
    if stack:
        st.button(f"Undo: restore “{stack[-1]['name']}”", icon=":material/undo:", key="lib-undo", on_click=_undo)
    try:
        lib = library_ui.get_library()
        recs = _filters(lib)
    except LibraryError as err:
        st.error(fmt.md(str(err)), icon=":material/cloud_off:")
        return
    st.caption(f"Library: {fmt.md(lib.where)} · {len(recs)} scenario(s) shown")
    if recs:
        st.container(key="lib-table").dataframe(_list_frame(recs), hide_index=True)
    else:
        st.info("No saved scenarios match. Name your scenario at the top of the page and press "
                "“Save to library”.", icon=":material/bookmarks:")
    names = [r.name for r in recs]
    if names:
        _one(lib, names)
        _compare(lib, names)
    _transfer(lib)
