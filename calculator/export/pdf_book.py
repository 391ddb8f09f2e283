"""One-page PDF summary of a book of business (``backpain-roi portfolio ... --out book.pdf``).

Uses the business-case PDF's styles (:mod:`calculator.export.pdf`): headline tiles (book net
benefit with its 5-95% interval and the probability the book comes out ahead, never a bare ROI),
a scatter of group size against P(ROI > 0) drawn with reportlab graphics (no browser needed), the
totals by therapy, and the groups most and least likely to pay back.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib.pagesizes import LETTER
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .. import __version__
from ..book import CONFIDENT_P, PMPM_DRAWS, WHOLE_BOOK, BookResult
from ..evidence import PRICE_YEAR
from .pdf import GREEN, GREY, INK, MARGIN, NAVY, RED, RULE, ST, TINT, WIDTH, _NumberedCanvas, _t, _table

__all__ = ["book_pdf_bytes"]


def _money(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    a = abs(x)
    s = f"${a / 1e6:,.2f}M" if a >= 1e6 else f"${a:,.0f}"
    return f"-{s}" if x < 0 else s


def _cents(x: float) -> str:
    """Dollars and cents (a PMPM): '$0.12', '-$1.05'."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"-${abs(x):,.2f}" if x < 0 else f"${x:,.2f}"


def _pct(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.0%}"


def _tiles(head: dict[str, Any], res: BookResult) -> Table:
    def tile(label: str, value: str, sub: str) -> list[Any]:
        return [Paragraph(_t(label), ST["tile_label"]), Paragraph(_t(value), ST["tile_value"]),
                Paragraph(_t(sub), ST["tile_sub"])]
    cells = [
        tile("GROUPS / EMPLOYEES", f"{head['groups']:,} / {head['employees']:,}",
             f"{head['groups_failed']:,} failed; {res.draws:,} draws each, seed {res.seed}"),
        tile("BOOK NET BENEFIT (MEAN)", _money(head["net_benefit_mean"]),
             f"5-95%: {_money(head['net_benefit_p5'])} to {_money(head['net_benefit_p95'])}; "
             f"base case {_money(head['net_benefit_base'])}"),
        tile("P(BOOK NET > 0)", _pct(head["prob_net_positive"]),
             "share of simulations in which the whole book saves more than it costs"),
        tile("BOOK ROI (MEAN)", _pct(head["roi_mean"]),
             f"5-95%: {_pct(head['roi_p5'])} to {_pct(head['roi_p95'])}; P(ROI > 0) {_pct(head['prob_net_positive'])}"),
        tile(f"GROUPS WITH P(ROI > 0) >= {CONFIDENT_P:.0%}", f"{head['groups_confident']:,}",
             f"{head['employees_confident']:,} employees"),
    ]
    t = Table([cells], colWidths=[WIDTH / 5] * 5)
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), TINT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE), ("TOPPADDING", (0, 0), (-1, -1), 4),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return t


def _scatter(res: BookResult, width: float, height: float) -> Drawing:
    """Group size (log scale) against P(ROI > 0): green at or above the confidence line, red below."""
    g = res.groups[res.groups["status"] == "ok"]
    d = Drawing(width, height)
    left, bottom, w, h = 34, 22, width - 44, height - 34
    d.add(String(left, height - 9, "Each group: size (employees, log scale) vs P(ROI > 0)", fontName="Helvetica-Bold",
                 fontSize=7.4, fillColor=NAVY))
    d.add(Line(left, bottom, left + w, bottom, strokeColor=GREY, strokeWidth=0.5))
    d.add(Line(left, bottom, left, bottom + h, strokeColor=GREY, strokeWidth=0.5))
    for p in (0, 0.5, 1):
        y = bottom + p * h
        d.add(String(left - 4, y - 2.5, f"{p:.0%}", fontName="Helvetica", fontSize=6, fillColor=GREY, textAnchor="end"))
    yc = bottom + CONFIDENT_P * h
    d.add(Line(left, yc, left + w, yc, strokeColor=GREEN, strokeWidth=0.4, strokeDashArray=[2, 2]))
    if g.empty:
        return d
    lo = math.floor(math.log10(max(1.0, g["employees"].min())))
    hi = max(lo + 1, math.ceil(math.log10(max(1.0, g["employees"].max()))))
    for k in range(lo, hi + 1):
        x = left + (k - lo) / (hi - lo) * w
        d.add(String(x, bottom - 9, f"{10 ** k:,}", fontName="Helvetica", fontSize=6, fillColor=GREY, textAnchor="middle"))
    for emp, p in zip(g["employees"], g["prob_roi_positive"], strict=True):
        x = left + (math.log10(max(1.0, emp)) - lo) / (hi - lo) * w
        col = GREEN if p >= CONFIDENT_P else (RED if p < 0.5 else INK)
        d.add(Circle(x, bottom + p * h, 2.2, fillColor=col, strokeColor=None, fillOpacity=0.75))
    return d


def _totals_table(res: BookResult) -> Table:
    rows = [["Therapy", "Groups", "Employees", "Net benefit, base", "Net benefit, mean (5-95%)", "ROI, mean",
             "P(net > 0)", f"Groups P>={CONFIDENT_P:.0%}", "Plan PMPM, base (5-95%)"]]
    for r in res.totals.head(11).itertuples():
        rows.append([_t(r.label), f"{r.groups:,}", f"{r.employees:,}", _money(r.net_benefit_base),
                     f"{_money(r.net_benefit_mean)} ({_money(r.net_benefit_p5)} to {_money(r.net_benefit_p95)})",
                     _pct(r.roi_mean), _pct(r.prob_net_positive), f"{r.groups_confident:,}",
                     f"{_cents(r.pmpm_base)} ({_cents(r.pmpm_p5)} to {_cents(r.pmpm_p95)})"])
    bold = {1} if res.totals["therapy"].iloc[0] == WHOLE_BOOK else set()
    return _table(rows, [0.19 * WIDTH, 0.06 * WIDTH, 0.09 * WIDTH, 0.10 * WIDTH, 0.20 * WIDTH, 0.06 * WIDTH,
                         0.07 * WIDTH, 0.07 * WIDTH, 0.16 * WIDTH], right={1, 2, 3, 4, 5, 6, 7, 8}, bold_rows=bold)


def _groups_table(res: BookResult, n: int = 6) -> Table:
    g = res.groups[res.groups["status"] == "ok"].sort_values(["prob_roi_positive", "net_benefit_mean"],
                                                             ascending=False, kind="stable")
    pick = g.head(2 * n) if len(g) <= 2 * n else pd.concat([g.head(n), g.tail(n)])
    rows = [["Group", "Therapy", "Employees", "Net benefit, mean", "ROI, mean (5-95%)", "P(ROI > 0)"]]
    for r in pick.itertuples():
        rows.append([_t(f"{r.group_id} {r.name}".strip())[:60], _t(r.therapy), f"{r.employees:,.0f}",
                     _money(r.net_benefit_mean), f"{_pct(r.roi_mean)} ({_pct(r.roi_p5)} to {_pct(r.roi_p95)})",
                     _pct(r.prob_roi_positive)])
    return _table(rows, [0.30 * WIDTH, 0.17 * WIDTH, 0.10 * WIDTH, 0.14 * WIDTH, 0.19 * WIDTH, 0.10 * WIDTH],
                  right={2, 3, 4, 5})


def book_pdf_bytes(res: BookResult) -> bytes:
    """The one-page book summary as PDF bytes."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=0.7 * 72, title="Book of business: back-pain benefit", author="backpain-roi")
    head = res.totals.iloc[0].to_dict() if not res.totals.empty else None
    story: list[Any] = [Paragraph("BOOK OF BUSINESS", ST["kicker"]),
                        Paragraph("Which employer groups does a back-pain benefit pay back for?", ST["title"])]
    if head is None:
        story.append(Paragraph("No group finished: nothing to summarise.", ST["warn"]))
    else:
        verdict = (f"{_t(head['label'])}: in {_pct(head['prob_net_positive'])} of {res.draws:,} simulations the book "
                   f"saves more than it costs; {head['groups_confident']:,} of {head['groups']:,} groups pay back "
                   f"with probability {CONFIDENT_P:.0%} or more.")
        if res.interrupted:
            verdict = "PARTIAL RUN (interrupted). " + verdict
        story += [Paragraph(verdict, ST["verdict"]), Spacer(1, 4), _tiles(head, res), Spacer(1, 6),
                  _scatter(res, WIDTH, 120), Spacer(1, 4), _totals_table(res), Spacer(1, 6),
                  Paragraph("Groups most and least likely to pay back", ST["caption"]), _groups_table(res)]
    story.append(Spacer(1, 4))
    story.append(Paragraph(
        "Each group is a full Monte Carlo analysis with its own seed (run seed + group id); book figures sum each "
        f"simulation across groups. Net benefit and ROI over each group's horizon, undiscounted, {PRICE_YEAR} USD. "
        "Plan PMPM: net budget impact per member-month (member-weighted; + = plans spend more), interval from "
        f"each group's first {PMPM_DRAWS:,} simulations. "
        "Method: docs/PORTFOLIO.md and docs/UNCERTAINTY.md.", ST["note"]))
    canvas = type("_BookCanvas", (_NumberedCanvas,), {"footer_left": f"backpain-roi {__version__} | book of "
                  f"{res.groups_total:,} groups | draws {res.draws:,} | seed {res.seed}"})
    doc.build(story, canvasmaker=canvas)
    return buf.getvalue()
