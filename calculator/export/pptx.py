"""A short pitch deck (python-pptx): every word is editable text, every chart a native chart.

Slides: 1 title; 2 the problem in numbers; 3 the proposal and its return (conservative case first,
interval and probability when the uncertainty analysis was run); 4 every therapy compared;
5 limitations; 6 sources. Each slide's notes carry the footnotes (how each number is built and
its numbered sources), so a presenter can answer "where does this come from?".
"""

from __future__ import annotations

import io
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from .. import fmt
from ..evidence import PRICE_YEAR
from ..scenario import Scenario
from .report import (
    ReportData,
    build_report,
    conservative_summary,
    limitations,
    money,
    own_data_lines,
    pct,
    ref_list,
    sentence_label,
    software_line,
    therapy_rows,
)
from .repro import stable_zip

__all__ = ["pptx_bytes", "SLIDE_TITLES"]

NAVY = RGBColor(0x1F, 0x38, 0x64)
INK = RGBColor(0x1F, 0x2A, 0x37)
GREY = RGBColor(0x5B, 0x65, 0x73)
RED = RGBColor(0xB4, 0x23, 0x18)
GREEN = RGBColor(0x06, 0x76, 0x47)
TINT = RGBColor(0xF2, 0xF5, 0xFA)
BLUE = RGBColor(0x00, 0x72, 0xB2)  # Okabe-Ito, as the dashboard
ORANGE = RGBColor(0xE6, 0x9F, 0x00)
GREEN_OI = RGBColor(0x00, 0x9E, 0x73)

W, H = Inches(13.333), Inches(7.5)
M = Inches(0.6)

#: Slide titles in order (the deck's outline).
SLIDE_TITLES = ("title", "problem", "proposal", "comparison", "limitations", "sources")


def _text(slide: Any, left: int, top: int, width: int, height: int, paras: list[tuple[str, dict]],
          *, fill: RGBColor | None = None, anchor: Any = MSO_ANCHOR.TOP) -> Any:
    """A text box with one paragraph per ``(text, style)``; style keys: size, bold, color, align."""
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    if fill is not None:
        box.fill.solid()
        box.fill.fore_color.rgb = fill
        tf.margin_left = tf.margin_right = Inches(0.15)
        tf.margin_top = tf.margin_bottom = Inches(0.08)
    for i, (t, st) in enumerate(paras):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        run = p.add_run()
        run.text = t
        f = run.font
        f.size = Pt(st.get("size", 14))
        f.bold = st.get("bold", False)
        f.color.rgb = st.get("color", INK)
        f.name = "Calibri"
        if st.get("align"):
            p.alignment = st["align"]
        if st.get("space"):
            p.space_after = Pt(st["space"])
    return box


def _title(slide: Any, title: str, kicker: str = "") -> None:
    ph = slide.shapes.title
    ph.left, ph.top, ph.width, ph.height = M, Inches(0.35), W - 2 * M, Inches(0.9)
    ph.text = title
    p = ph.text_frame.paragraphs[0]
    p.alignment = PP_ALIGN.LEFT
    for r in p.runs:
        r.font.size, r.font.bold, r.font.color.rgb, r.font.name = Pt(30), True, NAVY, "Calibri"
    if kicker:
        _text(slide, M, Inches(0.12), W - 2 * M, Inches(0.3), [(kicker, {"size": 11, "bold": True, "color": GREY})])


def _footer(slide: Any, d: ReportData, note: str) -> None:
    _text(slide, M, H - Inches(0.45), W - 2 * M, Inches(0.35),
          [(note + "   |   " + software_line(d), {"size": 9, "color": GREY})])


def _notes(slide: Any, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text


# Calibri / Carlito advance widths in em: digits, '$', '%', '+' and the minus sign are 0.507; others ~0.5.
_NARROW = {",": 0.25, ".": 0.252, " ": 0.226, "(": 0.303, ")": 0.303, "/": 0.386, "-": 0.306, "1": 0.507,
           "M": 0.855, "W": 0.89, "m": 0.799, "w": 0.715, "k": 0.455, "%": 0.715}


def text_width(text: str, size_pt: float, bold: bool = False) -> int:
    """Width of one line of Calibri text in EMU (a slight over-estimate, so nothing breaks)."""
    em = sum(_NARROW.get(ch, 0.65 if ch.isupper() else 0.507) for ch in text) * (1.04 if bold else 1.0)
    return int(Pt(em * size_pt * 1.08)) + int(Inches(0.04))


def _fit_size(text: str, width: int, largest: float, smallest: float = 14, bold: bool = True) -> float:
    """The largest font size (points) at which ``text`` fits on one line of ``width`` EMU."""
    size = largest
    while size > smallest and text_width(text, size, bold) > width:
        size -= 1
    return size


KPI_HEIGHT = Inches(1.45)


def _kpi(slide: Any, left: int, top: int, width: int, label: str, value: str, sub: str,
         colour: RGBColor = INK) -> None:
    """A tile of fixed height: label, the value on one line (shrunk to fit), a one-line note."""
    inner = width - Inches(0.3)
    box = _text(slide, left, top, width, KPI_HEIGHT, [
        (label.upper(), {"size": 11, "bold": True, "color": GREY}),
        (value, {"size": _fit_size(value, inner, 30), "bold": True, "color": colour}),
        (sub, {"size": _fit_size(sub, inner, 11, 9, bold=False), "color": GREY}),
    ], fill=TINT)
    box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    box.text_frame.word_wrap = True


def _bar_chart(slide: Any, categories: list[str], series: str, values: Any, box: tuple, label_format: str):
    """A native (editable) horizontal bar chart with value labels; returns (chart, plot)."""
    data = CategoryChartData()
    data.categories = categories
    data.add_series(series, values)
    ch = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, *box, data).chart
    _style_chart(ch, number_format=money_format(values))
    plot = ch.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = label_format
    plot.data_labels.number_format_is_linked = False
    return ch, plot


def money_format(values: Any, *, label: bool = False) -> str:
    """An Excel number format that keeps chart ticks and labels short: $12k, $1.2M, −$40k."""
    big = max((abs(float(v)) for v in values), default=0.0)
    if big >= 9.95e6 and not (label and big < 1e9):
        return '"$"#,##0,,"M";"\u2212$"#,##0,,"M";"$"0'
    if big >= 1e6:
        return '"$"#,##0.0,,"M";"\u2212$"#,##0.0,,"M";"$"0'
    if big >= 1e4:
        return '"$"#,##0,"k";"\u2212$"#,##0,"k";"$"0'
    return '"$"#,##0;"\u2212$"#,##0;"$"0'


def _tick_skip(axis: Any, n_categories: int, most: int = 12) -> None:
    """Label every k-th category so that at most ``most`` labels share the axis (c:tickLblSkip)."""
    from pptx.oxml.ns import qn
    k = max(1, -(-n_categories // most))
    ax = axis._element
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        for old in ax.findall(qn(tag)):
            ax.remove(old)
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        el = ax.makeelement(qn(tag), {"val": str(k)})
        no_multi = ax.find(qn("c:noMultiLvlLbl"))
        if no_multi is not None:
            no_multi.addprevious(el)
        else:
            ax.append(el)


def _style_chart(chart: Any, *, legend: bool = False, number_format: str = '"$"#,##0') -> None:
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)
    chart.font.size = Pt(11)
    chart.font.name = "Calibri"
    try:
        chart.value_axis.tick_labels.number_format = number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE4, 0xE7, 0xEC)
        # category labels at the low end of the axis: never over negative bars or a falling line
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    except (AttributeError, ValueError):  # pragma: no cover - chart types without a value axis
        pass


def _slide_title(prs: Any, d: ReportData) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[5])
    p = d.program
    _title(s, f"Covering {sentence_label(p.therapy_label)} for chronic low back pain",
           "BUSINESS CASE | EMPLOYEE BENEFIT")
    _text(s, M, Inches(1.5), W - 2 * M, Inches(1.2), [
        (d.verdict(), {"size": 24, "bold": True,
                       "color": GREEN if d.conservative.program.net_benefit >= 0 else
                       (ORANGE if p.net_benefit >= 0 else RED)}),
        (d.question(), {"size": 16, "color": INK}),
    ])
    _text(s, M, Inches(3.2), W - 2 * M, Inches(1.8), [
        (f"Scenario: {d.scenario.name}", {"size": 14, "bold": True}),
        (f"{d.scenario.workforce.employees:,} employees | horizon {d.horizon} months | "
         f"{d.scenario.analysis.perspective.replace('_', ' ')} employer | {PRICE_YEAR} US dollars", {"size": 14}),
        (f"Prepared {d.generated:%d %B %Y} with backpain-roi (open formulas, cited defaults).", {"size": 12, "color": GREY}),
    ])
    _footer(s, d, "Figures: slides 2-4; sources: slide 6")
    _notes(s, "Every number in this deck comes from the backpain-roi model with the scenario below; the notes "
              "on each slide say how it is built and which sources stand behind it.\n\n" + d.scenario_json)


def _short_own(d: ReportData) -> list[str]:
    """Own-data lines of the burden's inputs, in short words (the full labels are in the PDF and workbook)."""
    short = {"condition.prevalence": "prevalence", "condition.absence_days": "absence days",
             "condition.presenteeism": "presenteeism", "condition.medical_excess_cost": "medical cost per person",
             "workforce.hourly_wage": "wage", "condition.plan_paid_share": "paid-to-allowed"}
    out = [f"{word} from your {d.origins[path]}" for path, word in short.items() if d.origins.get(path)]
    mix = sorted({k for p, k in d.origins.items() if p.startswith("condition.impact_mix.")})
    return out + [f"pain-impact mix from your {k}" for k in mix]  # claims with impact rows set it


def _slide_problem(prs: Any, d: ReportData) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[5])
    b = d.result.burden
    f = d.figures["burden"]
    own = _short_own(d)  # "prevalence from your claims": the values the employer's own data set (issue 11)
    _title(s, f"Chronic low back pain costs us about {money(b.total, short=True)} a year", "THE PROBLEM IN NUMBERS")
    third = (W - 2 * M - Inches(0.4)) / 3
    for i, (label, v, col) in enumerate((("Absence (absenteeism)", b.absenteeism, BLUE),
                                         ("Reduced productivity at work", b.presenteeism, ORANGE),
                                         ("Excess medical care", b.medical, GREEN_OI))):
        _kpi(s, M + i * (third + Inches(0.2)), Inches(1.45), third, label, money(v),
             f"{v / b.total:.0%} of the total" if b.total else "", col)
    ch, plot = _bar_chart(s, ["Absenteeism", "Presenteeism", "Medical"], "US$ per year",
                          (b.absenteeism, b.presenteeism, b.medical), (M, Inches(3.0), Inches(7.4), Inches(3.7)),
                          money_format((b.absenteeism, b.presenteeism, b.medical), label=True))
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    for idx, col in enumerate((BLUE, ORANGE, GREEN_OI)):
        pt = plot.series[0].points[idx]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = col
    ch.category_axis.reverse_order = True
    _text(s, Inches(8.3), Inches(3.1), W - Inches(8.3) - M, Inches(3.6), [
        (f"{b.affected_employees:,.0f} of {d.scenario.workforce.employees:,} employees have chronic low back pain.",
         {"size": 16, "bold": True, "space": 8}),
        (f"{money(b.per_employee)} per employee per year; {b.hours_lost:,.0f} productive hours lost "
         f"({b.hours_lost_per_employee:.1f} h per employee; published benchmark {b.benchmark_hours_per_employee:.1f} h).",
         {"size": 14, "space": 8}),
        *([("Your own data: " + "; ".join(own) + ".", {"size": 12, "bold": True, "space": 6})] if own else []),
        (f"How it is built: {f.note} Sources {ref_list(f.refs)} (slide 6).", {"size": 11, "color": GREY}),
    ])
    _footer(s, d, "Model output; inputs and sources in the PDF appendix and the workbook")
    _notes(s, f"{f.label}: {f.note} Sources {ref_list(f.refs)}." + "".join(f" {x}." for x in own_data_lines(d)))


def _slide_proposal(prs: Any, d: ReportData) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[5])
    p, c, u, h = d.program, d.conservative.program, d.uncertainty, d.horizon
    _title(s, f"The proposal: cover {sentence_label(p.therapy_label)}",
           f"WHAT IT COSTS AND WHAT IT RETURNS OVER {h} MONTHS")
    prog = d.scenario.programs[0]
    _text(s, M, Inches(1.35), W - 2 * M, Inches(0.9), [
        (f"Up to {p.sessions:g} sessions at {money(p.price_per_session)} ({prog.employer_share:.0%} paid by the employer); "
         f"expected {p.participants:,.0f} participants, {p.participants_with_back_pain:,.0f} of them with chronic back pain. "
         f"Evidence grade: {p.evidence_grade.lower()}.", {"size": 15}),
    ])
    w = (W - 2 * M - Inches(0.6)) / 4
    top = Inches(2.35)
    _kpi(s, M, top, w, "Conservative case ROI", pct(c.roi, 1), f"net {money(c.net_benefit)} (slide notes)",
         GREEN if (c.roi or -1) >= 0 else RED)
    _kpi(s, M + (w + Inches(0.2)), top, w, "Base case ROI", pct(p.roi, 1),
         f"cost {money(p.cost)}, savings {money(p.savings)}", GREEN if (p.roi or -1) >= 0 else RED)
    if u is None:
        _kpi(s, M + 2 * (w + Inches(0.2)), top, w, "ROI interval", "not run", "uncertainty analysis not run", GREY)
    else:
        _kpi(s, M + 2 * (w + Inches(0.2)), top, w, f"ROI, {u.level:.0%} interval", f"{pct(u.roi_low, 1)} to {pct(u.roi_high, 1)}",
             f"P(pays for itself) {pct(u.p_roi_positive)}; {u.draws:,} draws")
    _kpi(s, M + 3 * (w + Inches(0.2)), top, w, "Payback", "never" if p.payback_month is None else f"month {int(p.payback_month)}",
         f"break-even price {money(p.breakeven_price_per_session)}/session")
    m = p.monthly
    data = CategoryChartData()
    data.categories = [str(int(x)) for x in m["month"]]
    data.add_series("Cumulative net cash flow, base case", [float(v) for v in m["cumulative_net"]])
    data.add_series("Cumulative net cash flow, conservative case",
                    [float(v) for v in d.conservative.program.monthly["cumulative_net"]])
    gf = s.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, M, Inches(3.9), W - 2 * M, Inches(3.1), data)
    ch = gf.chart
    _style_chart(ch, legend=True, number_format=money_format(list(m["cumulative_net"]) + list(
        d.conservative.program.monthly["cumulative_net"])))
    _tick_skip(ch.category_axis, len(m))
    for ser, col in zip(ch.plots[0].series, (BLUE, RGBColor(0x99, 0x99, 0x99)), strict=True):
        ser.format.line.color.rgb = col
        ser.format.line.width = Pt(2.5)
        ser.smooth = False
    ch.category_axis.has_title = True
    ch.category_axis.axis_title.text_frame.text = "month of the program"
    notes = [f"{d.figures[k].label}: {d.figures[k].note} Sources {ref_list(d.figures[k].refs)}."
             for k in ("cost", "savings", "roi", "payback", "interval", "p_positive")]
    notes.append(f"Conservative case: the shared conservative preset ({conservative_summary(d.scenario)}); workforce facts "
                 f"unchanged. Sources {ref_list(d.conservative_refs)}.")
    _footer(s, d, "Conservative case: half the trial effect, lower completion, higher turnover (preset)")
    _notes(s, "\n".join(notes))


def _slide_comparison(prs: Any, d: ReportData) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[5])
    rows = therapy_rows(d)
    best = rows[0]
    name = best["short_label"]
    if best["chosen"]:
        headline = f"Of {len(rows)} therapies, the proposal has the highest net benefit"
    elif best["net_benefit"] < 0:
        headline = f"No therapy pays for itself in {d.horizon} months here; {name} loses least"
    else:
        headline = f"{name} would return more than the proposal"
    _title(s, headline, f"EVERY THERAPY UNDER THE SAME BENEFIT DESIGN, {d.horizon} MONTHS")
    ordered = list(reversed(rows))  # bar charts draw the first category at the bottom
    ch, plot = _bar_chart(s, [r["short_label"] + (" (proposal)" if r["chosen"] else "") for r in ordered],
                          "Net benefit (US$)", [float(r["net_benefit"]) for r in ordered],
                          (M, Inches(1.35), Inches(6.6), Inches(5.6)),
                          money_format([r["net_benefit"] for r in ordered]))
    plot.data_labels.font.size = Pt(10)
    for idx, r in enumerate(ordered):
        pt = plot.series[0].points[idx]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = ORANGE if r["chosen"] else BLUE
    ch.category_axis.tick_labels.font.size = Pt(11)
    _comparison_table(s, rows, Inches(7.4), Inches(1.45), W - Inches(7.4) - M)
    _footer(s, d, "Each therapy at its catalogue price, sessions and trial effect; evidence grades per ACP 2017")
    _notes(s, "Comparison: each therapy's catalogue price, sessions and effect (trial sources in brackets) under "
              "the same workforce and benefit design.\n" + "\n".join(
                  f"{r['label']}: grade {r['grade']}, effect {r['effect']:g} ({r['effect_low']:g}-{r['effect_high']:g}) "
                  f"vs {r['comparator']}, sources {r['refs']}" for r in rows))


def _comparison_table(s: Any, rows: list[dict], left: int, top: int, width: int) -> None:
    """Therapy | evidence | cost | savings | ROI, numbers short ($1.2M) and columns sized to them.

    Number columns are exactly as wide as their widest entry (plus the cell margins), so no number
    ever breaks, at any headcount; the therapy column takes the rest and wraps between words.
    """
    heads = ("Therapy", "Evidence", "Cost", "Savings", "ROI")
    body = [(r["short_label"], r["grade"], money(r["cost"], short=True), money(r["savings"], short=True),
             pct(None if r["roi"] != r["roi"] else r["roi"])) for r in rows]
    size = 11
    margin = Inches(0.2)  # left + right cell margins (python-pptx default 0.1 in each)
    widths = [0, text_width("Moderate", size, True) + margin] + [
        max(text_width(str(v), size, True) for v in [heads[j], *[b[j] for b in body]]) + margin for j in (2, 3, 4)]
    widths[0] = width - sum(widths[1:])
    n = len(rows) + 1
    tbl = s.shapes.add_table(n, 5, left, top, width, Inches(0.3) * n).table
    for j, w in enumerate(widths):
        tbl.columns[j].width = Emu(int(w))
    for i, vals in enumerate([heads, *body]):
        for j, v in enumerate(vals):
            cell = tbl.cell(i, j)
            cell.text = v
            cell.margin_left = cell.margin_right = Inches(0.1)
            for para in cell.text_frame.paragraphs:
                if j >= 2:
                    para.alignment = PP_ALIGN.RIGHT
                for run in para.runs:
                    run.font.size = Pt(size)
                    run.font.name = "Calibri"
                    run.font.bold = i == 0 or bool(rows[i - 1]["chosen"])


def _slide_limitations(prs: Any, d: ReportData) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[5])
    _title(s, "What this does not tell you", "LIMITATIONS")
    items = limitations(d)
    size = 14 if len(items) <= 8 else 12
    paras = [(f"{i}. {t}", {"size": size, "space": 6}) for i, t in enumerate(items, start=1)]
    _text(s, M, Inches(1.35), W - 2 * M, Inches(5.6), paras)
    _footer(s, d, "Method and all assumptions: PDF appendix; live formulas: Excel workbook")
    _notes(s, "Limitations as stated in every report. Warnings are the model's sanity checks for this scenario.")


SOURCE_PT = 10  # sources stay readable: 10 pt, spread over as many slides as they need


def _source_columns(d: ReportData, colw: int, lines_per_column: int = 30) -> list[list[tuple[int, str]]]:
    """The numbered references packed into columns of at most ``lines_per_column`` lines at 10 pt."""
    cols: list[list[tuple[int, str]]] = [[]]
    used = 0
    for i, r in enumerate(d.references, start=1):
        authors = r.authors.split(",")[0] + (" et al." if "," in r.authors else "")
        text = f"[{i}] {authors} ({r.year}). {r.title}. {r.journal}."
        lines = -(-text_width(text, SOURCE_PT) // int(colw * 0.96))
        if used and used + lines > lines_per_column:
            cols.append([])
            used = 0
        cols[-1].append((i, text))
        used += lines + 0.2
    return cols


def _slide_sources(prs: Any, d: ReportData) -> None:
    colw = (W - 2 * M - Inches(0.3)) / 2
    cols = _source_columns(d, int(colw))
    pages = [cols[k:k + 2] for k in range(0, len(cols), 2)]
    for n, page in enumerate(pages, start=1):
        s = prs.slides.add_slide(prs.slide_layouts[5])
        more = f" ({n} of {len(pages)})" if len(pages) > 1 else ""
        _title(s, "Sources" + more, f"NUMBERED AS IN THE REPORT | PARAMETER SET {d.result.parameter_set}")
        for k, chunk in enumerate(page):
            _text(s, M + k * (colw + Inches(0.3)), Inches(1.3), colw, Inches(5.7),
                  [(t, {"size": SOURCE_PT, "space": 2}) for _, t in chunk])
        _footer(s, d, "Full citations with DOIs in the notes of this slide and in the PDF")
        _notes(s, "\n".join(f"[{i}] {d.references[i - 1].citation()}" for col in page for i, _ in col))


def _slide_census(prs: Any, d: ReportData) -> None:
    """Your workforce by segment (only when a census was used)."""
    seg = d.segments
    s = prs.slides.add_slide(prs.slide_layouts[5])
    _title(s, "From your census: where the cost of back pain sits", "YOUR WORKFORCE BY SEGMENT")
    top = seg.sort_values("burden", ascending=False).head(10)
    heads = ("Segment", "Employees", "With chronic LBP", "Burden / yr", "Per employee", "Program net")
    body = [(str(r["segment"]), f"{r['employees']:,.0f}", f"{r['affected']:,.0f}", money(r["burden"], short=True),
             money(r["burden_per_employee"]), money(r["net_benefit"], short=True)) for _, r in top.iterrows()]
    widths = [max(text_width(str(v), 12, True) for v in [heads[j], *[b[j] for b in body]]) + Inches(0.2)
              for j in range(1, 6)]
    width = W - 2 * M
    tbl = s.shapes.add_table(len(body) + 1, 6, M, Inches(1.45), width, Inches(0.34) * (len(body) + 1)).table
    for j, w in enumerate([width - sum(widths), *widths]):
        tbl.columns[j].width = Emu(int(w))
    for i, vals in enumerate([heads, *body]):
        for j, v in enumerate(vals):
            tbl.cell(i, j).text = v
            for para in tbl.cell(i, j).text_frame.paragraphs:
                para.alignment = PP_ALIGN.RIGHT if j else PP_ALIGN.LEFT
                for run in para.runs:
                    run.font.size, run.font.name, run.font.bold = Pt(12), "Calibri", i == 0
    notes = list(d.segment_notes) or ["Segments under the minimum group size are merged into 'other'."]
    _footer(s, d, "From your census (processed locally); groups under the minimum size merged. " + notes[0][:90])
    _notes(s, "Census segments, largest burden first (top 10 shown; all segments in the workbook and CSV).\n"
              + "\n".join(notes))


def _slide_plan(prs: Any, d: ReportData) -> None:
    """The plan's view (health-plan perspective): per member per month and the plan-paid offsets."""
    s = prs.slides.add_slide(prs.slide_layouts[5])
    p, h = d.program, d.horizon
    _title(s, "The plan's view: per member per month", "HEALTH PLAN PERSPECTIVE")
    w = (W - 2 * M - Inches(0.4)) / 3
    top = Inches(1.5)
    _kpi(s, M, top, w, "Program cost PMPM", fmt.money(p.cost_per_employee_per_month, cents=True),
         f"over {h} months, per covered member")
    net = p.net_per_employee_per_month
    _kpi(s, M + w + Inches(0.2), top, w, "Net PMPM", fmt.money(net, cents=True),
         "plan-paid medical savings minus cost", GREEN if net >= 0 else RED)
    _kpi(s, M + 2 * (w + Inches(0.2)), top, w, "Plan-paid medical savings", money(p.savings_medical),
         f"over {h} months (the plan's share of allowed amounts)")
    _text(s, M, Inches(3.3), W - 2 * M, Inches(3.2), [
        ("A health plan counts only the plan-paid share of the medical offsets; absence and presenteeism "
         "savings accrue to the employer and are not counted here.", {"size": 16, "space": 8}),
        (f"Plan-paid share of medical costs: {d.scenario.condition.plan_paid_share:.0%} "
         + ("(from your claims)." if d.origins.get("condition.plan_paid_share") == "claims" else "(Inputs, plan_paid_share)."),
         {"size": 14, "color": GREY}),
    ])
    _footer(s, d, "Members = employees in this model; per member per month over the horizon")
    _notes(s, "Plan-level view: cost and net per member per month; medical offsets are allowed amounts, of which "
              "the plan pays its share.")


def pptx_bytes(report: ReportData | Scenario, *, uncertainty: Any = None) -> bytes:
    """The pitch deck (see the module docstring) as ``.pptx`` bytes."""
    d = report if isinstance(report, ReportData) else build_report(report, uncertainty=uncertainty)
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    prs.core_properties.title = f"Business case: {d.program.therapy_label} for chronic low back pain"
    prs.core_properties.author = "backpain-roi"
    prs.core_properties.subject = d.scenario.name[:200]
    prs.core_properties.last_modified_by = "backpain-roi"
    prs.core_properties.revision = 1
    prs.core_properties.created = prs.core_properties.modified = d.generated.replace(tzinfo=None)
    _slide_title(prs, d)
    _slide_problem(prs, d)
    _slide_proposal(prs, d)
    _slide_comparison(prs, d)
    if d.segments is not None:
        _slide_census(prs, d)
    if d.scenario.analysis.perspective == "health_plan":
        _slide_plan(prs, d)
    _slide_limitations(prs, d)
    _slide_sources(prs, d)
    buf = io.BytesIO()
    prs.save(buf)
    return stable_zip(buf.getvalue(), d.generated)
