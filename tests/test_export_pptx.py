"""The pitch deck read back with python-pptx: editable text, native charts, the calculator's numbers."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from calculator import Scenario, apply_sets, compare, evaluate
from calculator.export.pptx import SLIDE_TITLES, pptx_bytes
from calculator.export.report import build_report, conservative_scenario, money, pct
from calculator.uncertainty import psa


@pytest.fixture(scope="module")
def deck():
    d = build_report(Scenario(), uncertainty=psa(Scenario(), 1000, 2))
    return d, Presentation(io.BytesIO(pptx_bytes(d)))


def _text(slide) -> str:
    parts = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            parts.append(sh.text_frame.text)
        if sh.has_table:
            parts.extend(c.text for row in sh.table.rows for c in row.cells)
    return " ".join(" ".join(parts).split())


def test_six_slides_with_real_titles(deck):
    _, prs = deck
    assert len(prs.slides) >= len(SLIDE_TITLES) == 6  # sources may take two slides at 10 pt
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "Covering relaxation (Swedish) massage for chronic low back pain"
    assert titles[4] == "What this does not tell you" and all(t.startswith("Sources") for t in titles[5:])


def test_no_pictures_only_text_tables_and_native_charts(deck):
    _, prs = deck
    for slide in prs.slides:
        for sh in slide.shapes:
            assert sh.shape_type != 13, "a picture on a slide"  # MSO_SHAPE_TYPE.PICTURE
            assert 0 <= sh.left and sh.left + sh.width <= prs.slide_width, (sh.name, slide.shapes.title.text)
            assert 0 <= sh.top and sh.top + sh.height <= prs.slide_height, (sh.name, slide.shapes.title.text)
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert len(charts) == 3


def test_problem_slide_numbers_and_chart_data(deck):
    _, prs = deck
    b = evaluate(Scenario()).burden
    text = _text(prs.slides[1])
    for v in (b.absenteeism, b.presenteeism, b.medical, b.per_employee):
        assert money(v) in text
    chart = next(sh.chart for sh in prs.slides[1].shapes if sh.has_chart)
    assert list(chart.plots[0].series[0].values) == pytest.approx([b.absenteeism, b.presenteeism, b.medical])


def test_proposal_slide_conservative_first_with_interval(deck):
    d, prs = deck
    p, c, u = d.program, evaluate(conservative_scenario(Scenario())).program, d.uncertainty
    text = _text(prs.slides[2])
    assert text.index("CONSERVATIVE CASE ROI") < text.index("BASE CASE ROI")
    assert pct(c.roi, 1) in text and pct(p.roi, 1) in text and money(p.cost) in text
    assert f"{pct(u.roi_low, 1)} to {pct(u.roi_high, 1)}" in text and pct(u.p_roi_positive) in text
    chart = next(sh.chart for sh in prs.slides[2].shapes if sh.has_chart)
    base = list(chart.plots[0].series[0].values)
    assert base == pytest.approx(list(p.monthly["cumulative_net"])) and len(base) == 12
    notes = prs.slides[2].notes_slide.notes_text_frame.text
    assert "Sources [" in notes and "conservative preset" in notes


def test_comparison_slide_matches_compare(deck):
    _, prs = deck
    df = compare(Scenario())
    df = df[df["therapy"] != "none"]          # the slide ranks the catalogue therapies
    chart = next(sh.chart for sh in prs.slides[3].shapes if sh.has_chart)
    assert list(chart.plots[0].series[0].values) == pytest.approx(list(df["net_benefit"][::-1]))
    text = _text(prs.slides[3])
    for _, row in df.iterrows():
        assert money(row["cost"], short=True) in text


def test_sources_slide_lists_every_reference(deck):
    d, prs = deck
    text = " ".join(_text(sl) for sl in list(prs.slides)[5:])
    for i in range(1, len(d.references) + 1):
        assert f"[{i}]" in text
    notes = " ".join(sl.notes_slide.notes_text_frame.text for sl in list(prs.slides)[5:])
    assert all(r.citation()[:40] in notes for r in d.references)


def test_not_run_and_user_text_kept_verbatim():
    name = "=cmd|' /C calc'!A0 <Acme>"
    prs = Presentation(io.BytesIO(pptx_bytes(build_report(apply_sets(Scenario(), [("name", name)]), headline=False))))
    assert "not run" in _text(prs.slides[2])
    assert f"Scenario: {name}" in _text(prs.slides[0])  # text in a text box is never evaluated
