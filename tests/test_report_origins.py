"""Issue 11: values set by the user's claims and survey are marked "from your claims" / "from your
survey" in every report the CLI writes, read back from the files (pdftotext, openpyxl, python-docx,
python-pptx, JSON); and the health-plan intervals (PMPM by plan year, cost per QALY or why none,
NMB) are the same in the PDF and the workbook as in the calculator.

Hand-computed values of ``assets/sample_claims.csv`` (two groups, 12 months):
members = 108,300 member months / 12 = 9,025; prevalence = 780 with an LBP claim / 9,025 = 8.6427%;
survey ``presenteeism=31%,absenteeism=4%`` with the library's comparison group (WPAI presenteeism
21.5% without LBP, Montgomery 2017; absenteeism 0%): presenteeism 31% - 21.5% = 9.5% of hours,
absence 4% x 2,080 h / 8 h = 10.4 days.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from calculator import Scenario, fmt, to_json
from calculator.budget import budget_interval
from calculator.cea import cea_psa, cost_per_qaly_interval
from calculator.claims import apply_claims, read_claims
from calculator.cli import main
from calculator.export import build_report, export
from calculator.export.report import origins_from_applied, own_data_lines
from calculator.presets import AppliedValue
from calculator.uncertainty import DEFAULT_SEED

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_claims.csv"
SURVEY = "presenteeism=31%,absenteeism=4%,respondents=85"
PREVALENCE = 780 / 9025  # hand-computed above
OWN = {"condition.prevalence": "claims", "condition.medical_excess_cost": "claims",
       "condition.plan_paid_share": "claims", "condition.absence_days": "survey", "condition.presenteeism": "survey"}


def _report(tmp_path: Path, ext: str, *extra: str) -> Path:
    out = tmp_path / f"r.{ext}"
    argv = ["report", "--claims", str(SAMPLE), "--survey", SURVEY, "--out", str(out), "--draws", "200", *extra]
    assert main(argv + (["--no-charts"] if ext == "pdf" else [])) == 0
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("origins")
    return {ext: _report(tmp, ext) for ext in ("pdf", "xlsx", "docx", "pptx", "json")}


def test_origins_from_applied_keeps_own_data_only():
    applied = [AppliedValue("condition.presenteeism", 0.095, "your survey (n=85)", (), "DERIVED", ""),
               AppliedValue("condition.prevalence", PREVALENCE, "from your claims", (), "YOUR DATA", ""),
               AppliedValue("workforce.hourly_wage", 30.0, "preset: Health care", (), "VERIFIED", ""),
               AppliedValue("condition.absence_days", 9.0, "your census (412 rows)", (), "DERIVED", "")]
    assert origins_from_applied(applied) == {"condition.presenteeism": "survey", "condition.prevalence": "claims",
                                             "condition.absence_days": "census"}


def test_workbook_inputs_sheet_marks_claims_and_survey(files):
    ws = openpyxl.load_workbook(files["xlsx"])["Inputs"]
    rows = {r[11]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[11]}
    for path, kind in OWN.items():
        r = rows[path.replace(".", "_")]
        assert r[9] == f"FROM YOUR {kind.upper()}" and r[10] == f"your {kind}", path
        assert r[1].endswith(f"(from your {kind})"), r[1]
    assert math.isclose(rows["condition_prevalence"][2], round(PREVALENCE, 6), rel_tol=1e-9)
    assert math.isclose(rows["condition_presenteeism"][2], 0.31 - 0.215, rel_tol=1e-9)
    assert math.isclose(rows["condition_absence_days"][2], 0.04 * 2080 / 8, rel_tol=1e-9)
    # a library value stays the library's
    assert rows["workforce_turnover"][9] != "FROM YOUR CLAIMS" and "from your" not in rows["workforce_turnover"][1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_pdf_assumptions_table_marks_claims_and_survey(files):
    text = subprocess.run(["pdftotext", "-layout", str(files["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "low back pain (from your claims)" in flat
    assert "per year at the default impact mix (from your survey)" in flat
    assert "of hours worked) (from your survey)" in flat
    assert "employee pays the rest) (from your claims)" in flat
    row = next(line for line in text.splitlines() if line.startswith("Share of employees with chronic"))
    assert "8.6%" in row and "your claims" in row
    row = next(line for line in text.splitlines() if line.startswith("Attributable absence days"))
    assert "10.4" in row and "your survey" in row
    assert "(changed)" not in flat.split("Share of employees with chronic")[1][:120]


def test_docx_lists_the_values_from_your_own_data(files):
    import docx
    paras = [p.text for p in docx.Document(str(files["docx"])).paragraphs]
    i = paras.index("From your own data")
    own = paras[i + 1:i + 8]
    assert "Share of employees with chronic (frequent and severe) low back pain: 8.6% (from your claims)" in own
    assert any(p.startswith("Attributable absence days") and p.endswith(": 10.4 (from your survey)") for p in own)
    assert any(p.startswith("Attributable presenteeism") and p.endswith(": 9.5% (from your survey)") for p in own)
    assert "Plan members: 9,025 (from your claims)" in own


def test_deck_says_which_values_are_your_own(files):
    from pptx import Presentation
    prs = Presentation(str(files["pptx"]))
    slide = prs.slides[1]
    text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert ("Your own data: prevalence from your claims; absence days from your survey; presenteeism from your "
            "survey; medical cost per person from your claims; paid-to-allowed from your claims.") in text
    assert "Plan members: 9,025 (from your claims)" in slide.notes_slide.notes_text_frame.text


def test_deck_slide_renders_the_own_data_line(files):
    """LibreOffice draws slide 2 with the own-data line inside the slide (pages saved under
    test-artifacts/origins/ for a person to look at)."""
    from tests.office import ARTIFACTS, SOFFICE, pages_png, to_pdf
    if SOFFICE is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice or poppler missing: scripts/test.sh installs them")
    pdf = to_pdf(files["pptx"].read_bytes(), "pptx", ARTIFACTS / "origins", "deck-claims-survey")
    pngs = pages_png(pdf, "deck-claims-survey")
    assert len(pngs) >= 6
    words = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    flat = " ".join(words.split())
    assert "Your own data: prevalence from your claims; absence days from your survey;" in flat
    # the line ends before the grey "How it is built" note, which still ends on the slide
    assert flat.index("paid-to-allowed from your claims.") < flat.index("How it is built") < flat.index("(slide 6)")


def test_json_inputs_provenance(files):
    doc = json.loads(files["json"].read_text())
    prov = {r["path"]: r["provenance"] for r in doc["inputs"]}
    assert {p: prov[p] for p in OWN} == {p: f"FROM YOUR {k.upper()}" for p, k in OWN.items()}


def test_set_wins_and_is_not_marked(tmp_path):
    out = _report(tmp_path, "xlsx", "--set", "condition.prevalence=0.12")
    rows = {r[11]: r for r in openpyxl.load_workbook(out)["Inputs"].iter_rows(min_row=5, values_only=True) if r[11]}
    assert rows["condition_prevalence"][2] == 0.12 and rows["condition_prevalence"][9] != "FROM YOUR CLAIMS"
    assert rows["condition_plan_paid_share"][9] == "FROM YOUR CLAIMS"


def test_library_report_has_no_own_data_lines():
    d = build_report(Scenario(), headline=False)
    assert d.origins == {} and own_data_lines(d) == []


# ---------------------------------------------------------------------------------------------
# Intervals: cost per QALY (or why none), NMB, PMPM by plan year


def test_cost_per_qaly_interval_hand_computed():
    # ratios 10k, 20k, ..., 100k: the 5th-95th percentiles (linear) are 14.5k and 95.5k
    c = np.arange(1, 11) * 100.0
    q = np.full(10, 0.01)
    lo, hi, why = cost_per_qaly_interval(c, q)
    assert why == "" and math.isclose(lo, 14_500.0) and math.isclose(hi, 95_500.0)
    # a dominant draw (cheaper, more QALYs) ranks lowest: the lower bound is negative, read "dominant"
    lo, hi, _ = cost_per_qaly_interval([-50.0, 100.0, 200.0], [0.01, 0.01, 0.01], level=1.0)
    assert (lo, hi) == (-5000.0, 20000.0) and fmt.per_qaly_interval(lo, hi) == "dominant to $20,000"
    # one draw with no QALY gain: no ratio interval, and the reason says how many
    lo, hi, why = cost_per_qaly_interval([100.0, 100.0, 100.0, 100.0], [0.01, 0.01, 0.01, 0.0])
    assert math.isnan(lo) and math.isnan(hi) and "in 1 of 4 draws (25.0%)" in why
    # review 2: one draw of 3,000 without a gain is said as a count, never as a rounded "0.0%"
    q = np.full(3000, 0.01)
    q[0] = -0.001
    _, _, why = cost_per_qaly_interval(np.ones(3000), q)
    assert "in 1 of 3,000 draws (<0.1%)" in why and "0.0%" not in why
    assert "in 0 of 0 draws" in cost_per_qaly_interval([], [])[2]


def test_cea_psa_intervals_match_its_own_draws():
    r = cea_psa(Scenario(), 400, 7)
    t = r.table.set_index("therapy")
    for tid, g in r.samples.groupby("therapy"):
        dc, dq = g["incremental_cost"].to_numpy(), g["qalys_gained"].to_numpy()
        row = t.loc[tid]
        for w in r.wtp:
            lo, hi = np.quantile(w * dq - dc, [0.05, 0.95])
            assert math.isclose(row[f"p5_nmb_{int(w)}"], lo) and math.isclose(row[f"p95_nmb_{int(w)}"], hi)
            assert row[f"p5_nmb_{int(w)}"] <= row[f"mean_nmb_{int(w)}"] <= row[f"p95_nmb_{int(w)}"]
        if (dq > 0).all():
            assert not row["cost_per_qaly_interval_note"]
            assert math.isclose(row["p5_cost_per_qaly"], np.quantile(dc / dq, 0.05))
        else:
            assert math.isnan(row["p5_cost_per_qaly"]) and row["cost_per_qaly_interval_note"]
    # usual care with NSAIDs moves no one between pain-impact states: no QALYs, so never a ratio interval
    assert t.loc["usual_care", "cost_per_qaly_interval_note"].startswith("no ratio interval")
    assert t.loc["relaxation_massage", "p5_cost_per_qaly"] < t.loc["relaxation_massage", "p95_cost_per_qaly"]


@pytest.fixture(scope="module")
def claims_scenario() -> Scenario:
    s, _ = apply_claims(Scenario(), read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    return s


def test_workbook_health_plan_sheet_has_the_pdf_intervals(claims_scenario):
    from calculator.export.pdf_plan import DRAWS
    s = claims_scenario
    wb = openpyxl.load_workbook(io.BytesIO(export(build_report(s, headline=False), "xlsx")))
    ws = wb["Health plan"]
    iv = budget_interval(s, DRAWS, DEFAULT_SEED).set_index("year")
    head = next(r for r in range(1, 40) if ws.cell(row=r, column=1).value == "Plan year")
    assert ws.cell(row=head, column=12).value == f"PMPM 5% ({DRAWS:,} simulations)"
    for y in range(1, s.plan.horizon_years + 1):
        assert ws.cell(row=head + y, column=1).value == y
        assert math.isclose(ws.cell(row=head + y, column=12).value, iv.loc[y, "pmpm_p5"])
        assert math.isclose(ws.cell(row=head + y, column=13).value, iv.loc[y, "pmpm_p95"])

    def named(n: str) -> float:
        sheet, ref = next(iter(wb.defined_names[n].destinations))
        return wb[sheet][ref.replace("$", "")].value
    assert math.isclose(named("plan_pmpm_p5"), iv.loc[0, "pmpm_p5"])
    assert math.isclose(named("plan_pmpm_p95"), iv.loc[0, "pmpm_p95"])
    row = cea_psa(s, DRAWS, DEFAULT_SEED).table.set_index("therapy").loc[s.programs[0].therapy]
    assert math.isclose(named("plan_cost_per_qaly_p5"), row["p5_cost_per_qaly"])
    assert math.isclose(named("plan_cost_per_qaly_p95"), row["p95_cost_per_qaly"])
    assert iv.loc[0, "pmpm_p5"] < iv.loc[0, "pmpm_base"] < iv.loc[0, "pmpm_p95"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_pdf_health_plan_page_has_pmpm_and_cost_per_qaly_intervals(claims_scenario, tmp_path):
    from calculator.export.pdf_plan import DRAWS
    s = claims_scenario
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(export(build_report(s, headline=False), "pdf", charts=False))
    flat = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    iv = budget_interval(s, DRAWS, DEFAULT_SEED).set_index("year")
    usd3 = lambda v: f"${v:,.3f}"  # noqa: E731
    assert f"(90% interval {usd3(iv.loc[0, 'pmpm_p5'])} to {usd3(iv.loc[0, 'pmpm_p95'])};" in flat
    for y in range(1, s.plan.horizon_years + 1):
        assert f"{usd3(iv.loc[y, 'pmpm_p5'])} to {usd3(iv.loc[y, 'pmpm_p95'])}" in flat
    row = cea_psa(s, DRAWS, DEFAULT_SEED).table.set_index("therapy").loc[s.programs[0].therapy]
    assert (f"cost per QALY 90% interval {fmt.per_qaly_interval(row['p5_cost_per_qaly'], row['p95_cost_per_qaly'])}"
            in flat)
    w = 100_000
    assert f"at $100k per QALY {fmt.money(row[f'p5_nmb_{w}'])} to {fmt.money(row[f'p95_nmb_{w}'])}" in flat
    assert "Cognitive behavioural therapy (8 weekly groups)" in flat


def test_cea_command_prints_the_cost_per_qaly_interval(capsys):
    assert main(["cea", "--draws", "300"]) == 0
    out = capsys.readouterr().out
    row = cea_psa(Scenario(), 300, DEFAULT_SEED).table.set_index("therapy").loc["relaxation_massage"]
    assert (f"Relaxation (Swedish) massage: cost per QALY 90% interval "
            f"{fmt.per_qaly_interval(row['p5_cost_per_qaly'], row['p95_cost_per_qaly'])}; NMB 90% interval $50k "
            f"{fmt.money(row['p5_nmb_50000'], cents=False)} to {fmt.money(row['p95_nmb_50000'], cents=False)}") in out


# ---------------------------------------------------------------------------------------------
# The dashboard: a survey entered on Your workforce and claims used on Health plan reach the reports


def _page_app(name: str) -> None:
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default=name), position="top"))


def test_dashboard_survey_and_claims_are_marked_in_the_downloads():
    from streamlit.testing.v1 import AppTest

    from calculator.dashboard import state
    from calculator.dashboard.fields import ORIGINS_KEY
    from calculator.dashboard.pages import report as report_page
    from calculator.dashboard.pages import workforce
    at = AppTest.from_function(_page_app, args=("workforce",), default_timeout=90).run()
    at.number_input(key=workforce.P + "sv_pres").set_value(31.0)
    at.number_input(key=workforce.P + "sv_n").set_value(85)
    at.button(key=workforce.P + "sv_use").click().run()
    assert not at.exception
    s, _ = apply_claims(at.session_state[state.SCENARIO_KEY], read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    origins = at.session_state[ORIGINS_KEY]
    rep = AppTest.from_function(_page_app, args=("report",), default_timeout=90).run()  # the session first
    rep.session_state[state.SCENARIO_KEY] = s
    rep.session_state[ORIGINS_KEY] = origins
    rep.run()
    assert not rep.exception, [e.value for e in rep.exception]
    caption = " ".join(c.value for c in rep.caption)
    assert "presenteeism at the default impact mix (share of hours worked): 9.5% (from your survey)" in caption
    assert "low back pain: 8.6% (from your claims)" in caption
    # the download button's file: the page's own function with the page's own origins
    own = (("condition.presenteeism", "survey"),)
    data = report_page.file_bytes(to_json(s), 0, DEFAULT_SEED, "xlsx", "results", None, None, own)
    rows = {r[11]: r for r in openpyxl.load_workbook(io.BytesIO(data))["Inputs"].iter_rows(min_row=5, values_only=True)
            if r[11]}
    assert rows["condition_presenteeism"][9] == "FROM YOUR SURVEY"
    assert rows["condition_prevalence"][9] == "FROM YOUR CLAIMS"
    # an edited value is the user's: no longer "from your survey"
    edited = s.model_copy(update={"condition": s.condition.model_copy(update={"presenteeism": 0.05})})
    rep.session_state[state.SCENARIO_KEY] = edited
    rep.run()
    caption = " ".join(c.value for c in rep.caption)
    assert "from your survey" not in caption and "8.6% (from your claims)" in caption


def test_budget_impact_command_prints_pmpm_intervals(capsys, claims_scenario):
    assert main(["budget-impact", "--claims", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    iv = budget_interval(claims_scenario, 1000, DEFAULT_SEED).set_index("year")
    assert (f"PMPM ${iv.loc[0, 'pmpm_base']:,.3f} (90% interval ${iv.loc[0, 'pmpm_p5']:,.3f} to "
            f"${iv.loc[0, 'pmpm_p95']:,.3f}; P(plan saves) {iv.loc[0, 'p_saves']:.0%}; 1,000 draws, seed {DEFAULT_SEED})") in out
    for y in (1, 2, 3):
        assert f"${iv.loc[y, 'pmpm_p5']:,.3f} to ${iv.loc[y, 'pmpm_p95']:,.3f}" in out
    assert main(["budget-impact", "--claims", str(SAMPLE), "--format", "json", "--draws", "300", "--seed", "3"]) == 0
    doc = json.loads(capsys.readouterr().out)["budget_impact"]
    iv = budget_interval(claims_scenario, 300, 3)
    assert [r["year"] for r in doc["intervals"]] == [0, 1, 2, 3]
    assert doc["intervals"][0]["pmpm_p95"] == pytest.approx(float(iv.loc[0, "pmpm_p95"]), rel=1e-12)
    assert main(["budget-impact", "--format", "csv", "--draws", "0"]) == 0
    assert "pmpm_p5" not in capsys.readouterr().out
    assert main(["budget-impact", "--format", "csv", "--draws", "200"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(",pmpm_p5,pmpm_p95,net_p5,net_p95,p_saves")


# ---------------------------------------------------------------------------------------------
# Review 2: a claims extract with impact rows sets the pain-impact mix; no report may drop it


MIX_CLAIMS = (b"group,period,months,code_set_version,impact_proxy,members,member_months,members_with_lbp,allowed_pt\n"
              b"A,2024,12,FY2024,low,5000,60000,100,50000\nA,2024,12,FY2024,moderate,5000,60000,100,80000\n"
              b"A,2024,12,FY2024,high,5000,60000,200,300000\n")


def test_claims_impact_mix_is_listed_as_your_own_data(tmp_path):
    """Members with LBP 100 / 100 / 200 by impact row: mix 25% low, 25% moderate, 50% high (hand-computed).
    The input table has no impact-mix rows, so these values were silently left out of the summary's
    own-data list, the deck and the PDF health-plan paragraph (which listed every claims path before)."""
    from calculator.export.pptx import _short_own
    s, _ = apply_claims(Scenario(), read_claims(MIX_CLAIMS, "mix.csv"))
    d = build_report(s, headline=False)
    lines = own_data_lines(d)
    mix = [f"Share of employees with chronic LBP whose pain is {level}-impact: {share} (from your claims)"
           for level, share in (("low", "25.0%"), ("moderate", "25.0%"), ("high", "50.0%"))]
    assert [x for x in lines if "whose pain is" in x] == mix  # all three, low to high
    assert "Plan members: 15,000 (from your claims)" in lines  # 180,000 member months / 12
    assert "pain-impact mix from your claims" in _short_own(d)
    pdf = tmp_path / "mix.pdf"
    pdf.write_bytes(export(d, "pdf", charts=False))
    flat = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "whose pain is high-impact: 50.0%" in flat.split("From your claims (mix.csv):")[1][:900]


def test_budget_impact_prints_a_negative_pmpm_bound_with_the_house_minus(capsys):
    """Review 2: at the defaults the plan saves in some draws, so the PMPM interval's lower bound is
    negative; it printed as '$-0.328'. It reads '−$0.328' like every other amount (fmt.pmpm)."""
    assert main(["budget-impact", "--draws", "1000"]) == 0
    out = capsys.readouterr().out
    iv = budget_interval(Scenario(), 1000, DEFAULT_SEED).set_index("year")
    assert iv.loc[0, "pmpm_p5"] < 0 and iv.loc[1, "pmpm_p5"] < 0
    assert f"(90% interval −${abs(iv.loc[0, 'pmpm_p5']):,.3f} to ${iv.loc[0, 'pmpm_p95']:,.3f};" in out
    assert f"−${abs(iv.loc[1, 'pmpm_p5']):,.3f} to " in out
    assert "$-" not in out


def test_methods_health_plan_defaults_are_the_current_figures():
    """Review 2: docs/METHODS.md restated the budget-impact and cost-per-QALY defaults at parameter set
    9830e37a427b after 9c/9d had moved them (net $19,895, cost per QALY $49,550). The paragraph must
    carry the figures the code gives now."""
    from calculator import library
    from calculator.budget import budget_impact
    from calculator.cea import cost_effectiveness
    text = " ".join((ROOT / "docs" / "METHODS.md").read_text(encoding="utf-8").split())
    para = text[text.index("**Defaults (relaxation massage, 1,000 employees, 2,000 members"):][:900]
    s = Scenario()
    b = budget_impact(s)
    iv = budget_interval(s, 1000, DEFAULT_SEED).set_index("year")
    psa_row = cea_psa(s, 1000, DEFAULT_SEED).table.set_index("therapy").loc["relaxation_massage"]
    hp = cost_effectiveness(s).table.set_index("perspective").loc["health_plan"]
    for want in (f"parameter set {library().version}", f"net {fmt.money(b.net)} over three years",
                 f"**{fmt.pmpm(b.pmpm)} PMPM** (90% interval {fmt.pmpm(iv.loc[0, 'pmpm_p5'])} to "
                 f"{fmt.pmpm(iv.loc[0, 'pmpm_p95'])}, P(plan saves) {iv.loc[0, 'p_saves']:.0%}",
                 f"plan-paid offsets {fmt.money(b.years['offsets'].iloc[0])}",
                 f"{fmt.money(hp['cost_per_qaly'])}, 90% interval "
                 f"{fmt.per_qaly_interval(psa_row['p5_cost_per_qaly'], psa_row['p95_cost_per_qaly'])}"):
        assert want in para, want


def test_evaluate_table_says_which_values_are_your_own(capsys):
    """Review 2: `evaluate --survey ... --claims ...` printed results resting on the employer's data
    without saying so; budget-impact and cea did. Survey: 31% - 21.5% = 0.095; 4% x 2,080 h / 8 h = 10.4 days."""
    assert main(["evaluate", "--claims", str(SAMPLE), "--survey", SURVEY]) == 0
    out = capsys.readouterr().out
    assert "From your survey (n=85): condition.presenteeism 0.095; condition.absence_days 10.4" in out
    assert "From your claims (sample_claims.csv, 2 rows): condition.prevalence 0.081 -> 0.086427" in out
    # a value you --set is yours, not the survey's
    assert main(["evaluate", "--survey", SURVEY, "--set", "condition.presenteeism=0.05"]) == 0
    out = capsys.readouterr().out
    assert "From your survey (n=85): condition.absence_days 10.4" in out and "presenteeism 0.095" not in out
    assert main(["evaluate"]) == 0 and "From your" not in capsys.readouterr().out
    # compare and psa (one therapy or all) say it too
    for argv in (["compare"], ["psa", "--draws", "200"], ["psa", "--draws", "200", "--all-therapies"]):
        assert main(argv + ["--survey", SURVEY, "--claims", str(SAMPLE)]) == 0
        out = capsys.readouterr().out
        assert "From your survey (n=85): condition.presenteeism 0.095" in out, argv
        assert "From your claims (sample_claims.csv, 2 rows):" in out, argv


@pytest.mark.parametrize("argv,words", [
    (["budget-impact", "--draws", "100000000"], "--draws must be 0 (no intervals) to 100,000, got 100,000,000"),
    (["cea", "--draws", "100000000"], "--draws must be 0 (no CEAC) to 100,000, got 100,000,000"),
    (["budget-impact", "--draws", "-1"], "--draws must be 0 (no intervals) to 100,000, got -1"),
    (["budget-impact", "--draws", "10", "--seed", "-5"], "seed must be a whole number >= 0, got -5"),
    (["cea", "--draws", "10", "--seed", "-5"], "seed must be a whole number >= 0, got -5"),
])
def test_plan_commands_refuse_bad_draws_and_seed_with_a_message(argv, words, capsys):
    """Review 2: 10^8 draws were allocated at once (the process was killed for memory) and a negative
    --seed ended in an UncertaintyError traceback; both are now a one-line error, exit 2."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_report_takes_dash_o_for_the_output_file(tmp_path):
    """Review 2: `backpain-roi report ... -o x.pdf` (the usual short form) stopped with 'the following
    arguments are required: --out'."""
    out = tmp_path / "x.json"
    assert main(["report", "--claims", str(SAMPLE), "--draws", "0", "-o", str(out)]) == 0
    prov = {r["path"]: r["provenance"] for r in json.loads(out.read_text())["inputs"]}
    assert prov["condition.prevalence"] == "FROM YOUR CLAIMS"
