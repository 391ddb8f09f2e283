"""The Excel workbook: live formulas that reproduce calculator exactly, named cells, no injection.

The recalculation tests load the written workbook into the ``formulas`` engine (a pure-Python
Excel formula evaluator), recalculate every formula, and compare the named result cells with
:func:`calculator.evaluate` within 1e-6 relative. "Live" is tested by changing input cells in the
engine (not in Python) and comparing with the calculator run on the same change.
"""

from __future__ import annotations

import io
import math
import os
import zipfile

import openpyxl
import pytest

from calculator import Scenario, ScenarioError, apply_sets, evaluate
from calculator.export.report import build_report
from calculator.export.safe import TRIGGERS
from calculator.export.xlsx import RESULT_NAMES, input_name, xlsx_bytes
from calculator.model import INPUT_PATHS
from calculator.program import NUMERIC_FIELDS

formulas = pytest.importorskip("formulas")

REL = 1e-6
PROGRAM_FIELDS = ("cost", "savings", "savings_absenteeism", "savings_presenteeism", "savings_medical",
                  "net_benefit", "roi", "npv", "payback_month", "participants", "participants_with_back_pain",
                  "cost_per_participant", "savings_per_participant", "cost_per_employee_per_month",
                  "net_per_employee_per_month", "breakeven_price_per_session", "breakeven_effect_multiplier",
                  "breakeven_effect_size")
BURDEN_FIELDS = ("total", "absenteeism", "presenteeism", "medical", "in_perspective", "per_employee",
                 "per_affected_employee", "hours_lost", "days_lost", "benchmark_ratio")


class Engine:
    """A workbook loaded into the ``formulas`` engine, read through its defined names."""

    def __init__(self, data: bytes, tmp_path) -> None:
        path = os.path.join(tmp_path, "w.xlsx")
        with open(path, "wb") as fh:
            fh.write(data)
        self.wb = openpyxl.load_workbook(io.BytesIO(data))
        self.model = formulas.ExcelModel().loads(path).finish()

    def key(self, name: str) -> str:
        sheet, ref = next(iter(self.wb.defined_names[name].destinations))
        return f"'[w.xlsx]{sheet.upper()}'!{ref.replace('$', '')}"

    def calculate(self, inputs: dict[str, object] | None = None) -> dict[str, object]:
        sol = self.model.calculate(inputs={self.key(k): v for k, v in (inputs or {}).items()})
        out = {}
        for name in self.wb.defined_names:
            k = self.key(name)
            if k in sol:
                v = sol[k].value[0][0]
                out[name] = v.item() if hasattr(v, "item") else v
        return out


def _expected(scenario: Scenario) -> dict[str, float | None]:
    r = evaluate(scenario)
    exp: dict[str, float | None] = {f"burden_{k}": getattr(r.burden, k) for k in BURDEN_FIELDS}
    for i, p in enumerate(r.programs):
        prefix = "program_" if i == 0 else f"program{i + 1}_"
        exp.update({prefix + k: getattr(p, k) for k in PROGRAM_FIELDS})
        exp[prefix + "bcr"] = p.benefit_cost_ratio
    return exp


def _assert_matches(got: dict[str, object], scenario: Scenario) -> None:
    bad = []
    for name, want in _expected(scenario).items():
        value = got.get(name)
        if want is None:  # calculator's "undefined" (no ROI without cost, payback never, ...)
            ok = value == "never" or isinstance(value, formulas.functions.XlError) or value is None
        else:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and \
                math.isclose(float(value), want, rel_tol=REL, abs_tol=1e-9)
        if not ok:
            bad.append(f"{name}: workbook {value!r} vs calculator {want!r}")
    assert not bad, "\n".join(bad)


# Scenarios with their own layout (therapy catalogue values, horizon, offer interval, programs)
LAYOUTS = {
    "default": [],
    "yoga": [("programs.0.therapy", "yoga")],
    "acupuncture_24m_boosters": [("programs.0.therapy", "acupuncture"), ("analysis.horizon_months", 24),
                                 ("programs.0.booster_interval_months", 3), ("programs.0.booster_sessions", 2)],
    "36m_reoffers_12_24": [("analysis.horizon_months", 36)],
    "offer_every_5m_18m_clipped_effect": [("analysis.horizon_months", 18), ("programs.0.offer_interval_months", 5),
                                          ("programs.0.effect_multiplier", 2.0), ("translation.response_per_point", 0.5),
                                          ("workforce.annual_salary", 80000)],
    "two_programs": [("analysis.horizon_months", 24), ("programs.1.therapy", "mbsr"), ("programs.1.uptake", 0.3),
                     ("programs.1.visit_cap", 4)],
    "high_impact_fully_insured_pass_through": [
        ("condition.impact_mix.low", 0), ("condition.impact_mix.moderate", 0), ("condition.impact_mix.high", 1),
        ("analysis.perspective", "fully_insured"), ("analysis.premium_passthrough", 0.5),
        ("analysis.premium_lag_months", 6)],
    "no_cost_no_roi": [("programs.0.uptake", 0), ("programs.0.uptake_unaffected", 0), ("programs.0.setup_cost", 0),
                       ("programs.0.admin_pepm", 0)],
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_workbook_formulas_reproduce_calculator(name, tmp_path):
    s = apply_sets(Scenario(), LAYOUTS[name]) if LAYOUTS[name] else Scenario()
    engine = Engine(xlsx_bytes(s, cached_values=False), tmp_path)  # the engine recalculates anyway
    _assert_matches(engine.calculate(), s)


# Changes made *in the workbook* (input cells), the same layout: proves the formulas are live.
LIVE = {
    "price_and_headcount": [("programs.0.price_per_session", 50), ("workforce.employees", 500)],
    "visit_cap": [("programs.0.visit_cap", 6)],
    "on_paid_time_off_site": [("programs.0.on_paid_time", True)],
    "on_paid_time_on_site": [("programs.0.on_paid_time", True), ("programs.0.on_site", True)],
    "boosters": [("programs.0.booster_interval_months", 2), ("programs.0.booster_sessions", 3)],
    "friction_cost_binding": [("analysis.valuation", "friction_cost"), ("condition.absence_days", 100),
                              ("analysis.friction_period_weeks", 4), ("analysis.friction_elasticity", 0.8)],
    "fully_insured": [("analysis.perspective", "fully_insured")],
    "fully_insured_pass_through": [("analysis.perspective", "fully_insured"), ("analysis.premium_passthrough", 0.5)],
    "impact_mix_and_plan_share": [("condition.impact_mix.low", 0.5), ("condition.impact_mix.moderate", 0.3),
                                  ("condition.impact_mix.high", 0.2), ("condition.plan_paid_share", 0.7),
                                  ("translation.presenteeism_link", 0.2)],
    "friction_cost_binding_high_state": [("analysis.valuation", "friction_cost"), ("analysis.friction_period_weeks", 1)],
    "health_plan_paid_time": [("analysis.perspective", "health_plan"), ("programs.0.on_paid_time", True)],
    "salary_and_multiplier": [("workforce.annual_salary", 90000), ("workforce.multiplier_on_presenteeism", True),
                              ("workforce.productivity_multiplier", 1.5)],
    "pays_back": [("programs.0.uptake", 0.3), ("programs.0.price_per_session", 20), ("analysis.discount_rate", 0.07)],
}


@pytest.fixture(scope="module")
def default_engine(tmp_path_factory):
    return Engine(xlsx_bytes(Scenario(), cached_values=False), tmp_path_factory.mktemp("live"))


@pytest.mark.parametrize("name", list(LIVE))
def test_changing_an_input_cell_updates_every_result(default_engine, name):
    sets = LIVE[name]
    got = default_engine.calculate({input_name(path): value for path, value in sets})
    s = apply_sets(Scenario(), sets)
    _assert_matches(got, s)
    # and the change did change something (the test could not pass on a stale workbook)
    assert _expected(s) != _expected(Scenario())


def test_payback_month_is_a_number_when_the_program_pays_back(default_engine):
    sets = LIVE["pays_back"]
    got = default_engine.calculate({input_name(p): v for p, v in sets})
    want = evaluate(apply_sets(Scenario(), sets)).program.payback_month
    assert want is not None and got["program_payback_month"] == want


# ---------------------------------------------------------------------------------------------
# Structure


@pytest.fixture(scope="module")
def workbook():
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(Scenario())))


def test_sheets_and_named_results(workbook):
    assert workbook.sheetnames == ["About", "Cases", "Inputs", "Burden", "Program", "Cash flow", "Cohorts",
                                   "Comparison", "Uncertainty summary", "Benchmarks", "Health plan", "Sources"]
    for name in RESULT_NAMES:
        assert name in workbook.defined_names, name


def test_every_numeric_input_has_a_named_input_cell(workbook):
    ws = workbook["Inputs"]
    for field in NUMERIC_FIELDS:
        name = input_name(INPUT_PATHS[field].format(i=0))
        sheet, ref = next(iter(workbook.defined_names[name].destinations))
        assert sheet == "Inputs"
        cell = ws[ref.replace("$", "")]
        assert isinstance(cell.value, (int, float)) and cell.data_type == "n", name
    for name in ("workforce_employees", "condition_presenteeism", "programs_0_price_per_session",
                 "analysis_valuation", "analysis_perspective", "programs_0_visit_cap", "programs_0_on_paid_time"):
        assert name in workbook.defined_names


def test_computed_sheets_hold_formulas_not_values(workbook):
    for title in ("Burden", "Program", "Cash flow", "Cohorts"):
        ws = workbook[title]
        formulas_ = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
        numbers = [c for row in ws.iter_rows(min_row=5) for c in row
                   if c.data_type == "n" and c.value is not None and c.column != 1]
        assert len(formulas_) > 20, title
        # the only literal numbers are month/cohort indices (columns A-C of the layout), never results
        assert all(c.column <= 3 for c in numbers), (title, [c.coordinate for c in numbers][:5])
    for name, start in (("program_cost", "=SUM('Cash flow'!"), ("burden_total", "=burden_absenteeism+"),
                        ("program_npv", "=SUMPRODUCT(")):
        sheet, ref = next(iter(workbook.defined_names[name].destinations))
        assert str(workbook[sheet][ref.replace("$", "")].value).startswith(start), name


def test_uncertainty_sheet_says_not_run_or_shows_simulation_output():
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(build_report(Scenario(), headline=False), cached_values=False)))
    assert "not run" in wb["Uncertainty summary"]["A1"].value
    from calculator.uncertainty import psa
    d = build_report(Scenario(), uncertainty=psa(Scenario(), 500, 7))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(d)))
    ws = wb["Uncertainty summary"]
    assert "simulation output" in ws["A1"].value and "500 Monte Carlo draws" in ws["A2"].value
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(5, 12)}
    assert values["Probability ROI > 0"] == pytest.approx(d.uncertainty.p_roi_positive)
    assert values["ROI, lower bound"] == pytest.approx(d.uncertainty.roi_low)


def test_comparison_and_sources_sheets_match_the_report(workbook):
    d = build_report(Scenario())
    ws = workbook["Comparison"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    # every therapy; the "cover nothing" baseline row (all zeros) is not a therapy and is left out
    assert [r[0] for r in rows] == [lab for t, lab in zip(d.comparison["therapy"], d.comparison["label"], strict=True)
                                    if t != "none"]
    chosen = [r for r in rows if r[-1] == "yes"]
    assert len(chosen) == 1 and chosen[0][7] == pytest.approx(d.program.cost)
    src = workbook["Sources"]
    assert [src.cell(row=4 + n, column=2).value for n in range(1, len(d.references) + 1)] == \
        [r.key for r in d.references]


# ---------------------------------------------------------------------------------------------
# Formula injection

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
    "  =1+1",
]


def test_control_characters_in_a_name_are_refused_before_any_export():
    with pytest.raises(ScenarioError, match="control characters"):
        apply_sets(Scenario(), [("name", "=1+1\x00\x07")])


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_scenario_name_is_never_a_formula(name):
    s = apply_sets(Scenario(), [("name", name)])
    data = xlsx_bytes(s, cached_values=name.startswith("="))  # the cached-value pass on a few of them
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert "HYPERLINK" not in c.value and "cmd" not in c.value and "SUM(1" not in c.value, \
                        (ws.title, c.coordinate, c.value)
                elif isinstance(c.value, str) and c.value:
                    assert c.value.lstrip(" \u00a0\u3000")[:1] not in TRIGGERS, (ws.title, c.coordinate, c.value)
    about = wb["About"]["B2"]
    assert about.data_type == "s" and about.value.startswith("'")
    # nothing in the raw XML turns the name into a formula either
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>HYPERLINK" not in xml and "<f>cmd" not in xml
