"""Health plan: budget impact by plan year (PMPM), cost per QALY, NMB, CEAC, and your own claims."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from calculator import charts_plan
from calculator.budget import FEE_BASIS_LABELS, BudgetImpact, budget_impact, budget_interval
from calculator.cea import CEAResult, CostEffectiveness, cea_psa, cost_effectiveness
from calculator.claims import ClaimsError, ClaimsSummary, apply_claims
from calculator.claims_fhir import read_any_claims
from calculator.fmt import per_qaly_interval
from calculator.scenario import from_json
from calculator.uncertainty import DEFAULT_SEED

from .. import fmt, plan_fields, state, ui
from ..fields import FIELDS, ORIGINS_KEY, label_for_path
from ..inputs import field, fields

plan_fields.register()

SAMPLE = Path(__file__).resolve().parents[3] / "assets" / "sample_claims.csv"
P = "bp_claims_"
FILE_KEY = P + "file"  # (name, bytes): the extract, in memory only
IN_USE_KEY = P + "in_use"  # (name, bytes) of the extract whose values every page uses
UPLOAD_KEY = P + "upload"
MESSAGE_KEY = P + "message"
UPTAKE_KEY = P + "uptake_text"
#: Draws behind the intervals on this page (fixed seed: reruns give the same numbers).
DRAWS = 1000
MARK = " (from your claims)"


@st.cache_data(max_entries=64, show_spinner=False)
def cached_budget(scenario_json: str) -> BudgetImpact:
    return budget_impact(from_json(scenario_json))


@st.cache_data(max_entries=16, show_spinner="Simulating the budget impact ...")
def cached_budget_interval(scenario_json: str, draws: int, seed: int) -> pd.DataFrame:
    return budget_interval(from_json(scenario_json), draws, seed)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_ce(scenario_json: str) -> CostEffectiveness:
    return cost_effectiveness(from_json(scenario_json))


@st.cache_data(max_entries=8, show_spinner="Simulating every therapy's QALYs ...")
def cached_cea_psa(scenario_json: str, draws: int, seed: int) -> CEAResult:
    return cea_psa(from_json(scenario_json), draws, seed)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_claims(name: str, data: bytes) -> ClaimsSummary:
    return read_any_claims(data, name)


def _ss() -> Any:
    return st.session_state


def _marked(path: str, text: str) -> str:
    return text + MARK if path in state.current_scenario().plan.from_claims else text


# ---------------------------------------------------------------------------------------------
# Claims


def _on_upload() -> None:
    f = _ss().get(UPLOAD_KEY)
    if f is not None:
        _ss()[FILE_KEY] = (f.name, f.getvalue())


def _load_sample() -> None:
    _ss()[FILE_KEY] = ("sample_claims.csv", SAMPLE.read_bytes())


def _use_claims() -> None:
    name, data = _ss()[FILE_KEY]
    try:
        new, changes = apply_claims(state.current_scenario(), cached_claims(name, data))
    except ClaimsError as exc:
        _ss()[MESSAGE_KEY] = ("error", str(exc))
        return
    state.set_scenario(new)
    _ss()[IN_USE_KEY] = (name, data)
    origins = _ss().setdefault(ORIGINS_KEY, {})
    for r in changes.itertuples():
        origins[r.path] = {"kind": "claims", "value": r.after, "source": f"your claims ({new.plan.claims_file})",
                           "provenance": "YOUR DATA", "keys": [], "note": "Set from your aggregate claims extract."}
    _ss()[MESSAGE_KEY] = ("success", f"Every page now uses your claims from {new.plan.claims_file}.")


def _stop_claims() -> None:
    s = state.current_scenario()
    if not s.plan.from_claims:
        return
    from calculator import Scenario, apply_sets, get_path
    base = Scenario()
    sets = [(p, get_path(base, p)) for p in s.plan.from_claims]
    new = apply_sets(s, sets)
    state.set_scenario(new.model_copy(update={"plan": new.plan.model_copy(update={"from_claims": [],
                                                                                   "claims_file": None})}))
    _ss().pop(IN_USE_KEY, None)
    origins = _ss().setdefault(ORIGINS_KEY, {})
    for p in [p for p, v in origins.items() if v.get("kind") == "claims"]:
        origins.pop(p)


def _claims_section() -> None:
    st.header("Your claims")
    st.markdown("Start from your own plan's experience: upload an **aggregate** claims extract (one row per "
                "group and period; the template is `assets/claims_template.csv`). It sets the prevalence, the "
                "LBP-linked medical cost per member with back pain, the members and the paid-to-allowed ratio, "
                "each marked *from your claims*. The file is read in memory and never saved. Cells of 1 to 10 "
                "members or visits, or cells derivable from others, are refused (CMS cell-size policy).")
    st.file_uploader("Claims extract: CSV, Excel (.xlsx) or Parquet; or a FHIR R4 EOB bundle (.json)",
                     type=["csv", "txt", "xlsx", "parquet", "json"],
                     key=UPLOAD_KEY, on_change=_on_upload)
    bar = st.container(horizontal=True, gap="small")
    bar.button("Try the sample extract", on_click=_load_sample, key=P + "sample", icon=":material/science:")
    s = state.current_scenario()
    if s.plan.from_claims:
        bar.button("Stop using my claims", on_click=_stop_claims, key=P + "stop", icon=":material/undo:")
    f = _ss().get(FILE_KEY)
    if f is None:
        return
    name, data = f
    try:
        summary = cached_claims(name, data)
    except ClaimsError as exc:
        st.error(fmt.md(f"{name} was refused, nothing was changed: {exc}"), icon=":material/block:")
        return
    st.caption(fmt.md(f"File: {name} ({len(data) / 1024:,.0f} kB, in memory only); {summary.rows} rows, "
                      f"code sets {', '.join(summary.code_set_versions)}."))
    view = pd.DataFrame([{"From your claims": FIELDS[p].show(v) if p in FIELDS else str(v), "Input": label_for_path(p),
                          "Scenario path": p} for p, v in summary.scenario_sets()])
    st.container(key=P + "sets").dataframe(view, hide_index=True, width="content")
    for w in summary.warnings:
        st.warning(fmt.md(w), icon=":material/warning:")
    if s.plan.from_claims and _ss().get(IN_USE_KEY) == f:
        st.caption(fmt.md(f"{name} is in use on every page; *Stop using my claims* goes back to the defaults."))
    else:
        st.button("Use these claims", on_click=_use_claims, key=P + "use", type="primary", icon=":material/check:")


# ---------------------------------------------------------------------------------------------
# Budget impact


def _uptake_input() -> None:
    s = state.current_scenario()
    now = s.plan.uptake_by_year
    if UPTAKE_KEY not in _ss():
        _ss()[UPTAKE_KEY] = ", ".join(f"{v * 100:g}" for v in now) if now else ""
    st.text_input("Uptake by plan year (% of members with chronic LBP; e.g. 10, 20, 25; blank = the program's "
                  "uptake every year)", key=UPTAKE_KEY, on_change=_on_uptake)


def _on_uptake() -> None:
    text = str(_ss().get(UPTAKE_KEY) or "").strip()
    try:
        value = None if not text else ",".join(str(float(x) / 100) for x in text.replace(";", ",").split(",")
                                                 if x.strip())
    except ValueError:
        _ss()[MESSAGE_KEY] = ("error", f"Uptake by plan year: give percentages separated by commas, got {text!r}")
        return
    msgs = state.update([("plan.uptake_by_year", value)])
    if msgs:
        _ss()[MESSAGE_KEY] = ("error", "; ".join(msgs))


def _budget_section(b: BudgetImpact, iv: pd.DataFrame) -> None:
    whole = iv.set_index("year").loc[0]
    st.header(f"Budget impact over {b.horizon_years} plan year{'s' if b.horizon_years > 1 else ''}")
    st.caption(fmt.md(f"From the plan's view (ISPOR good practice): program fees minus plan-paid medical offsets, "
                      f"undiscounted; positive = the plan spends more. Fee: {FEE_BASIS_LABELS[b.fee_basis]} "
                      f"{fmt.money(b.fee_amount, cents=True)}. Paid-to-allowed "
                      f"{_marked('condition.plan_paid_share', fmt.pct(b.paid_to_allowed))}; "
                      f"{_marked('plan.members', fmt.number(b.members) + ' members')}. Intervals: 90% of "
                      f"{fmt.number(whole['draws'])} simulations (seed {int(whole['seed'])})."))
    ui.kpi_cards([
        ui.Kpi("Budget impact PMPM", f"{fmt.money(b.pmpm, cents=True)}",
               "Net budget impact per member per month over the horizon.", key="pmpm",
               note=f"90%: {fmt.money(whole['pmpm_p5'], cents=True)} to {fmt.money(whole['pmpm_p95'], cents=True)}"),
        ui.Kpi("Net budget impact", fmt.money(b.net), "Fees minus refunds minus plan-paid offsets, all years.",
               key="net-budget", note=f"P(plan saves) {fmt.pct(whole['p_saves'], 0)}"),
        ui.Kpi("Share of plan spend", fmt.pct(b.share_of_plan_spend, 3),
               "Net budget impact as a share of total plan spend over the horizon.", key="share"),
        ui.Kpi("Per employee per month", fmt.money(b.pepm, cents=True), "Net budget impact PEPM.", key="pepm"),
    ], [])
    t = charts_plan.budget_years_table(b)
    ivy = iv[iv["year"] > 0].reset_index(drop=True)
    view = pd.DataFrame({
        "Plan year": t["year"], "PMPM": t["pmpm"].map(lambda v: fmt.money(v, cents=True)),
        "PMPM 90% interval": [f"{fmt.money(a, cents=True)} to {fmt.money(c, cents=True)}"
                              for a, c in zip(ivy["pmpm_p5"], ivy["pmpm_p95"], strict=True)],
        "Net": t["net"].map(fmt.money), "Program fees": t["gross_cost"].map(fmt.money),
        "Refunds": b.years["refund"].map(fmt.money), "Medical offsets": b.years["offsets"].map(fmt.money),
        "People starting": b.years["starters"].map(lambda v: fmt.number(v)),
        "PEPM": t["pepm"].map(lambda v: fmt.money(v, cents=True)),
        "% of plan spend": t["share_of_plan_spend"].map(lambda v: fmt.pct(v, 3)),
    })
    st.container(key="tbl-budget-years").dataframe(view, hide_index=True, width="stretch")
    ui.chart(charts_plan.budget_figure(t), key="chart-budget")


# ---------------------------------------------------------------------------------------------
# Cost-effectiveness


def _ratio_caption(row: Any, w_mid: float) -> str:
    """Why the cost per QALY has (or has no) interval, in one line under the cards."""
    if row["cost_per_qaly_interval_note"]:
        return (f"Cost per QALY: {row['cost_per_qaly_interval_note']} (NMB 90% interval at ${w_mid / 1000:,.0f}k: "
                f"{fmt.interval(row[f'p5_nmb_{int(w_mid)}'], row[f'p95_nmb_{int(w_mid)}'], 'money')}).")
    return ("Cost per QALY 90% interval: 5th to 95th percentile of the simulations' ratios; every simulation "
            "gains QALYs, so a lower ratio is always better (\"dominant\" = less cost and more QALYs). NMB "
            "intervals: the same simulations at each willingness to pay.")


def _ce_section(ce: CostEffectiveness, psa: CEAResult) -> None:
    st.header("Value: cost per QALY")
    row = psa.table.set_index("therapy").loc[ce.therapy]
    w_mid = ce.wtp[1]
    ratio = fmt.money(ce.cost_per_qaly) if ce.cost_per_qaly is not None else {
        "dominant": "Dominant", "dominated": "Dominated", "no_difference": "No difference"}.get(ce.dominance, "n/a")
    st.caption(fmt.md(f"{ce.therapy_label} against no cover, over {ce.horizon_months} months; QALYs from the time "
                      f"spent in each pain-impact state (SF-6D weights, Herman 2019 Table 1), discounted like costs "
                      f"at {fmt.pct(ce.discount_rate)}/yr. Health plan's view; intervals from {fmt.number(psa.draws)} "
                      f"simulations (seed {psa.seed})."))
    ui.kpi_cards([
        ui.Kpi("QALYs gained", fmt.number(ce.qalys_gained, 2), "Quality-adjusted life years the program adds.",
               key="qalys", note=f"90%: {fmt.number(row['p5_qalys'], 2)} to {fmt.number(row['p95_qalys'], 2)}"),
        ui.Kpi("QALY gain per participant", fmt.number(ce.qaly_gain_per_participant, 4),
               "QALYs gained divided by the people who start the program.", key="qaly-pp"),
        ui.Kpi("Cost per QALY", ratio,
               "Incremental cost / incremental QALYs. Dominant: more QALYs for less money; dominated: no more "
               "QALYs for more money. The 90% interval is given only when every simulation gains QALYs; "
               "otherwise read the NMB intervals and the acceptability curve.", key="icer",
               note=(f"90%: {per_qaly_interval(row['p5_cost_per_qaly'], row['p95_cost_per_qaly'])}"
                     if not row["cost_per_qaly_interval_note"] else "90%: no ratio interval (see NMB)")),
        *[ui.Kpi(f"NMB at ${w / 1000:,.0f}k per QALY", fmt.money(ce.nmb[str(int(w))]),
                 "Net monetary benefit: willingness to pay x QALYs gained minus incremental cost. Positive = "
                 "cost-effective at that price per QALY. Threshold price: the price per session at which it is 0.",
                 key=f"nmb-{int(w)}", note=f"90%: {fmt.interval(row[f'p5_nmb_{int(w)}'], row[f'p95_nmb_{int(w)}'], 'money')}")
          for w in ce.wtp],
    ], [])
    st.container(key="icer-interval-note").caption(fmt.md(_ratio_caption(row, w_mid)))
    t = ce.table
    view = pd.DataFrame({
        "View": t["perspective"].map({"health_plan": "Health plan", "societal": "Societal"}),
        "Incremental cost": t["incremental_cost"].map(fmt.money),
        "QALYs gained": t["qalys_gained"].map(lambda v: fmt.number(v, 3)),
        "Cost per QALY": [fmt.money(v) if pd.notna(v) else d for v, d in zip(t["cost_per_qaly"], t["dominance"],
                                                                               strict=True)],
        **{f"NMB at ${w / 1000:,.0f}k": t[f"nmb_{int(w)}"].map(fmt.money) for w in ce.wtp},
        **{f"Threshold price at ${w / 1000:,.0f}k": t[f"threshold_price_{int(w)}"].map(
            lambda v: fmt.money(v, cents=True) if pd.notna(v) else "none") for w in ce.wtp},
    })
    st.container(key="tbl-cea").dataframe(view, hide_index=True, width="stretch")
    st.caption(fmt.md(f"Burden: chronic low back pain costs this workforce about {fmt.number(ce.qaly_burden, 1)} "
                      "QALYs a year against living without it."))
    st.header("Acceptability curves: every therapy")
    ui.chart(charts_plan.ceac_figure(charts_plan.ceac_table(psa.ceac), psa.wtp), key="chart-ceac")
    tt = psa.table
    ceac_view = pd.DataFrame({"Therapy": tt["label"], "Mean QALYs": tt["mean_qalys"].map(lambda v: fmt.number(v, 2)),
                              "Mean cost": tt["mean_cost"].map(fmt.money),
                              "Cost per QALY 90% interval": [
                                  per_qaly_interval(a, b, n)
                                  for a, b, n in zip(tt["p5_cost_per_qaly"], tt["p95_cost_per_qaly"],
                                                     tt["cost_per_qaly_interval_note"], strict=True)],
                              **{f"P(CE) at ${w / 1000:,.0f}k": tt[f"p_cost_effective_{int(w)}"].map(
                                  lambda v: fmt.pct(v, 0)) for w in psa.wtp}})
    st.container(key="tbl-ceac").dataframe(ceac_view, hide_index=True, width="stretch")


def _downloads_section() -> None:
    """The PDF (its health-plan page: PMPM by year and cost per QALY with intervals) and the workbook
    (live PMPM and QALY formulas, the simulated intervals beside them), built the Report page's way."""
    from calculator.export import MEDIA_TYPES
    from calculator.scenario_library import name_slug

    from ..census_state import active_census
    from .report import file_bytes, own_origins
    st.header("Download")
    s, sj = state.current_scenario(), state.scenario_json()
    census_key, census = active_census() or (None, None)
    own = own_origins()
    slug = name_slug(s.name)
    stem = f"{slug + '_' if slug else ''}backpain-roi_{s.programs[0].therapy}_{s.analysis.horizon_months}m"
    row = st.container(horizontal=True, gap="small", key=P + "downloads")
    for fmt_, label, icon in (("pdf", "Report with the health-plan page (PDF)", ":material/picture_as_pdf:"),
                              ("xlsx", "Workbook: PMPM and QALY formulas (Excel)", ":material/table_view:")):
        row.download_button(label, data=lambda f=fmt_: file_bytes(sj, 0, DEFAULT_SEED, f, "results", census_key,
                                                                   census, own),
                            file_name=f"{stem}.{fmt_}", mime=MEDIA_TYPES[fmt_], key=P + f"download-{fmt_}",
                            icon=icon, on_click="ignore")
    st.caption("Both carry the numbers on this page; values from your claims and survey are marked so in their "
               "assumption tables. More formats and simulation settings: the Report page.")


def render() -> None:
    ui.header(
        "Health plan view",
        "Budget impact per member per month, plan year by plan year, and value as cost per QALY, for "
        "actuaries and benefits analysts. Start from national defaults, or from your own claims below.",
    )
    msg = _ss().get(MESSAGE_KEY)
    if msg:
        getattr(st, msg[0])(fmt.md(msg[1]))
        _ss()[MESSAGE_KEY] = None
    s = state.current_scenario()
    if s.plan.from_claims:
        st.info(fmt.md(f"Using your claims ({s.plan.claims_file}). From your claims: "
                       + "; ".join(label_for_path(p) for p in s.plan.from_claims) + "."), icon=":material/fact_check:")
    top = st.container(horizontal=True, gap="medium", vertical_alignment="top")
    with top.container(width=300):
        field("programs.0.therapy", caption=False)
    with top.container(width=300):
        field("plan.fee_basis", caption=False)
    with top.container(width=220):
        field("plan.fee_amount")
    with top.container(width=200):
        field("plan.horizon_years")
    ui.stale_banner()
    js = state.scenario_json()
    _budget_section(cached_budget(js), cached_budget_interval(js, DRAWS, DEFAULT_SEED))
    _ce_section(cached_ce(js), cached_cea_psa(js, DRAWS, DEFAULT_SEED))
    with st.expander("Plan inputs", key="exp-plan-inputs", icon=":material/tune:"):
        fields(["plan.members", "plan.members_per_employee", "plan.member_months", "condition.plan_paid_share",
                "plan.medical_trend", "plan.total_plan_spend", "plan.engaged_months", "plan.fees_at_risk",
                "plan.guarantee_ratio", "programs.0.uptake"], columns=2)
        _uptake_input()
    _downloads_section()
    _claims_section()
