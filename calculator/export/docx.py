"""The one-page executive summary as an editable Word document (python-docx), like AHRQ's employer
calculators: the question, the answer in plain words (conservative case first), the headline
figures with P(ROI > 0) and the ROI interval beside the ROI, the conservative / base / optimistic
cases side by side, the same lettered footnotes as the PDF (each citing only the sources behind its
figure) and the numbered references.

Every word is ordinary Word text in the built-in styles (Title, Heading 2, Table Grid, List
Bullet), so it can be edited, translated and read by a screen reader. The scenario's name is in the
page header. Bytes are reproducible (fixed core-property dates and zip entries, see
:mod:`calculator.export.repro`).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt, RGBColor

from .. import fmt
from ..scenario import Scenario
from .report import (
    ReportData,
    build_report,
    conservative_summary,
    own_data_lines,
    ref_list,
    sentence_label,
    software_line,
)
from .repro import stable_zip

__all__ = ["docx_bytes", "FOOTNOTE_KEYS"]

#: Headline figures with a lettered footnote, in order (the PDF's letters a, b, c, ...).
FOOTNOTE_KEYS = ("burden", "cost", "savings", "roi", "interval", "p_positive", "payback")
_NAVY = RGBColor(0x1F, 0x38, 0x64)
_GREY = RGBColor(0x5B, 0x65, 0x73)


def _letters() -> dict[str, str]:
    return {k: "abcdefghij"[i] for i, k in enumerate((*FOOTNOTE_KEYS, "conservative"))}


def _sup(par: Any, letters: str) -> None:
    run = par.add_run(letters)
    run.font.superscript = True


def _table(doc: Any, rows: list[list[str]], right_from: int = 1) -> Any:
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            cell = t.cell(i, j)
            cell.text = v
            par = cell.paragraphs[0]
            if j >= right_from:
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in par.runs:
                run.font.size = Pt(9.5)
                run.font.bold = i == 0
    return t


def _cases_rows(d: ReportData) -> list[list[str]]:
    """Conservative / base / optimistic side by side (program 0)."""
    cases = d.cases
    head = ["", *[str(c).capitalize() for c in cases["preset"]]]
    def row(label: str, key: str, f: Any) -> list[str]:
        return [label, *[f(v) for v in cases[key]]]
    return [head, row("Program cost", "cost", fmt.money), row("Savings", "savings", fmt.money),
            row("Net benefit", "net_benefit", fmt.money), row("ROI", "roi", fmt.pct),
            row("Payback", "payback_month", lambda v: fmt.payback(None if v != v else v))]


def _figures_rows(d: ReportData, L: dict[str, str]) -> list[list[str]]:
    f = d.figures
    p = d.program
    n = d.scenario.workforce.employees * d.horizon
    return [["Headline figure", "Value"],
            [f"{f['burden'].label} ({L['burden']})", f["burden"].text],
            [f"{f['cost'].label} ({L['cost']})", f["cost"].text],
            [f"{f['savings'].label} ({L['savings']})", f["savings"].text],
            [f"{f['roi'].label} ({L['roi']})", f["roi"].text],
            [f"{f['interval'].label} ({L['interval']})", f["interval"].text],
            [f"P(ROI > 0): {f['p_positive'].label.lower()} ({L['p_positive']})", f["p_positive"].text],
            [f"{f['payback'].label} ({L['payback']})", f["payback"].text],
            ["Per employee per month: cost / net", f"{fmt.money(p.cost / n, cents=True)} / "
                                                   f"{fmt.money(p.net_benefit / n, cents=True)}"]]


def _footnotes(doc: Any, d: ReportData, L: dict[str, str]) -> None:
    doc.add_heading("Notes and sources", level=2)
    for key in FOOTNOTE_KEYS:
        f = d.figures[key]
        par = doc.add_paragraph()
        _sup(par, L[key])
        par.add_run(f" {f.label}. ").bold = True
        refs = ref_list(f.refs)
        par.add_run(f.note + (f" Sources {refs}." if refs else ""))
    par = doc.add_paragraph()
    _sup(par, L["conservative"])
    par.add_run(" Conservative case. ").bold = True
    par.add_run(f"The shared conservative preset where more pessimistic than this scenario: "
                f"{conservative_summary(d.scenario)}. Sources {ref_list(d.conservative_refs)}.")
    for par in doc.paragraphs[-len(FOOTNOTE_KEYS) - 1:]:
        for run in par.runs:
            run.font.size = Pt(8.5)


def docx_bytes(report: ReportData | Scenario, *, uncertainty: Any = None) -> bytes:
    """The executive summary (see the module docstring) as ``.docx`` bytes."""
    d = report if isinstance(report, ReportData) else build_report(report, uncertainty=uncertainty)
    L = _letters()
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    doc.styles["Normal"].paragraph_format.space_after = Pt(3)
    sec = doc.sections[0]
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Inches(0.7)
    doc.core_properties.title = f"Executive summary: {d.program.therapy_label} for chronic low back pain"
    doc.core_properties.author = doc.core_properties.last_modified_by = "backpain-roi"
    doc.core_properties.subject = d.scenario.name[:200]
    doc.core_properties.revision = 1
    doc.core_properties.created = doc.core_properties.modified = d.generated.replace(tzinfo=None)
    header = doc.sections[0].header.paragraphs[0]
    header.text = f"{d.scenario.name}  |  {d.generated:%d %B %Y}"
    foot = doc.sections[0].footer.paragraphs[0]
    foot.add_run(software_line(d)).font.size = Pt(7.5)
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = _GREY
    doc.add_heading(f"Covering {sentence_label(d.program.therapy_label)}: does it pay for itself?", level=1)
    q = doc.add_paragraph()
    q.add_run("The question. ").bold = True
    q.add_run(d.question() + f" Money in {fmt.PRICE_YEAR} US dollars.")
    answer = d.answer()
    v = doc.add_paragraph()
    run = v.add_run(answer[0])
    run.bold, run.font.size, run.font.color.rgb = True, Pt(13), _NAVY
    for text, marks in zip(answer[1:], ("conservative", "cost,savings,roi", "interval,p_positive", "burden"),
                           strict=False):
        par = doc.add_paragraph(text, style="List Bullet")
        _sup(par, ",".join(L[m] for m in marks.split(",")))
    doc.add_heading("Headline figures", level=2)
    _table(doc, _figures_rows(d, L))
    doc.add_heading("Conservative, base and optimistic cases", level=2)
    _table(doc, _cases_rows(d))
    own = own_data_lines(d)
    if own:  # values set by the employer's claims, survey or census say so (issue 11)
        doc.add_heading("From your own data", level=2)
        for line in own:
            doc.add_paragraph(line, style="List Bullet")
    _footnotes(doc, d, L)
    doc.add_heading("References", level=2)
    for i, r in enumerate(d.references, start=1):
        par = doc.add_paragraph(f"[{i}] {r.citation()}")
        par.runs[0].font.size = Pt(7.5)
        par.paragraph_format.space_after = Pt(0)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue(), d.generated)
