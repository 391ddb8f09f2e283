"""Benchmarks (pytest-benchmark), not timed asserts. Targets from the reports issue:
the PDF with charts under 10 s, the Excel workbook under 2 s (both from a scenario, end to end:
evaluation, comparison, conservative case, rendering and writing)."""

import pytest

from calculator import Scenario
from calculator.export import build_report
from calculator.export.pdf import pdf_bytes
from calculator.export.pptx import pptx_bytes
from calculator.export.render import browser_path
from calculator.export.tables import csv_bytes, json_bytes
from calculator.export.xlsx import xlsx_bytes


@pytest.mark.skipif(browser_path() is None, reason="no Chrome/Chromium for the charts")
def test_bench_pdf_with_charts(benchmark):
    data = benchmark.pedantic(pdf_bytes, args=(Scenario(),), rounds=3, iterations=1)
    assert data[:5] == b"%PDF-"


def test_bench_pdf_without_charts(benchmark):
    data = benchmark.pedantic(pdf_bytes, args=(Scenario(),), kwargs={"charts": False}, rounds=5, iterations=1)
    assert data[:5] == b"%PDF-"


def test_bench_xlsx(benchmark):
    data = benchmark(xlsx_bytes, Scenario())
    assert data[:2] == b"PK"


def test_bench_xlsx_36_months_two_programs(benchmark):
    from calculator import apply_sets
    s = apply_sets(Scenario(), [("analysis.horizon_months", 36), ("programs.1.therapy", "yoga")])
    data = benchmark(xlsx_bytes, s)
    assert data[:2] == b"PK"


def test_bench_pptx(benchmark):
    assert benchmark(pptx_bytes, Scenario())[:2] == b"PK"


def test_bench_csv_and_json(benchmark):
    def both():
        d = build_report(Scenario())
        return csv_bytes(d), json_bytes(d)
    c, j = benchmark(both)
    assert c and j
