"""The workbook's ``Health plan`` sheet: budget impact (PMPM) and QALYs as live formulas.

Yellow cells are inputs (the plan's settings and, per plan year, the fee units and the allowed
medical offsets the program model computed; per month, the person-months in each pain-impact state
the program adds). Every result is a formula over them, so an analyst can change the fee,
paid-to-allowed, trend, members, utilities or willingness to pay and see PMPM, net budget impact,
QALYs, cost per QALY and NMB recalculate. Named results: ``plan_pmpm``, ``plan_net``,
``plan_share_of_spend``, ``plan_qalys_gained``, ``plan_incremental_cost``, ``plan_cost_per_qaly``,
``plan_nmb_50000`` ... Values marked "from your claims" say so in the Source column. Beside the
formulas, the 5-95% intervals of PMPM (per plan year and whole horizon: ``plan_pmpm_p5``,
``plan_pmpm_p95``), QALYs, cost per QALY (``plan_cost_per_qaly_p5``/``_p95``, blank with the reason
when a ratio interval would mislead) and NMB come from the PDF's fixed-seed simulations: values,
not formulas (changing an input does not rerun them).

Hooked into :func:`calculator.export.xlsx.xlsx_bytes` with one call.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from ..budget import budget_impact
from ..cea import cost_effectiveness, state_months_delta, thresholds
from ..model import build_inputs
from ..program import simulate
from ..scenario import Scenario
from ..states import STATES, state_values
from ..uncertainty import DEFAULT_SEED
from .safe import cell_text

__all__ = ["add_health_plan_sheet", "PLAN_NAMES"]

PLAN_NAMES = ("plan_pmpm", "plan_net", "plan_pepm", "plan_share_of_spend", "plan_qalys_gained",
              "plan_incremental_cost", "plan_cost_per_qaly")
_INPUT = PatternFill("solid", fgColor="FFF2CC")
_RESULT = PatternFill("solid", fgColor="E2EFDA")
_HEAD = PatternFill("solid", fgColor="1F3864")
_WHITE = Font(bold=True, color="FFFFFF")
_BOLD = Font(bold=True)
_NOTE = Font(italic=True, color="595959")
_USD, _USD2, _PCT = '"$"#,##0;[Red]-"$"#,##0', '"$"#,##0.000;[Red]-"$"#,##0.000', "0.000%"


class _Sheet:
    def __init__(self, wb: Any, ws: Worksheet):
        self.wb, self.ws = wb, ws

    def name(self, ref: str, name: str) -> None:
        col = "".join(ch for ch in ref if ch.isalpha())
        row = "".join(ch for ch in ref if ch.isdigit())
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"'{self.ws.title}'!${col}${row}")

    def head(self, row: int, titles: list[str]) -> None:
        for j, t in enumerate(titles, start=1):
            c = self.ws.cell(row=row, column=j, value=t)
            c.fill, c.font = _HEAD, _WHITE

    def line(self, row: int, label: str, value: Any, *, fmt: str = "General", inp: bool = False,
             res: bool = False, name: str | None = None, note: str = "") -> str:
        self.ws.cell(row=row, column=1, value=label)
        c = self.ws.cell(row=row, column=2, value=value)
        c.number_format = fmt
        if inp:
            c.fill = _INPUT
        if res:
            c.fill, c.font = _RESULT, _BOLD
        if name:
            self.name(f"B{row}", name)
        n = self.ws.cell(row=row, column=3, value=cell_text(note))
        n.font = _NOTE
        return f"B{row}"


def _source(s: Scenario, path: str, default: str) -> str:
    return "from your claims" if path in s.plan.from_claims else default


def _budget_block(sh: _Sheet, s: Scenario, row: int) -> int:
    """Plan settings and the year table; returns the next free row."""
    b = budget_impact(s)
    ws = sh.ws
    sh.head(row, ["Budget impact (health plan's view; undiscounted)", "Value", "Source / formula"])
    r = row + 1
    mm = sh.line(r, "Member months per plan year", float(b.years["member_months"].iloc[0]), fmt="#,##0", inp=True,
                 name="plan_member_months", note=_source(s, "plan.member_months", "members x 12"))
    emp = sh.line(r + 1, "Employees", float(s.workforce.employees), fmt="#,##0", inp=True, name="plan_employees",
                  note="workforce.employees")
    fee = sh.line(r + 2, f"Fee per unit ({b.fee_basis})", b.fee_amount, fmt=_USD2, inp=True, name="plan_fee",
                  note=b.sources["fee_amount"])
    ptoa = sh.line(r + 3, "Paid-to-allowed ratio", b.paid_to_allowed, fmt="0.000", inp=True,
                   name="plan_paid_to_allowed", note=_source(s, "condition.plan_paid_share", "condition.plan_paid_share"))
    trend = sh.line(r + 4, "Medical trend per year", b.medical_trend, fmt="0.0%", inp=True, name="plan_trend",
                    note="plan.medical_trend")
    spend = sh.line(r + 5, "Total plan spend in year 1", float(b.years["plan_spend"].iloc[0]), fmt=_USD, inp=True,
                    name="plan_spend_year1", note=b.sources["total_plan_spend"])
    risk = sh.line(r + 6, "Share of fees at risk", s.plan.fees_at_risk, fmt="0%", inp=True, note="plan.fees_at_risk")
    guar = sh.line(r + 7, "Guaranteed savings per $ of fees", s.plan.guarantee_ratio, fmt="0.0", inp=True,
                   note="plan.guarantee_ratio")
    r += 9
    cols = ["Plan year", "Fee units", "Allowed offsets (before trend)", "Program fees", "Plan-paid offsets",
            "Refund", "Net", "PMPM", "PEPM", "Plan spend", "% of plan spend"]
    sh.head(r, cols)
    first = r + 1
    for i, y in enumerate(b.years.itertuples()):
        k = first + i
        ws.cell(row=k, column=1, value=int(y.year))
        for col, v in ((2, float(y.units)), (3, float(y.offsets_allowed))):
            c = ws.cell(row=k, column=col, value=v)
            c.fill, c.number_format = _INPUT, "#,##0.00"
        f = {4: f"=B{k}*{fee}", 5: f"=C{k}*{ptoa}*(1+{trend})^(A{k}-1)",
             6: f"=MIN({risk}*D{k},MAX(0,{guar}*D{k}-E{k}))", 7: f"=D{k}-F{k}-E{k}", 8: f"=G{k}/{mm}",
             9: f"=G{k}/({emp}*12)", 10: f"={spend}*(1+{trend})^(A{k}-1)", 11: f"=G{k}/J{k}"}
        for col, formula in f.items():
            c = ws.cell(row=k, column=col, value=formula)
            c.number_format = {8: _USD2, 9: _USD2, 11: _PCT}.get(col, _USD)
    last = first + len(b.years) - 1
    k = last + 1
    ws.cell(row=k, column=1, value="Whole horizon").font = _BOLD
    _pmpm_interval(sh, s, r, first, k)
    for col in (4, 5, 6, 7, 10):
        L = "ABCDEFGHIJK"[col - 1]
        ws.cell(row=k, column=col, value=f"=SUM({L}{first}:{L}{last})").number_format = _USD
    for col, formula, name, fmt in ((8, f"=G{k}/({mm}*{len(b.years)})", "plan_pmpm", _USD2),
                                    (9, f"=G{k}/({emp}*12*{len(b.years)})", "plan_pepm", _USD2),
                                    (11, f"=G{k}/J{k}", "plan_share_of_spend", _PCT)):
        c = ws.cell(row=k, column=col, value=formula)
        c.number_format, c.fill, c.font = fmt, _RESULT, _BOLD
        sh.name(f"{'ABCDEFGHIJK'[col - 1]}{k}", name)
    ws.cell(row=k, column=7).fill = _RESULT
    sh.name(f"G{k}", "plan_net")
    return k + 2


def _pmpm_interval(sh: _Sheet, s: Scenario, head: int, first: int, whole: int) -> None:
    """Columns L-N of the year table: PMPM 5% and 95% and P(plan saves), simulated values (not formulas)."""
    from ..budget import budget_interval
    from .pdf_plan import DRAWS
    iv = budget_interval(s, DRAWS, DEFAULT_SEED).set_index("year")
    for j, title in enumerate((f"PMPM 5% ({DRAWS:,} simulations)", "PMPM 95%", "P(plan saves)"), start=12):
        c = sh.ws.cell(row=head, column=j, value=title)
        c.fill, c.font = _HEAD, _WHITE
    for k, year in [(first + i, i + 1) for i in range(whole - first)] + [(whole, 0)]:
        r = iv.loc[year]
        for j, v, f in ((12, r["pmpm_p5"], _USD2), (13, r["pmpm_p95"], _USD2), (14, r["p_saves"], "0%")):
            sh.ws.cell(row=k, column=j, value=float(v)).number_format = f
    sh.name(f"L{whole}", "plan_pmpm_p5")
    sh.name(f"M{whole}", "plan_pmpm_p95")


def _uncertainty_block(sh: _Sheet, s: Scenario, row: int) -> int:
    """Cost per QALY and NMB intervals from the same simulations as the PDF (values, not formulas)."""
    from .. import fmt
    from ..cea import cea_psa
    from .pdf_plan import DRAWS
    psa = cea_psa(s, DRAWS, DEFAULT_SEED)
    r = psa.table.set_index("therapy").loc[s.programs[0].therapy]
    sh.head(row, [f"Uncertainty: {DRAWS:,} simulations, seed {DEFAULT_SEED} (values, not formulas)", "5%", "95%"])
    sh.ws.cell(row=row, column=4, value="Note").fill = _HEAD
    sh.ws.cell(row=row, column=4).font = _WHITE
    lines = [("QALYs gained", r["p5_qalys"], r["p95_qalys"], "0.0000", ""),
             ("Incremental cost to the plan (NPV)", r["p5_cost"], r["p95_cost"], _USD, "")]
    why = str(r["cost_per_qaly_interval_note"])
    lines.append(("Cost per QALY", None if why else r["p5_cost_per_qaly"], None if why else r["p95_cost_per_qaly"], _USD,
                  why or f"{fmt.per_qaly_interval(r['p5_cost_per_qaly'], r['p95_cost_per_qaly'])}; every simulation "
                         "gains QALYs (a negative 5% = dominant)"))
    lines += [(f"Net monetary benefit at ${w / 1000:,.0f}k per QALY", r[f"p5_nmb_{int(w)}"], r[f"p95_nmb_{int(w)}"],
               _USD, f"P(cost-effective) {r[f'p_cost_effective_{int(w)}']:.0%}") for w in psa.wtp]
    for i, (label, lo, hi, f, note) in enumerate(lines, start=row + 1):
        sh.ws.cell(row=i, column=1, value=label)
        for col, v in ((2, lo), (3, hi)):
            sh.ws.cell(row=i, column=col, value=None if v is None else float(v)).number_format = f
        sh.ws.cell(row=i, column=4, value=cell_text(note)).font = _NOTE
    sh.name(f"B{row + 3}", "plan_cost_per_qaly_p5")
    sh.name(f"C{row + 3}", "plan_cost_per_qaly_p95")
    return row + len(lines) + 2


def _qaly_block(sh: _Sheet, s: Scenario, row: int) -> int:
    """Utilities, per-month state deltas, discounting, QALYs, cost per QALY, NMB at each threshold."""
    ws = sh.ws
    inp = build_inputs(s)
    sim = simulate(inp)
    delta = state_months_delta(sim)
    ce = cost_effectiveness(s)
    sh.head(row, ["Cost-effectiveness (health plan's view)", "Value", "Source / formula"])
    r = row + 1
    util = {}
    for j, st in enumerate(STATES):
        util[st] = sh.line(r + j, f"Utility weight: {st}", float(state_values().utility[j]), fmt="0.000", inp=True,
                           note=f"state.utility.{st} (SF-6D, Herman 2019 Table 1)")
    r += len(STATES)
    d = sh.line(r, "Discount rate per year (QALYs and costs)", float(inp.discount_rate), fmt="0.0%", inp=True,
                note="analysis.discount_rate")
    cost = sh.line(r + 1, "Incremental cost to the plan (NPV)", ce.incremental_cost, fmt=_USD, inp=True,
                   name="plan_incremental_cost", note="program model: fees + admin + setup - plan-paid offsets")
    r += 3
    sh.head(r, ["Month", "Discount factor", "Person-months: none", "low", "moderate", "high", "QALYs"])
    first = r + 1
    for m in range(delta.shape[-2]):
        k = first + m
        ws.cell(row=k, column=1, value=m)
        ws.cell(row=k, column=2, value=f"=(1+{d})^(-A{k}/12)").number_format = "0.0000"
        for j in range(len(STATES)):
            c = ws.cell(row=k, column=3 + j, value=float(delta[m, j]))
            c.fill, c.number_format = _INPUT, "0.000"
        terms = "+".join(f"{'CDEF'[j]}{k}*{util[st]}" for j, st in enumerate(STATES))
        ws.cell(row=k, column=7, value=f"=B{k}*({terms})/12").number_format = "0.00000"
    last = first + delta.shape[-2] - 1
    k = last + 2
    q = sh.line(k, "QALYs gained (discounted)", f"=SUM(G{first}:G{last})", fmt="0.0000", res=True,
                name="plan_qalys_gained", note="sum over months of person-months x utility x discount / 12")
    sh.line(k + 1, "Cost per QALY", f'=IF(AND({q}>0,{cost}>0),{cost}/{q},IF(AND({q}<0,{cost}<0),{cost}/{q},'
                                     f'IF({q}>0,"dominant",IF({cost}>=0,"dominated","n/a"))))',
            fmt=_USD, res=True, name="plan_cost_per_qaly", note="dominant: more QALYs for less money")
    for i, w in enumerate(thresholds()):
        wcell = sh.line(k + 2 + 2 * i, f"Willingness to pay per QALY ({i + 1})", w, fmt=_USD, inp=True,
                        note="ICER value range")
        sh.line(k + 3 + 2 * i, "Net monetary benefit at that willingness to pay", f"={wcell}*{q}-{cost}", fmt=_USD,
                res=True, name=f"plan_nmb_{int(w)}", note="WTP x QALYs - incremental cost")
    return k + 3 + 2 * len(thresholds())


def add_health_plan_sheet(wb: Any, scenario: Scenario) -> Worksheet:
    """Add the ``Health plan`` sheet (budget impact and QALYs, live formulas) to an openpyxl workbook."""
    ws = wb.create_sheet("Health plan")
    ws["A1"] = "Health plan view: budget impact per member per month and cost per QALY"
    ws["A1"].font = Font(bold=True, size=14, color="1F3864")
    note = "Yellow cells are inputs; green cells are formulas. Budget impact is undiscounted (ISPOR); QALYs and " \
           "the incremental cost are discounted alike."
    if scenario.plan.from_claims:
        note += f" Values from your claims ({scenario.plan.claims_file}) say so in column C."
    ws["A2"] = cell_text(note)
    ws["A2"].font = _NOTE
    for col, w in zip("ABCDEFGHIJKLMN", (44, 16, 40, 14, 16, 12, 14, 12, 12, 16, 14, 22, 12, 14), strict=True):
        ws.column_dimensions[col].width = w
    sh = _Sheet(wb, ws)
    row = _budget_block(sh, scenario, 4)
    row = _qaly_block(sh, scenario, row)
    _uncertainty_block(sh, scenario, row + 1)
    return ws
