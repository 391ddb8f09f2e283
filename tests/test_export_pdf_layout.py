"""The PDF as a CFO reads it: legible notes, running header, kept headings, rounded numbers, cases.

Checks the defects issue 14 listed, read back from the PDF itself (pypdf text and poppler's word
boxes): 6.2 pt footnotes, a header saying "Default scenario" for every scenario, orphaned
headings, "5.39662" absence days, "et al..", census values cited as the library's source, no
per-employee-per-month figure, no optimistic case, an unexplained gap between the simulated median
and the base case, no tornado chart, and dollar ticks so long that they overlap. Every page is
saved as PNG under ``test-artifacts/report/`` to look at.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pypdf
import pytest

from calculator import Scenario, apply_sets
from calculator.export.figures import report_figures
from calculator.export.pdf import pdf_bytes
from calculator.export.report import build_report, pct
from tests.office import ARTIFACTS, needs_poppler, pages_png


def _pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def _words(data: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        xml = subprocess.run(["pdftotext", "-bbox", fh.name, "-"], check=True, capture_output=True, text=True).stdout
    out = []
    for page in re.findall(r"<page.*?</page>", xml, re.S):
        out.append([(float(a), float(b), float(c), float(e), t) for a, b, c, e, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return out


@pytest.fixture(scope="module")
def named():
    s = apply_sets(Scenario(), [("name", "Acme plant 7"), ("condition.absence_days", 5.39662)])
    d = build_report(s, origins={"condition.prevalence": "survey"})
    return d, pdf_bytes(d, charts=False)


def test_every_page_after_the_first_names_the_scenario(named):
    _, data = named
    pages = _pages(data)
    assert len(pages) >= 5
    assert all("Acme plant 7" in p for p in pages[1:]), [i for i, p in enumerate(pages) if "Acme plant 7" not in p]
    assert "Default scenario" not in " ".join(pages)


@needs_poppler
def test_footnotes_are_at_least_7_5_pt(named):
    _, data = named
    d, _ = named
    words = [w for page in _words(data)[:2] for w in page]
    # the cost figure's footnote starts "Program cost, 12 months. 21.3 participants ..."
    first = f"{d.program.participants:,.1f}"
    start = next(w for w in words if w[4] == first)
    line = [w for w in words if abs(w[1] - start[1]) < 0.5]
    heights = [w[3] - w[1] for w in line]
    # poppler's word box is the font's ascent + descent: 0.925 em for Helvetica, so 7.5 pt -> 6.94
    assert len(line) > 8 and min(heights) >= 7.5 * 0.92, heights


def test_numbers_are_rounded_and_origins_cited(named):
    _, data = named
    text = " ".join(_pages(data)).split("H. Reproducibility")[0]  # appendix H holds the exact scenario file
    assert "5.39662" not in text and "5.4" in text
    assert "et al.." not in text
    assert "from your survey" in text  # prevalence came from the employer's own survey


def test_page_one_has_per_employee_per_month_and_low_base_high(named):
    d, data = named
    p1 = _pages(data)[0]
    assert "per employee per month" in p1
    assert "Conservative" in p1 and "Optimistic" in p1 and "Low, base and high" in p1
    opt = d.cases.set_index("preset").loc["optimistic", "roi"]
    assert pct(opt, 1) in p1


def test_headings_are_never_the_last_thing_on_a_page(named):
    _, data = named
    for i, page in enumerate(_pages(data)):
        body = page.split("Page ")[0].rstrip()
        for h in ("A. Assumptions", "B. Therapy evidence and comparison", "C. Uncertainty",
                  "D. Monthly cash flow", "E. Method in brief", "G. References", "H. Reproducibility"):
            if h in body:
                assert len(body.split(h, 1)[1].split()) > 12, (i, h)  # something of its own follows


def test_uncertainty_appendix_explains_the_median_and_has_a_tornado():
    d = build_report(Scenario())
    text = " ".join(_pages(pdf_bytes(d, charts=False)))
    u = d.uncertainty
    assert f"The simulated median ROI ({pct(u.roi_median, 1)}) lies" in text
    assert "base case runs every input at its mean" in text
    assert "What drives the ROI most" in text  # the tornado's text form without a browser
    figs = report_figures(d)
    assert "tornado" in figs


def test_money_ticks_are_short_and_few():
    figs = report_figures(build_report(apply_sets(Scenario(), [("workforce.employees", 250_000)])))
    for key, axis in (("burden", "xaxis"), ("cashflow", "yaxis"), ("compare", "xaxis")):
        ax = getattr(figs[key][1].layout, axis)
        assert ax.ticktext and len(ax.ticktext) <= 7, key
        assert all(len(t) <= 7 for t in ax.ticktext), (key, ax.ticktext)  # "$1.2M", never "$5,000,000"


@needs_poppler
@pytest.mark.slow
def test_every_page_saved_with_charts():
    from calculator.export.render import browser_path
    if browser_path() is None:
        pytest.skip("no Chromium for the charts")
    data = pdf_bytes(build_report(Scenario()))
    out = ARTIFACTS / "report"
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / "business-case-all.pdf"
    pdf.write_bytes(data)
    pngs = pages_png(pdf, "all-page", dpi=80)
    assert len(pngs) == len(_pages(data)) >= 6
    assert Path(pngs[0]).stat().st_size > 20_000


def test_benchmark_check_table_is_in_the_appendix(named):
    from calculator.model import benchmark_check
    d, data = named
    text = " ".join(_pages(data))
    bc = benchmark_check(d.result)
    assert "Benchmark check" in text
    for _, r in bc.iterrows():
        assert f"{r['ratio']:.2f}x" in text
