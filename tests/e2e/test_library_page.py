"""A planner, in a real Chromium: save three scenarios, compare them, download the comparison, delete and undo.

The Streamlit server of the browser tests uses the test session's private SQLite library
(``BACKPAIN_ROI_DB`` set in tests/conftest.py), never the user's own.
"""

from __future__ import annotations

import io
import uuid
from urllib.parse import quote

import openpyxl
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from calculator import Scenario, evaluate, set_path
from calculator.scenario_library import open_library
from tests.e2e.pages import download, full_page_screenshot

pytestmark = pytest.mark.browser

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, state="attached", timeout=60_000)


def _open(page, url: str) -> None:
    page.goto(url)
    _idle(page)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1')


def _save_current(page, tags: str) -> None:
    page.get_by_role("button", name="Save to library").click()
    page.get_by_test_id("stTextInputField").and_(page.get_by_label("Tags (comma-separated)", exact=True)).fill(tags)
    page.get_by_test_id("stTextInputField").and_(page.get_by_label("Tags (comma-separated)", exact=True)).press("Enter")
    _idle(page)
    page.get_by_role("button", name="Save", exact=True).click()
    _idle(page)
    page.get_by_text("as version 1").wait_for(timeout=30_000)
    page.keyboard.press("Escape")


def _pick(page, key: str, option: str, multi: bool = False) -> None:
    shown = page.locator(f".st-key-{key}").inner_text() + page.locator(f".st-key-{key} input").input_value()
    if not multi and option in shown:
        return  # already chosen
    box = page.locator(f".st-key-{key} input")
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    _idle(page)


def test_save_three_compare_download_delete_undo(page, app_url, screenshot_dir):
    tag = "t" + uuid.uuid4().hex[:6]  # this test's rows, in a library other browser tests may share
    names = [f"Massage base {tag}", f"Yoga classes {tag}", f"Massage 6 visits {tag}"]
    # 1. name the scenario in the header field, then save it from the Cost page
    _open(page, f"{app_url}/cost")
    field = page.get_by_label("Scenario name", exact=True).and_(page.get_by_test_id("stTextInputField"))
    field.fill(names[0])
    field.press("Enter")
    _idle(page)
    _save_current(page, f"massage, {tag}")
    # 2-3. two more scenarios, named through the share link (the name travels in it)
    _open(page, f"{app_url}/roi?programs.0.therapy=yoga&name={quote(names[1])}")
    expect(page.get_by_label("Scenario name", exact=True).and_(page.get_by_test_id("stTextInputField"))).to_have_value(
        names[1])
    _save_current(page, f"yoga, {tag}")
    _open(page, f"{app_url}/compare?programs.0.visit_cap=6&name={quote(names[2])}")
    _save_current(page, tag)
    lib = open_library()  # the same database the server writes
    assert {r.name for r in lib.list(tag=tag)} == set(names)
    assert lib.get(names[1]).therapy == "yoga" and lib.get(names[0]).tags == ("massage", tag)

    # the Library page: filter by this test's tag, compare all three
    _open(page, f"{app_url}/library")
    _pick(page, "lib-tag", tag)
    table = page.locator(".st-key-lib-table")
    table.wait_for()
    for name in ("lib-compare",):
        for n in names:
            _pick(page, name, n, multi=True)
    page.locator(".st-key-lib-compare-results").wait_for()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    full_page_screenshot(page, screenshot_dir / "library-compare-1280.png", 1280)

    fname, data = download(page, "Comparison (Excel)")
    assert fname.endswith(".xlsx") and f"Yoga-classes-{tag}" in fname
    wb = openpyxl.load_workbook(io.BytesIO(data))
    head = [c.value for c in wb["Results"][4]]
    assert head == ["Result", *names]
    roi = next(r for r in wb["Results"].iter_rows(min_row=5, values_only=True) if r[0] == "ROI")
    want = [evaluate(Scenario()).program.roi,
              evaluate(set_path(Scenario(), "programs.0.therapy", "yoga")).program.roi,
              evaluate(set_path(Scenario(), "programs.0.visit_cap", "6")).program.roi]
    assert list(roi[1:]) == pytest.approx(want, rel=1e-9)
    cap = next(r for r in wb["Inputs"].iter_rows(min_row=2, values_only=True) if r[1] == "programs.0.visit_cap")
    assert cap[-1] == "yes" and cap[4] == 6

    fname, data = download(page, "Comparison (PDF page)")
    assert fname.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(data))
    text = pdf.pages[0].extract_text()
    assert len(pdf.pages) == 1 and names[0] in text and "P(ROI > 0)" in text
    assert f"{evaluate(Scenario()).program.roi:.1%}" in text

    # delete one, then undo
    _pick(page, "lib-pick", names[2])
    page.get_by_role("button", name="Delete").click()
    _idle(page)
    page.get_by_text("Undo is available").wait_for()
    assert names[2] not in lib.names()
    page.get_by_role("button", name=f"Undo: restore “{names[2]}”").click()
    _idle(page)
    page.get_by_text("with all its versions").wait_for()
    assert names[2] in lib.names()

    full_page_screenshot(page, screenshot_dir / "library-390.png", 390)
    full_page_screenshot(page, screenshot_dir / "library-800.png", 800)


def test_report_file_names_carry_the_scenario_name(page, app_url):
    _open(page, f"{app_url}/report?name={quote('Q3: yoga / warehouse')}")
    page.get_by_text("Preview of page 1").wait_for()
    fname, _ = download(page, "Everything (JSON)")
    assert fname.startswith("Q3-yoga-warehouse_backpain-roi_") and fname.endswith(".json")
