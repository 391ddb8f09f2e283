"""The comparison of 2-4 saved scenarios as files: a tidy CSV table, an XLSX workbook, a PDF page.

Every file holds the same two tables as the Library page: the key results (burden, cost,
savings, net benefit, ROI with its 90% interval and P(ROI > 0), NPV, payback, break-even price,
PMPM) and the inputs, with the inputs that differ between the scenarios highlighted. Scenario
names are user text: they go through :func:`~calculator.export.safe.cell_text` into cells and
:func:`~calculator.export.safe.pdf_text` into the PDF. Each function returns bytes (or text).
"""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..evidence import PRICE_YEAR
from .safe import cell_text, csv_value, pdf_text

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario_library import Comparison

__all__ = ["comparison_frame", "comparison_csv", "comparison_xlsx", "comparison_pdf", "format_value"]

_HIGHLIGHT = "FFF4CC"  # pale yellow behind an input that differs
_NAVY = "1F3864"


def format_value(value: Any, kind: str) -> str:
    """A result for people: money, ratio/probability as %, payback month or 'never'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not within horizon" if kind == "month" else "n/a"
    if kind == "money":
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.0f}" if abs(value) >= 100 else f"{sign}${abs(value):,.2f}"
    if kind in ("ratio", "prob"):
        return f"{value:.1%}" if kind == "ratio" else f"{value:.0%}"
    if kind == "month":
        return f"month {value:.0f}"
    return str(value)


def _input_text(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.6g}"
    return str(v)


def comparison_frame(cmp: Comparison) -> pd.DataFrame:
    """One tidy table: ``section`` (result / input), key, label, ``differs``, one column per scenario."""
    res = cmp.results.assign(section="result", differs=False).rename(columns={"result": "key"})
    inp = cmp.inputs.assign(section="input").rename(columns={"path": "key"})
    cols = ["section", "key", "label", "differs", *cmp.names]
    return pd.concat([res[cols], inp[cols]], ignore_index=True)


def comparison_csv(cmp: Comparison) -> str:
    """The tidy table as CSV (text cells neutralised against formula injection)."""
    df = comparison_frame(cmp)
    df.columns = [cell_text(c) for c in df.columns]
    return df.map(csv_value).to_csv(index=False, lineterminator="\n")


def _meta(cmp: Comparison) -> str:
    return (f"Parameter set {cmp.parameter_set}; P(ROI > 0) and the 90% interval from {cmp.draws:,} Monte Carlo "
            f"draws, seed {cmp.seed}, the same for every scenario; {PRICE_YEAR} US$; made "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC with backpain-roi.")


def comparison_xlsx(cmp: Comparison) -> bytes:
    """Sheets 'Results' (numbers as numbers, formatted) and 'Inputs' (differences highlighted)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    wb = Workbook()
    ws = wb.active
    ws.title = "Results"
    head = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor=_NAVY)
    ws.append(["Scenario comparison"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_meta(cmp)])
    ws.append([])
    ws.append(["Result", *[cell_text(n) for n in cmp.names]])
    fmts = {"money": '"$"#,##0;[Red]-"$"#,##0', "ratio": "0.0%", "prob": "0%", "month": "0"}
    for row in cmp.results.to_dict(orient="records"):
        vals = [row.get(n) if isinstance(row.get(n), str) else _xl_num(row.get(n)) for n in cmp.names]
        ws.append([row["label"], *[cell_text(v) if isinstance(v, str) else v for v in vals]])
        for c in ws[ws.max_row][1:]:
            c.number_format = fmts.get(row["kind"], "General")
            if c.value is None and row["kind"] == "month":
                c.value = "not within horizon"
    for c in ws[4]:
        c.font, c.fill = head, fill
    ws.column_dimensions["A"].width = 44
    wi = wb.create_sheet("Inputs")
    wi.append(["Input", "Path", *[cell_text(n) for n in cmp.names], "Differs"])
    for c in wi[1]:
        c.font, c.fill = head, fill
    yellow = PatternFill("solid", fgColor=_HIGHLIGHT)
    for r in cmp.inputs.to_dict(orient="records"):
        wi.append([cell_text(r["label"]), r["path"], *[_xl_input(r[n]) for n in cmp.names],
                   "yes" if r["differs"] else ""])
        if r["differs"]:
            for c in wi[wi.max_row]:
                c.fill = yellow
                c.font = Font(bold=True)
    wi.column_dimensions["A"].width, wi.column_dimensions["B"].width = 46, 34
    for ws_ in (ws, wi):
        for col in range(3 if ws_ is wi else 2, len(cmp.names) + (3 if ws_ is wi else 2)):
            ws_.column_dimensions[ws_.cell(row=1, column=col).column_letter].width = 24
        ws_.freeze_panes = "B5" if ws_ is ws else "C2"
    ws["A2"].alignment = Alignment(wrap_text=False)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xl_num(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def _xl_input(v: Any) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return cell_text(_input_text(v))


def comparison_pdf(cmp: Comparison, *, chart_png: bytes | None = None) -> bytes:
    """One landscape page: key results, the inputs that differ (highlighted), and the chart if given."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.units import inch
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .pdf import ST, _t
    page_w, _ = landscape(letter)
    margin = 0.5 * inch
    width = page_w - 2 * margin
    navy, tint = colors.HexColor("#1F3864"), colors.HexColor("#FFF4CC")
    label_w = 2.6 * inch
    col_w = (width - label_w) / len(cmp.names)

    def table(rows: list[list[str]], highlight: list[int]) -> Table:
        cells = [[Paragraph(_t(c) if i else pdf_text(c).encode("cp1252", "replace").decode("cp1252"),
                            ST["head"] if i == 0 else ST["cell_r"] if j else ST["cell"])
                  for j, c in enumerate(r)] for i, r in enumerate(rows)]
        t = Table(cells, colWidths=[label_w] + [col_w] * len(cmp.names), repeatRows=1)
        style = [("BACKGROUND", (0, 0), (-1, 0), navy), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D5DD")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        style += [("BACKGROUND", (0, i), (-1, i), tint) for i in highlight]
        t.setStyle(TableStyle(style))
        return t

    results = [["Result", *cmp.names]] + [
        [r["label"], *[format_value(r[n], r["kind"]) if r["kind"] != "text" else str(r[n]) for n in cmp.names]]
        for r in cmp.results.to_dict(orient="records")]
    diff = cmp.differences
    inputs = [["Input that differs", *cmp.names]] + [
        [r["label"], *[_input_text(r[n]) for n in cmp.names]] for r in diff.to_dict(orient="records")]
    story: list[Any] = [Paragraph("Scenario comparison", ST["title"]),
                        Paragraph(_t(" vs ".join(cmp.names)), ST["verdict"]),
                        Paragraph(_t(_meta(cmp)), ST["note"]), Spacer(1, 6),
                        table(results, [i for i, r in enumerate(results) if r[0] == "P(ROI > 0)"]), Spacer(1, 8)]
    if chart_png is not None:
        story += [Image(io.BytesIO(chart_png), width=width * 0.62, height=width * 0.62 * 420 / 1100), Spacer(1, 6)]
    story += [table(inputs, list(range(1, len(inputs)))) if len(inputs) > 1 else
              Paragraph("The scenarios have the same inputs.", ST["body"])]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(letter), leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title="Scenario comparison",
                            author="backpain-roi")
    doc.build(story)
    return buf.getvalue()
