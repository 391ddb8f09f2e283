"""The workbook as a CFO's analyst receives it: cached results, guarded inputs, cases, print setup.

* Every formula carries its computed value (tests read results with ``openpyxl(data_only=True)``
  and pandas, which never calculate, and compare with the CLI's ``evaluate --format json``).
* Every input cell has data validation with the scenario's own allowed range: prevalence 1.5,
  which the CLI refuses, is refused by the workbook too.
* The therapy cell is locked (a one-value list) with a note, and the layout check notices a change.
* A Cases sheet leads with the conservative case; the uncertainty tables carry number formats.
* Every sheet prints one page wide; LibreOffice renders it and the pages are saved to look at.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest

from calculator import Scenario, ScenarioError, apply_sets, evaluate, library
from calculator.export.report import build_report
from calculator.export.xlsx import input_name, xlsx_bytes
from calculator.sensitivity import compare_presets
from tests.office import ARTIFACTS, needs_poppler, needs_soffice, pages_png, to_pdf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def data() -> bytes:
    return xlsx_bytes(Scenario())


@pytest.fixture(scope="module")
def values(data):
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


@pytest.fixture(scope="module")
def formulas_wb(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def _named(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def _cli_evaluate(*sets: str) -> dict:
    args = [sys.executable, "-m", "calculator.cli", "evaluate", "--format", "json"]
    for s in sets:
        args += ["--set", s]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": ROOT})
    return json.loads(out.stdout)


def test_every_formula_cell_carries_a_cached_value(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        cells = [c for n in sheets for c in re.findall(r"<c [^>]*>(?:(?!</c>).)*<f>.*?</c>", z.read(n).decode(), re.S)]
    assert len(cells) >= 444
    empty = [c[:80] for c in cells if not re.search(r"<v>[^<]+</v>", c) and 't="str"' not in c]
    assert not empty, empty[:5]


def test_results_read_without_calculation_match_the_cli(values):
    cli = _cli_evaluate()
    b, p = cli["burden"], cli["program"]
    for name, want in (("burden_total", b["total"]), ("burden_presenteeism", b["presenteeism"]),
                       ("program_cost", p["cost"]), ("program_savings", p["savings"]),
                       ("program_net_benefit", p["net_benefit"]), ("program_roi", p["roi"]),
                       ("program_npv", p["npv"]), ("program_participants", p["participants"])):
        assert _named(values, name).value == pytest.approx(want, rel=1e-9), name
    assert p["payback_month"] is None and _named(values, "program_payback_month").value == "never"
    about = {r[0]: r[1] for r in values["About"].iter_rows(min_row=6, max_row=16, values_only=True)}
    assert about["Net benefit"] == pytest.approx(p["net_benefit"], rel=1e-9)


def test_pandas_reads_the_cash_flow_as_numbers(data):
    m = evaluate(Scenario()).program.monthly
    cf = pd.read_excel(io.BytesIO(data), sheet_name="Cash flow", header=3, nrows=12)
    assert cf["Total cost"].tolist() == pytest.approx(m["cost"].tolist(), rel=1e-9)
    assert cf["Cumulative net"].tolist() == pytest.approx(m["cumulative_net"].tolist(), rel=1e-9)
    assert not cf[["Total cost", "Total savings", "Net cash flow"]].isna().any().any()


@pytest.mark.slow
def test_a_36_month_two_program_workbook_caches_every_result():
    sets = ["analysis.horizon_months=36", "programs.1.therapy=yoga", "programs.0.uptake=0.4"]
    s = apply_sets(Scenario(), [tuple(x.split("=")) for x in sets])
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(s)), data_only=True)
    cli = _cli_evaluate(*sets)
    for i, prefix in ((0, "program_"), (1, "program2_")):
        p = cli["programs"][i]
        for k in ("cost", "savings", "net_benefit", "roi", "npv"):
            assert _named(wb, prefix + k).value == pytest.approx(p[k], rel=1e-9), (prefix, k)
        pb = _named(wb, prefix + "payback_month").value
        assert pb == ("never" if p["payback_month"] is None else p["payback_month"])


def _validation_for(ws, ref):
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def test_every_input_cell_is_validated_with_the_scenarios_range(formulas_wb):
    ws = formulas_wb["Inputs"]
    inputs = [c for row in ws.iter_rows(min_row=5, min_col=3, max_col=3) for c in row
              if c.fill.fgColor.rgb in ("00FFF2CC", "00D9D9D9")]
    assert len(inputs) > 40
    unguarded = [ws.cell(row=c.row, column=12).value for c in inputs if not _validation_for(ws, c.coordinate)]
    assert not unguarded
    lib = library()
    for path in ("condition.prevalence", "workforce.employees", "programs.0.price_per_session"):
        cell = _named(formulas_wb, input_name(path))
        (dv,) = _validation_for(ws, cell.coordinate)
        par = lib.parameter(ws.cell(row=cell.row, column=13).value)
        assert (float(dv.formula1), float(dv.formula2)) == (par.min_allowed, par.max_allowed), path
        assert dv.showErrorMessage and dv.errorStyle == "stop"
    # prevalence 1.5: the CLI refuses it, and so does the workbook's rule
    (dv,) = _validation_for(ws, _named(formulas_wb, "condition_prevalence").coordinate)
    assert not float(dv.formula1) <= 1.5 <= float(dv.formula2)
    with pytest.raises(ScenarioError):
        apply_sets(Scenario(), [("condition.prevalence", 1.5)])
    apply_sets(Scenario(), [("condition.prevalence", float(dv.formula2))])  # the bound itself is allowed
    (emp,) = _validation_for(ws, _named(formulas_wb, "workforce_employees").coordinate)
    assert emp.type == "whole"


def test_the_therapy_cell_is_locked_with_a_note(formulas_wb):
    ws = formulas_wb["Inputs"]
    cell = _named(formulas_wb, "programs_0_therapy")
    (dv,) = _validation_for(ws, cell.coordinate)
    assert dv.type == "list" and dv.formula1 == '"relaxation_massage"' and dv.errorStyle == "stop"
    assert "Locked" in ws.cell(row=cell.row, column=14).value and "export again" in ws.cell(row=cell.row, column=14).value
    check = _named(formulas_wb, "program_layout_check").value
    assert 'programs_0_therapy="relaxation_massage"' in check


def test_changing_the_therapy_cell_fails_the_layout_check(data, tmp_path):
    formulas = pytest.importorskip("formulas")
    path = tmp_path / "w.xlsx"
    path.write_bytes(data)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    model = formulas.ExcelModel().loads(str(path)).finish()
    sheet, ref = next(iter(wb.defined_names["programs_0_therapy"].destinations))
    csheet, cref = next(iter(wb.defined_names["program_layout_check"].destinations))
    key = f"'[w.xlsx]{csheet.upper()}'!{cref.replace('$', '')}"
    ok = model.calculate()[key].value[0][0]
    changed = model.calculate(inputs={f"'[w.xlsx]{sheet.upper()}'!{ref.replace('$', '')}": "yoga"})[key].value[0][0]
    assert ok == "OK" and changed.startswith("Horizon, offer interval or therapy changed")


def test_cases_sheet_leads_with_the_conservative_case(values):
    ws = values["Cases"]
    assert values.sheetnames[1] == "Cases"
    assert [c.value for c in ws[4]][:4] == ["Result", "Conservative", "Base", "Optimistic"]
    cases = compare_presets(Scenario()).set_index("preset")
    rows = {r[0]: r[1:4] for r in ws.iter_rows(min_row=5, max_row=10, values_only=True)}
    for j, case in enumerate(("conservative", "base", "optimistic")):
        assert rows["Net benefit"][j] == pytest.approx(cases.loc[case, "net_benefit"], rel=1e-12)
        assert rows["ROI"][j] == pytest.approx(cases.loc[case, "roi"], rel=1e-12)
    assert rows["Net benefit"][1] == pytest.approx(evaluate(Scenario()).program.net_benefit, rel=1e-12)
    for j, case in enumerate(("conservative", "base", "optimistic")):
        want = cases.loc[case, "payback_month"]
        assert rows["Payback month"][j] == ("never" if want != want else int(want)), case
    assert rows["Payback month"][0] == "never"  # the conservative case does not pay back at the defaults


def test_uncertainty_tables_are_formatted():
    from calculator.uncertainty import psa
    d = build_report(Scenario(), uncertainty=psa(Scenario(), 300, 5))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(d, cached_values=False)))["Uncertainty summary"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    roi, net = rows["Return on investment [ratio]"], rows["Net benefit (savings - cost) [USD]"]
    assert ws.cell(row=roi, column=3).number_format .startswith("0.0%")
    assert ws.cell(row=net, column=4).number_format.startswith('"$"#,##0')
    head = roi - 2
    assert ws.cell(row=head, column=4).value == "5th percentile" and ws.cell(row=head, column=4).alignment.wrap_text
    assert ws.column_dimensions["D"].width >= 14


def test_every_sheet_prints_one_page_wide(formulas_wb):
    for ws in formulas_wb.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_area and ws.page_setup.orientation == "landscape", ws.title


@needs_soffice
@needs_poppler
@pytest.mark.slow
def test_libreoffice_prints_the_workbook_on_few_full_width_pages(data):
    out = ARTIFACTS / "workbook"
    pdf = to_pdf(data, "xlsx", out, "workbook")
    pngs = pages_png(pdf, "page", dpi=40)
    # 10 sheets; Inputs and Cohorts run over a few pages each. Before print setup: about 50 pages.
    assert 10 <= len(pngs) <= 30, len(pngs)
    from pypdf import PdfReader
    widths = {round(float(p.mediabox.width)) for p in PdfReader(str(pdf)).pages}
    assert widths == {792}  # US letter landscape


def test_benchmark_sheet_matches_the_model(values):
    from calculator.model import benchmark_check
    bc = benchmark_check(evaluate(Scenario()))
    ws = values["Benchmarks"]
    rows = [r for r in ws.iter_rows(min_row=5, max_row=4 + len(bc), values_only=True)]
    assert [r[0] for r in rows] == list(bc["benchmark"])
    assert [r[4] for r in rows] == pytest.approx(list(bc["ours"]), rel=1e-12)
    assert [r[5] for r in rows] == pytest.approx(list(bc["ratio"]), rel=1e-12)
