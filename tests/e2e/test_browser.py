"""The dashboard in a real browser: Debian's Chromium driven by Playwright against ``streamlit run``.

Every page loads without an exception; inputs change the KPI text exactly as ``calculator`` says;
out-of-range input shows its message and keeps the last result; a share link reproduces the
numbers in a fresh session; a bad file upload is refused; full-page screenshots of every page at
1280 and 800 px wide go to ``test-artifacts/screenshots`` (printed at the end of the run).
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qsl, urlparse

import pytest

from calculator import Scenario, apply_sets, evaluate
from calculator.dashboard import fmt, state
from calculator.dashboard.registry import HOME, PAGES
from tests.e2e.pages import assert_no_exception, full_page_screenshot, goto, idle, kpi, wait_idle

pytestmark = pytest.mark.browser

WIDTHS = (1280, 800)


def number_field(page, path: str):
    css_key = re.sub(r"[^A-Za-z0-9_-]", "-", state.widget_key(path))
    return page.locator(f".st-key-{css_key} input")


def set_number(page, path: str, value) -> None:
    # wait for the previous rerun (and its headline simulation) to finish first: a rerun still in
    # flight re-renders the field and drops a value typed into it meanwhile (seen under load)
    idle(page)
    box = number_field(page, path)
    box.fill(str(value))
    box.press("Enter")


def expect_text(locator, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_text(text, timeout=20_000)


def test_every_page_loads_at_both_widths_and_is_screenshotted(page, app_url, screenshot_dir):
    b = evaluate(Scenario()).burden
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for spec in [HOME, *PAGES]:
            goto(page, app_url, spec.url_path)
            assert_no_exception(page)
            if spec.url_path == "cost":
                expect_text(kpi(page, "total"), fmt.money(b.total))
            page.wait_for_timeout(800)  # charts and tables finish drawing
            shot = screenshot_dir / f"{spec.url_path}-{width}.png"
            full_page_screenshot(page, shot)
            assert shot.stat().st_size > 10_000
    print(f"\nscreenshots saved in {screenshot_dir}")


def test_headcount_and_prevalence_inputs_drive_the_kpis(page, app_url):
    goto(page, app_url, "cost")
    s = apply_sets(Scenario(), [("workforce.employees", 2500)])
    started = time.perf_counter()
    set_number(page, "workforce.employees", 2500)
    expect_text(kpi(page, "total"), fmt.money(evaluate(s).burden.total))
    print(f"\nbrowser: headcount change to updated KPI in {1000 * (time.perf_counter() - started):.0f} ms")
    expect_text(kpi(page, "affected"), fmt.number(evaluate(s).burden.affected_employees))
    page.wait_for_function("() => location.search.includes('workforce.employees=2500')")

    page.get_by_text("Back pain in your workforce").click()
    set_number(page, "condition.prevalence", 150)
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="outside the allowed range")
    error.first.wait_for()
    message = error.first.inner_text()
    assert "Employees living with chronic low back pain (%): 150.0%" in message and "0.0% to 100.0%" in message
    expect_text(kpi(page, "total"), fmt.money(evaluate(s).burden.total))  # last valid result kept

    set_number(page, "condition.prevalence", 12)
    s2 = apply_sets(s, [("condition.prevalence", 0.12)])
    expect_text(kpi(page, "total"), fmt.money(evaluate(s2).burden.total))
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0, timeout=20_000)


def test_scenario_follows_the_user_across_pages(page, app_url):
    goto(page, app_url, "cost")
    set_number(page, "workforce.employees", 480)
    s = apply_sets(Scenario(), [("workforce.employees", 480)])
    expect_text(kpi(page, "total"), fmt.money(evaluate(s).burden.total))
    page.get_by_role("link", name="Therapy ROI").first.click()
    expect_text(kpi(page, "cost"), fmt.money(evaluate(s).program.cost))
    expect_text(kpi(page, "net"), fmt.money(evaluate(s).program.net_benefit))


def test_share_link_reproduces_the_numbers_in_a_new_session(page, browser, app_url):
    goto(page, app_url, "roi")
    page.locator(".st-key-bp_w-programs-0-therapy").get_by_role("combobox").click()
    page.get_by_role("option", name="Yoga").click()
    s = apply_sets(Scenario(), [("programs.0.therapy", "yoga")])
    expect_text(kpi(page, "cost"), fmt.money(evaluate(s).program.cost))
    set_number(page, "analysis.horizon_months", 18)
    s = apply_sets(s, [("analysis.horizon_months", 18)])
    p = evaluate(s).program
    expect_text(kpi(page, "net"), fmt.money(p.net_benefit))

    page.locator(".st-key-share-popover button").first.click()
    link = page.locator('[data-testid="stPopoverBody"] code').inner_text().strip()
    query = dict(parse_qsl(urlparse(link).query))
    assert query == state.query_from_scenario(s)

    fresh = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        fresh.goto(link)
        wait_idle(fresh)
        assert_no_exception(fresh)
        expect_text(kpi(fresh, "cost"), fmt.money(p.cost))
        expect_text(kpi(fresh, "net"), fmt.money(p.net_benefit))
        expect_text(kpi(fresh, "roi"), fmt.pct(p.roi))
        expect_text(kpi(fresh, "payback"), fmt.months(p.payback_month, p.horizon_months))
    finally:
        fresh.context.close()


def test_tampered_link_falls_back_for_the_bad_field_only(page, app_url):
    goto(page, app_url, "cost", {"workforce.employees": "-40", "condition.prevalence": "0.1"})
    s = apply_sets(Scenario(), [("condition.prevalence", 0.1)])
    expect_text(kpi(page, "total"), fmt.money(evaluate(s).burden.total))
    warning = page.locator('[data-testid="stAlertContentWarning"]').first
    assert "Number of employees (headcount)" in warning.inner_text()


def test_bad_upload_is_refused_and_changes_nothing(page, app_url, tmp_path):
    goto(page, app_url, "cost")
    set_number(page, "workforce.employees", 750)
    s = apply_sets(Scenario(), [("workforce.employees", 750)])
    expect_text(kpi(page, "total"), fmt.money(evaluate(s).burden.total))
    bad = tmp_path / "not-a-scenario.json"
    bad.write_text(json.dumps({"workforce": {"employees": 10, "shoe_size": 44}}))
    page.locator(".st-key-load-popover button").first.click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="nothing was changed")
    error.first.wait_for()
    assert "shoe_size" in error.first.inner_text()
    expect_text(kpi(page, "total"), fmt.money(evaluate(s).burden.total))
