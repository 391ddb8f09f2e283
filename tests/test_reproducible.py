"""Same inputs, same bytes: every export format, built twice from scratch, is byte-identical.

The time stamped into a file comes from ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when it is
set, else midnight UTC of the day; it reaches the PDF's /CreationDate, the Office core properties
and every zip entry's time. Each test builds the report twice (two ``build_report`` calls, so no
object is shared) and compares the bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from calculator import Scenario
from calculator.export import export
from calculator.export.report import build_report
from calculator.export.repro import report_time, stable_zip
from calculator.scenario import apply_sets

EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC
WHEN = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


def _twice(fmt: str, scenario: Scenario | None = None, **kw) -> tuple[bytes, bytes]:
    s = scenario or apply_sets(Scenario(), [("name", "Acme plant"), ("programs.1.therapy", "yoga")])
    return tuple(export(build_report(s), fmt, **kw) for _ in range(2))  # type: ignore[return-value]


@pytest.mark.parametrize("fmt", ["xlsx", "pptx", "docx", "json", "csv"])
def test_two_runs_give_the_same_bytes(fmt):
    a, b = _twice(fmt)
    assert a == b


def test_pdf_without_charts_is_byte_identical_and_dated_by_source_date_epoch():
    a, b = _twice("pdf", charts=False)
    assert a == b
    assert b"/CreationDate (D:20231114221320" in a and b"/ModDate (D:20231114221320" in a


@pytest.mark.slow
def test_pdf_with_charts_is_byte_identical():
    a, b = _twice("pdf")
    assert a == b


@pytest.mark.parametrize("fmt", ["xlsx", "pptx", "docx"])
def test_office_files_carry_the_epoch_in_core_properties_and_zip_entries(fmt):
    data = export(build_report(Scenario()), fmt)
    z = zipfile.ZipFile(io.BytesIO(data))
    assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    core = z.read("docProps/core.xml").decode()
    assert "2023-11-14T22:13:20Z" in core


def test_the_json_and_the_reports_say_the_same_time():
    import json
    doc = json.loads(export(build_report(Scenario()), "json"))
    assert doc["generated"] == WHEN.isoformat()


def test_without_the_variable_the_time_is_the_start_of_the_day(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    t = report_time()
    assert (t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0) and t.tzinfo is not None
    assert dt.datetime.now(dt.UTC) - t < dt.timedelta(days=1)


def test_a_bad_epoch_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH must be a whole number.*'yesterday'"):
        report_time()


def test_stable_zip_removes_entry_times_and_keeps_content():
    parts = []
    for stamp in ((2001, 1, 1, 0, 0, 0), (2022, 5, 6, 7, 8, 10)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(zipfile.ZipInfo("a.xml", stamp), b"<a/>")
            z.writestr(zipfile.ZipInfo("docProps/core.xml", stamp),
                       b"<x><dcterms:created xsi:type='W3CDTF'>2001-01-01T00:00:00Z</dcterms:created></x>")
        parts.append(stable_zip(buf.getvalue(), WHEN))
    assert parts[0] == parts[1]
    z = zipfile.ZipFile(io.BytesIO(parts[0]))
    assert z.read("a.xml") == b"<a/>" and b"2023-11-14T22:13:20Z" in z.read("docProps/core.xml")


@pytest.mark.parametrize("fmt", ["xlsx", "pptx", "docx", "json", "csv"])
def test_a_program_without_cost_exports_in_every_format(fmt):
    """No participants and no fixed cost: ROI is undefined in every draw; every format still writes."""
    s = apply_sets(Scenario(), [("programs.0.uptake", 0), ("programs.0.uptake_unaffected", 0),
                                ("programs.0.setup_cost", 0), ("programs.0.admin_pepm", 0)])
    assert export(build_report(s), fmt)[:1]


def test_a_different_impact_mix_reaches_the_workbook_medical_cost():
    """The workbook's medical burden follows the impact mix (caught by issue-9's layout tests)."""
    import openpyxl

    from calculator import evaluate
    s = apply_sets(Scenario(), [("condition.impact_mix.low", 0), ("condition.impact_mix.moderate", 0),
                                ("condition.impact_mix.high", 1)])
    wb = openpyxl.load_workbook(io.BytesIO(export(build_report(s), "xlsx")), data_only=True)
    sheet, ref = next(iter(wb.defined_names["burden_medical"].destinations))
    assert wb[sheet][ref.replace("$", "")].value == pytest.approx(evaluate(s).burden.medical, rel=1e-9)
