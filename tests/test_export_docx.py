"""The Word executive summary: editable text, the same figures and footnotes as the PDF, from the CLI.

Read back with python-docx (the text a person edits) and rendered with LibreOffice Writer (the
pages saved under ``test-artifacts/docx/`` to look at).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from docx import Document

from calculator import Scenario, apply_sets, evaluate
from calculator.export import MEDIA_TYPES, export
from calculator.export.docx import FOOTNOTE_KEYS, docx_bytes
from calculator.export.report import build_report, money, pct
from calculator.sensitivity import compare_presets
from tests.office import ARTIFACTS, needs_poppler, needs_soffice, pages_png, to_pdf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def report():
    return build_report(apply_sets(Scenario(), [("name", "Acme <plant> =1+1")]))


@pytest.fixture(scope="module")
def doc(report):
    return Document(io.BytesIO(docx_bytes(report)))


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_headline_roi_stands_with_its_interval_and_probability(doc, report):
    text = _text(doc)
    r = evaluate(report.scenario).program
    u = report.uncertainty
    assert pct(r.roi, 1) in text and money(r.net_benefit) in text
    assert f"{pct(u.roi_low, 1)} to {pct(u.roi_high, 1)}" in text and pct(u.p_roi_positive) in text
    assert "P(ROI > 0)" in text


def test_cases_side_by_side_match_the_presets(doc):
    table = next(t for t in doc.tables if t.cell(0, 1).text == "Conservative")
    assert [c.text for c in table.rows[0].cells] == ["", "Conservative", "Base", "Optimistic"]
    cases = compare_presets(Scenario()).set_index("preset")
    roi_row = next(r for r in table.rows if r.cells[0].text == "ROI")
    assert [c.text for c in roi_row.cells[1:]] == [pct(cases.loc[k, "roi"], 1)
                                                   for k in ("conservative", "base", "optimistic")]


def test_same_footnotes_as_the_reports_each_with_only_its_own_sources(doc, report):
    text = _text(doc)
    for key in FOOTNOTE_KEYS:
        assert report.figures[key].note[:60] in text, key
    # the cost footnote cites the cost inputs' sources, the ROI footnote none of its own
    cost = next(p.text for p in doc.paragraphs if "Program cost," in p.text and "Sources" in p.text)
    roi = next(p.text for p in doc.paragraphs if "Return on investment." in p.text)
    assert "Sources [" in cost and "Sources" not in roi.split("NPV")[0]
    assert len(re.findall(r"^\[\d+\] ", text, re.M)) == len(report.references)


def test_scenario_name_is_in_the_header_as_plain_text(doc):
    assert doc.sections[0].header.paragraphs[0].text.startswith("Acme <plant> =1+1")
    assert doc.core_properties.subject == "Acme <plant> =1+1"


def test_cli_writes_a_docx(tmp_path):
    out = tmp_path / "summary.docx"
    subprocess.run([sys.executable, "-m", "calculator.cli", "report", "--out", str(out)], check=True,
                   timeout=180, env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True)
    d = Document(str(out))
    assert "does it pay for itself?" in d.paragraphs[0].text or any("pay for itself" in p.text for p in d.paragraphs)
    assert MEDIA_TYPES["docx"].endswith("wordprocessingml.document")
    assert export(build_report(Scenario()), "docx")[:2] == b"PK"


@needs_soffice
@needs_poppler
@pytest.mark.slow
def test_writer_renders_the_case_on_two_pages_before_the_references(report):
    pdf = to_pdf(docx_bytes(report), "docx", ARTIFACTS / "docx", "executive-summary")
    pngs = pages_png(pdf, "page", dpi=70)
    assert 1 <= len(pngs) <= 3
    from pypdf import PdfReader
    first = PdfReader(str(pdf)).pages[0].extract_text()
    assert "Headline figures" in first and "Conservative, base and optimistic" in first
