"""A real browser runs the sample book on the 'Book of business' page, and uploads a hostile file."""

from __future__ import annotations

from pathlib import Path

import pytest

from calculator.book import read_groups, run
from calculator.dashboard import fmt
from tests.e2e.pages import full_page_screenshot, idle, kpi_text, open_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "sample_groups.csv"
HOSTILE = (b"group_id,name,workforce.employees,condition.prevalence\n"
           b"A,<img src=x onerror=alert(1) id=injected>,300,0.1\n"
           b"B,=HYPERLINK(\"http://evil\"),900,\n"
           b"C,Charlie,-4,\n")


def _choose_draws(page, label: str) -> None:
    page.locator(".st-key-book-draws").get_by_role("combobox").click()
    page.get_by_role("option", name=label, exact=True).click()
    idle(page)


def test_run_the_sample_book(page, app_url, screenshot_dir):
    open_page(page, app_url, "portfolio", "Book of business")
    _choose_draws(page, "1,000")
    page.get_by_role("button", name="Run the book").click()
    page.get_by_text("Book totals: the whole book").wait_for(timeout=120_000)
    idle(page)
    expected = run(read_groups(SAMPLE.read_bytes(), SAMPLE.name), 1000, 20240101)
    head = expected.totals.iloc[0]
    assert kpi_text(page, "book-net") == fmt.money(head["net_benefit_mean"])
    assert kpi_text(page, "book-p") == fmt.pct(head["prob_net_positive"], 0)
    assert kpi_text(page, "book-confident") == f"{int(head['groups_confident'])} of 50"
    page.get_by_text("Done: 50 groups in").wait_for()
    page.get_by_role("heading", name="Every group").wait_for()
    assert page.locator('[data-testid="stDataFrame"]').count() >= 2  # totals by therapy, every group
    page.locator('.stPlotlyChart, [data-testid="stPlotlyChart"]').first.wait_for()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(dl.value.path()).read_text()
    assert text.count("\n") == 51 and text.startswith("row,group_id,name,status")
    for width in (1280, 800, 390):
        full_page_screenshot(page, screenshot_dir / f"portfolio-sample-{width}.png", width)


def test_hostile_upload_lists_problems_and_renders_no_html(page, app_url, screenshot_dir):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, app_url, "portfolio", "Book of business")
    page.get_by_text("Upload a groups file", exact=True).click()
    idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "hostile.csv", "mimeType": "text/csv", "buffer": HOSTILE})
    page.get_by_text("1 row(s) of the file have problems").wait_for(timeout=60_000)
    idle(page)
    assert page.get_by_role("button", name="Run the book").is_disabled()
    page.get_by_text("Run the valid groups and list the invalid rows in the results").click()
    idle(page)
    _choose_draws(page, "1,000")
    page.get_by_role("button", name="Run the book").click()
    page.get_by_text("Book totals: the whole book").wait_for(timeout=60_000)
    idle(page)
    assert kpi_text(page, "book-confident").endswith("of 2")
    assert page.locator("#injected").count() == 0 and dialogs == []
    full_page_screenshot(page, screenshot_dir / "portfolio-hostile-1280.png")
