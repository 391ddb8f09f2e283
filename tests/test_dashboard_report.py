"""The dashboard's Report page, driven headless with AppTest: headline preview and downloads.

Expected numbers come from ``calculator`` (through the same report content the files use); the
files behind the download buttons are produced by the page's own function and read back.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from calculator import Scenario, apply_sets, evaluate, to_json
from calculator.dashboard.pages import report as page
from calculator.export.report import build_report, money, pct
from calculator.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, psa

TIMEOUT = 60


def _page_app(name: str) -> None:
    """The same frame as app.py, opened on one page (AppTest cannot switch to callable pages)."""
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default=name), position="top"))


def open_report(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_function(_page_app, args=("report",), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_report_page_previews_the_headline_of_the_pdf():
    at = open_report()
    assert not at.exception, [e.value for e in at.exception]
    s = Scenario()
    d = build_report(s, uncertainty=psa(s, DEFAULT_DRAWS, DEFAULT_SEED))
    r = evaluate(s)
    m = metrics(at)
    assert m["Cost of back pain, per year"] == money(r.burden.total)
    assert m["Program cost, 12 months"] == money(r.program.cost)
    assert m["Savings, 12 months"] == money(r.program.savings)
    assert m["Return on investment"] == pct(r.program.roi, 1)
    assert m["ROI, 90% interval"] == f"{pct(d.uncertainty.roi_low, 1)} to {pct(d.uncertainty.roi_high, 1)}"
    assert m["Chance it pays for itself"] == pct(d.uncertainty.p_roi_positive)
    body = " ".join(e.value for e in at.markdown)
    assert "Conservative case" in body and body.index("Conservative case") < body.index("Base case")


def test_every_format_has_a_download_button_with_its_file_name():
    at = open_report()
    buttons = {b.key: b for b in at.get("download_button")}
    for fmt_, table, label, _ in page.DOWNLOADS:
        b = buttons[f"report-download-{fmt_}-{table}"]
        assert b.label == label
    assert len([k for k in buttons if k.startswith("report-download-")]) == len(page.DOWNLOADS) == 7


def test_the_files_behind_the_buttons_read_back_with_the_page_numbers():
    sj = to_json(Scenario())
    r = evaluate(Scenario())
    doc = json.loads(page.file_bytes(sj, 1000, 7, "json", "results"))
    assert doc["results"]["program"]["cost"] == pytest.approx(r.program.cost, rel=1e-12)
    assert doc["uncertainty"]["draws"] == 1000 and doc["uncertainty"]["seed"] == 7
    wb = openpyxl.load_workbook(io.BytesIO(page.file_bytes(sj, 0, 7, "xlsx", "results")))
    assert "program_roi" in wb.defined_names
    monthly = page.file_bytes(sj, 0, 7, "csv", "monthly").decode()
    assert monthly.splitlines()[0].startswith("program,therapy,month")
    text = pypdf.PdfReader(io.BytesIO(page.file_bytes(sj, 0, 7, "pdf", "results"))).pages[0].extract_text()
    assert money(r.burden.total) in text


def test_without_chosen_simulations_the_headline_simulation_still_stands_beside_the_roi():
    from calculator.uncertainty import HEADLINE_DRAWS
    at = open_report()
    at.selectbox(key="report-draws").set_value(0).run()
    assert not at.exception
    m = metrics(at)
    res = psa(Scenario(), HEADLINE_DRAWS, DEFAULT_SEED)
    assert m["Chance it pays for itself"] == pct(res.probability("roi_positive"))  # never a bare ROI


def test_a_share_link_scenario_reaches_the_report():
    at = open_report({"programs.0.therapy": "yoga", "workforce.employees": "250"})
    assert not at.exception
    p = evaluate(apply_sets(Scenario(), [("programs.0.therapy", "yoga"), ("workforce.employees", 250)])).program
    m = metrics(at)
    assert m["Program cost, 12 months"] == money(p.cost)
    assert m["Return on investment"] == pct(p.roi, 1)
    buttons = {b.key: b for b in at.get("download_button")}
    assert "report-download-pdf-results" in buttons
