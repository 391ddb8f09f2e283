"""The business case as a PDF: a one-page answer for a CFO, then the appendices that back it.

Page 1: the question and the answer in plain words (conservative case first), eight headline
figures each with a footnote letter, three charts (cost of back pain by component, monthly and
cumulative cash flow with payback, therapy comparison), the footnotes with numbered sources, and
the main limitations. Following pages: A assumptions (value, range, unit, distribution,
provenance, sources), B therapy evidence and comparison, C uncertainty, D monthly cash flow,
E method, F limitations and warnings, G references, H reproducibility (parameter set, scenario
fingerprint and the scenario file itself).

Charts are the dashboard's plotly figures rendered through kaleido and a local Chromium (see
:mod:`calculator.export.render`). Without a browser the PDF says so on page 1, in place of the
charts, and every table is still there.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import re
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Preformatted,
    Spacer,
    Table,
    TableStyle,
)

from .. import __version__, fmt
from ..evidence import PRICE_YEAR, library
from ..fmt import MINUS
from ..scenario import Scenario
from .figures import report_figures
from .render import ChartsUnavailable, render_png
from .report import (
    METHOD,
    Figure,
    ReportData,
    build_report,
    conservative_summary,
    limitations,
    money,
    pct,
    ref_list,
    sentence_label,
    software_line,
    therapy_rows,
)
from .safe import pdf_text

__all__ = ["pdf_bytes", "FOOTNOTE_ORDER"]

NAVY = colors.HexColor("#1F3864")
INK = colors.HexColor("#1F2A37")
GREY = colors.HexColor("#5B6573")
RULE = colors.HexColor("#D0D5DD")
TINT = colors.HexColor("#F2F5FA")
ZEBRA = colors.HexColor("#F7F8FA")
RED = colors.HexColor("#B42318")
GREEN = colors.HexColor("#067647")

PAGE_W, PAGE_H = LETTER
MARGIN = 0.55 * inch
WIDTH = PAGE_W - 2 * MARGIN

#: Footnote letters of the headline figures, in the order of the tiles.
FOOTNOTE_ORDER = ("burden", "cost", "savings", "net", "roi", "interval", "p_positive", "payback")
_LETTERS = "abcdefghijklmnop"


def _s(name: str, **kw: Any) -> ParagraphStyle:
    base = dict(fontName="Helvetica", fontSize=8.5, leading=11, textColor=INK)
    base.update(kw)
    return ParagraphStyle(name, **base)


ST = {
    "kicker": _s("kicker", fontName="Helvetica-Bold", fontSize=7.5, leading=9, textColor=NAVY),
    "kicker_r": _s("kicker_r", fontSize=7.5, leading=9, textColor=GREY, alignment=TA_RIGHT),
    "title": _s("title", fontName="Helvetica-Bold", fontSize=16, leading=19, textColor=NAVY, spaceBefore=2,
                spaceAfter=3),
    "question": _s("question", fontSize=9, leading=11.5, spaceAfter=4),
    "verdict": _s("verdict", fontName="Helvetica-Bold", fontSize=10.5, leading=13, textColor=NAVY, spaceAfter=2),
    "bullet": _s("bullet", fontSize=8.2, leading=10.4, leftIndent=9, bulletIndent=0, spaceAfter=1.5),
    "tile_label": _s("tile_label", fontName="Helvetica-Bold", fontSize=7, leading=8.5, textColor=GREY),
    "tile_value": _s("tile_value", fontName="Helvetica-Bold", fontSize=14, leading=16.5, textColor=INK),
    "tile_sub": _s("tile_sub", fontSize=7, leading=8.5, textColor=GREY),
    "caption": _s("caption", fontName="Helvetica-Bold", fontSize=8, leading=10, textColor=NAVY, keepWithNext=1),
    "note": _s("note", fontSize=7.5, leading=9, textColor=INK, spaceAfter=0.8),
    "h1": _s("h1", fontName="Helvetica-Bold", fontSize=12, leading=15, textColor=NAVY, spaceBefore=8, spaceAfter=4,
             keepWithNext=1),
    "body": _s("body", fontSize=8.2, leading=10.8, spaceAfter=4),
    "cell": _s("cell", fontSize=7, leading=8.4),
    "cell_b": _s("cell_b", fontName="Helvetica-Bold", fontSize=7, leading=8.4),
    "cell_br": _s("cell_br", fontName="Helvetica-Bold", fontSize=7, leading=8.4, alignment=TA_RIGHT),
    "cell_r": _s("cell_r", fontSize=7, leading=8.4, alignment=TA_RIGHT),
    "head": _s("head", fontName="Helvetica-Bold", fontSize=7, leading=8.4, textColor=colors.white),
    "head_r": _s("head_r", fontName="Helvetica-Bold", fontSize=7, leading=8.4, textColor=colors.white,
                 alignment=TA_RIGHT),
    "ref": _s("ref", fontSize=7.2, leading=9, leftIndent=18, bulletFontName="Helvetica", bulletFontSize=7.2,
              spaceAfter=1.5),
    "mono": _s("mono", fontName="Courier", fontSize=6.3, leading=7.4),
    "warn": _s("warn", fontName="Helvetica-Bold", fontSize=8.5, leading=11, textColor=RED),
}


def _t(text: Any) -> str:
    """User or data text, escaped for Paragraph markup and limited to the PDF fonts' characters."""
    parts = pdf_text(text).split(MINUS)  # the true minus sign renders in the standard fonts
    return MINUS.join(p.encode("cp1252", errors="replace").decode("cp1252") for p in parts)


def _sup(letters: str) -> str:
    return f"<super><font size=6>{letters}</font></super>"


# ---------------------------------------------------------------------------------------------
# Page furniture


class _NumberedCanvas(rl_canvas.Canvas):
    """Draws 'Page n of N' and the reproducibility line once the page count is known."""

    footer_left = ""
    header_right = ""

    when: _dt.datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        if self.when is not None:  # /CreationDate and /ModDate = the report's time (reproducible)
            ts = self._doc._timeStamp
            ts.t = self.when.timestamp()
            ts.lt = ts.YMDhms = tuple(self.when.astimezone(_dt.UTC).timetuple())[:6]
            ts.dhh = ts.dmm = 0
            ts.tzname = "UTC"

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 6.3)
            self.setFillColor(GREY)
            self.drawString(MARGIN, 0.36 * inch, self.footer_left)
            self.drawRightString(PAGE_W - MARGIN, 0.36 * inch, f"Page {self._pageNumber} of {total}")
            if self._pageNumber > 1 and self.header_right:  # page 1 carries it in its own head row
                self.setFont("Helvetica", 7.5)
                self.drawRightString(PAGE_W - MARGIN, PAGE_H - 0.32 * inch, self.header_right)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, 0.47 * inch, PAGE_W - MARGIN, 0.47 * inch)
            super().showPage()
        super().save()


def _table(rows: list[list[Any]], widths: list[float], *, right: set[int] = frozenset(),
           bold_rows: set[int] = frozenset(), repeat: int = 1) -> Table:
    """A data table: navy header row, zebra rows, hairline grid; cells become Paragraphs."""
    out = []
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            if i == 0:
                st = ST["head_r"] if j in right else ST["head"]
            elif i in bold_rows:
                st = ST["cell_br"] if j in right else ST["cell_b"]
            else:
                st = ST["cell_r"] if j in right else ST["cell"]
            cells.append(v if not isinstance(v, str) else Paragraph(v, st))
        out.append(cells)
    t = Table(out, colWidths=widths, repeatRows=repeat)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for i in range(1, len(rows)):
        if i % 2 == 0:
            style.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
    t.setStyle(TableStyle(style))
    return t


# ---------------------------------------------------------------------------------------------
# Page 1


def _letters(d: ReportData) -> dict[str, str]:
    keys = list(FOOTNOTE_ORDER) + ["conservative", "charts"]
    return {k: _LETTERS[i] for i, k in enumerate(keys)}


def _net_figure(d: ReportData) -> Figure:
    p, c = d.program, d.conservative.program
    return Figure("net", f"Net benefit, {d.horizon} months", p.net_benefit, money(p.net_benefit),
                  f"Savings minus program cost over {d.horizon} months, undiscounted (conservative case "
                  f"{money(c.net_benefit)}).", d.figures["roi"].refs, sub=f"conservative: {money(c.net_benefit)}")


def _tiles(d: ReportData, letters: dict[str, str]) -> Table:
    figs = dict(d.figures)
    figs["net"] = _net_figure(d)
    p = d.program
    figs["cost"] = dataclasses.replace(figs["cost"], sub=f"{fmt.money(p.cost_per_employee_per_month, cents=True)} "
                                                       "per employee per month")
    figs["net"] = dataclasses.replace(figs["net"], sub=f"{fmt.money(p.net_per_employee_per_month, cents=True)} "
                                                     "per employee per month")
    cells = []
    for key in FOOTNOTE_ORDER:
        f = figs[key]
        colour = ""
        if key in ("net", "roi") and f.value is not None:
            colour = f' color="{"#067647" if f.value >= 0 else "#B42318"}"'
        value = f'<font{colour}>{_t(f.text)}</font>{_sup(letters[key])}'
        block = [Paragraph(_t(f.label).upper(), ST["tile_label"]), Paragraph(value, ST["tile_value"])]
        block.append(Paragraph(_t(f.sub) if f.sub else "&nbsp;", ST["tile_sub"]))
        cells.append(block)
    rows = [cells[:4], cells[4:]]
    w = WIDTH / 4
    t = Table(rows, colWidths=[w] * 4)
    t.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
    ]))
    return t


def _cases_table(d: ReportData, letters: dict[str, str]) -> Table:
    """Conservative (low), base and optimistic (high) cases side by side, one row per result."""
    c = d.cases
    head = [Paragraph("<b>Low, base and high</b>" + _sup(letters["conservative"]), ST["cell"])] + [
        Paragraph(f"<b>{_t(str(n).capitalize())}</b>", ST["cell_r"]) for n in c["preset"]]
    rows = [head]
    for label, key, f in (("Net benefit", "net_benefit", money), ("ROI", "roi", lambda v: pct(v, 1)),
                          ("Payback", "payback_month", lambda v: fmt.payback(None if v != v else v))):
        rows.append([Paragraph(label, ST["cell"])] + [Paragraph(_t(f(v)), ST["cell_r"]) for v in c[key]])
    w = [WIDTH * 0.31] + [WIDTH * 0.23] * 3
    t = Table([[r[j] for j in range(4)] for r in rows], colWidths=w)
    t.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.6, NAVY), ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
                           ("BACKGROUND", (2, 0), (2, -1), TINT), ("TOPPADDING", (0, 0), (-1, -1), 1),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return t


def _answer_box(d: ReportData, letters: dict[str, str]) -> Table:
    L = letters
    parts = d.answer()
    verdict, cons, base, unc, ctx = parts[0], parts[1], parts[2], parts[3], parts[4]
    colour = "#067647" if d.conservative.program.net_benefit >= 0 else (
        "#B54708" if d.program.net_benefit >= 0 else "#B42318")
    flow = [
        Paragraph(f'<font color="{colour}">{_t(verdict)}</font>', ST["verdict"]),
        Paragraph(_t(cons) + _sup(f"{L['conservative']},{L['cost']},{L['savings']},{L['roi']}"), ST["bullet"],
                  bulletText="\u2022"),
        Paragraph(_t(base) + _sup(f"{L['cost']},{L['savings']},{L['net']},{L['roi']},{L['payback']}"), ST["bullet"],
                  bulletText="\u2022"),
        Paragraph(_t(unc) + (_sup(f"{L['interval']},{L['p_positive']}") if d.uncertainty else ""), ST["bullet"],
                  bulletText="\u2022"),
        Paragraph(_t(ctx) + _sup(L["burden"]), ST["bullet"], bulletText="\u2022"),
    ]
    t = Table([[flow]], colWidths=[WIDTH])
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), TINT),
        ("LINEBEFORE", (0, 0), (0, -1), 2.5, NAVY),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return t


def _image(png: bytes, width: float, size: tuple[int, int]) -> Image:
    w, h = size
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def _charts(d: ReportData, letters: dict[str, str], images: dict[str, bytes] | None,
            reason: str | None, figs: dict) -> list[Any]:
    mark = _sup(letters["charts"])
    if images is None:
        msg = (f"Charts not rendered: {_t(reason)}. Every number is in the figures above and in the "
               "tables of the appendix.")
        box = Table([[Paragraph(msg, ST["warn"])]], colWidths=[WIDTH])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, RED), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                                 ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        return [Spacer(1, 5), box]
    half = (WIDTH - 10) / 2
    left = [Paragraph(_t(figs["burden"][0]) + mark, ST["caption"]), _image(images["burden"], half, figs["burden"][2])]
    right = [Paragraph(_t(figs["cashflow"][0]) + mark, ST["caption"]),
             _image(images["cashflow"], half, figs["cashflow"][2])]
    row = Table([[left, right]], colWidths=[half + 5, half + 5])
    row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    comp = [Paragraph(_t(figs["compare"][0]) + mark, ST["caption"]),
            _image(images["compare"], WIDTH, figs["compare"][2])]
    return [Spacer(1, 5), row, Spacer(1, 3), *comp]


def _footnotes(d: ReportData, letters: dict[str, str]) -> list[Paragraph]:
    figs = dict(d.figures)
    figs["net"] = _net_figure(d)
    out = []
    for key in FOOTNOTE_ORDER:
        f = figs[key]
        refs = ref_list(f.refs)
        out.append(Paragraph(f"{_sup(letters[key])} <b>{_t(f.label)}.</b> {_t(f.note)}"
                             + (f" Sources {refs}." if refs else ""), ST["note"]))
    out.append(Paragraph(
        f"{_sup(letters['conservative'])} <b>Conservative case.</b> The shared conservative preset (also on the "
        f"dashboard), where more pessimistic than this scenario: {_t(conservative_summary(d.scenario))}; the facts about the workforce unchanged. Pessimistic but "
        f"plausible: the program's effect and use at the unfavourable end of the evidence. Sources "
        f"{ref_list(d.conservative_refs)}.", ST["note"]))
    out.append(Paragraph(
        f"{_sup(letters['charts'])} <b>Charts.</b> Model output from the inputs in Appendix A (the same figures "
        "as the dashboard). Comparison: each therapy's catalogue price, sessions and effect under this benefit "
        "design; evidence grades and sources in Appendix B.", ST["note"]))
    lim = ("<b>Main limitations</b> (full list in Appendix F): trial effects may not carry over to employees "
           "who take up a workplace benefit; the link from disability points to work loss and medical cost is "
           "an assumption; presenteeism is self-reported; results are workforce averages, not for decisions "
           "about individuals.")
    out.append(Spacer(1, 2))
    out.append(Paragraph(lim, ST["note"]))
    if d.result.warnings:
        text = " ".join(_t(w.message) for w in d.result.warnings)
        out.append(Paragraph(f'<font color="#B42318"><b>Warnings for this scenario:</b></font> {text}', ST["note"]))
    return out


def _page_one(d: ReportData, images: dict[str, bytes] | None, reason: str | None, figs: dict) -> list[Any]:
    letters = _letters(d)
    p = d.program
    head = Table([[Paragraph("BUSINESS CASE  |  CHRONIC LOW BACK PAIN  |  EMPLOYEE BENEFIT", ST["kicker"]),
                   Paragraph(f"{_t(d.scenario.name)}  |  {d.generated:%d %B %Y}", ST["kicker_r"])]],
                 colWidths=[WIDTH * 0.55, WIDTH * 0.45])
    head.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY)]))
    title = f"Covering {_t(sentence_label(p.therapy_label))}: does it pay for itself?"
    flow: list[Any] = [
        head,
        Paragraph(title, ST["title"]),
        Paragraph(f"<b>The question.</b> {_t(d.question())} Money in {PRICE_YEAR} US dollars; "
                  f"evidence grade of the therapy: {_t(p.evidence_grade.lower())}.", ST["question"]),
        _answer_box(d, letters),
        Spacer(1, 5),
        _tiles(d, letters),
        Spacer(1, 4),
        _cases_table(d, letters),
    ]
    flow += _charts(d, letters, images, reason, figs)
    flow.append(Spacer(1, 4))
    return flow


# ---------------------------------------------------------------------------------------------
# Appendices


def _value_text(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    v = float(value)
    if unit in ("USD/h", "USD/session", "USD/employee/month"):
        return f"${v:,.2f}"
    if unit.startswith("USD"):
        return money(v)
    if unit in ("fraction", "fraction/yr"):
        return pct(v, 1)
    if unit == "fraction/RDQ point":
        return pct(v, 1)
    if unit in ("count", "sessions", "months"):
        return f"{v:,.0f}"
    return fmt.quantity(v, 3)  # 5.39662 days -> 5.4, never false precision


def _assumptions(d: ReportData) -> list[Any]:
    s = d.scenario
    lib = library()
    rows = [["Input", "Value", "Range (low - high)", "Unit", "Distribution", "Provenance", "Sources"]]
    for _, r in d.inputs.iterrows():
        origin = d.origins.get(r["path"])
        label = _t(r["label"]) + (f" <font color='#B54708'>(from your {origin})</font>" if origin else
                                  " <font color='#B54708'>(changed)</font>" if r["changed"] else "")
        rng = "-" if r["low"] == r["high"] else f"{_value_text(r['low'], r['unit'])} - {_value_text(r['high'], r['unit'])}"
        prov = f"your {origin}" if origin else r["provenance"].lower()
        rows.append([label, _value_text(r["value"], r["unit"]), rng, _t(r["unit"]), _t(r["distribution"]),
                     _t(prov), f"your {origin}" if origin else (r["refs"] or "-")])
    p = s.programs[0]
    th = lib.therapy(p.therapy)
    settings = [
        ("Therapy", th.label, ref_list(d.ref_numbers(th.trial_source_keys))),
        ("Evidence grade", th.evidence_grade, ref_list(d.ref_numbers(th.trial_source_keys))),
        ("Horizon", f"{s.analysis.horizon_months} months", ""),
        ("Valuation of absence", s.analysis.valuation.replace("_", " "), ""),
        ("Perspective", s.analysis.perspective.replace("_", " "), ""),
        ("Visit cap", "none" if p.visit_cap is None else f"{p.visit_cap} sessions", ""),
        ("Sessions on paid time / on site", f"{'yes' if p.on_paid_time else 'no'} / {'yes' if p.on_site else 'no'}", ""),
        ("Open enrolment every", f"{p.offer_interval_months} months", ""),
        ("Boosters", "none" if not (p.booster_interval_months and p.booster_sessions) else
         f"{p.booster_sessions} sessions every {p.booster_interval_months} months", ""),
        ("Annual salary instead of hourly wage", "-" if s.workforce.annual_salary is None else money(s.workforce.annual_salary), ""),
        ("Productivity multiplier on presenteeism", "yes" if s.workforce.multiplier_on_presenteeism else "no", ""),
    ]
    for label, value, refs in settings:
        rows.append([f"<i>{_t(label)}</i>", _t(value), "", "setting", "", "", refs or "-"])
    w = [WIDTH * x for x in (0.35, 0.09, 0.15, 0.11, 0.09, 0.10, 0.11)]
    intro = ("Every model input with its value in this scenario, the plausible range used for the uncertainty "
             "analysis, its distribution, how it was obtained (verified from a source, derived from sourced "
             "numbers, an analyst assumption, or recalled and awaiting verification) and the numbered sources "
             "(Appendix G). Inputs marked <i>changed</i> differ from the library default.")
    extra = [p2 for p2 in range(1, len(s.programs))]
    more = ([Paragraph(f"The scenario has {len(s.programs)} programs; the workbook and JSON export carry all of "
                       "them, this report presents the first.", ST["body"])] if extra else [])
    return [Paragraph("A. Assumptions", ST["h1"]), Paragraph(intro, ST["body"]),
            _table(rows, w, right={1}), *more, Spacer(1, 6), *_benchmarks(d)]


def _benchmarks(d: ReportData) -> list[Any]:
    """Our lost-time burden per employee against published benchmarks (model.benchmark_check)."""
    from ..model import benchmark_check
    bc = benchmark_check(d.result)
    rows = [["Benchmark", "Measure", "Published", "This scenario", "Ratio", "Why they differ"]]
    for _, r in bc.iterrows():
        usd = str(r["unit"]).startswith("USD")
        val = (lambda v: money(v)) if usd else (lambda v: f"{fmt.quantity(v, 3)} h")
        rows.append([_t(r["benchmark"]), _t(r["measure"]), val(r["benchmark_value"]), val(r["ours"]),
                     f"{r['ratio']:.2f}x" + ("" if r["within_half_to_double"] else " (!)"), _t(r["definition"])])
    w = [WIDTH * x for x in (0.11, 0.22, 0.10, 0.11, 0.08, 0.38)]
    return [Paragraph("Benchmark check", ST["h2"] if "h2" in ST else ST["caption"]),
            Paragraph("The yearly lost time per employee in this scenario beside published national figures; a "
                      "ratio outside 0.5x-2x (!) is worth a second look at the inputs.", ST["body"]),
            _table(rows, w, right={2, 3, 4})]


def _evidence(d: ReportData) -> list[Any]:
    trs = therapy_rows(d)
    rows = [["Therapy", "Evidence grade", "Comparator", "Outcome", "Effect (range)", "Sources"]]
    for r in trs:
        rows.append([f"<b>{_t(r['label'])}</b> (this scenario)" if r["chosen"] else _t(r["label"]),
                     _t(r["grade"]), _t(r["comparator"]), _t(r["outcome"]),
                     f"{r['effect']:g} ({r['effect_low']:g} - {r['effect_high']:g})", r["refs"]])
    w = [WIDTH * x for x in (0.28, 0.12, 0.17, 0.21, 0.11, 0.11)]
    res = [["Therapy", "Cost", "Savings", "Net benefit", "ROI", "Payback"]]
    bold = set()
    for i, r in enumerate(trs, start=1):
        res.append([_t(r["label"]), money(r["cost"]), money(r["savings"]), money(r["net_benefit"]),
                    pct(None if r["roi"] != r["roi"] else r["roi"]),
                    "never" if r["payback_month"] != r["payback_month"] or r["payback_month"] is None
                    else f"month {int(r['payback_month'])}"])
        if r["chosen"]:
            bold.add(i)
    w2 = [WIDTH * x for x in (0.40, 0.12, 0.12, 0.12, 0.10, 0.14)]
    text = ("Effects are differences from each trial's comparator at the end of the course, in Roland-Morris "
            "disability points (or converted to that scale); the range is the published 95% confidence interval "
            "or the library's plausible range. Evidence grades follow the ACP 2017 guideline and the reviews cited.")
    return [Paragraph("B. Therapy evidence and comparison", ST["h1"]), Paragraph(text, ST["body"]),
            _table(rows, w), Spacer(1, 6),
            Paragraph(f"Every therapy under the same workforce and benefit design, {d.horizon} months, sorted by net "
                      "benefit (the therapy of this scenario in bold).", ST["body"]),
            _table(res, w2, right={1, 2, 3, 4}, bold_rows=bold)]


def _uncertainty(d: ReportData, images: dict[str, bytes] | None, figs: dict) -> list[Any]:
    out: list[Any] = [Paragraph("C. Uncertainty", ST["h1"])]
    u = d.uncertainty
    if u is None:
        out.append(Paragraph("<b>Not run.</b> No probabilistic sensitivity analysis was run for this report, so "
                             "it gives no interval for the ROI and no probability that the program pays for itself. "
                             "Run it on the dashboard's uncertainty page or with calculator.uncertainty.psa and "
                             "export again.", ST["body"]))
        return out
    out.append(Paragraph(
        f"Simulation output: {u.draws:,} Monte Carlo draws" + (f" (seed {u.seed})" if u.seed is not None else "")
        + " of every uncertain input from the distributions in Appendix A, each run through the same model. "
        f"ROI {u.level:.0%} interval {pct(u.roi_low, 1)} to {pct(u.roi_high, 1)}, median {pct(u.roi_median, 1)}; "
        f"probability that the program pays for itself (ROI &gt; 0): {pct(u.p_roi_positive)}"
        + (f"; probability of payback within the 12-month plan year: {pct(u.p_payback)}" if u.p_payback is not None else "")
        + ".", ST["body"]))
    if u.table is not None and len(u.table):
        cols = list(u.table.columns)
        rows = [[_t(c) for c in cols]]
        for rec in u.table.to_dict(orient="records"):
            label = str(rec[cols[0]])
            is_ratio = "ratio" in label
            is_month = "month" in label.lower()
            cells = [_t(label)]
            for c in cols[1:]:
                v = rec[c]
                if v is None or v != v:
                    cells.append("-")
                elif is_ratio:
                    cells.append(pct(float(v)))
                elif is_month:
                    cells.append(f"{float(v):.1f}")
                else:
                    cells.append(money(float(v)))
            rows.append(cells)
        n = len(cols)
        w = [WIDTH * 0.34] + [WIDTH * 0.66 / (n - 1)] * (n - 1)
        out.append(_table(rows, w, right=set(range(1, n))))
    out.append(Paragraph(_median_sentence(d), ST["body"]))
    for key in ("roi_distribution", "tornado"):
        if images is not None and key in images:
            cap, _, size = figs[key]
            out += [Spacer(1, 6), KeepTogether([Paragraph(_t(cap), ST["caption"]), _image(images[key], WIDTH, size)])]
    if d.tornado is not None and len(d.tornado) and (images is None or "tornado" not in images):
        top = d.tornado.head(5)
        out.append(Paragraph("What drives the ROI most (each input from its low to its high value): " + "; ".join(
            f"{_t(r['label'] if 'label' in top else r['input'])} {pct(r['outcome_low'])} to {pct(r['outcome_high'])}"
            for _, r in top.iterrows()) + ".", ST["body"]))
    return out


def _median_sentence(d: ReportData) -> str:
    """Why the simulated median ROI differs from the base case, in one sentence."""
    u, base = d.uncertainty, d.program.roi
    if u is None or u.roi_median is None or base is None:
        return ""
    gap = u.roi_median - base
    where = "below" if gap < 0 else "above"
    return (f"The simulated median ROI ({pct(u.roi_median, 1)}) lies {where} the base case ({pct(base, 1)}) because "
            "the base case runs every input at its mean, while ROI is a ratio of savings to cost that responds "
            "unevenly to the inputs (savings rise with the responder share until it is capped at 100%, and "
            "skewed distributions put more than half of the draws on the "
            f"{'unfavourable' if gap < 0 else 'favourable'} side of each mean), so the typical draw is not the "
            "draw at the means.")


def _cashflow(d: ReportData) -> list[Any]:
    m = d.program.monthly
    rows = [["Month", "Sessions", "Cost", "Savings", "Net", "Cumulative net", "Discount factor", "Discounted net"]]
    for _, r in m.iterrows():
        rows.append([f"{int(r['month'])}", f"{r['sessions_purchased']:,.1f}", money(r["cost"]), money(r["savings"]),
                     money(r["net"]), money(r["cumulative_net"]), f"{r['discount_factor']:.4f}",
                     money(r["net"] * r["discount_factor"])])
    p = d.program
    rows.append(["Total", f"{m['sessions_purchased'].sum():,.1f}", money(p.cost), money(p.savings),
                 money(p.net_benefit), "", "", money(p.npv)])
    w = [WIDTH / 8] * 8
    return [Paragraph("D. Monthly cash flow (base case)", ST["h1"]),
            Paragraph("Month 1 is the program start. Costs: setup, administration, the employer's share of session "
                      "prices and (if chosen) paid work time. The discount factor of month m is (1 + d)^(-(m - 1)/12).",
                      ST["body"]),
            _table(rows, w, right=set(range(0, 8)), bold_rows={len(rows) - 1})]


def _segments(d: ReportData) -> list[Any]:
    """Your workforce by segment (only with a census); labels are the employer's own, escaped."""
    t = d.segments
    rows = [["Segment", "Employees", "Prevalence", "Burden / year", "Per employee", "Program net", "ROI"]]
    for _, r in t.iterrows():
        roi = r["roi"]
        rows.append([_t(r["segment"]), f"{r['employees']:,.0f}", f"{r['prevalence']:.1%}", money(r["burden"]),
                     money(r["burden_per_employee"]), money(r["net_benefit"]),
                     "n/a" if roi is None or roi != roi else f"{roi:.0%}"])
    w = [WIDTH * 0.34] + [WIDTH * 0.11] * 6
    notes = " ".join(_t(n) for n in d.segment_notes)
    return [Paragraph("Your workforce by segment", ST["h1"]),
            Paragraph("From the employer's own census, processed on the employer's machine. Every group shown has "
                      "at least the minimum number of employees; smaller groups are merged into 'other'. "
                      "Aggregate figures only. " + notes, ST["body"]),
            _table(rows, w, right=set(range(1, 7)))]


def _method(d: ReportData) -> list[Any]:
    out: list[Any] = [Paragraph("E. Method in brief", ST["h1"])]
    for para in METHOD:
        head, _, rest = para.partition(". ")
        out.append(Paragraph(f"<b>{_t(head)}.</b> {_t(rest)}", ST["body"]))
    return out


def _limitations(d: ReportData) -> list[Any]:
    out: list[Any] = [Paragraph("F. Limitations and warnings", ST["h1"])]
    for i, text in enumerate(limitations(d), start=1):
        out.append(Paragraph(_t(text), ST["ref"], bulletText=f"{i}."))
    if not d.result.warnings:
        out.append(Paragraph("No sanity warning was raised for this scenario (results within published "
                             "benchmarks, no effect capped, horizon longer than the course).", ST["body"]))
    return out


def _references(d: ReportData) -> list[Any]:
    out: list[Any] = [Paragraph("G. References", ST["h1"])]
    for i, ref in enumerate(d.references, start=1):
        link = f' <font color="#175CD3"><link href="{_t(ref.link)}">{_t(ref.link)}</link></font>' if ref.link else ""
        cite = re.sub(r"\.\.+", ".", ref.citation())  # "et al.." -> "et al."
        text = _t(cite)
        if ref.link and ref.link in cite:
            text = _t(cite.replace(ref.link, "").rstrip())
        out.append(Paragraph(f"{text}{link}", ST["ref"], bulletText=f"[{i}]"))
    return out


def _reproduce(d: ReportData) -> list[Any]:
    return [
        Paragraph("H. Reproducibility", ST["h1"]),
        Paragraph(f"Parameter set (library version) <b>{_t(d.result.parameter_set)}</b>. Scenario SHA-256 "
                  f"<font name='Courier'>{d.scenario_sha256}</font> (of the JSON text below). Generated "
                  f"{d.generated:%Y-%m-%d %H:%M} UTC by backpain-roi {__version__}. Save the scenario below as "
                  "scenario.json and run <font name='Courier'>backpain-roi report scenario.json --out "
                  "report.pdf</font> with the same parameter set to reproduce every number.", ST["body"]),
        Preformatted(d.scenario_json.encode("cp1252", errors="replace").decode("cp1252"), ST["mono"]),
    ]


# ---------------------------------------------------------------------------------------------


def _render(d: ReportData, charts: bool) -> tuple[dict[str, bytes] | None, str | None, dict]:
    figs = report_figures(d)
    if not charts:
        return None, "switched off for this export", figs
    try:
        pngs = render_png([f for _, f, _ in figs.values()], [s for _, _, s in figs.values()], scale=3)
    except ChartsUnavailable as exc:
        return None, str(exc), figs
    return dict(zip(figs, pngs, strict=True)), None, figs


def pdf_bytes(report: ReportData | Scenario, *, uncertainty: Any = None, charts: bool = True) -> bytes:
    """The business-case PDF (see the module docstring). ``charts=False`` skips the browser."""
    d = report if isinstance(report, ReportData) else build_report(report, uncertainty=uncertainty)
    images, reason, figs = _render(d, charts)
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN * 0.8,
        bottomMargin=0.62 * inch, title=f"Business case: {d.program.therapy_label} for chronic low back pain",
        author="backpain-roi", subject=d.scenario.name[:200], creator=f"backpain-roi ({software_line(d)})",
        invariant=True,  # no wall-clock time or random ID in the file: same inputs, same bytes
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="main", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    # page 1 always stays one page: if a long name or many warnings make it overflow, it shrinks
    # the footnotes follow at full size (7.5 pt), on page 2 when page 1 is full
    story: list[Any] = [KeepInFrame(doc.width, doc.height - 2, _page_one(d, images, reason, figs), mode="shrink")]
    story += _footnotes(d, _letters(d))
    story.append(PageBreak())
    story += _assumptions(d)
    story.append(CondPageBreak(3 * inch))
    story += _evidence(d)
    story.append(CondPageBreak(2.5 * inch))
    story += _uncertainty(d, images, figs)
    story.append(CondPageBreak(3 * inch))
    story += _cashflow(d)
    if d.segments is not None:
        story.append(CondPageBreak(3 * inch))
        story += _segments(d)
    from .pdf_plan import health_plan_story  # health-plan page: PMPM by year, cost per QALY (issue 11)
    story += health_plan_story(d, images, reason)
    story.append(CondPageBreak(2 * inch))
    story += _method(d)
    story.append(CondPageBreak(2 * inch))
    story += _limitations(d)
    story.append(CondPageBreak(2 * inch))
    story += _references(d)
    story.append(CondPageBreak(3 * inch))
    story += [KeepTogether(_reproduce(d)[:2]), _reproduce(d)[2]]

    footer = software_line(d)

    header = f"{d.scenario.name[:90]}  |  {d.program.therapy_label}  |  {d.generated:%d %B %Y}"

    class _Canvas(_NumberedCanvas):
        footer_left = footer
        header_right = header.encode("cp1252", errors="replace").decode("cp1252")
        when = d.generated

    doc.build(story, canvasmaker=_Canvas)
    return buf.getvalue()
