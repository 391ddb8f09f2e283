"""The Health plan page, driven headless with AppTest: its numbers are the calculator's; claims apply."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from calculator import Scenario, apply_sets
from calculator.budget import budget_impact
from calculator.cea import cost_effectiveness
from calculator.claims import apply_claims, read_claims
from calculator.dashboard import fmt, state

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_claims.csv"


def _page_app() -> None:
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default="health-plan"), position="top"))


def _open() -> AppTest:
    return AppTest.from_function(_page_app, default_timeout=120).run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_kpis_are_the_calculators():
    at = _open()
    assert not at.exception
    m = _metrics(at)
    b, ce = budget_impact(Scenario()), cost_effectiveness(Scenario())
    assert m["Budget impact PMPM"] == fmt.money(b.pmpm, cents=True)
    assert m["Net budget impact"] == fmt.money(b.net)
    assert m["QALYs gained"] == fmt.number(ce.qalys_gained, 2)
    assert m[fmt.md("NMB at $50k per QALY")] == fmt.money(ce.nmb["50000"])


def test_fee_basis_change_recomputes():
    at = _open()
    at.selectbox(key=state.widget_key("plan.fee_basis")).set_value("pmpm").run()
    # a blank fee on a PMPM basis costs the same in year 1 as paying per visit
    s0 = apply_sets(Scenario(), [("plan.fee_basis", "pmpm")])
    assert _metrics(at)["Budget impact PMPM"] == fmt.money(budget_impact(s0).pmpm, cents=True)
    at.number_input(key=state.widget_key("plan.fee_amount")).set_value(3.0).run()
    s = apply_sets(Scenario(), [("plan.fee_basis", "pmpm"), ("plan.fee_amount", "3")])
    assert _metrics(at)["Budget impact PMPM"] == fmt.money(budget_impact(s).pmpm, cents=True)


def test_sample_claims_apply_and_are_marked():
    at = _open()
    at.button(key="bp_claims_sample").click().run()
    at.button(key="bp_claims_use").click().run()
    assert not at.exception
    s, _ = apply_claims(Scenario(), read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    assert _metrics(at)["Budget impact PMPM"] == fmt.money(budget_impact(s).pmpm, cents=True)
    assert any("from your claims" in i.value.lower() for i in at.info)
    assert any("from your claims" in c.value.lower() for c in at.caption)
    # the claims in use: no second "Use these claims", a caption says so; stopping brings the button back
    assert not [b for b in at.button if b.key == "bp_claims_use"]
    assert any("is in use on every page" in c.value and "claims" in c.value for c in at.caption)
    at.button(key="bp_claims_stop").click().run()
    assert [b for b in at.button if b.key == "bp_claims_use"]


def test_share_link_keeps_the_uptake_curve_and_the_claims_marks():
    s, _ = apply_claims(Scenario(), read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    s = apply_sets(s, [("plan.uptake_by_year", "0.1,0.2,0.25")])
    q = state.query_from_scenario(s)
    assert q["plan.uptake_by_year"] == "[0.1, 0.2, 0.25]"
    back, notices = state.scenario_from_query(q)
    assert back == s and notices == [("success", "Scenario restored from the link.")]


def test_inputs_set_by_claims_say_so_on_every_page():
    from calculator.dashboard import plan_fields
    from calculator.dashboard.fields import default_caption
    plan_fields.register()
    s, changes = apply_claims(Scenario(), read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    origins = {r.path: {"kind": "claims", "value": r.after} for r in changes.itertuples()}
    assert default_caption(s, "condition.prevalence", origins).startswith("From your claims")
    assert default_caption(s, "condition.plan_paid_share", origins).startswith("From your claims")


def _notes(at: AppTest) -> str:
    return " ".join(str(getattr(e, "value", "")) for e in at.main.children.values()) + " ".join(
        c.value for c in at.caption) + " ".join(m.value for m in at.markdown)


def test_cost_per_qaly_interval_or_why_none():
    """Relaxation massage gains QALYs in every simulation: the card shows the ratio's 90% interval.
    Group CBT has draws without a gain: no ratio interval, the page says why and gives the NMB interval."""
    from calculator.cea import cea_psa
    from calculator.dashboard.pages.health_plan import DRAWS
    from calculator.fmt import per_qaly_interval
    from calculator.uncertainty import DEFAULT_SEED
    at = _open()
    row = cea_psa(Scenario(), DRAWS, DEFAULT_SEED).table.set_index("therapy")
    r = row.loc["relaxation_massage"]
    text = _notes(at)
    assert "every simulation gains QALYs" in text
    assert f"90%: {per_qaly_interval(r['p5_cost_per_qaly'], r['p95_cost_per_qaly'])}" in " ".join(
        str(e.proto) for e in at.get("metric"))
    at.selectbox(key=state.widget_key("programs.0.therapy")).set_value("cbt").run()
    assert not at.exception
    c = row.loc["cbt"]
    assert c["cost_per_qaly_interval_note"].startswith("no ratio interval")
    text = _notes(at)
    assert "no ratio interval: the QALY gain is zero or negative in" in text
    assert fmt.md(fmt.interval(c["p5_nmb_100000"], c["p95_nmb_100000"], "money")) in text
    assert "90%: no ratio interval (see NMB)" in " ".join(str(e.proto) for e in at.get("metric"))


def test_claims_values_say_from_your_claims_on_the_assumptions_page_and_field_captions():
    """After "Use these claims" the session's origins mark the values; the Assumptions table and the
    field captions word them "Your claims" / "From your claims", never the library's sources."""
    from calculator.dashboard.fields import ORIGINS_KEY, default_caption
    from calculator.dashboard.pages.assumptions import parameter_table
    from calculator.model import input_table
    at = _open()
    at.button(key="bp_claims_sample").click().run()
    at.button(key="bp_claims_use").click().run()
    s, origins = at.session_state[state.SCENARIO_KEY], at.session_state[ORIGINS_KEY]
    t = parameter_table(input_table(s, 0), origins).set_index("Comes from")
    mine = t.loc[["Your claims"]]
    assert len(mine) == 3  # prevalence, medical cost per person, paid-to-allowed (members are plan inputs)
    assert set(mine["Status"]) == {"your own data"} and set(mine["Sources"]) == {"your own data"}
    # hand-computed from assets/sample_claims.csv: 780 / 9,025 members; $1,183,900 allowed / 780; paid / allowed
    assert mine["Value"].tolist() == ["8.64%", "$1,518", "80.0%"]
    assert default_caption(s, "condition.plan_paid_share", origins).startswith("From your claims")
    # Plan inputs on this page show the same caption under the field
    assert any(c.value.startswith("From your claims") for c in at.caption)
