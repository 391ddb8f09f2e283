"""Health-plan pages of the reports: live PMPM and QALY formulas in the workbook, the PDF page, JSON/CSV."""

from __future__ import annotations

import io
import json
import os

import openpyxl
import pytest

from calculator import Scenario, apply_sets
from calculator.budget import budget_impact
from calculator.cea import cost_effectiveness
from calculator.claims import apply_claims, read_claims

formulas = pytest.importorskip("formulas")
SAMPLE = os.path.join(os.path.dirname(__file__), "..", "assets", "sample_claims.csv")


def _engine(data: bytes, tmp_path):
    path = os.path.join(tmp_path, "w.xlsx")
    with open(path, "wb") as fh:
        fh.write(data)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    model = formulas.ExcelModel().loads(path).finish()

    def key(name: str) -> str:
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        return f"'[w.xlsx]{sheet.upper()}'!{ref.replace('$', '')}"

    def calc(inputs: dict | None = None) -> dict:
        sol = model.calculate(inputs={key(k): v for k, v in (inputs or {}).items()})
        out = {}
        for name in wb.defined_names:
            if name.startswith("plan_") and key(name) in sol:
                v = sol[key(name)].value[0][0]
                out[name] = v.item() if hasattr(v, "item") else v
        return out

    return wb, calc


def _sheet_only(scenario: Scenario) -> bytes:
    from openpyxl import Workbook

    from calculator.export.xlsx_plan import add_health_plan_sheet
    wb = Workbook()
    add_health_plan_sheet(wb, scenario)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("sets", [
    [],
    [("plan.fee_basis", "pmpm"), ("plan.fee_amount", "2.5"), ("plan.fees_at_risk", "0.5"), ("plan.horizon_years", "5")],
    [("programs.0.therapy", "yoga"), ("plan.medical_trend", "0.05"), ("analysis.horizon_months", "24")],
])
def test_workbook_formulas_reproduce_pmpm_and_qalys(tmp_path, sets):
    s = apply_sets(Scenario(), sets)
    wb, calc = _engine(_sheet_only(s), tmp_path)
    got = calc()
    b, ce = budget_impact(s), cost_effectiveness(s)
    assert got["plan_pmpm"] == pytest.approx(b.pmpm, rel=1e-6)
    assert got["plan_net"] == pytest.approx(b.net, rel=1e-6)
    assert got["plan_share_of_spend"] == pytest.approx(b.share_of_plan_spend, rel=1e-6)
    assert got["plan_qalys_gained"] == pytest.approx(ce.qalys_gained, rel=1e-6)
    assert got["plan_nmb_100000"] == pytest.approx(ce.nmb["100000"], rel=1e-6)
    if ce.cost_per_qaly is not None:
        assert got["plan_cost_per_qaly"] == pytest.approx(ce.cost_per_qaly, rel=1e-6)


def test_workbook_is_live_fee_and_trend(tmp_path):
    s = apply_sets(Scenario(), [("plan.fee_basis", "pmpm"), ("plan.fee_amount", "2")])
    wb, calc = _engine(_sheet_only(s), tmp_path)
    got = calc({"plan_fee": 4.0, "plan_paid_to_allowed": 1.0, "plan_trend": 0.0})
    s2 = apply_sets(s, [("plan.fee_amount", "4"), ("condition.plan_paid_share", "1"), ("plan.medical_trend", "0")])
    assert got["plan_pmpm"] == pytest.approx(budget_impact(s2).pmpm, rel=1e-6)


def test_full_workbook_has_the_sheet_and_claims_marks(tmp_path):
    from calculator.export import export
    s, _ = apply_claims(Scenario(), read_claims(open(SAMPLE, "rb").read(), "sample_claims.csv"))
    data = export(s, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Health plan"]
    notes = [c.value for c in ws["C"] if c.value]
    assert "from your claims" in notes
    assert "plan_pmpm" in wb.defined_names


def test_pdf_has_a_health_plan_page():
    pypdf = pytest.importorskip("pypdf")
    from calculator.export import export
    s, _ = apply_claims(Scenario(), read_claims(open(SAMPLE, "rb").read(), "sample_claims.csv"))
    data = export(s, "pdf", charts=False)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Health plan view" in text and "PMPM" in text and "cost per qaly" in text.lower()
    assert "from your claims" in text
    b = budget_impact(s)
    assert f"${b.pmpm:,.3f}" in text


def test_json_export_carries_the_plan_paths():
    from calculator.export import export
    d = json.loads(export(Scenario(), "json"))["results"]
    assert d["budget_impact"]["pmpm"] == pytest.approx(budget_impact(Scenario()).pmpm)
    assert len(d["budget_impact"]["years"]) == 3
    assert "qaly_gain" in d["program"]["per_participant"] and set(d["program"]["nmb"]) == {"50000", "100000", "150000"}
    csv = export(Scenario(), "csv").decode()
    assert "budget_impact,relaxation_massage,pmpm," in csv and "cost_effectiveness,relaxation_massage,qalys_gained," in csv


def test_inputs_table_marks_values_from_your_claims():
    from calculator.export import export
    s, _ = apply_claims(Scenario(), read_claims(open(SAMPLE, "rb").read(), "sample_claims.csv"))
    csv = export(s, "csv", table="inputs").decode()
    lines = [ln for ln in csv.splitlines() if "FROM YOUR CLAIMS" in ln]
    assert {ln.split(",")[1] for ln in lines} >= {"condition.prevalence", "condition.plan_paid_share"}
