"""Browser printing: the print stylesheet (calculator/dashboard/style.py) keeps every chart whole.

Issue 14 found that printing a page from the browser cut charts at the right. This test switches the
real Chromium to print media at the printable width of a landscape US-letter page (11 in minus the
stylesheet's 12 mm margins, at 96 px per inch) and checks that no chart reaches past it. It also
prints the page to PDF with Chromium's own print path and saves the first page as a PNG to look at.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.pages import goto

pytestmark = pytest.mark.browser

#: Printable width of landscape letter with 12 mm margins, in CSS pixels (96 per inch).
PRINT_WIDTH = round((11 - 2 * 12 / 25.4) * 96)


@pytest.mark.parametrize("url_path", ["cost", "roi"])
def test_printed_page_keeps_every_chart_inside_the_paper(page, app_url, screenshot_dir, url_path):
    goto(page, app_url, url_path)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH, "height": 1200})
    page.wait_for_timeout(800)  # plotly relayouts its responsive charts on resize
    boxes = page.eval_on_selector_all(
        ".js-plotly-plot .main-svg",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.width]; })")
    assert boxes, "no chart on the page"
    for left, right, width in boxes:
        assert width > 100, "a chart collapsed when printed"
        assert left >= -1 and right <= PRINT_WIDTH + 1, f"a chart runs past the paper: {left:.0f}-{right:.0f} px"
    # the toolbar and download buttons are not printed
    hidden = page.eval_on_selector_all('[data-testid="stToolbar"], [data-testid="stDownloadButton"]',
                                       "els => els.every(e => !e.checkVisibility())")
    assert hidden
    pdf = screenshot_dir / f"print-{url_path}.pdf"
    page.pdf(path=str(pdf), landscape=True, format="Letter", print_background=True)
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(screenshot_dir / f"print-{url_path}-page1")], check=False)
