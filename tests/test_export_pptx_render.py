"""The pitch deck rendered by LibreOffice (Calibri-metric Carlito font), the way a pitch writer sees it.

``soffice --headless --convert-to pdf`` renders each deck; ``pdftotext -bbox-layout`` gives every
word with its box, so the tests can see what a person sees: a number broken across two lines in a
table cell, a KPI value wrapping onto a second line, tiny source text. Every slide is saved as PNG
under ``test-artifacts/deck/`` to look at.

Defects these tests catch again (issue 14): "$183,57 / 8" in the comparison table at 25,000
employees; category labels sitting on negative bars; month numbers across the cash-flow line; the
ROI-interval tile wrapping and growing taller than the others; 8 pt sources; a census deck that
never mentions the census.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Pt

from calculator import Scenario, apply_sets
from calculator.export.pptx import KPI_HEIGHT, SOURCE_PT, pptx_bytes
from calculator.export.report import build_report, therapy_rows
from tests.office import ARTIFACTS, needs_poppler, needs_soffice, pages_png, pdf_text_boxes, to_pdf

pytestmark = [needs_soffice, needs_poppler, pytest.mark.slow]

OUT = ARTIFACTS / "deck"


def _render(data: bytes, stem: str) -> tuple[Path, list[list[dict]]]:
    """The deck as PDF and, per slide, its words with boxes (xMin, yMin, xMax, yMax in points)."""
    pdf = to_pdf(data, "pptx", OUT, stem)
    pages_png(pdf, stem, dpi=60)
    xml = pdf_text_boxes(pdf)
    pages = []
    for page in re.findall(r"<page.*?</page>", xml, re.S):
        words = [{"x0": float(a), "y0": float(b), "x1": float(c), "y1": float(e), "text": t}
                 for a, b, c, e, t in re.findall(
                     r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
        pages.append(words)
    return pdf, pages


def _unescape(t: str) -> str:
    return t.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


@pytest.fixture(scope="module", params=[25_000, 10_000_000])
def rendered(request):
    s = apply_sets(Scenario(), [("workforce.employees", request.param)])
    d = build_report(s)
    data = pptx_bytes(d)
    pdf, pages = _render(data, f"deck-{request.param}")
    return d, Presentation(io.BytesIO(data)), pages


def test_no_number_in_the_comparison_table_breaks(rendered):
    d, prs, pages = rendered
    table = next(sh.table for sh in prs.slides[3].shapes if sh.has_table)
    words = {_unescape(w["text"]) for w in pages[3]}
    numbers = [c.text for row in list(table.rows)[1:] for j, c in enumerate(row.cells) if j >= 2]
    assert len(numbers) == 3 * len(therapy_rows(d))
    broken = [n for n in numbers if n not in words]
    assert not broken, broken  # each number is one word on one line in the rendered slide


def test_kpi_tiles_are_equal_and_each_value_stays_on_one_line(rendered):
    d, prs, pages = rendered
    tiles = [sh for sh in prs.slides[2].shapes if sh.has_text_frame and sh.text_frame.text.split("\n")[0].isupper()
             and sh.height == KPI_HEIGHT]
    assert len(tiles) == 4 and len({(t.height, t.width) for t in tiles}) == 1
    interval = next(t for t in tiles if "INTERVAL" in t.text_frame.text).text_frame.paragraphs[1].text
    parts = interval.split()  # e.g. "−83.2% to 59.3%"
    hits = [w for w in pages[2] if _unescape(w["text"]) in parts]
    assert len({round(w["y0"]) for w in hits if _unescape(w["text"]) in (parts[0], parts[-1])}) == 1, hits
    # the value line sits inside its tile: nothing rendered below the tiles' bottom edge but the chart
    top = tiles[0].top / 12700
    bottom = top + KPI_HEIGHT / 12700
    inside = [w for w in pages[2] if top <= w["y0"] <= bottom + 2 and w["x0"] < tiles[-1].left / 12700 + tiles[-1].width / 12700]
    assert all(w["y1"] <= bottom + 1 for w in inside), [w for w in inside if w["y1"] > bottom + 1]


def test_category_labels_sit_at_the_low_end_and_month_ticks_are_readable(rendered):
    _, prs, pages = rendered
    for slide in list(prs.slides)[1:4]:
        for sh in slide.shapes:
            if sh.has_chart:
                xml = sh.chart._chartSpace.xml
                assert re.search(r'<c:catAx>.*?<c:tickLblPos val="low"/>', xml, re.S), slide.shapes.title.text
    # comparison chart: every therapy label lies left of the plot, none on a bar
    chart = next(sh for sh in prs.slides[3].shapes if sh.has_chart)
    labels = [r["short_label"] for r in therapy_rows(build_report(Scenario()))]
    first_words = {lab.split()[0] for lab in labels}
    xs = [w["x1"] for w in pages[3] if _unescape(w["text"]) in first_words and w["x0"] < chart.left / 12700 + 200]
    money_left = min(w["x0"] for w in pages[3] if w["text"].startswith(("\u2212$", "$")) and w["x0"] < 520)
    assert xs and max(xs) < money_left + 1e-6 or max(xs) < chart.left / 12700 + 160
    # month ticks: one row of labels below the plot, not on the line
    months = [w for w in pages[2] if re.fullmatch(r"\d{1,2}", w["text"]) and w["y0"] > 300]
    assert len(months) >= 12 and len({round(w["y0"]) for w in months}) == 1


def test_sources_are_at_least_10_pt_and_all_listed(rendered):
    d, prs, _ = rendered
    slides = [s for s in prs.slides if s.shapes.title.text.startswith("Sources")]
    sizes = {r.font.size for s in slides for sh in s.shapes if sh.has_text_frame and sh != s.shapes.title
             and "[1]" in sh.text_frame.text or "[" in sh.text_frame.text[:3]
             for p in sh.text_frame.paragraphs for r in p.runs if r.text.startswith("[")}
    assert sizes and min(sizes) >= Pt(SOURCE_PT) >= Pt(10)
    text = " ".join(sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame)
    assert all(f"[{i}]" in text for i in range(1, len(d.references) + 1))


def test_census_deck_has_a_census_slide():
    from calculator.census import evaluate_census, read_census
    census = read_census(b"id,job_family,hourly_wage\n" + b"".join(
        f"{i},{'Nurses' if i % 2 else 'Porters'},{30 + i % 7}\n".encode() for i in range(400)), "c.csv")
    res = evaluate_census(Scenario(), census, by=["job_family"])
    prs = Presentation(io.BytesIO(pptx_bytes(build_report(res.scenario, census=res))))
    titles = [s.shapes.title.text for s in prs.slides]
    assert any(t.startswith("From your census") for t in titles), titles
    slide = next(s for s in prs.slides if s.shapes.title.text.startswith("From your census"))
    cells = [c.text for sh in slide.shapes if sh.has_table for row in sh.table.rows for c in row.cells]
    assert "Nurses" in cells and "Porters" in cells


def test_health_plan_deck_has_the_plans_view():
    s = apply_sets(Scenario(), [("analysis.perspective", "health_plan")])
    prs = Presentation(io.BytesIO(pptx_bytes(build_report(s))))
    titles = [sl.shapes.title.text for sl in prs.slides]
    assert "The plan's view: per member per month" in titles
    assert not any(t.startswith("From your census") for t in titles)
