"""A real browser downloads files from the Report page and the files carry the dashboard's numbers."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from calculator import Scenario, evaluate
from calculator.export.report import money
from tests.e2e.pages import download, goto

pytestmark = pytest.mark.browser


def _open_report(page, base: str) -> None:
    goto(page, base, "report")
    page.get_by_text("Preview of page 1").wait_for()


def test_report_page_downloads_json_and_workbook(page, app_url, screenshot_dir):
    _open_report(page, app_url)
    r = evaluate(Scenario())
    kpi = page.locator('.st-key-kpi-report-cost [data-testid="stMetricValue"]')
    assert kpi.inner_text().strip() == money(r.program.cost)
    page.screenshot(path=str(screenshot_dir / "report-1280.png"), full_page=True)

    name, data = download(page, "Everything (JSON)")
    assert name.endswith(".json")
    doc = json.loads(data)
    assert doc["results"]["program"]["cost"] == pytest.approx(r.program.cost, rel=1e-12)
    assert doc["uncertainty"]["status"] == "simulation output"

    name, data = download(page, "Workbook with live formulas (Excel)")
    assert name.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert {"program_cost", "burden_total", "programs_0_price_per_session"} <= set(wb.defined_names)
