"""A real browser opens a hostile share link: one collapsed banner, user text as plain text, no link."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.browser


def test_hostile_share_link_gives_one_plain_banner_and_keeps_the_valid_field(page, app_url, screenshot_dir):
    query = [(f"junk{i}", "1") for i in range(300)] + [
        ("http://evil.example/x", "1"), ("workforce.employees", "true"), ("programs.0.uptake", "0.3"),
        ("workforce.turnover", "0.2"), ("workforce.turnover", "0.3")]
    for width in (1280, 800, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{app_url}/?{urlencode(query)}")
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
        alerts = page.locator('[data-testid="stAlertContentWarning"]')
        alerts.first.wait_for()
        page.screenshot(path=str(screenshot_dir / f"hostile-link-{width}.png"), full_page=True)
        assert alerts.count() == 1  # 300 unknown keys, a bad value and a repeated key: one banner
        text = alerts.first.inner_text()
        assert "301 keys that are not an input" in text and "evil.example/x" in text
        assert "the last value (0.3) is used" in text and "Number of employees" in text
        links = page.locator('a[href*="evil.example"]')
        assert links.count() == 0, links.first.evaluate("e => e.outerHTML + ' IN ' + e.parentElement.outerHTML.slice(0, 400)")
