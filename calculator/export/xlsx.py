"""The scenario as an Excel workbook whose results are live formulas over named input cells.

Sheets
------
``About``        what the workbook is, the headline results (formulas over the named results).
``Inputs``       every model input in a named cell (name = dotted scenario path with dots as
                 underscores: ``workforce_employees``, ``programs_0_price_per_session``), with unit,
                 range, distribution, provenance and numbered sources. Yellow cells are inputs.
``Burden``       the yearly cost of chronic low back pain, formulas only.
``Program``      the program's derived quantities and results, formulas only (``Program 2`` ... for
                 further programs of the scenario).
``Cash flow``    month by month: sessions, costs, savings, net, cumulative, discounting (formulas).
``Cohorts``      one row per enrolment cohort and month: retention, course sessions, boosters and
                 the effect profile (formulas). ``Cash flow`` sums these rows with ``SUMIF``.
``Comparison``   every therapy under the same design (values computed by backpain-roi).
``Uncertainty summary``  probabilistic sensitivity analysis (values: simulation output) or "not run".
``Sources``      the numbered reference list.

Key results sit in named cells: ``burden_total``, ``burden_absenteeism``, ``burden_presenteeism``,
``burden_medical``, ``program_cost``, ``program_savings``, ``program_net_benefit``, ``program_roi``,
``program_npv``, ``program_payback_month`` (and ``program2_*`` ... for further programs).

Everything that is a number in :mod:`calculator` is live here, including the switches (valuation,
perspective, paid time, on site, visit cap, boosters, salary instead of wage, multiplier on
presenteeism). Two settings fix the *layout* and are therefore not live: the horizon (one row per
month) and the offer interval (one block of rows per enrolment cohort). ``About`` shows a check
that turns red when either is edited: export the workbook again to change them.

The formulas reproduce :func:`calculator.program.simulate` and :func:`annual_burden` exactly
(tests/test_export_xlsx.py recalculates the workbook with the ``formulas`` engine and compares
every headline within 1e-6 relative).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..evidence import library
from ..model import input_table
from ..scenario import Program as ScenarioProgram
from ..scenario import Scenario, Workforce, _field_bounds
from .report import ReportData, build_report, software_line
from .repro import stable_zip
from .safe import cell_text

__all__ = ["xlsx_bytes", "RESULT_NAMES", "input_name"]

#: Named result cells of the first program (and of the burden).
RESULT_NAMES = ("burden_total", "burden_absenteeism", "burden_presenteeism", "burden_medical",
                "program_cost", "program_savings", "program_net_benefit", "program_roi",
                "program_npv", "program_payback_month")

# ---------------------------------------------------------------------------------------------
# Styles

_BLUE = "1F3864"
_HEAD_FILL = PatternFill("solid", fgColor=_BLUE)
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_INPUT_FONT = Font(color="0000CC")
_RESULT_FILL = PatternFill("solid", fgColor="E2EFDA")
_TITLE_FONT = Font(bold=True, size=14, color=_BLUE)
_NOTE_FONT = Font(italic=True, color="595959")
_BOLD = Font(bold=True)
_TOP = Border(top=Side(style="thin", color="000000"))
_WRAP = Alignment(wrap_text=True, vertical="top")

_FMT = {
    "USD": '"$"#,##0;[Red]"−$"#,##0', "USD2": '"$"#,##0.00;[Red]"−$"#,##0.00',
    "pct": "0.0%;−0.0%", "pct2": "0.00%", "n0": "#,##0", "n1": "#,##0.0", "n2": "#,##0.00",
    "n3": "0.000", "n4": "0.0000", "gen": "General",
}


def _unit_format(unit: str, value: float | None = None) -> str:
    if unit in ("USD/h", "USD/session", "USD/employee/month"):
        return _FMT["USD2"]
    if unit.startswith("USD"):
        return _FMT["USD"]
    if unit in ("fraction", "fraction/yr"):
        return _FMT["pct"]
    if unit == "fraction/RDQ point":
        return _FMT["pct2"]
    if unit in ("count", "sessions", "months"):
        return _FMT["n0"]
    if unit == "1/week":
        return _FMT["n4"]
    return "0.####" if value is None or value != int(value) else _FMT["gen"]


def input_name(path: str) -> str:
    """Defined name of an input: the dotted scenario path with dots as underscores.

    >>> input_name("programs.0.price_per_session")
    'programs_0_price_per_session'
    """
    return path.replace(".", "_")


def _num(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


# ---------------------------------------------------------------------------------------------
# A tiny layout helper


@dataclass
class _Book:
    wb: Workbook
    names: dict[str, str] = field(default_factory=dict)  # name -> "'Sheet'!$C$5"

    def name(self, ws: Worksheet, ref: str, name: str) -> None:
        col = "".join(ch for ch in ref if ch.isalpha())
        row = "".join(ch for ch in ref if ch.isdigit())
        self.names[name] = f"'{ws.title}'!${col}${row}"

    validations: dict[tuple, DataValidation] = field(default_factory=dict)

    def finish(self) -> None:
        for n, target in self.names.items():
            self.wb.defined_names[n] = DefinedName(n, attr_text=target)
        for ws in self.wb.worksheets:
            _print_setup(ws)

    def validate(self, ws: Worksheet, ref: str, low: float, high: float, *, whole: bool = False,
                 blank: bool = False, what: str = "this input") -> None:
        """Refuse values outside [low, high] in ``ref`` (the scenario's own allowed range)."""
        key = (ws.title, low, high, whole, blank, what)
        dv = self.validations.get(key)
        if dv is None:
            kind = "whole" if whole else "decimal"
            dv = DataValidation(type=kind, operator="between", formula1=f"{low:.15g}", formula2=f"{high:.15g}",
                                allow_blank=blank, showErrorMessage=True, showInputMessage=True,
                                errorStyle="stop", errorTitle="Outside the allowed range",
                                error=f"{what[:120]}: enter {'a whole number' if whole else 'a number'} from "
                                      f"{low:.15g} to {high:.15g}" + (" (or leave it blank)" if blank else "") + ".",
                                promptTitle="Allowed range", prompt=f"{low:.15g} to {high:.15g}")
            ws.add_data_validation(dv)
            self.validations[key] = dv
        dv.add(ref)


# Sheets whose last columns are reference material too wide to print legibly one page wide.
_PRINT_LAST_COLUMN = {"Inputs": "K", "Sources": "C"}


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide, header rows repeated, print area = the used range (titles included)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    last = _PRINT_LAST_COLUMN.get(ws.title) or get_column_letter(max(ws.max_column, 8))
    ws.print_area = f"A1:{last}{ws.max_row}"
    if ws.max_row > 5 and ws["A4"].value is not None:
        ws.print_title_rows = "4:4"
    ws.oddFooter.center.text = "&A, page &P of &N"


def _text(ws: Worksheet, ref: str, value: Any, font: Font | None = None) -> None:
    cell = ws[ref]
    cell.value = cell_text(value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font


def _header(ws: Worksheet, row: int, titles: list[str], widths: list[float] | None = None) -> None:
    for j, t in enumerate(titles, start=1):
        c = ws.cell(row=row, column=j, value=t)
        c.fill, c.font, c.alignment = _HEAD_FILL, _HEAD_FONT, Alignment(wrap_text=True, vertical="center")
    if widths:
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w


def _title(ws: Worksheet, title: str, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = _TITLE_FONT
    ws["A2"] = note
    ws["A2"].font = _NOTE_FONT
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:H2")  # wraps inside the printed width instead of running off the page
    ws.row_dimensions[2].height = 15 * (1 + len(note) // 140)


class _Calc:
    """Rows of ``quantity | value (formula) | unit | name | how it is computed`` on a sheet."""

    def __init__(self, book: _Book, ws: Worksheet, row: int):
        self.book, self.ws, self.row = book, ws, row
        _header(ws, row, ["Quantity", "Value", "Unit", "Name", "How it is computed"], [46, 16, 16, 34, 90])
        ws.freeze_panes = ws.cell(row=row + 1, column=1)
        self.row += 1

    def section(self, title: str) -> None:
        self.row += 1
        c = self.ws.cell(row=self.row, column=1, value=title)
        c.font = Font(bold=True, color=_BLUE)
        self.row += 1

    def put(self, label: str, formula: str, unit: str = "", name: str | None = None,
            note: str = "", fmt: str | None = None, result: bool = False) -> str:
        ws, r = self.ws, self.row
        ws.cell(row=r, column=1, value=label)
        c = ws.cell(row=r, column=2, value=formula)
        c.number_format = fmt or _unit_format(unit)
        if result:
            c.fill = _RESULT_FILL
            c.font = _BOLD
        ws.cell(row=r, column=3, value=unit)
        if name:
            ws.cell(row=r, column=4, value=name)
            self.book.name(ws, f"B{r}", name)
        n = ws.cell(row=r, column=5, value=note)
        n.font = _NOTE_FONT
        self.row += 1
        return f"B{r}"


# ---------------------------------------------------------------------------------------------
# Inputs


def _salary_range() -> tuple[float, float]:
    """The scenario's salary bounds (> 0, so a cent is the lowest value Excel's 'between' accepts)."""
    _, hi = _field_bounds(Workforce, "annual_salary")
    return 0.01, hi


_STRUCTURAL_NOTE = "Fixed in this workbook (sets the layout): export again to change it."


class _Inputs:
    """The Inputs sheet, one named, validated input cell per row."""

    def __init__(self, book: _Book, d: ReportData) -> None:
        self.book, self.lib, self.row = book, library(), 5
        self.ws = ws = book.wb.create_sheet("Inputs")
        _title(ws, "Inputs", "Yellow cells are inputs: change one and every sheet recalculates. Column L "
               "gives each cell's defined name (the scenario path with dots as underscores). Each input "
               "accepts only the values the calculator accepts (data validation).")
        _header(ws, 4, ["Section", "Input", "Value", "Unit", "Low", "High", "Library default", "Changed",
                        "Distribution", "Provenance", "Sources", "Name", "Parameter", "Evidence note"],
                [12, 52, 20, 18, 11, 11, 14, 9, 13, 13, 12, 40, 44, 100])
        ws.row_dimensions[4].height = 32
        ws.freeze_panes = "C5"
        self.index = {r.key: i for i, r in enumerate(d.references, start=1)}
        #: defined name -> "claims" | "survey" | "census": the employer's own data set this value (issue 11)
        self.origins = {input_name(p): k for p, k in d.origins.items()}
        self.bool_dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=False)
        ws.add_data_validation(self.bool_dv)

    def ref_text(self, keys: str) -> str:
        from .report import ref_list
        return ref_list(self.index[k] for k in keys.split(";") if k in self.index)

    def put(self, section: str, label: str, value: Any, unit: str, name: str, *, low=None, high=None,
            default=None, dist="", prov="", keys="", pid="", note="", fmt=None, allowed=None,
            blank: bool = False) -> None:
        ws, row = self.ws, self.row
        if name in self.origins:  # "from your claims" wherever the value shows
            label, prov, keys = f"{label} (from your {self.origins[name]})", f"FROM YOUR {self.origins[name].upper()}", ""
        if allowed is not None:
            whole = unit in ("count", "sessions", "months") and all(float(x).is_integer() for x in allowed)
            self.book.validate(ws, f"C{row}", *allowed, whole=whole, blank=blank, what=label)
        ws.cell(row=row, column=1, value=section)
        _text(ws, f"B{row}", label)
        c = ws.cell(row=row, column=3, value=_num(value))
        if isinstance(value, str):
            _text(ws, f"C{row}", value)
        c.fill, c.font = _INPUT_FILL, _INPUT_FONT
        c.number_format = fmt or _unit_format(unit, value if isinstance(value, (int, float)) and not isinstance(value, bool) else None)
        ws.cell(row=row, column=4, value=unit)
        for col, v in ((5, low), (6, high), (7, default)):
            cc = ws.cell(row=row, column=col, value=_num(v))
            cc.number_format = c.number_format
        if default is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.cell(row=row, column=8, value="yes" if not math.isclose(value, default, rel_tol=1e-12) else "")
        src = self.ref_text(keys) if keys else (f"your {self.origins[name]}" if name in self.origins else "")
        for col, v in ((9, dist), (10, prov), (11, src), (12, name), (13, pid)):
            ws.cell(row=row, column=col, value=v)
        _text(ws, f"N{row}", note, _NOTE_FONT)
        self.book.name(ws, f"C{row}", name)
        self.row += 1

    def param(self, pid: str, section: str, value: Any, name: str, label: str | None = None, **kw: Any) -> None:
        """An input that is a parameter of the library: its range, distribution, sources and bounds."""
        par = self.lib.parameter(pid)
        if par.unit in ("count", "sessions", "months") and float(value).is_integer():
            value = int(value)
        self.put(section, label or par.label, value, par.unit, name, low=par.low, high=par.high,
                 default=par.value, dist=par.distribution, prov=par.provenance, keys=";".join(par.source_keys),
                 pid=par.id, allowed=(par.min_allowed, par.max_allowed), **{"note": par.evidence_note, **kw})

    def grey(self) -> None:
        """Mark the last input as one that sets the layout (not live)."""
        self.ws.cell(row=self.row - 1, column=3).fill = PatternFill("solid", fgColor="D9D9D9")


def _inputs_sheet(book: _Book, d: ReportData) -> None:
    w = _Inputs(book, d)
    _shared_inputs(w, d.scenario)
    for i in range(len(d.scenario.programs)):
        _program_inputs(w, d.scenario, i)
    _constants(w)


def _shared_inputs(w: _Inputs, s: Scenario) -> None:
    """Workforce, condition, translation and analysis inputs (shared by every program)."""
    table = input_table(s, 0)
    shared = table[~table["path"].str.startswith("programs.")]
    sections = {"workforce": "Workforce", "condition": "Condition", "translation": "Translation",
                "analysis": "Analysis"}
    val_dv = DataValidation(type="list", formula1='"human_capital,friction_cost"', allow_blank=False)
    per_dv = DataValidation(type="list", formula1='"self_insured,fully_insured,health_plan"', allow_blank=False)
    for dv in (val_dv, per_dv):
        w.ws.add_data_validation(dv)
    bool_dv = w.bool_dv
    for sec, title in sections.items():
        for _, r in shared[shared["path"].str.startswith(sec + ".")].iterrows():
            raw = s.workforce.hourly_wage if r["path"] == "workforce.hourly_wage" else float(r["value"])
            w.param(r["parameter"], title, raw, input_name(r["path"]))
        if sec == "condition":
            for x in _CHRONIC:
                w.param(f"condition.impact_mix.{x}", title, getattr(s.condition.impact_mix, x),
                        f"condition_impact_mix_{x}")
        if sec == "workforce":
            w.put(title, "Average annual salary (blank = use the hourly wage)", s.workforce.annual_salary,
                  "USD/yr", "workforce_annual_salary", note="When given, hourly wage = salary / annual hours.",
                  allowed=_salary_range(), blank=True)
            w.put(title, "Apply the productivity multiplier to presenteeism too", s.workforce.multiplier_on_presenteeism,
                  "TRUE/FALSE", "workforce_multiplier_on_presenteeism", note="Off by default to avoid overstating (Pauly 2008).")
            bool_dv.add(f"C{w.row - 1}")
        if sec == "analysis":
            w.put(title, "Valuation of absence", s.analysis.valuation, "text", "analysis_valuation",
                  note="human_capital: every lost hour at full cost; friction_cost: absence counted only within the friction period.")
            val_dv.add(f"C{w.row - 1}")
            w.put(title, "Perspective", s.analysis.perspective, "text", "analysis_perspective",
                  note="self_insured: productivity + medical; fully_insured: productivity only; health_plan: medical only.")
            per_dv.add(f"C{w.row - 1}")
            w.param("analysis.premium_lag_months", title, s.analysis.premium_lag_months,
                    "analysis_premium_lag_months")
            w.param("analysis.horizon_months", title, s.analysis.horizon_months, "analysis_horizon_months",
                    label="Horizon", note=_STRUCTURAL_NOTE)
            w.grey()


def _program_inputs(w: _Inputs, s: Scenario, i: int) -> None:
    """Program ``i``'s inputs: the therapy (locked), its design and the therapy's catalogue values."""
    prog, title = s.programs[i], f"Program {i + 1}"
    table = input_table(s, i)
    th = w.lib.therapy(prog.therapy)
    w.put(title, "Therapy (locked: export again for another therapy)", prog.therapy, "id",
          input_name(f"programs.{i}.therapy"), keys=";".join(th.trial_source_keys),
          note=f"{th.label}. Locked: the therapy-specific values below are its catalogue values, so "
          "this workbook is built for this therapy. The Comparison sheet shows every therapy; export "
          "again from backpain-roi to model another one here.")
    w.grey()
    lock = DataValidation(type="list", formula1=f'"{prog.therapy}"', allow_blank=False, showErrorMessage=True,
                          errorStyle="stop", errorTitle="Therapy is locked",
                          error=f"This workbook is built for {th.label[:80]}. Export again from backpain-roi "
                                "for another therapy; the Comparison sheet shows them all.")
    w.ws.add_data_validation(lock)
    lock.add(f"C{w.row - 1}")
    for _, r in table[table["path"].str.startswith("programs.")].iterrows():
        w.param(r["parameter"], title, float(r["value"]), input_name(r["path"]))
    w.put(title, "Most sessions covered per course (blank = no cap)", prog.visit_cap, "sessions",
          input_name(f"programs.{i}.visit_cap"), allowed=_field_bounds(ScenarioProgram, "visit_cap"), blank=True)
    w.put(title, "Sessions on paid work time", prog.on_paid_time, "TRUE/FALSE",
          input_name(f"programs.{i}.on_paid_time"), note="Their hours (and travel, if off site) are a cost.")
    w.bool_dv.add(f"C{w.row - 1}")
    w.put(title, "Sessions on site (no travel time)", prog.on_site, "TRUE/FALSE", input_name(f"programs.{i}.on_site"))
    w.bool_dv.add(f"C{w.row - 1}")
    for fname in ("offer_interval_months", "booster_interval_months", "booster_sessions"):
        structural = fname == "offer_interval_months"
        w.param(f"program.{fname}", title, int(getattr(prog, fname)), input_name(f"programs.{i}.{fname}"),
                **({"note": _STRUCTURAL_NOTE} if structural else {}))
        if structural:
            w.grey()


def _constants(w: _Inputs) -> None:
    """The benchmark and two calendar constants, named like the inputs."""
    par = w.lib.parameter("benchmark.lpt_hours_per_employee")
    w.param(par.id, "Constants", par.value, "benchmark_lpt_hours_per_employee")
    for q, states in (("absence_hours", ("none", *_CHRONIC)), ("presenteeism", _CHRONIC), ("medical", _CHRONIC)):
        for x in states:
            pid = f"state.{q}.{x}"
            w.param(pid, "States", w.lib.value(pid), f"state_{q}_{x}")
    for x in _CHRONIC:
        w.param(f"condition.impact_mix.{x}", "States", w.lib.value(f"condition.impact_mix.{x}"),
                f"lib_impact_mix_{x}", label=f"Library's default impact mix: {x} (the condition levels hold at this mix)")
        w.grey()
    ws = w.ws
    for label, value, unit, name, fmt in (("Weeks per month (52 / 12)", "=52/12", "weeks", "weeks_per_month", "0.0000"),
                                          ("Workdays per week (friction period in days)", 5, "days/week",
                                           "workdays_per_week", "General")):
        ws.cell(row=w.row, column=1, value="Constants")
        ws.cell(row=w.row, column=2, value=label)
        ws.cell(row=w.row, column=3, value=value).number_format = fmt
        ws.cell(row=w.row, column=4, value=unit)
        ws.cell(row=w.row, column=12, value=name)
        w.book.name(ws, f"C{w.row}", name)
        w.row += 1


# ---------------------------------------------------------------------------------------------
# Burden


_CHRONIC = ("low", "moderate", "high")


def _burden_sheet(book: _Book) -> None:
    ws = book.wb.create_sheet("Burden")
    _title(ws, "Yearly cost of chronic low back pain", "Every value is a formula over the Inputs sheet "
           "(calculator.program.annual_burden, pain-impact states of calculator.states). USD per year unless stated.")
    k = _Calc(book, ws, 4)
    k.section("Per employee with chronic low back pain")
    k.put("Hourly wage used", "=IF(ISNUMBER(workforce_annual_salary),workforce_annual_salary/workforce_annual_hours,workforce_hourly_wage)",
          "USD/h", "wage_used", "Annual salary / annual hours when a salary is given, else the hourly wage.")
    k.put("Hourly compensation", "=wage_used*workforce_benefits_load", "USD/h", "hourly_compensation",
          "Wage x benefits load (BLS ECEC is per hour worked: paid leave is inside the load).")
    _burden_states(k)
    k.put("Absence hours (actual)", "=" + "+".join(f"condition_impact_mix_{x}*abs_hours_{x}" for x in _CHRONIC),
          "h/yr", "absence_hours_actual", "Impact mix x each state's attributable absence hours.", fmt=_FMT["n2"])
    k.put("Absence hours (valued)", "=" + "+".join(f"condition_impact_mix_{x}*abs_valued_{x}" for x in _CHRONIC),
          "h/yr", "absence_hours_valued", "Impact mix x each state's valued absence hours.", fmt=_FMT["n2"])
    k.put("Attributable presenteeism", "=" + "+".join(f"condition_impact_mix_{x}*pres_{x}" for x in _CHRONIC),
          "fraction", "presenteeism_fraction", "Impact mix x each state's presenteeism.", fmt=_FMT["pct2"])
    k.put("Presenteeism hours", "=(workforce_annual_hours-absence_hours_actual)*presenteeism_fraction", "h/yr",
          "presenteeism_hours", "(Annual hours - actual absence hours) x attributable presenteeism.", fmt=_FMT["n2"])
    k.put("Multiplier applied to presenteeism",
          "=IF(workforce_multiplier_on_presenteeism,workforce_productivity_multiplier,1)", "ratio",
          "presenteeism_multiplier", "The productivity multiplier if the switch is on, else 1.", fmt=_FMT["n2"])
    k.put("Absenteeism cost per affected employee",
          "=absence_hours_valued*hourly_compensation*workforce_productivity_multiplier", "USD/yr",
          "per_affected_absenteeism", "Valued absence hours x compensation x productivity multiplier.")
    k.put("Presenteeism cost per affected employee", "=presenteeism_hours*hourly_compensation*presenteeism_multiplier",
          "USD/yr", "per_affected_presenteeism", "Presenteeism hours x compensation (x multiplier if chosen).")
    k.put("Medical cost per affected employee (allowed, all payers)",
          "=" + "+".join(f"condition_impact_mix_{x}*med_{x}" for x in _CHRONIC), "USD/yr",
          "per_affected_medical", "Impact mix x each state's medical cost.")
    _burden_shares(k)
    k.section("Whole workforce")
    k.put("Employees with chronic low back pain", "=workforce_employees*condition_prevalence", "count",
          "affected_employees", "Headcount x prevalence.", fmt=_FMT["n1"])
    k.put("Absenteeism", "=affected_employees*absence_hours_valued*hourly_compensation*workforce_productivity_multiplier",
          "USD/yr", "burden_absenteeism", "Affected x valued absence hours x compensation x multiplier.", result=True)
    k.put("Presenteeism", "=affected_employees*presenteeism_hours*hourly_compensation*presenteeism_multiplier",
          "USD/yr", "burden_presenteeism", "Affected x presenteeism hours x compensation (x multiplier if chosen).",
          result=True)
    k.put("Excess medical cost", "=affected_employees*per_affected_medical", "USD/yr", "burden_medical",
          "Affected x medical cost per affected employee (impact-mix weighted).", result=True)
    k.put("Total", "=burden_absenteeism+burden_presenteeism+burden_medical", "USD/yr", "burden_total",
          "Absenteeism + presenteeism + medical.", result=True)
    k.put("Counted in this perspective",
          '=IF(analysis_perspective<>"health_plan",burden_absenteeism+burden_presenteeism,0)'
          '+IF(analysis_perspective<>"fully_insured",burden_medical*condition_plan_paid_share,0)',
          "USD/yr", "burden_in_perspective",
          "Self-insured: productivity + plan-paid medical; fully insured: productivity; health plan: plan-paid medical.")
    k.put("Per employee", "=burden_total/workforce_employees", "USD/yr", "burden_per_employee")
    k.put("Per affected employee", "=IF(affected_employees>0,burden_total/affected_employees,0)", "USD/yr",
          "burden_per_affected_employee")
    k.put("Per 100 employees", "=burden_total*100/workforce_employees", "USD/yr", "burden_per_100_employees")
    k.section("Hours")
    k.put("Hours lost", "=affected_employees*(absence_hours_actual+presenteeism_hours)", "h/yr", "burden_hours_lost",
          "Actual absence + presenteeism hours.", fmt=_FMT["n0"])
    k.put("Days lost", "=burden_hours_lost/condition_hours_per_day", "days/yr", "burden_days_lost", fmt=_FMT["n0"])
    k.put("Absence hours", "=affected_employees*absence_hours_actual", "h/yr", "burden_absence_hours", fmt=_FMT["n0"])
    k.put("Presenteeism hours", "=affected_employees*presenteeism_hours", "h/yr", "burden_presenteeism_hours",
          fmt=_FMT["n0"])
    k.put("Hours lost per employee", "=burden_hours_lost/workforce_employees", "h/yr",
          "burden_hours_lost_per_employee", fmt=_FMT["n2"])
    k.put("Ratio to the published benchmark", "=burden_hours_lost_per_employee/benchmark_lpt_hours_per_employee",
          "ratio", "burden_benchmark_ratio", "Stewart 2003 lost productive time, per employee.", fmt=_FMT["n2"])


def _burden_states(k: _Calc) -> None:
    """Each chronic state's attributable absence, presenteeism and medical cost at this scenario's levels.

    A condition level (absence days, presenteeism, medical cost) scales every state's library value by
    one factor, chosen so that the library's default impact mix reproduces the level exactly.
    """
    lib_sum = lambda q: "+".join(f"lib_impact_mix_{x}*{q.format(x=x)}" for x in _CHRONIC)  # noqa: E731
    k.section("Pain-impact states (calculator.states): attributable values at this scenario's levels")
    exc = "(state_absence_hours_{x}-state_absence_hours_none)"
    for x in _CHRONIC:
        k.put(f"Absence hours, {x} impact", f"={exc.format(x=x)}*condition_absence_days*condition_hours_per_day"
              f"/({lib_sum(exc)})", "h/yr", f"abs_hours_{x}",
              "State's excess over no pain, scaled so the library mix gives absence days x hours per day.",
              fmt=_FMT["n2"])
        k.put(f"Absence hours valued, {x} impact",
              f'=IF(analysis_valuation="friction_cost",MIN(abs_hours_{x}/condition_hours_per_day,'
              f"workdays_per_week*analysis_friction_period_weeks)*condition_hours_per_day*analysis_friction_elasticity,"
              f"abs_hours_{x})", "h/yr", f"abs_valued_{x}",
              "Human capital: all; friction cost: days within the friction period x elasticity.", fmt=_FMT["n2"])
    for x in _CHRONIC:
        k.put(f"Presenteeism, {x} impact", f"=state_presenteeism_{x}*condition_presenteeism/({lib_sum('state_presenteeism_{x}')})",
              "fraction", f"pres_{x}", "Scaled like absence.", fmt=_FMT["pct2"])
    for x in _CHRONIC:
        k.put(f"Medical cost, {x} impact", f"=state_medical_{x}*condition_medical_excess_cost/({lib_sum('state_medical_{x}')})",
              "USD/yr", f"med_{x}", "Scaled like absence (allowed amounts, all payers).")
    k.put("Impact mix check", '=IF(ABS(condition_impact_mix_low+condition_impact_mix_moderate+condition_impact_mix_high-1)'
          '<=0.000001,"OK","The impact mix must sum to 1")', "", "impact_mix_check", fmt=_FMT["gen"])


def _burden_shares(k: _Calc) -> None:
    """Share of each cost a full response removes (responders move from moderate and high to low impact)."""
    k.section("Share of each cost removed if every completer responded (calculator.states.component_shares)")
    for key, per, total, link in (("absenteeism", "abs_valued_{x}", "absence_hours_valued", ""),
                                  ("presenteeism", "pres_{x}", "presenteeism_fraction", "*translation_presenteeism_link"),
                                  ("medical", "med_{x}", "per_affected_medical", "")):
        low = per.format(x="low")
        moved = "+".join(f"condition_impact_mix_{x}*({per.format(x=x)}-{low})" for x in ("moderate", "high"))
        k.put(f"Share removed: {key}", f"=IF({total}>0,({moved})/{total},0){link}", "fraction", f"phi_{key}",
              "(moderate share x (moderate - low) + high share x (high - low)) / mix-weighted total"
              + (" x presenteeism link" if link else "") + ".", fmt=_FMT["pct2"])


# ---------------------------------------------------------------------------------------------
# Program, cohorts, cash flow


def _sheet_names(i: int) -> tuple[str, str, str, str]:
    suffix = "" if i == 0 else f" {i + 1}"
    prefix = "program_" if i == 0 else f"program{i + 1}_"
    return f"Program{suffix}", f"Cash flow{suffix}", f"Cohorts{suffix}", prefix


@dataclass
class _Prog:
    """One program's layout: sheet names, result-name prefix, months and enrolment cohorts."""

    book: _Book
    s: Scenario
    i: int

    def __post_init__(self) -> None:
        self.prog = self.s.programs[self.i]
        self.H = int(self.s.analysis.horizon_months)
        self.interval = max(int(self.prog.offer_interval_months), 1)
        self.starts = list(range(0, self.H, self.interval))
        self.pname, self.cname, self.hname, self.P = _sheet_names(self.i)

    def inp(self, f: str) -> str:
        return input_name(f"programs.{self.i}.{f}")


def _program_sheets(book: _Book, s: Scenario, i: int) -> None:
    """Program (derived quantities, then results), Cash flow and Cohorts sheets of program ``i``."""
    c = _Prog(book, s, i)
    k = _program_derived(c)
    results_row = k.row + 1
    wf = book.wb.create_sheet(c.cname)  # created before Cohorts so that the tabs read in that order
    wc = book.wb.create_sheet(c.hname)
    first, last, cohort_last = _cohorts_sheet(c, wc)
    f0, fl = _cashflow_sheet(c, wf, lambda col: f"'{c.hname}'!${col}${first}:${col}${last}")
    k.row = results_row
    col = lambda x: f"'{c.cname}'!${x}${f0}:${x}${fl}"  # noqa: E731
    _program_results(c, k, col, cohort_last)
    _breakeven_rows(c, k, col)


def _program_derived(c: _Prog) -> _Calc:
    """The Program sheet's derived quantities: enrolment, sessions, effect, costs, layout check."""
    book, i, prog, H, interval, starts, P, inp = c.book, c.i, c.prog, c.H, c.interval, c.starts, c.P, c.inp
    ws = book.wb.create_sheet(c.pname)
    _title(ws, f"Program {i + 1}: derived quantities and results",
           "Formulas over Inputs, Burden and the Cash flow sheet (calculator.program.simulate).")
    k = _Calc(book, ws, 4)
    k.section("Enrolment")
    k.put("Monthly retention", "=(1-workforce_turnover)^(1/12)", "ratio", P + "retention",
          "(1 - annual turnover)^(1/12): share still employed a month later.", fmt="0.000000")
    k.put("Eligible employees", f"=workforce_employees*{inp('eligibility')}", "count", P + "eligible", fmt=_FMT["n1"])
    k.put("Starters with back pain at the first offer", f"={P}eligible*condition_prevalence*{inp('uptake')}",
          "count", P + "first_affected", "Eligible x prevalence x uptake.", fmt=_FMT["n2"])
    k.put("Starters without back pain at the first offer",
          f"={P}eligible*(1-condition_prevalence)*{inp('uptake_unaffected')}", "count", P + "first_unaffected",
          "Eligible x (1 - prevalence) x uptake among others.", fmt=_FMT["n2"])
    k.put("Share of first-offer numbers at each later offer", f"=1-{P}retention^{inp('offer_interval_months')}",
          "fraction", P + "new_hire_share", "New hires since the previous offer: 1 - retention^(offer interval).",
          fmt=_FMT["pct2"])
    k.section("Sessions")
    k.put("Sessions covered per course",
          f"=IF(ISNUMBER({inp('visit_cap')}),MIN({inp('sessions')},{inp('visit_cap')}),{inp('sessions')})",
          "sessions", P + "sessions_covered", "min(sessions, visit cap).", fmt=_FMT["n2"])
    k.put("Dose (share of the course covered)", f"={P}sessions_covered/{inp('sessions')}", "fraction", P + "dose",
          "The effect scales with the share of the course that is covered.", fmt=_FMT["pct"])
    k.put("Sessions used per starter",
          f"={P}sessions_covered*({inp('completion')}+(1-{inp('completion')})*{inp('noncompleter_session_share')})",
          "sessions", P + "sessions_per_starter", "Covered x (completion + (1 - completion) x non-completer share).",
          fmt=_FMT["n3"])
    k.put("Boosters on", f"=AND({inp('booster_interval_months')}>0,{inp('booster_sessions')}>0)", "TRUE/FALSE",
          P + "boosting", "Booster interval > 0 and booster sessions > 0.", fmt=_FMT["gen"])
    k.put("Booster interval in weeks", f"=IF({P}boosting,{inp('booster_interval_months')}*weeks_per_month,0)", "weeks",
          P + "booster_weeks", "A booster course restores the end-of-course effect.", fmt=_FMT["n3"])
    k.section("Effect (share of completers with back pain who move to a lighter pain-impact state)")
    k.put("Responders per unit of effect multiplier", f"={inp('effect_size')}*translation_response_per_point*{P}dose",
          "fraction", f"{P}unit_response", "Effect (RDQ points) x responders per point x dose.", fmt=_FMT["pct2"])
    k.put("Responder share at the peak", f"=MIN(1,{P}unit_response*{inp('effect_multiplier')})", "fraction",
          f"{P}response", "x effect multiplier, capped at 100%. Each cost falls by its share removed (Burden) "
          "x this share x the effect profile.", fmt=_FMT["pct2"])
    k.section("Costs and perspective")
    k.put("Work time counted as a cost", f'=AND({inp("on_paid_time")},analysis_perspective<>"health_plan")',
          "TRUE/FALSE", P + "pays_time", "Sessions on paid time, unless the perspective is a health plan's.",
          fmt=_FMT["gen"])
    k.put("Paid hours per session", f"={inp('session_hours')}+IF({inp('on_site')},0,{inp('travel_hours')})",
          "h/session", P + "hours_per_session", "Session length + travel time when off site.", fmt=_FMT["n2"])
    k.put("Administration per month", f"={P}eligible*{inp('admin_pepm')}", "USD/month", P + "admin_monthly",
          "Eligible employees x fee per employee per month.", fmt=_FMT["USD2"])
    k.put("Productivity savings counted", '=analysis_perspective<>"health_plan"', "TRUE/FALSE",
          P + "counts_productivity", "Not from a health plan's perspective.", fmt=_FMT["gen"])
    k.put("Plan-paid medical savings counted as they happen", '=analysis_perspective<>"fully_insured"', "TRUE/FALSE",
          P + "counts_medical", "Self-insured employer or health plan (calculator.perspective).", fmt=_FMT["gen"])
    k.put("Medical savings returned through premiums", '=analysis_perspective="fully_insured"', "TRUE/FALSE",
          P + "counts_passthrough", "Fully insured: pass-through share of the plan-paid savings, after the premium lag.",
          fmt=_FMT["gen"])
    k.put("Layout check",
          f'=IF(AND(analysis_horizon_months={H},{inp("offer_interval_months")}={interval},'
          f'{inp("therapy")}="{prog.therapy}"),"OK","Horizon, offer interval or therapy changed: export the workbook again")',
          "", P + "layout_check", f"This workbook has {H} month rows, {len(starts)} enrolment cohort(s) and the "
          f"catalogue values of {prog.therapy}.",
          fmt=_FMT["gen"])
    return k


def _cohorts_sheet(c: _Prog, wc: Worksheet) -> tuple[int, int, int]:
    """One row per cohort and month; returns (first row, last row, last cohort-table row)."""
    i, H, starts, P, inp = c.i, c.H, c.starts, c.P, c.inp
    _title(wc, f"Program {i + 1}: enrolment cohorts, month by month",
           "One row per cohort and month since its offer. Cohort 1 is offered at month 0; later cohorts are "
           "the new hires since the previous offer.")
    _header(wc, 4, ["Cohort", "Offer month (0 = start)", "Share of first-offer numbers", "Starters with back pain",
                    "All starters"], [10, 14, 16, 16, 14, 16, 16, 14, 14, 14, 16, 16, 16, 18])
    for j, start in enumerate(starts):
        r = 5 + j
        wc.cell(row=r, column=1, value=j + 1)
        wc.cell(row=r, column=2, value=start)
        wc.cell(row=r, column=3, value=1 if start == 0 else f"={P}new_hire_share").number_format = _FMT["pct2"]
        wc.cell(row=r, column=4, value=f"={P}first_affected*C{r}").number_format = _FMT["n3"]
        wc.cell(row=r, column=5, value=f"=({P}first_affected+{P}first_unaffected)*C{r}").number_format = _FMT["n3"]
    cohort_last = 4 + len(starts)
    top = cohort_last + 3
    _header(wc, top, ["Cohort", "Offer month (0 = start)", "Month (1 = first)", "Months since offer",
                      "Retention to mid-month", "Share of course sessions", "Booster month (1/0)",
                      "Weeks since course start (mid-month)", "Effect profile (share of peak)",
                      "Course sessions used", "Booster sessions used", "Participants still employed",
                      "Effective participants (completers with back pain x effect)"])
    for c in range(1, 14):
        wc.cell(row=top, column=c).alignment = Alignment(wrap_text=True, vertical="center")
    wc.row_dimensions[top].height = 60
    wc.freeze_panes = wc.cell(row=top + 1, column=4)
    T, kdec = inp("course_weeks"), inp("decay_per_week")
    r = top + 1
    first = r
    for j, start in enumerate(starts):
        cr = 5 + j
        for m in range(start, H):
            wc.cell(row=r, column=1, value=j + 1)
            wc.cell(row=r, column=2, value=start)
            wc.cell(row=r, column=3, value=m + 1)
            wc.cell(row=r, column=4, value=f"=C{r}-1-B{r}")
            wc.cell(row=r, column=5, value=f"={P}retention^(D{r}+0.5)").number_format = "0.0000"
            wc.cell(row=r, column=6, value=(f"=MAX(0,MIN(MIN((D{r}+1)*weeks_per_month,{T})"
                                            f"-MAX(D{r}*weeks_per_month,0),weeks_per_month))/{T}")).number_format = _FMT["pct"]
            wc.cell(row=r, column=7, value=(f"=IF({P}boosting,IF(AND(D{r}>0,MOD(D{r},{inp('booster_interval_months')})=0),1,0),0)"))
            wc.cell(row=r, column=8, value=f"=(D{r}+0.5)*weeks_per_month").number_format = _FMT["n2"]
            wc.cell(row=r, column=9, value=(f"=IF(H{r}<{T},H{r}/{T},EXP(-{kdec}*MAX(H{r}-MAX({T},IF({P}booster_weeks>0,"
                                            f"INT(H{r}/{P}booster_weeks)*{P}booster_weeks,0)),0)))")).number_format = "0.0000"
            wc.cell(row=r, column=10, value=f"=$E${cr}*E{r}*{P}sessions_per_starter*F{r}").number_format = _FMT["n3"]
            wc.cell(row=r, column=11, value=f"=$E${cr}*{inp('completion')}*E{r}*{inp('booster_sessions')}*G{r}").number_format = _FMT["n3"]
            wc.cell(row=r, column=12, value=f"=$E${cr}*E{r}").number_format = _FMT["n3"]
            wc.cell(row=r, column=13, value=f"=$D${cr}*{inp('completion')}*E{r}*I{r}").number_format = _FMT["n3"]
            r += 1
    return first, r - 1, cohort_last


def _cashflow_sheet(c: _Prog, wf: Worksheet, rng: Any) -> tuple[int, int]:
    """Month by month, summing the cohort rows; returns the first and last month rows."""
    i, H, P, inp = c.i, c.H, c.P, c.inp
    _title(wf, f"Program {i + 1}: cash flow, month by month (USD)",
           "Month 1 = program start (discounted by (1 + d)^(-(month - 1)/12); this is not Excel's NPV()). "
           "Costs and savings are positive; net = savings - cost.")
    cols = ["Month", "Course sessions", "Booster sessions", "Sessions purchased", "Setup", "Administration",
            "Sessions (employer share)", "Paid work time", "Total cost", "Participants still employed",
            "Effective participants", "Saving: absenteeism", "Saving: presenteeism", "Saving: medical",
            "Total savings", "Net cash flow", "Cumulative net", "Discount factor", "Discounted net",
            "Still below zero (month)", "Plan-paid medical offset", "Effective participants, premium lag earlier"]
    _header(wf, 4, cols, [8] + [14] * 21)
    wf.row_dimensions[4].height = 45
    wf.freeze_panes = "B5"
    f0, fl = 5, 4 + H
    for m in range(H):
        r = 5 + m
        wf.cell(row=r, column=1, value=m + 1)
        wf.cell(row=r, column=2, value=f"=SUMIF({rng('C')},A{r},{rng('J')})")
        wf.cell(row=r, column=3, value=f"=SUMIF({rng('C')},A{r},{rng('K')})")
        wf.cell(row=r, column=4, value=f"=B{r}+C{r}")
        wf.cell(row=r, column=5, value=f"=IF(A{r}=1,{inp('setup_cost')},0)")
        wf.cell(row=r, column=6, value=f"={P}admin_monthly")
        wf.cell(row=r, column=7, value=f"=D{r}*{inp('price_per_session')}*{inp('employer_share')}")
        wf.cell(row=r, column=8, value=f"=IF({P}pays_time,D{r}*{P}hours_per_session*hourly_compensation,0)")
        wf.cell(row=r, column=9, value=f"=E{r}+F{r}+G{r}+H{r}")
        wf.cell(row=r, column=10, value=f"=SUMIF({rng('C')},A{r},{rng('L')})")
        wf.cell(row=r, column=11, value=f"=SUMIF({rng('C')},A{r},{rng('M')})")
        wf.cell(row=r, column=12, value=f"=IF({P}counts_productivity,K{r}*{P}response*per_affected_absenteeism*phi_absenteeism/12,0)")
        wf.cell(row=r, column=13, value=f"=IF({P}counts_productivity,K{r}*{P}response*per_affected_presenteeism*phi_presenteeism/12,0)")
        wf.cell(row=r, column=14, value=(f"=IF({P}counts_medical,U{r},0)+IF({P}counts_passthrough,analysis_premium_passthrough*"
                                         f"V{r}*{P}response*per_affected_medical*phi_medical/12*condition_plan_paid_share,0)"))
        wf.cell(row=r, column=21, value=f"=K{r}*{P}response*per_affected_medical*phi_medical/12*condition_plan_paid_share")
        wf.cell(row=r, column=22, value=(f"=IF(A{r}-analysis_premium_lag_months>=1,"
                                         f"INDEX($K${f0}:$K${fl},A{r}-analysis_premium_lag_months),0)"))
        wf.cell(row=r, column=15, value=f"=L{r}+M{r}+N{r}")
        wf.cell(row=r, column=16, value=f"=O{r}-I{r}")
        wf.cell(row=r, column=17, value=f"=P{r}" if m == 0 else f"=Q{r - 1}+P{r}")
        wf.cell(row=r, column=18, value=f"=(1+analysis_discount_rate)^(-(A{r}-1)/12)")
        wf.cell(row=r, column=19, value=f"=P{r}*R{r}")
        wf.cell(row=r, column=20, value=(f'=IF(Q{r}<-1E-9*MAX(1,MAX(MAX($Q${f0}:$Q${fl}),-MIN($Q${f0}:$Q${fl}))),A{r},"")'))
        for c in range(2, 23):
            wf.cell(row=r, column=c).number_format = {2: _FMT["n2"], 3: _FMT["n2"], 4: _FMT["n2"], 10: _FMT["n2"],
                                                      11: _FMT["n2"], 18: "0.0000", 20: _FMT["gen"],
                                                      22: _FMT["n2"]}.get(c, _FMT["USD"])
    tr = fl + 1
    wf.cell(row=tr, column=1, value="Total").font = _BOLD
    for c in (2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19, 21):
        col = get_column_letter(c)
        cell = wf.cell(row=tr, column=c, value=f"=SUM({col}{f0}:{col}{fl})")
        cell.font, cell.border = _BOLD, _TOP
        cell.number_format = _FMT["n2"] if c in (2, 3, 4) else _FMT["USD"]
    return f0, fl


def _program_results(c: _Prog, k: _Calc, col: Any, cohort_last: int) -> None:
    """The Program sheet's results over the horizon (named cells ``program_cost`` ...)."""
    P, inp, hname = c.P, c.inp, c.hname
    k.section("Results over the horizon")
    k.put("Total cost", f"=SUM({col('I')})", "USD", P + "cost", "Sum of monthly costs (Cash flow, column I).", result=True)
    k.put("Savings: absenteeism", f"=SUM({col('L')})", "USD", P + "savings_absenteeism")
    k.put("Savings: presenteeism", f"=SUM({col('M')})", "USD", P + "savings_presenteeism")
    k.put("Savings: medical", f"=SUM({col('N')})", "USD", P + "savings_medical")
    k.put("Total savings", f"=SUM({col('O')})", "USD", P + "savings", "Sum of monthly savings.", result=True)
    k.put("Net benefit", f"={P}savings-{P}cost", "USD", P + "net_benefit", "Savings - cost (undiscounted).", result=True)
    k.put("Return on investment (ROI)", f"=IF({P}cost>0,({P}savings-{P}cost)/{P}cost,NA())", "ratio", P + "roi",
          "(Savings - cost) / cost; #N/A when there is no cost.", fmt=_FMT["pct"], result=True)
    k.put("Benefit-cost ratio", f"=IF({P}cost>0,{P}savings/{P}cost,NA())", "ratio", P + "bcr", fmt=_FMT["n2"])
    k.put("Net present value (NPV)", f"=SUMPRODUCT({col('P')},{col('R')})", "USD", P + "npv",
          "Sum of net flow x (1 + d)^(-(month - 1)/12).", result=True)
    last = col("T").split("!")[0] + "!" + col("T").rsplit(":", 1)[1]  # the horizon's month: below zero = never
    k.put("Payback month", f'=IF(ISNUMBER({last}),"never",IF(COUNT({col("T")})=0,1,MAX({col("T")})+1))',
          "month", P + "payback_month",
          "First month from which the cumulative net flow stays at or above zero to the horizon "
          "(calculator.finance.payback_month); 'never' when it ends below zero.",
          fmt=_FMT["gen"], result=True)
    k.put("Participants (starters over the horizon)", f"=SUM('{hname}'!$E$5:$E${cohort_last})", "count",
          P + "participants", fmt=_FMT["n2"])
    k.put("Participants with back pain", f"=SUM('{hname}'!$D$5:$D${cohort_last})", "count",
          P + "participants_with_back_pain", fmt=_FMT["n2"])
    k.put("Cost per participant", f"=IF({P}participants>0,{P}cost/{P}participants,NA())", "USD",
          P + "cost_per_participant")
    k.put("Savings per participant", f"=IF({P}participants>0,{P}savings/{P}participants,NA())", "USD",
          P + "savings_per_participant")
    k.put("Cost per employee per month", f"={P}cost/(workforce_employees*analysis_horizon_months)", "USD/employee/month",
          P + "cost_per_employee_per_month")
    k.put("Net benefit per employee per month", f"=({P}savings-{P}cost)/(workforce_employees*analysis_horizon_months)",
          "USD/employee/month", P + "net_per_employee_per_month")
    k.put("Sessions purchased", f"=SUM({col('D')})", "sessions", P + "sessions_purchased", fmt=_FMT["n2"])
    k.put("Break-even price per session",
          f"=IF({P}sessions_purchased*{inp('employer_share')}>0,IF(({P}savings-({P}cost-{P}sessions_purchased*"
          f"{inp('employer_share')}*{inp('price_per_session')}))/({P}sessions_purchased*{inp('employer_share')})>0,"
          f"({P}savings-({P}cost-{P}sessions_purchased*{inp('employer_share')}*{inp('price_per_session')}))/"
          f"({P}sessions_purchased*{inp('employer_share')}),NA()),NA())",
          "USD/session", P + "breakeven_price_per_session",
          "Price at which savings = cost, other costs unchanged; #N/A if none is positive.")


def _breakeven_rows(c: _Prog, k: _Calc, col: Any) -> None:
    """Break-even effect multiplier and effect size (within the scenario's allowed ranges)."""
    P, inp, prog = c.P, c.inp, c.prog
    med = "per_affected_medical*phi_medical*condition_plan_paid_share"
    k.put("Savings if every completer responded",
          f"=SUM({col('K')})/12*(IF({P}counts_productivity,per_affected_absenteeism*phi_absenteeism+"
          f"per_affected_presenteeism*phi_presenteeism,0)+IF({P}counts_medical,{med},0))"
          f"+IF({P}counts_passthrough,analysis_premium_passthrough*SUM({col('V')})/12*{med},0)",
          "USD", P + "savings_full_response", "Savings with a responder share of 100% (calculator.program.totals).")
    lib = library()
    max_mult = lib.parameter("program.effect_multiplier").max_allowed
    max_size = lib.therapy_parameter(prog.therapy, "effect_size").max_allowed
    k.put("Break-even responder share", f"=IF({P}savings_full_response>0,{P}cost/{P}savings_full_response,NA())",
          "fraction", P + "breakeven_response", "Cost / savings at full response; above 100%: no effect breaks even.",
          fmt=_FMT["pct2"])
    k.put("Break-even effect multiplier, unrestricted",
          f"=IF(AND(ISNUMBER({P}breakeven_response),{P}unit_response>0),IF({P}breakeven_response<=1,"
          f"{P}breakeven_response/{P}unit_response,NA()),NA())", "ratio",
          P + "breakeven_multiplier_raw", "Break-even responder share / responders per unit of multiplier.",
          fmt=_FMT["n3"])
    k.put("Break-even effect multiplier",
          f"=IF(AND({P}breakeven_multiplier_raw<={max_mult:g},IF({inp('effect_multiplier')}>0,"
          f"{P}breakeven_multiplier_raw*{inp('effect_size')}/{inp('effect_multiplier')}<={max_size:g},TRUE)),"
          f"{P}breakeven_multiplier_raw,NA())", "ratio", P + "breakeven_effect_multiplier",
          f"Share of the trial effect at which savings = cost; #N/A when no allowed effect breaks even "
          f"(multiplier above {max_mult:g} or an effect beyond the {max_size:g}-point scale).", fmt=_FMT["n3"])
    k.put("Break-even effect size",
          f"=IF({inp('effect_multiplier')}>0,{P}breakeven_effect_multiplier*{inp('effect_size')}"
          f"/{inp('effect_multiplier')},NA())", "RDQ points",
          P + "breakeven_effect_size", "Trial effect that breaks even with this effect multiplier.",
          fmt=_FMT["n3"])


# ---------------------------------------------------------------------------------------------
# Values sheets


def _values_table(ws: Worksheet, row: int, columns: list[tuple[str, str, str]], records: list[dict]) -> int:
    _header(ws, row, [c[1] for c in columns])
    for rec in records:
        row += 1
        for j, (key, _, fmt) in enumerate(columns, start=1):
            v = rec.get(key)
            if isinstance(v, str):
                _text(ws, f"{get_column_letter(j)}{row}", v)
            else:
                c = ws.cell(row=row, column=j, value=_num(None if v is None else (bool(v) if isinstance(v, bool) else
                                                                                  (float(v) if isinstance(v, (int, float)) else v))))
                c.number_format = fmt
    return row


def _comparison_sheet(book: _Book, d: ReportData) -> None:
    ws = book.wb.create_sheet("Comparison")
    _title(ws, "Every therapy under the same benefit design",
           "Values computed by backpain-roi (not formulas): each therapy's catalogue price, sessions and effect; "
           "the chosen therapy's row equals the Program sheet. Sorted by net benefit.")
    from .report import therapy_rows
    rows = therapy_rows(d)
    df = d.comparison[d.comparison["therapy"].isin([r["therapy"] for r in rows])]  # not the "none" row
    recs = []
    for tr, (_, c) in zip(rows, df.iterrows(), strict=True):
        rec = {k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in c.items()}
        rec.update({"refs": tr["refs"], "chosen": "yes" if c["chosen"] else ""})
        rec["payback"] = "never" if rec.get("payback_month") is None else rec["payback_month"]
        recs.append(rec)
    cols = [("label", "Therapy", "General"), ("evidence_grade", "Evidence grade", "General"),
            ("refs", "Trial sources", "General"), ("sessions", "Sessions", _FMT["n0"]),
            ("price_per_session", "Price per session", _FMT["USD2"]), ("effect_size", "Effect (RDQ points)", "0.00"),
            ("participants", "Participants", _FMT["n1"]), ("cost", "Cost", _FMT["USD"]),
            ("savings", "Savings", _FMT["USD"]), ("net_benefit", "Net benefit", _FMT["USD"]),
            ("roi", "ROI", _FMT["pct"]), ("benefit_cost_ratio", "Benefit-cost ratio", _FMT["n2"]),
            ("npv", "NPV", _FMT["USD"]), ("payback", "Payback month", "General"),
            ("cost_per_participant", "Cost per participant", _FMT["USD"]),
            ("breakeven_price_per_session", "Break-even price", _FMT["USD2"]), ("chosen", "Chosen", "General")]
    _values_table(ws, 4, cols, recs)
    for j, w in enumerate([44, 16, 12, 9, 12, 10, 12, 12, 12, 12, 9, 10, 12, 10, 12, 12, 8], start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "B5"


def _segments_sheet(book: _Book, d: ReportData) -> None:
    """Per-segment results of an uploaded census (values computed by backpain-roi, not formulas)."""
    ws = book.wb.create_sheet("Segments")
    _title(ws, "Your workforce by segment",
           "Values computed by backpain-roi from your census (not formulas); groups under the minimum size are "
           "merged into 'other'. " + " ".join(d.segment_notes))
    cols = [("segment", "Segment", "General"), ("employees", "Employees", _FMT["n0"]),
            ("prevalence", "Prevalence", _FMT["pct"]), ("affected", "With chronic LBP", _FMT["n1"]),
            ("hourly_wage", "Hourly wage", _FMT["USD2"]), ("burden", "Burden per year", _FMT["USD"]),
            ("burden_per_employee", "Burden per employee", _FMT["USD"]),
            ("program_cost", "Program cost", _FMT["USD"]), ("program_savings", "Program savings", _FMT["USD"]),
            ("net_benefit", "Net benefit", _FMT["USD"]), ("roi", "ROI", _FMT["pct"])]
    recs = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in d.segments.to_dict(orient="records")]
    _values_table(ws, 4, cols, recs)
    for j, w in enumerate([40, 11, 11, 13, 12, 14, 14, 13, 14, 13, 9], start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "B5"


def _uncertainty_sheet(book: _Book, d: ReportData) -> None:
    ws = book.wb.create_sheet("Uncertainty summary")
    u = d.uncertainty
    if u is None:
        _title(ws, "Uncertainty summary: not run",
               "No probabilistic sensitivity analysis was run for this export, so no ROI interval or "
               "probability of paying back is given. Run it in the dashboard or with the uncertainty module.")
        return
    _title(ws, "Uncertainty summary (simulation output: values, not formulas)",
           f"{u.draws:,} Monte Carlo draws" + (f", seed {u.seed}" if u.seed is not None else "") +
           f"; {u.level:.0%} central interval. Changing Inputs does not rerun the simulation.")
    recs = [{"m": "ROI, lower bound", "v": u.roi_low, "f": _FMT["pct"]},
            {"m": "ROI, median", "v": u.roi_median, "f": _FMT["pct"]},
            {"m": "ROI, upper bound", "v": u.roi_high, "f": _FMT["pct"]},
            {"m": "Probability ROI > 0", "v": u.p_roi_positive, "f": _FMT["pct"]}]
    for key, label in (("net_low", "Net benefit, lower bound"), ("net_median", "Net benefit, median"),
                       ("net_high", "Net benefit, upper bound")):
        if getattr(u, key) is not None:
            recs.append({"m": label, "v": getattr(u, key), "f": _FMT["USD"]})
    if u.p_payback is not None:
        recs.append({"m": "Probability of payback within the plan year (12 months)", "v": u.p_payback, "f": _FMT["pct"]})
    _header(ws, 4, ["Outcome", "Value"], [44, 16])
    ws.column_dimensions["A"].width = 44
    for n, rec in enumerate(recs, start=5):
        ws.cell(row=n, column=1, value=rec["m"])
        v = rec["v"]  # None when undefined (no cost: no ROI in any draw)
        ws.cell(row=n, column=2, value=None if v is None else _num(float(v))).number_format = rec["f"]
    if u.table is not None and len(u.table):
        _uncertainty_table(ws, 6 + len(recs), u.table)


def _uncertainty_table(ws: Worksheet, row: int, table: Any) -> None:
    """The per-outcome simulation table, each row in its own unit's format, headers wrapped."""
    cols = list(table.columns)
    _header(ws, row, [str(c)[:1].upper() + str(c)[1:] for c in cols], [44] + [16] * (len(cols) - 1))
    ws.row_dimensions[row].height = 32
    for rec in table.to_dict(orient="records"):
        row += 1
        label = str(rec[cols[0]])
        fmt = (_FMT["pct"] if "[ratio]" in label or "[fraction]" in label else
               _FMT["n1"] if "[months]" in label else _FMT["USD"] if "[USD" in label else _FMT["n2"])
        for j, c in enumerate(cols, start=1):
            v = rec[c]
            if isinstance(v, str):
                _text(ws, f"{get_column_letter(j)}{row}", v)
            else:
                cell = ws.cell(row=row, column=j, value=_num(float(v)) if v is not None else None)
                cell.number_format = _FMT["n2"] if "SE" in str(c) and fmt == _FMT["n1"] else fmt


def _cases_sheet(book: _Book, d: ReportData) -> None:
    """Conservative / base / optimistic side by side (values; the base column equals the Program sheet)."""
    ws = book.wb.create_sheet("Cases", 1)
    _title(ws, "Conservative, base and optimistic cases",
           f"Values computed by backpain-roi (not formulas) for {d.program.therapy_label[:80]} over {d.horizon} "
           "months. Each case applies the shared presets in calculator/data/presets.csv where they are less "
           "(conservative) or more (optimistic) favourable than your inputs.")
    cases = d.cases if d.cases is not None else None
    if cases is None or not len(cases):
        return
    _header(ws, 4, ["Result", *[str(p).capitalize() for p in cases["preset"]]], [34, 18, 18, 18])
    for j in range(2, 2 + len(cases)):
        ws.cell(row=4, column=j).alignment = Alignment(horizontal="right", vertical="center")
    rows = (("cost", "Program cost", _FMT["USD"]), ("savings", "Savings", _FMT["USD"]),
            ("net_benefit", "Net benefit", _FMT["USD"]), ("roi", "ROI", _FMT["pct"]),
            ("npv", "NPV", _FMT["USD"]), ("payback_month", "Payback month", "General"))
    for n, (key, label, fmt) in enumerate(rows, start=5):
        ws.cell(row=n, column=1, value=label).font = _BOLD
        for j, v in enumerate(cases[key], start=2):
            v = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
            if key == "payback_month":
                ws.cell(row=n, column=j, value="never" if v is None else int(v))
            else:
                ws.cell(row=n, column=j, value=v).number_format = fmt
            ws.cell(row=n, column=j).alignment = Alignment(horizontal="right")
    r = 5 + len(rows) + 1
    ws.cell(row=r, column=1, value="What each case changes").font = Font(bold=True, color=_BLUE)
    for name, desc, over in zip(cases["preset"], cases["description"], cases["overrides"], strict=True):
        r += 1
        text = f"{str(name).capitalize()}: {desc}" + (f" Overrides: {over.replace(';', ',')}." if over else "")
        c = ws.cell(row=r, column=1, value=cell_text(text))
        c.alignment = _WRAP
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
        ws.row_dimensions[r].height = 15 * (1 + len(text) // 150)
    for j in range(5, 9):
        ws.column_dimensions[get_column_letter(j)].width = 18
    ws.freeze_panes = "B5"


def _benchmark_sheet(book: _Book, d: ReportData) -> None:
    """Lost time per employee beside published benchmarks (values from model.benchmark_check)."""
    from ..model import benchmark_check
    ws = book.wb.create_sheet("Benchmarks")
    _title(ws, "Benchmark check: our lost time per employee beside published figures",
           "Values computed by backpain-roi (not formulas). A ratio outside 0.5x-2x is worth a second look.")
    cols = [("benchmark", "Benchmark", "General"), ("measure", "Measure", "General"), ("unit", "Unit", "General"),
            ("benchmark_value", "Published", _FMT["n1"]), ("ours", "This scenario", _FMT["n1"]),
            ("ratio", "Ratio", "0.00\"x\""), ("definition", "Why they differ", "General"),
            ("citation", "Source", "General")]
    recs = benchmark_check(d.result).to_dict(orient="records")
    for r in recs:
        r["within_half_to_double"] = "yes" if r["within_half_to_double"] else "no"
    _values_table(ws, 4, cols, recs)
    for j, w in enumerate([14, 40, 16, 12, 14, 10, 70, 60], start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    for row in ws.iter_rows(min_row=5, max_row=4 + len(recs)):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def _sources_sheet(book: _Book, d: ReportData) -> None:
    ws = book.wb.create_sheet("Sources")
    _title(ws, "Sources", "The numbers in brackets on the other sheets refer to this list.")
    _header(ws, 4, ["No.", "Key", "Citation", "Link"], [6, 20, 120, 60])
    for n, ref in enumerate(d.references, start=1):
        r = 4 + n
        ws.cell(row=r, column=1, value=n)
        _text(ws, f"B{r}", ref.key)
        _text(ws, f"C{r}", ref.citation())
        ws[f"C{r}"].alignment = _WRAP
        if ref.link:
            _text(ws, f"D{r}", ref.link)
            ws[f"D{r}"].hyperlink = ref.link
            ws[f"D{r}"].font = Font(color="0563C1", underline="single")


def _about_sheet(book: _Book, d: ReportData) -> None:
    ws = book.wb.active
    ws.title = "About"
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 90
    ws["A1"] = "Back pain business case: live workbook"
    ws["A1"].font = _TITLE_FONT
    ws["A2"] = "Scenario"
    _text(ws, "B2", d.scenario.name, _BOLD)
    _text(ws, "A3", software_line(d), _NOTE_FONT)
    ws["A5"] = "Headline results (formulas over the named result cells)"
    ws["A5"].font = Font(bold=True, color=_BLUE)
    rows = [("Yearly cost of chronic low back pain", "=burden_total", _FMT["USD"], "burden_total"),
            ("  absenteeism", "=burden_absenteeism", _FMT["USD"], "burden_absenteeism"),
            ("  presenteeism", "=burden_presenteeism", _FMT["USD"], "burden_presenteeism"),
            ("  excess medical", "=burden_medical", _FMT["USD"], "burden_medical"),
            (f"Program cost ({d.horizon} months)", "=program_cost", _FMT["USD"], "program_cost"),
            ("Program savings", "=program_savings", _FMT["USD"], "program_savings"),
            ("Net benefit", "=program_net_benefit", _FMT["USD"], "program_net_benefit"),
            ("ROI", "=program_roi", _FMT["pct"], "program_roi"),
            ("NPV", "=program_npv", _FMT["USD"], "program_npv"),
            ("Payback month", "=program_payback_month", "General", "program_payback_month"),
            ("Layout check", "=program_layout_check", "General", "program_layout_check")]
    for n, (label, formula, fmt, name) in enumerate(rows, start=6):
        ws.cell(row=n, column=1, value=label)
        c = ws.cell(row=n, column=2, value=formula)
        c.number_format = fmt
        c.font = _BOLD
        ws.cell(row=n, column=3, value=f"named cell {name}").font = _NOTE_FONT
    r = 6 + len(rows) + 1
    notes = [
        "How to use: change any yellow cell on Inputs; Burden, Program, Cohorts and Cash flow recalculate.",
        "Grey input cells (horizon, offer interval, therapy id) set the layout or the catalogue values: "
        "export again from backpain-roi to change them.",
        "Conventions: month 1 = program start; costs and savings positive; ROI undiscounted; NPV discounts "
        "month m (0-based) by (1 + d)^(-m/12), unlike Excel's NPV(); payback 'never' = not within the horizon.",
        "Comparison and Uncertainty summary hold values computed by backpain-roi (not formulas).",
        "Limitations: see the PDF report or docs/METHODS.md; results are workforce averages, not for decisions "
        "about individuals.",
    ]
    for t in notes:
        ws.cell(row=r, column=1, value=t).font = _NOTE_FONT
        r += 1


def xlsx_bytes(report: ReportData | Scenario, *, uncertainty: Any = None, cached_values: bool = True) -> bytes:
    """The workbook (see the module docstring) as ``.xlsx`` bytes.

    ``cached_values`` (default) stores each formula's result with it (:mod:`.xlsx_values`), so that
    pandas, ``openpyxl(data_only=True)`` and file previews show numbers; about 3 s more.
    """
    d = report if isinstance(report, ReportData) else build_report(report, uncertainty=uncertainty)
    wb = Workbook()
    book = _Book(wb)
    _about_sheet(book, d)
    _inputs_sheet(book, d)
    _burden_sheet(book)
    for i in range(len(d.scenario.programs)):
        _program_sheets(book, d.scenario, i)
    _comparison_sheet(book, d)
    if d.segments is not None:
        _segments_sheet(book, d)
    _uncertainty_sheet(book, d)
    _cases_sheet(book, d)
    _benchmark_sheet(book, d)
    from .xlsx_plan import add_health_plan_sheet  # budget impact PMPM and QALYs, live (issue 11)
    add_health_plan_sheet(wb, d.scenario)
    _sources_sheet(book, d)
    book.finish()
    wb.calculation.fullCalcOnLoad = True
    wb.properties.created = wb.properties.modified = d.generated.replace(tzinfo=None)
    wb.properties.creator = wb.properties.lastModifiedBy = "backpain-roi"
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if cached_values:
        from .xlsx_values import with_cached_values
        data = with_cached_values(data)
    return stable_zip(data, d.generated)

