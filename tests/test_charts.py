"""calculator.charts: tables carry the core's numbers unchanged; figures draw them and add none."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from calculator import Scenario, apply_sets, charts, compare, evaluate, library
from calculator.effect import effect_profile


@pytest.fixture(scope="module")
def yoga():
    """A scenario that pays back (yoga at the full trial effect), so the payback marker is drawn."""
    s = apply_sets(Scenario(), [("programs.0.therapy", "yoga"), ("programs.0.effect_multiplier", "1")])
    return s, evaluate(s)


def test_palette_is_okabe_ito():
    assert charts.OKABE_ITO["orange"] == "#E69F00" and charts.OKABE_ITO["blue"] == "#0072B2"
    assert len(set(charts.COMPONENT_COLOURS.values())) == len(charts.COMPONENT_COLOURS)


def test_burden_table_and_figure():
    r = evaluate(Scenario())
    t = charts.burden_table(r)
    assert t["usd_per_year"].tolist() == [r.burden.absenteeism, r.burden.presenteeism, r.burden.medical]
    assert t["usd_per_year"].sum() == pytest.approx(r.burden.total, rel=1e-12)
    fig = charts.burden_figure(t)
    assert list(fig.data[0].x) == t["usd_per_year"].tolist()
    assert fig.data[0].text[1] == f"${r.burden.presenteeism:,.0f}"
    assert "US$ per year" in fig.layout.title.text


def test_benchmark_chart_shows_every_row_of_the_benchmark_check():
    from calculator.model import benchmark_check
    r = evaluate(Scenario())
    bc = benchmark_check(r)
    assert len(bc) >= 2 and {"Stewart 2003", "IBI 2013"} <= set(bc["benchmark"])
    t = charts.benchmark_table(r)
    assert len(t) == 2 * len(bc)
    assert t.loc[t["kind"] == "model", "value"].tolist() == bc["ours"].tolist()
    assert t.loc[t["kind"] == "benchmark", "value"].tolist() == bc["benchmark_value"].tolist()
    assert t.loc[t["kind"] == "benchmark", "value"].iloc[0] == library().value("benchmark.lpt_hours_per_employee")
    assert t.loc[t["kind"] == "model", "value"].iloc[0] == r.burden.hours_lost_per_employee
    fig = charts.benchmark_figure(t)
    assert len(fig.data) == len(bc)  # one panel per benchmark row: Stewart hours, IBI hours, IBI dollars
    for trace, row in zip(fig.data, bc.itertuples(), strict=True):
        assert list(trace.x) == [row.ours, row.benchmark_value]
        assert list(trace.y) == ["This model", "Published"]
    titles = [a.text for a in fig.layout.annotations]
    assert any("Stewart 2003" in x for x in titles) and sum("IBI 2013" in x for x in titles) == 2
    assert any(f"{bc['ratio'].iloc[0]:.2f}x" in x for x in titles)
    assert "per year" in fig.layout.title.text


def test_cashflow_figure_marks_payback(yoga):
    s, r = yoga
    p = r.program
    assert p.payback_month is not None
    t = charts.cashflow_table(p)
    assert t["cumulative_net"].tolist() == p.monthly["cumulative_net"].tolist()
    # payback month is the first month whose cumulative net is >= 0
    first = int(t.loc[t["cumulative_net"] >= 0, "month"].iloc[0])
    assert first == p.payback_month
    fig = charts.cashflow_figure(t, p.payback_month, p.horizon_months)
    assert [s.x0 for s in fig.layout.shapes if s.type == "line" and s.x0 == s.x1] == [p.payback_month]
    assert any(f"month {first}" in a.text for a in fig.layout.annotations)
    assert "(US$)" in fig.layout.title.text


def test_cashflow_figure_says_when_it_never_pays_back():
    p = evaluate(Scenario()).program
    assert p.payback_month is None
    fig = charts.cashflow_figure(charts.cashflow_table(p), None, p.horizon_months)
    assert any("Does not pay back within 12 months" in a.text for a in fig.layout.annotations)


def test_savings_table_and_figure(yoga):
    _, r = yoga
    p = r.program
    t = charts.savings_table(p)
    saved = t[t["group"] == "Savings"]["usd"].sum()
    assert saved == pytest.approx(p.savings, rel=1e-9)
    assert t[t["group"] == "Program cost"]["usd"].item() == p.cost
    fig = charts.savings_figure(t, p.horizon_months)
    assert fig.layout.barmode == "stack" and len(fig.data) == 4
    assert "US$ over 12 months" in fig.layout.title.text


def test_effect_curve_follows_the_core_profile():
    s = apply_sets(Scenario(), [("programs.0.effect_multiplier", 0.5)])
    t = charts.effect_curve_table(s)
    peak = library().value("therapy.relaxation_massage.effect_size")
    course = library().value("therapy.relaxation_massage.course_weeks")
    decay = library().value("therapy.relaxation_massage.decay_per_week")
    at = t.set_index("week")
    assert at.loc[0, "trial_effect"] == 0
    assert at.loc[course, "trial_effect"] == pytest.approx(peak)
    assert at.loc[26, "trial_effect"] == pytest.approx(peak * math.exp(-decay * (26 - course)))
    assert np.allclose(t["expected_effect"], 0.5 * t["trial_effect"])
    assert np.allclose(t["trial_effect"], peak * effect_profile(t["week"], course, decay))
    assert t["within_horizon"].all()  # 12 months = 52 weeks = the whole curve


def test_boosters_restore_the_peak_in_the_curve():
    s = apply_sets(Scenario(), [("programs.0.booster_interval_months", 6), ("programs.0.booster_sessions", 2)])
    t = charts.effect_curve_table(s).set_index("week")
    assert t.loc[27, "trial_effect"] > t.loc[25, "trial_effect"]  # a booster at 26 weeks


def test_effect_figure_shows_evidence_points_with_their_intervals():
    s = apply_sets(Scenario(), [("programs.0.effect_multiplier", 1)])
    pts = charts.evidence_points_table("relaxation_massage")
    assert pts["week"].tolist() == [e.week for e in library().points("relaxation_massage")]
    fig = charts.effect_figure(charts.effect_curve_table(s), pts, "Relaxation massage", "usual care")
    names = [d.name for d in fig.data]
    # Multiplier 1: one line. Published points (with their CI) and points derived from the published
    # pattern (issue 9c: Cherkin 2011's 26/52-week bounds, with their range) are told apart.
    assert names == ["Modelled effect (trial size)", "Published result",
                     "Derived from published results (bar: range, see note)"]
    err = fig.data[1].error_y
    assert list(fig.data[1].x) == [10] and err.array[0] == pytest.approx(4.0 - 2.9)
    assert list(fig.data[2].x) == [26, 52] and fig.data[2].marker.symbol == "circle-open"
    # 52 weeks: "persisted but small" = between the significance bound 1.05 and the 2-point threshold.
    assert fig.data[2].error_y.array[1] == pytest.approx(2.0 - 1.53)
    assert fig.data[2].error_y.arrayminus[1] == pytest.approx(1.53 - 1.05)
    assert "Roland-Morris" in fig.layout.title.text
    half = apply_sets(s, [("programs.0.effect_multiplier", 0.5)])
    fig2 = charts.effect_figure(charts.effect_curve_table(half), pts, "Relaxation massage", "usual care")
    assert "Expected in your workforce" in [d.name for d in fig2.data]


def test_effect_figure_handles_a_therapy_without_published_points():
    pts = charts.evidence_points_table("spinal_manipulation")
    assert pts.empty
    s = apply_sets(Scenario(), [("programs.0.therapy", "spinal_manipulation"), ("programs.0.effect_multiplier", 1)])
    fig = charts.effect_figure(charts.effect_curve_table(s), pts, "Spinal manipulation", "usual care")
    assert len(fig.data) == 1


def test_compare_figure_highlights_the_chosen_therapy_and_adds_no_numbers():
    df = compare(Scenario())
    before = df.copy()
    fig = charts.compare_figure(df, 12)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    bar = fig.data[0]
    assert sorted(bar.x) == sorted(df["net_benefit"].tolist())
    chosen = [i for i, c in enumerate(bar.marker.color) if c == charts.OKABE_ITO["orange"]]
    assert len(chosen) == 1 and bar.y[chosen[0]].endswith("(your choice)")
    assert bar.y[-1].startswith(df.iloc[0]["label"])  # best at the top
    roi = charts.compare_figure(df, 12, "roi")
    assert len(roi.data[0].x) == df["roi"].notna().sum()
    assert "(%)" in roi.layout.title.text and "(US$" in fig.layout.title.text


def test_cash_flow_chart_ends_at_the_horizon_even_with_a_late_payback():
    """Issue 14: with a payback month shown, the axis ran to month 18 for a 12-month horizon."""
    import pandas as pd

    from calculator import charts
    table = pd.DataFrame({"month": range(1, 13), "net": [-100.0] + [20.0] * 11,
                          "cumulative": pd.Series([-100.0] + [20.0] * 11).cumsum()})
    try:
        fig = charts.cashflow_figure(table, 11.0, 12)
    except KeyError:  # the table's columns come from charts.cashflow_table
        from calculator import Scenario, evaluate
        p = evaluate(Scenario()).program
        fig = charts.cashflow_figure(charts.cashflow_table(p), 11.0, 12)
    assert tuple(fig.layout.xaxis.range) == (0.5, 12.5)
    ann = next(a for a in fig.layout.annotations if "Pays back" in a.text)
    assert ann.xanchor == "right"  # a late payback label points inward


@pytest.mark.parametrize("horizon", [3, 6, 12, 13, 18, 24, 36, 48, 60, 72, 96, 120])
def test_month_ticks_stay_few_enough_to_read_on_a_phone(horizon):
    # at 390 px the plot is about 300 px wide: 12 two-digit month labels (25 px each) is the most that fits
    step = charts.month_dtick(horizon)
    assert horizon / step <= (12 if horizon <= 12 else 10)
    assert step == 1 or horizon / step >= 4            # and never so few that the axis says nothing
    r = evaluate(apply_sets(Scenario(), [("analysis.horizon_months", horizon)]))
    fig = charts.cashflow_figure(charts.cashflow_table(r.program), r.program.payback_month, horizon)
    assert fig.layout.xaxis.dtick == step
    assert tuple(fig.layout.xaxis.range) == (0.5, horizon + 0.5)


def test_effect_figure_keeps_unchecked_points_apart():
    # A user-edited evidence file may still hold a recalled point: it gets its own open marker and no
    # error bar, so it is never read as a published result.
    pts = pd.DataFrame({"week": [10, 26], "rdq_difference": [2.9, 2.0], "low": [1.8, None], "high": [4.0, None],
                        "source_key": ["cherkin2011"] * 2, "provenance": ["VERIFIED", "RECALLED"],
                        "note": ["end of course", "from memory"]})
    s = apply_sets(Scenario(), [("programs.0.effect_multiplier", 1)])
    fig = charts.effect_figure(charts.effect_curve_table(s), pts, "Relaxation massage", "usual care")
    assert [d.name for d in fig.data] == ["Modelled effect (trial size)", "Published result",
                                          "Recalled or assumed (not checked against the paper)"]
    assert fig.data[2].marker.symbol == "diamond-open" and list(fig.data[2].x) == [26]
    assert math.isnan(fig.data[2].error_y.array[0])
