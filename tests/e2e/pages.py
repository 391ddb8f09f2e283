"""Helpers the real-browser tests share: wait for Streamlit, open a page, read a KPI, take a
full-page screenshot. One home, so every test waits and photographs the same way."""

from __future__ import annotations

from urllib.parse import urlencode

from calculator.dashboard.registry import HOME

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def idle(page) -> None:
    """Wait until the current script run has finished."""
    page.wait_for_selector(IDLE, state="attached")


def wait_idle(page) -> None:
    """Wait until the run has finished and the page has its title."""
    idle(page)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1')


def _path(url_path: str) -> str:
    """The Start page is served at the root; every other page at its own url_path (/cost, /roi, ...)."""
    return "" if url_path == HOME.url_path else url_path


def goto(page, base: str, url_path: str = "", query: dict[str, str] | None = None) -> None:
    page.goto(f"{base}/{_path(url_path)}" + (f"?{urlencode(query)}" if query else ""))
    wait_idle(page)


def open_page(page, base: str, url_path: str, title: str) -> None:
    """Open a page and wait for its title ``title`` (h1) and the end of the run."""
    goto(page, base, url_path)
    page.locator('[data-testid="stMainBlockContainer"] h1').filter(has_text=title).wait_for()


def kpi(page, key: str):
    """The value of the KPI card ``key`` (a locator)."""
    return page.locator(f'.st-key-kpi-{key} [data-testid="stMetricValue"]')


def kpi_text(page, key: str) -> str:
    return kpi(page, key).inner_text().strip()


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Page not found" not in page.content()


def full_page_screenshot(page, path, width: int | None = None) -> None:
    """The whole page at ``width`` (default: the current width). Streamlit scrolls inside its main
    block, so the viewport grows to the content first (at most 12,000 px), then goes back to 900 px."""
    width = width or page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": 900})
    idle(page)
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
        return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }""")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(800)  # let charts re-layout to the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def download(page, label: str, timeout: int = 90_000) -> tuple[str, bytes]:
    """Click the download button ``label``; the file's suggested name and bytes."""
    with page.expect_download(timeout=timeout) as info:
        page.get_by_role("button", name=label).click()
    d = info.value
    with open(d.path(), "rb") as fh:
        return d.suggested_filename, fh.read()
