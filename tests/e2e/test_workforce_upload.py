"""A real browser uploads the sample census and a broken file on the 'Your workforce' page."""

from __future__ import annotations

from pathlib import Path

import pytest

from calculator import Scenario
from calculator.census import evaluate_census, read_census
from calculator.dashboard import fmt
from tests.e2e.pages import idle, kpi_text, open_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "sample_census.csv"
BROKEN = (b"employee_id,job_family,hourly_wage,age,sex\n"
          + b"".join(f"E{i},Office,30,40,F\n".encode() for i in range(12))
          + b"E1,<img src=x onerror=alert(1) id=injected>,abc,7,banana\n"
          + b"E99,=HYPERLINK(\"http://evil\"),31,41,M\n")


def test_upload_sample_census_and_use_it_on_every_page(page, app_url, screenshot_dir):
    open_page(page, app_url, "workforce", "Your workforce")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SAMPLE))
    page.get_by_text("Results for your workforce").wait_for(timeout=60_000)
    idle(page)
    expected = evaluate_census(Scenario(), read_census(SAMPLE.read_bytes()))
    assert kpi_text(page, "census-employees") == "1,200"
    assert kpi_text(page, "census-burden") == fmt.money(expected.total["burden"])
    page.screenshot(path=str(screenshot_dir / "workforce-sample-1280.png"), full_page=True)
    page.get_by_role("button", name="Use this workforce on every page").click()
    page.get_by_text("Every page now uses your workforce").wait_for()
    page.get_by_role("link", name="Cost of back pain").click()
    idle(page)
    page.locator('.st-key-kpi-total [data-testid="stMetricValue"]').wait_for()
    assert kpi_text(page, "total") == fmt.money(expected.total["burden"])


def test_upload_broken_file_reports_rows_and_renders_no_html(page, app_url, screenshot_dir):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, app_url, "workforce", "Your workforce")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "broken.csv", "mimeType": "text/csv", "buffer": BROKEN})
    page.get_by_text("Validation report").wait_for(timeout=60_000)
    idle(page)
    page.get_by_text("Nothing is left out without your say-so").wait_for()
    metric = page.locator('[data-testid="stMetric"]')
    metric.first.wait_for()
    shown = dict(zip(metric.locator('[data-testid="stMetricLabel"]').all_inner_texts(),
                     metric.locator('[data-testid="stMetricValue"]').all_inner_texts(), strict=True))
    assert shown["Rows read"] == "14" and shown["Rows with problems"] == "2", shown
    assert page.locator("#injected").count() == 0 and dialogs == []
    page.screenshot(path=str(screenshot_dir / "workforce-broken-1280.png"), full_page=True)
    page.get_by_text("Leave out the 2 rows with problems").click()
    page.get_by_text("Results for your workforce").wait_for()
    idle(page)
    assert kpi_text(page, "census-employees") == "12"
    assert page.locator("#injected").count() == 0 and dialogs == []
