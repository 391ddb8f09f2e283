"""The PDF business case: read back with pypdf, rendered to PNG with pdftoppm for a person to see.

The first page is saved to ``test-artifacts/report/page-1.png`` (and the PDF beside it), so a
reviewer can look at what a CFO would get.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from calculator import Scenario, apply_sets, evaluate
from calculator.export.pdf import pdf_bytes
from calculator.export.render import browser_path
from calculator.export.report import build_report, conservative_scenario, money, pct
from calculator.uncertainty import psa

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "report"
needs_browser = pytest.mark.skipif(browser_path() is None, reason="no Chrome/Chromium for kaleido")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")


def _pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def with_psa():
    s = Scenario()
    d = build_report(s, uncertainty=psa(s, 2000, 11))
    return d, pdf_bytes(d)


def _page_one_and_notes(data: bytes) -> str:
    """Page 1 and its footnotes (which continue on page 2 at full size when page 1 is full)."""
    pages = _pages(data)
    return pages[0] + " " + pages[1].split("A. Assumptions")[0]


def test_page_one_answers_with_the_calculator_numbers_conservative_first(with_psa):
    d, data = with_psa
    r, c = evaluate(Scenario()), evaluate(conservative_scenario(Scenario()))
    p1 = _page_one_and_notes(data)
    for text in (money(r.burden.total), money(r.program.cost), money(r.program.savings),
                 money(r.program.net_benefit), pct(r.program.roi, 1), money(c.program.cost), pct(c.program.roi, 1)):
        assert text in p1, text
    assert p1.index("Conservative case") < p1.index("Base case")
    u = d.uncertainty
    assert f"between {pct(u.roi_low, 1)} and {pct(u.roi_high, 1)}" in p1
    assert pct(u.p_roi_positive) in p1 and "2,000 simulated draws" in p1
    assert "Main limitations" in p1 and "not for decisions about individuals" in p1
    assert "Does not pay for itself within 12 months" in p1  # base ROI < 0 in the default scenario
    assert r.program.roi < 0


def test_every_headline_has_a_footnote_with_sources(with_psa):
    _, data = with_psa
    p1 = _page_one_and_notes(data)
    for label in ("Cost of back pain, per year.", "Program cost, 12 months.", "Savings, 12 months.",
                  "Net benefit, 12 months.", "Return on investment.", "ROI, 90% interval.",
                  "Chance it pays for itself.", "Payback.", "Conservative case.", "Charts."):
        assert label in p1, label
    assert p1.count("Sources [") >= 4  # burden, cost, savings, conservative; derived figures point to them


def test_appendices_assumptions_evidence_references_and_reproducibility(with_psa):
    d, data = with_psa
    pages = _pages(data)
    rest = " ".join(pages[1:])
    for head in ("A. Assumptions", "B. Therapy evidence and comparison", "C. Uncertainty",
                 "D. Monthly cash flow", "E. Method in brief", "F. Limitations and warnings", "G. References",
                 "H. Reproducibility"):
        assert head in rest, head
    for _, row in d.inputs.iterrows():
        assert row["label"][:30] in rest, row["label"]
    for i, ref in enumerate(d.references, start=1):
        assert f"[{i}]" in rest and ref.title[:25] in rest, ref.key
    assert d.scenario_sha256 in rest.replace(" ", "") and d.result.parameter_set in rest
    assert '"schema_version": 2' in rest and "Simulation output: 2,000 Monte Carlo draws (seed 11)" in rest
    assert len(pages) >= 5


def test_without_uncertainty_the_report_says_not_run():
    data = pdf_bytes(build_report(Scenario(), headline=False), charts=False)
    text = " ".join(_pages(data))
    assert "Uncertainty analysis: not run" in text and "Not run. No probabilistic sensitivity analysis" in text


def test_without_a_browser_the_report_says_so_and_keeps_the_tables(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    pages = _pages(pdf_bytes(Scenario()))
    assert "Charts not rendered" in pages[0] and "/nonexistent/chromium" in pages[0]
    assert "A. Assumptions" in " ".join(pages[1:])


def test_hostile_text_is_printed_not_interpreted():
    name = '<b>Acme & Co</b> =HYPERLINK("x") <link href="http://evil">'
    data = pdf_bytes(apply_sets(Scenario(), [("name", name)]), charts=False)
    assert '<b>Acme & Co</b> =HYPERLINK("x")' in _pages(data)[0]


def test_long_scenarios_keep_page_one_on_one_page():
    s = apply_sets(Scenario(), [("name", "A very long scenario name " * 7), ("analysis.horizon_months", 36),
                                ("programs.0.booster_interval_months", 3), ("programs.0.booster_sessions", 2),
                                ("programs.0.uptake_unaffected", 0.2)])
    pages = _pages(pdf_bytes(s, charts=False))
    assert "Covering relaxation" in pages[0] and "A. Assumptions" not in pages[0]
    assert "Main limitations" in pages[0] + pages[1].split("A. Assumptions")[0]
    assert "Booster courses are assumed" in " ".join(pages)  # the scenario's warnings are listed


@needs_browser
@needs_poppler
def test_first_page_rendered_with_charts_for_review(with_psa, tmp_path):
    _, data = with_psa
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "business-case.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(ARTIFACTS / "business-case.pdf"), str(ARTIFACTS / "page-1")], check=True, timeout=60)
    png = ARTIFACTS / "page-1.png"
    assert png.stat().st_size > 50_000
    from PIL import Image

    img = Image.open(png).convert("RGB")
    w, h = img.size
    px = img.load()
    # the charts are there: the presenteeism bar (Okabe-Ito orange #E69F00) covers a visible area
    orange = sum(1 for x in range(0, w, 3) for y in range(0, h, 3)
                 if abs(px[x, y][0] - 0xE6) < 18 and abs(px[x, y][1] - 0x9F) < 18 and px[x, y][2] < 40)
    assert orange > 300
