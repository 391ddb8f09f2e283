"""A real browser on the Health plan page: budget impact, cost per QALY, CEAC, claims upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from calculator import Scenario
from calculator.budget import budget_impact
from calculator.cea import cost_effectiveness
from calculator.claims import apply_claims, read_claims
from calculator.dashboard import fmt

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "sample_claims.csv"
SMALL = (b"group,period,months,code_set_version,members,member_months,members_with_lbp\n"
         b"<img src=x onerror=alert(1) id=injected>,2024,12,FY2024,5000,60000,7\n")


def _idle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")


def _open(page, base: str) -> None:
    page.goto(f"{base}/health-plan")
    _idle(page)
    page.locator('[data-testid="stMainBlockContainer"] h1').filter(has_text="Health plan view").wait_for()
    page.locator(".st-key-kpi-pmpm").wait_for(timeout=60_000)
    _idle(page)


def _shot(page, path: Path, width: int) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport to fit it."""
    page.set_viewport_size({"width": width, "height": 900})
    _idle(page)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 100, 12_000)})
    _idle(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)


def _kpi(page, key: str) -> str:
    return page.locator(f'.st-key-kpi-{key} [data-testid="stMetricValue"]').inner_text().strip()


def test_health_plan_page_shows_the_calculator_numbers(page, app_url, screenshot_dir):
    _open(page, app_url)
    b, ce = budget_impact(Scenario()), cost_effectiveness(Scenario())
    assert _kpi(page, "pmpm") == fmt.money(b.pmpm, cents=True)
    assert _kpi(page, "net-budget") == fmt.money(b.net)
    assert _kpi(page, "qalys") == fmt.number(ce.qalys_gained, 2)
    assert _kpi(page, "nmb-100000") == fmt.money(ce.nmb["100000"])
    # the budget table comes before its chart, and the CEAC chart is drawn
    table = page.locator(".st-key-tbl-budget-years")
    chart = page.locator(".st-key-chart-budget")
    assert table.bounding_box()["y"] < chart.bounding_box()["y"]
    page.locator(".st-key-chart-ceac .js-plotly-plot").wait_for()
    _shot(page, screenshot_dir / "health-plan-1280.png", 1280)
    _shot(page, screenshot_dir / "health-plan-800.png", 800)
    _shot(page, screenshot_dir / "health-plan-390.png", 390)


def test_claims_upload_marks_values_from_your_claims(page, app_url, screenshot_dir):
    _open(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Use these claims").wait_for(timeout=60_000)
    page.get_by_role("button", name="Use these claims").click()
    page.get_by_text("Every page now uses your claims").wait_for(timeout=60_000)
    _idle(page)
    page.locator(".st-key-kpi-pmpm").wait_for()
    s, _ = apply_claims(Scenario(), read_claims(SAMPLE.read_bytes(), "sample_claims.csv"))
    assert _kpi(page, "pmpm") == fmt.money(budget_impact(s).pmpm, cents=True)
    assert page.get_by_text("(from your claims)").first.is_visible()
    _shot(page, screenshot_dir / "health-plan-claims-1280.png", 1280)


def test_small_cell_refused_and_no_markup_rendered(page, app_url, screenshot_dir):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "small.csv", "mimeType": "text/csv", "buffer": SMALL})
    page.get_by_text("was refused, nothing was changed").wait_for(timeout=60_000)
    page.get_by_text("column members_with_lbp: 7 is a small cell (1 to 10").wait_for()
    assert page.locator("#injected").count() == 0 and dialogs == []
    _shot(page, screenshot_dir / "health-plan-small-cell-1280.png", 1280)
