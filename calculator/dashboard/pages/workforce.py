"""Your workforce: industry preset, census upload, validation report, segment results, own survey.

The uploaded file stays in this session's memory (``st.session_state``) and in Streamlit's in-memory
cache; it is never written to disk. Nothing from it reaches HTML: tables are ``st.dataframe``
(plain text cells), every message passes through ``fmt.md``, chart labels are escaped
(:mod:`calculator.charts_census`). All numbers come from :mod:`calculator.census` and
:mod:`calculator.presets`; no formula lives here.

"Use this workforce on every page" puts the census-equivalent scenario
(:func:`calculator.census.census_scenario`) into the shared state, so every other page (cost, ROI,
comparison, uncertainty, report) uses the census; "Stop using it" restores the values it replaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from calculator import Scenario, apply_sets, get_path, library
from calculator.assemble import assemble
from calculator.census import (
    DEFAULT_BY,
    FIELDS,
    Census,
    CensusError,
    CensusResult,
    SurveyResults,
    min_group_size,
)
from calculator.charts_census import segment_burden_figure, segment_burden_table
from calculator.presets import industries, preset
from calculator.scenario import parameter_id_for_path

from .. import census_state as cs
from .. import fmt, state, ui
from ..census_state import (
    ACTIVE_KEY,
    BY_KEY,
    DECIMAL_KEY,
    EXCLUDE_KEY,
    FILE_KEY,
    INDUSTRY_KEY,
    KIND_KEY,
    MESSAGE_KEY,
    UPLOAD_KEY,
    P,
    edited_since_census,
)
from ..fields import FIELDS as INPUT_FIELDS
from ..fields import label_for_path
from ..messages import plain

SAMPLE = Path(__file__).resolve().parents[3] / "assets" / "sample_census.csv"

KINDS = {"auto": "Detect automatically", "employee": "One row per employee",
         "aggregated": "One row per group, with a headcount column"}
DECIMALS = {"auto": "Decide from the values", "point": "Point: 1,234.56", "comma": "Comma: 1.234,56"}
DIM_WORDS = {"job_family": "Job family", "age_band": "Age band", "sex": "Sex", "industry": "Industry",
             "location": "Location"}
SEVERITY_WORDS = {"error": "Problem", "warning": "Note"}

# ---------------------------------------------------------------------------------------------
# Callbacks


def _uploader_key() -> str:
    return f"{UPLOAD_KEY}:{cs.ss().get(UPLOAD_KEY + ':gen', 0)}"


def _on_upload(key: str) -> None:
    f = cs.ss().get(key)
    if f is not None:
        cs.ss()[FILE_KEY] = (f.name, f.getvalue())
        cs.ss()[EXCLUDE_KEY] = False
        cs.ss().pop(BY_KEY, None)
        # a fresh uploader: Streamlit drops its own copy of the upload, so the server holds the
        # file once (in this session), not twice (memory, issue 10)
        cs.ss()[UPLOAD_KEY + ":gen"] = cs.ss().get(UPLOAD_KEY + ":gen", 0) + 1
        _drop_upload(f)


def _drop_upload(f: Any) -> None:
    """Remove Streamlit's own record of the upload: the page keeps the bytes, so removing the file
    releases them (Streamlit would keep its record until the session ends: memory, issue 10)."""
    try:
        from streamlit.runtime import get_instance
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is not None and getattr(f, "file_id", None):
            get_instance().uploaded_file_mgr.remove_file(ctx.session_id, f.file_id)
    except (RuntimeError, AttributeError, KeyError):  # no runtime (AppTest) or an older Streamlit
        pass


def _load_sample() -> None:
    cs.ss()[FILE_KEY] = ("sample_census.csv", SAMPLE.read_bytes())
    cs.ss()[EXCLUDE_KEY] = False
    cs.ss().pop(BY_KEY, None)


def _on_industry() -> None:
    pid = cs.industry()
    lib = library()

    def change(s: Scenario):
        prev = [p for p, v in cs.sources().items() if v["kind"] == "preset"]
        if prev:  # back to the library values first, so presets never stack
            s = apply_sets(s, [(p, lib.value(parameter_id_for_path(s, p))) for p in prev])
        got = assemble(s, industry=pid)
        return got.scenario, list(got.applied)

    cs.change_base(change, "preset", clear_kind=None)
    if not pid:
        for p in [p for p, v in cs.sources().items() if v["kind"] == "preset"]:
            cs.sources().pop(p)
    else:
        keep = {pv.path for pv in preset(pid).values.values()}
        for p in [p for p, v in cs.sources().items() if v["kind"] == "preset" and p not in keep]:
            cs.sources().pop(p)


def _use_survey() -> None:
    ss = cs.ss()

    def pct(key: str) -> float | None:
        v = ss.get(P + key)
        return None if v is None else float(v) / 100

    try:
        survey = SurveyResults(respondents=int(ss.get(P + "sv_n") or 0), presenteeism=pct("sv_pres"),
                               absenteeism=pct("sv_abs"), comparison_presenteeism=pct("sv_cpres"),
                               comparison_absenteeism=pct("sv_cabs"))
    except CensusError as exc:
        ss[MESSAGE_KEY] = ("error", str(exc))
        return
    def change(s: Scenario):
        got = assemble(s, survey=survey)
        return got.scenario, list(got.applied)

    cs.change_base(change, "survey")
    ss[MESSAGE_KEY] = ("success", f"Your survey results (n={survey.respondents}) now replace the published values.")


def _on_column(key: str, size: int, columns: list[str], i: int) -> None:
    # the callback gets the map's key and the file's size, never the bytes: Streamlit keeps a
    # widget's callback arguments, which would hold the file after it is removed (memory, issue 10)
    cmap = dict(cs.ss().get(key, {}))
    choice = cs.ss().get(P + f"col:{size}:{i}")
    cmap[columns[i]] = choice or "ignore"
    cs.ss()[key] = cmap


# ---------------------------------------------------------------------------------------------
# Sections


def _preset_section() -> None:
    st.header("Industry")
    options = [""] + [p.id for p in industries()]
    st.selectbox("Your industry", options, key=INDUSTRY_KEY, on_change=_on_industry,
                 format_func=lambda pid: preset(pid).label if pid else "Not chosen: national averages",
                 help="Fills the typical wage and, where the evidence supports it, a different prevalence "
                      "and absence for physically demanding work. Every value stays editable on the other pages.")
    rows = []
    scenario = state.current_scenario()
    for path, v in cs.sources().items():
        if v["kind"] != "preset":
            continue
        spec = INPUT_FIELDS.get(path)
        now = get_path(scenario, path)
        shown = spec.show(v["value"]) if spec else f"{v['value']:g}"
        rows.append({"Input": label_for_path(path), "Value from the preset": shown,
                     "How": v["source"], "Evidence": fmt.PROVENANCE_WORDS.get(v["provenance"], v["provenance"]),
                     "Source": fmt.citations(v["keys"]),
                     "Now": "as set by the preset" if abs(float(now) - float(v["value"])) < 1e-9
                     else "changed since (by you or your census)"})
    box = st.container()
    if rows:
        box.caption("These inputs now come from the preset (each still editable on the other pages):")
        box.dataframe(pd.DataFrame(rows), hide_index=True, key=P + "preset-table")


def _report_section(census: Census) -> None:
    st.header("Validation report")
    row = st.container(horizontal=True, gap="small")
    row.metric("Rows read", fmt.number(census.rows_read), border=True)
    row.metric("Rows with problems", fmt.number(census.rows_with_errors), border=True,
               help="These rows cannot be used as they are: fix the file, or leave them out below.")
    row.metric("Rows with notes only", fmt.number(census.rows_with_warnings), border=True,
               help="Used, with the interpretation stated in the note.")
    row.metric("Employees in usable rows", fmt.number(census.employees), border=True)
    cols = ", ".join(f"{fmt.md(FIELDS[f][0].split(' (')[0])} ← “{plain(c, 80)}”" for f, c in census.columns.items())
    unused = ", ".join(f"“{plain(c, 80)}”" for c in census.unused_columns)
    st.caption(f"Columns used: {cols}." + (f" Not used: {unused}." if unused else ""))
    for n in census.notes:
        st.caption(f"Note: {plain(n, 400)}.")
    if not census.issues.empty:
        iss = census.issues
        st.dataframe(pd.DataFrame({
            "Kind": iss["severity"].map(SEVERITY_WORDS), "Rows": iss["count"],
            "First rows": iss["rows"].map(lambda r: ", ".join(map(str, r[:5])) + (" …" if len(r) > 5 else "")),
            "Column": iss["column"], "Value": iss["value"], "What is wrong": iss["message"],
        }), hide_index=True, key=P + "issues")


def _mapping_section(name: str, data: bytes, census: Census) -> None:
    columns = list(census.file_columns)
    detected = {c: f for f, c in census.columns.items()}
    with st.expander("Column mapping", icon=":material/table_rows:", key=P + "mapping-exp",
                     expanded=not census.columns):
        st.caption("Which of your columns holds what. Columns are recognised from their names; change any "
                   "here. Only a headcount is required for files with one row per group.")
        grid = st.columns(3)
        options = [""] + list(FIELDS)
        for i, col in enumerate(columns):
            key = P + f"col:{len(data)}:{i}"
            if key not in cs.ss():
                cs.ss()[key] = detected.get(col, "")
            grid[i % 3].selectbox(fmt.md(col), options, key=key, on_change=_on_column,
                                  args=(cs.column_map_key(name, data), len(data), columns, i),
                                  format_func=lambda f: "not used" if not f else FIELDS[f][0])


def _results_section(res: CensusResult, active: bool) -> None:
    st.header("Results for your workforce")
    t = res.total
    ui.kpi_cards([
        ui.Kpi("Employees", fmt.number(t["employees"]), "Employees in the rows used.", key="census-employees"),
        ui.Kpi("Likely affected", fmt.number(t["affected"]),
               "Estimated from age, sex and job family; never about any individual.", key="census-affected"),
        ui.Kpi("Yearly cost", fmt.money(t["burden"]), "Absence, productivity at work and medical care.",
               key="census-burden"),
        ui.Kpi("Per employee per year", fmt.money(t["burden_per_employee"]), key="census-per-employee"),
        ui.Kpi("Program net benefit", fmt.money(t["net_benefit"]),
               "Savings minus cost of the program chosen on the ROI page, over its horizon.", key="census-net"),
    ], [])
    notes = st.container()
    for n in res.notes:
        notes.info(fmt.md(n[0].upper() + n[1:] + "."), icon=":material/info:")
    if active:
        edited = edited_since_census(state.current_scenario(), res.scenario)
        if edited:
            notes.warning(fmt.md(
                f"Since your census was applied you changed {', '.join(label_for_path(p) for p in edited)} on "
                "another page. The results here use the census's values; “Update the other pages” would "
                "replace your change with them."), icon=":material/edit_note:")
    table = res.table()
    if table.empty:
        st.caption("No segment table: every group would be smaller than the minimum group size.")
    else:
        view = pd.DataFrame({
            "Segment": table["segment"], "Employees": table["employees"], "Share": table["share"] * 100,
            "Prevalence": table["prevalence"] * 100, "Avg hourly wage": table["hourly_wage"],
            "Yearly cost": table["burden"], "Per employee": table["burden_per_employee"],
            "Program cost": table["program_cost"], "Savings": table["program_savings"],
            "Net benefit": table["net_benefit"], "ROI": table["roi"] * 100,
        })
        money = st.column_config.NumberColumn(format="dollar")
        pct = st.column_config.NumberColumn(format="%.1f%%")
        st.dataframe(view, hide_index=True, key=P + "segments", column_config={
            "Employees": st.column_config.NumberColumn(format="localized"), "Share": pct, "Prevalence": pct,
            "Avg hourly wage": st.column_config.NumberColumn(format="$%.2f"), "Yearly cost": money,
            "Per employee": money, "Program cost": money, "Savings": money, "Net benefit": money, "ROI": pct})
        st.caption(fmt.md(f"Every segment shown has at least {res.min_group_size} employees; smaller ones are "
                          "merged into “other”. Nothing is shown per person."))
        ui.chart(segment_burden_figure(segment_burden_table(res)), key=P + "chart")
    bar = st.container(horizontal=True, gap="small")
    if active:
        bar.button("Update the other pages", on_click=cs.use_census, key=P + "use", icon=":material/sync:",
                   help="Use these results (with the current options) on every page.")
        bar.button("Stop using my workforce", on_click=cs.stop_using, key=P + "stop", icon=":material/undo:")
    else:
        bar.button("Use this workforce on every page", on_click=cs.use_census, key=P + "use", type="primary",
                   icon=":material/groups:",
                   help="Every page then uses your headcount, wages, hours and the prevalence by age, sex "
                        "and job family. You can stop using it at any time.")


def _survey_section() -> None:
    with st.expander("Your own survey results (WPAI)", icon=":material/assignment:", key=P + "survey-exp"):
        st.caption("If you ran the Work Productivity and Activity Impairment questionnaire (or a similar "
                   "survey), enter its averages for respondents with chronic back pain. They replace the "
                   "published values; only the excess over people without back pain is costed.")
        c1, c2 = st.columns(2)
        c1.number_input("Impairment while working, with back pain (%)", 0.0, 100.0, None, 0.5, key=P + "sv_pres")
        c1.number_input("Work time missed, with back pain (%)", 0.0, 100.0, None, 0.5, key=P + "sv_abs")
        c1.number_input("Respondents with back pain", 0, 1_000_000, None, 1, key=P + "sv_n",
                        help=f"At least {min_group_size()}, for a reliable and anonymous average.")
        c2.number_input("Impairment while working, without back pain (%)", 0.0, 100.0, None, 0.5,
                        key=P + "sv_cpres", help="Leave blank to use the published comparison group "
                                                  "(21.5%, Montgomery et al. 2017).")
        c2.number_input("Work time missed, without back pain (%)", 0.0, 100.0, None, 0.5, key=P + "sv_cabs",
                        help="Leave blank to subtract nothing (this overstates the excess).")
        st.button("Use my survey results", on_click=_use_survey, key=P + "sv_use", icon=":material/check:")


def _sources_section() -> None:
    src = cs.sources()
    box = st.container()
    if not src:
        return
    rows = [{"Input": label_for_path(p), "Value": INPUT_FIELDS[p].show(v["value"]) if p in INPUT_FIELDS
             else f"{v['value']:,.4g}", "Comes from": v["source"], "How": v["note"]}
            for p, v in src.items() if v["kind"] in ("survey", "census")]
    if rows:
        box.header("Values from your data")
        box.dataframe(pd.DataFrame(rows), hide_index=True, key=P + "sources")


# ---------------------------------------------------------------------------------------------


def render() -> None:
    ui.header(
        "Your workforce",
        "Run the model on your own workforce: choose your industry, upload an employee census (or a table "
        "of groups with headcounts), and enter your own survey results. Your file is read in memory on the "
        "machine running this calculator; it is never saved or sent anywhere. Results are shown only for "
        f"groups of at least {min_group_size()} employees.",
    )
    messages = st.container()
    msg = cs.ss().get(MESSAGE_KEY)
    if msg:
        level, text = msg
        getattr(messages, level)(plain(text, 600))
        cs.ss()[MESSAGE_KEY] = None
    active = cs.ss().get(ACTIVE_KEY)
    status = st.container()
    if active:
        status.success(f"Every page now uses your workforce: {fmt.number(active['employees'])} employees "
                       f"from {plain(active['name'], 80)}.", icon=":material/groups:")

    _preset_section()

    st.header("Census")
    st.file_uploader("Census file: CSV, Excel (.xlsx) or Parquet", type=["csv", "txt", "xlsx", "parquet"],
                     key=_uploader_key(), on_change=_on_upload, args=(_uploader_key(),),
                     help="One row per employee, or one row per group with a headcount. Useful columns: job "
                          "family, age or age band, sex, hourly wage or annual salary, weekly hours or FTE, "
                          "location. Only the headcount is required; anything missing takes the defaults.")
    bar = st.container(horizontal=True, gap="small")
    bar.button("Try the sample census", on_click=_load_sample, key=P + "sample", icon=":material/science:",
               help="A fictional employer with 1,200 employees (assets/sample_census.csv).")
    bar.button("Remove the file", on_click=cs.forget_file, key=P + "forget", icon=":material/delete:")
    st.radio("Rows in the file", list(KINDS), format_func=KINDS.get, key=KIND_KEY, horizontal=True)
    st.radio("Decimal mark", list(DECIMALS), format_func=DECIMALS.get, key=DECIMAL_KEY, horizontal=True,
             help="Decided per column from all its values ($48,500.00 shows that commas group thousands). "
                  "Choose only when the page asks: a column such as 75,250 alone could be either.")

    _census_section(bool(active))


def _census_section(active: bool) -> None:
    """The uploaded census: mapping, validation report, options and results (or why not)."""
    f = cs.current_file()
    body = st.container()
    if f is None:
        body.info("Upload a census, or try the sample census, to see results for your own workforce.")
        _survey_section()
        _sources_section()
        return
    name, data = f
    body.caption(f"File: {plain(name, 80)} ({len(data) / 1024:,.0f} kB, in memory only).")
    try:
        census = cs.read_current(name, data)
    except CensusError as exc:
        body.error(f"{plain(name, 80)} could not be read as a census: {plain(exc, 600)}. Nothing was changed.",
                   icon=":material/error:")
        _survey_section()
        _sources_section()
        return
    with body:
        _mapping_section(name, data, census)
        _report_section(census)
        if census.rows_with_errors:
            st.checkbox(f"Leave out the {fmt.number(census.rows_with_errors)} rows with problems "
                        f"({fmt.number(census.employees_with_errors)} employees). The number left out is shown "
                        "with the results.", key=EXCLUDE_KEY)
        dims = census.fields()
        if BY_KEY not in cs.ss() or cs.ss().get(P + "dims") != dims:  # a new file or a new mapping
            cs.ss()[BY_KEY] = [d for d in DEFAULT_BY if d in dims]
            cs.ss()[P + "dims"] = dims
        st.multiselect("Show results by", dims, format_func=DIM_WORDS.get, key=BY_KEY)
        if census.rows_with_errors and not cs.ss().get(EXCLUDE_KEY):
            st.warning("Fix the rows listed above and upload the file again, or tick the box to leave them "
                       "out. Nothing is left out without your say-so.", icon=":material/warning:")
        else:
            try:
                res = cs.current_result(cs.base_scenario())
            except CensusError as exc:
                st.error(plain(exc, 600), icon=":material/error:")
            else:
                _results_section(res, bool(active))
    _survey_section()
    _sources_section()
