"""A real browser on the Health plan page: budget impact, cost per QALY, CEAC, claims upload."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest

from calculator import Scenario
from calculator.budget import budget_impact, budget_interval
from calculator.cea import cea_psa, cost_effectiveness
from calculator.claims import apply_claims, read_claims
from calculator.dashboard import fmt
from calculator.dashboard.pages.health_plan import DRAWS as HP_DRAWS
from calculator.fmt import per_qaly_interval
from calculator.uncertainty import DEFAULT_SEED
from tests.e2e.pages import full_page_screenshot, idle, kpi_text, open_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "sample_claims.csv"
SMALL = (b"group,period,months,code_set_version,members,member_months,members_with_lbp\n"
         b"<img src=x onerror=alert(1) id=injected>,2024,12,FY2024,5000,60000,7\n")


def _open(page, base: str) -> None:
    open_page(page, base, "health-plan", "Health plan view")
    page.locator(".st-key-kpi-pmpm").wait_for(timeout=60_000)
    idle(page)


def test_health_plan_page_shows_the_calculator_numbers(page, app_url, screenshot_dir):
    _open(page, app_url)
    b, ce = budget_impact(Scenario()), cost_effectiveness(Scenario())
    assert kpi_text(page, "pmpm") == fmt.money(b.pmpm, cents=True)
    assert kpi_text(page, "net-budget") == fmt.money(b.net)
    assert kpi_text(page, "qalys") == fmt.number(ce.qalys_gained, 2)
    assert kpi_text(page, "nmb-100000") == fmt.money(ce.nmb["100000"])
    # the budget table comes before its chart, and the CEAC chart is drawn
    table = page.locator(".st-key-tbl-budget-years")
    chart = page.locator(".st-key-chart-budget")
    assert table.bounding_box()["y"] < chart.bounding_box()["y"]
    page.locator(".st-key-chart-ceac .js-plotly-plot").wait_for()
    full_page_screenshot(page, screenshot_dir / "health-plan-1280.png", 1280)
    full_page_screenshot(page, screenshot_dir / "health-plan-800.png", 800)
    full_page_screenshot(page, screenshot_dir / "health-plan-390.png", 390)


def _download(page, label: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name=label).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def _grid_text(page, key: str) -> str:
    """The text of a Streamlit dataframe: its accessible grid (kept in the DOM for screen readers,
    the visible grid is a canvas)."""
    cells = page.locator(f'.st-key-{key} [role="gridcell"], .st-key-{key} [role="columnheader"]')
    cells.first.wait_for(state="attached")
    return " | ".join(c.strip() for c in cells.all_text_contents())


def test_claims_upload_to_downloads(page, app_url, screenshot_dir, tmp_path):
    """The analyst's path: upload a claims extract, see what it sets marked "from your claims", read
    PMPM by plan year with its 90% interval and cost per QALY with its interval, download the PDF and
    the workbook and find the same marks and intervals in them."""
    _open(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Use these claims").wait_for(timeout=60_000)
    page.get_by_role("button", name="Use these claims").click()
    page.get_by_text("Every page now uses your claims").wait_for(timeout=60_000)
    idle(page)
    page.locator(".st-key-kpi-pmpm").wait_for()
    s, _ = apply_claims(Scenario(), read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    b = budget_impact(s)
    assert kpi_text(page, "pmpm") == fmt.money(b.pmpm, cents=True)
    # "from your claims" marks: the banner, the paid-to-allowed and members in the budget caption
    page.get_by_text("Using your claims (sample_claims.csv)").wait_for()
    assert page.get_by_text("(from your claims)").first.is_visible()
    assert "9,025 members (from your claims)" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    # PMPM by plan year with the 90% interval of the page's 1,000 fixed-seed simulations
    iv = budget_interval(s, HP_DRAWS, DEFAULT_SEED).set_index("year")
    note = page.locator('.st-key-kpi-pmpm').inner_text()
    assert f"90%: {fmt.money(iv.loc[0, 'pmpm_p5'], cents=True)} to {fmt.money(iv.loc[0, 'pmpm_p95'], cents=True)}" in note
    grid = _grid_text(page, "tbl-budget-years")
    assert "PMPM 90% interval" in grid
    for y in range(1, s.plan.horizon_years + 1):
        assert f"{fmt.money(iv.loc[y, 'pmpm_p5'], cents=True)} to {fmt.money(iv.loc[y, 'pmpm_p95'], cents=True)}" in grid
    # cost per QALY with its interval (every simulation gains QALYs for relaxation massage)
    row = cea_psa(s, HP_DRAWS, DEFAULT_SEED).table.set_index("therapy").loc["relaxation_massage"]
    assert row["cost_per_qaly_interval_note"] == ""
    icer = page.locator(".st-key-kpi-icer").inner_text()
    assert f"90%: {per_qaly_interval(row['p5_cost_per_qaly'], row['p95_cost_per_qaly'])}" in icer
    assert "every simulation gains QALYs" in page.locator(".st-key-icer-interval-note").inner_text()
    for width in (1280, 800, 390):
        full_page_screenshot(page, screenshot_dir / f"health-plan-claims-{width}.png", width)
    page.set_viewport_size({"width": 1280, "height": 900})
    idle(page)

    name, data = _download(page, "Report with the health-plan page (PDF)")
    assert name == "backpain-roi_relaxation_massage_12m.pdf" and data[:5] == b"%PDF-"
    pdf = tmp_path / name
    pdf.write_bytes(data)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "low back pain (from your claims)" in text and "employee pays the rest) (from your claims)" in text
    assert f"PMPM ${b.pmpm:,.3f} (90% interval ${iv.loc[0, 'pmpm_p5']:,.3f} to ${iv.loc[0, 'pmpm_p95']:,.3f};" in text
    assert f"cost per QALY 90% interval {per_qaly_interval(row['p5_cost_per_qaly'], row['p95_cost_per_qaly'])}" in text

    name, data = _download(page, "Workbook: PMPM and QALY formulas (Excel)")
    assert name.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    inputs = {r[11]: r for r in wb["Inputs"].iter_rows(min_row=5, values_only=True) if r[11]}
    assert inputs["condition_prevalence"][9] == "FROM YOUR CLAIMS"
    dest = dict(wb.defined_names["plan_pmpm_p95"].destinations)
    sheet, ref = next(iter(dest.items()))
    assert wb[sheet][ref.replace("$", "")].value == pytest.approx(iv.loc[0, "pmpm_p95"], rel=1e-12)


def test_small_cell_refused_and_no_markup_rendered(page, app_url, screenshot_dir):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "small.csv", "mimeType": "text/csv", "buffer": SMALL})
    page.get_by_text("was refused, nothing was changed").wait_for(timeout=60_000)
    page.get_by_text("column members_with_lbp: 7 is a small cell (1 to 10").wait_for()
    assert page.locator("#injected").count() == 0 and dialogs == []
    full_page_screenshot(page, screenshot_dir / "health-plan-small-cell-1280.png", 1280)
