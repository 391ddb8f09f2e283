"""Reports made with an uploaded census carry its segment table, with hostile labels neutralised."""

import io
import json

import openpyxl
import pypdf
import pytest

from calculator import Scenario
from calculator.census import evaluate_census, read_census
from calculator.export import build_report, export

HOSTILE = "=HYPERLINK(\"http://x\",\"y\")"
SCRIPT = "<script>alert(1)</script>"


def _census_bytes() -> bytes:
    rows = ["job_family,hourly_rate,age,gender"]
    for i in range(40):
        family = HOSTILE if i < 20 else SCRIPT
        rows.append(f"\"{family.replace(chr(34), chr(34) * 2)}\",{25 + i % 5},{30 + i % 20},{'F' if i % 2 else 'M'}")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module")
def report():
    census = read_census(_census_bytes(), "hostile.csv")
    res = evaluate_census(Scenario(), census, by=["job_family"])
    return build_report(res.scenario, census=res), res


def test_json_and_csv_carry_the_segments(report):
    d, res = report
    doc = json.loads(export(d, "json"))
    assert [s["employees"] for s in doc["segments"]] == res.table()["employees"].tolist()
    assert sum(s["employees"] for s in doc["segments"]) == 40
    csv_text = export(d, "csv", table="segments").decode()
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text


def test_workbook_has_a_segments_sheet_without_formulas_from_labels(report):
    d, res = report
    wb = openpyxl.load_workbook(io.BytesIO(export(d, "xlsx")))
    ws = wb["Segments"]
    labels = [ws.cell(row=r, column=1).value for r in range(5, 5 + len(res.table()))]
    assert all(not str(v).startswith("=") for v in labels)
    assert any("HYPERLINK" in str(v) for v in labels)
    assert sum(ws.cell(row=r, column=2).value for r in range(5, 5 + len(res.table()))) == 40


def test_pdf_prints_the_labels_as_text(report):
    d, _ = report
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(export(d, "pdf", charts=False))).pages)
    assert "Your workforce by segment" in text
    assert "<script>alert(1)</script>" in text


def test_reports_without_a_census_have_no_segments():
    d = build_report(Scenario())
    assert d.segments is None and "segments" not in json.loads(export(d, "json"))
    with pytest.raises(ValueError, match="needs a census"):
        export(d, "csv", table="segments")
