"""Charts of the uncertainty analysis: the tables' values, and smoke tests of the figures."""

import numpy as np
import pandas as pd
import pytest

from calculator import Scenario
from calculator.charts_uncertainty import (
    break_even_figure,
    distribution_figure,
    fan_figure,
    histogram_table,
    p_best_figure,
    tornado_figure,
)
from calculator.sensitivity import break_even, one_way, two_way
from calculator.uncertainty import psa, psa_compare


@pytest.fixture(scope="module")
def result():
    return psa(Scenario(), draws=2000, seed=3, monthly=True)


def test_histogram_counts_every_finite_value_and_splits_at_zero():
    x = np.array([-3.0, -1.0, -0.5, 0.5, 1.0, 2.5, np.nan])
    t = histogram_table(x, bins=3)
    assert t["count"].sum() == 6 and t["draws"].iloc[0] == 7
    assert t["share"].sum() == pytest.approx(6 / 7)
    assert 0.0 in set(t["left"]) and 0.0 in set(t["right"])  # a bin edge at 0
    assert (t["gain"] == (t["left"] >= 0)).all()
    assert t.loc[t["gain"], "count"].sum() == 3


def test_histogram_of_nothing_is_empty():
    assert histogram_table(np.array([np.nan])).empty


def test_distribution_figure_marks_the_summary_percentiles(result):
    fig = distribution_figure(histogram_table(result.draws["roi"]), result.summary, "roi", 12)
    sm = result.summary.set_index("outcome")
    marked = sorted(s.x0 for s in fig.layout.shapes if s.line.dash in ("dot", "dash"))
    assert marked == pytest.approx(sorted(sm.loc["roi", ["p5", "median", "p95"]] * 100))
    assert fig.layout.title.text == "ROI in 2,000 simulations (%)"


def test_fan_figure_draws_the_bands_and_median(result):
    fig = fan_figure(result.monthly)
    median = [t for t in fig.data if t.name == "median"][0]
    assert list(median.y) == pytest.approx(result.monthly["median"].tolist())


def test_tornado_bars_run_from_the_base_to_each_end():
    table = one_way(Scenario())
    fig = tornado_figure(table, top=5)
    low, high = fig.data
    top = table.head(5).iloc[::-1]
    base = table["base_outcome"].iloc[0] * 100
    assert low.base == base and high.base == base
    assert np.allclose(np.array(low.x) + base, top["outcome_low"] * 100)
    assert np.allclose(np.array(high.x) + base, top["outcome_high"] * 100)


def test_break_even_figure_draws_grid_and_line():
    g = two_way(Scenario(), grid=6)
    line = break_even(g)
    fig = break_even_figure(g, line, x_label="Uptake", y_label="Effect", base=(0.15, 2.9))
    heat, contour, marker = fig.data
    assert np.array(heat.z).shape == (6, 6)
    assert list(contour.y) == pytest.approx(line["y"].tolist())
    assert (marker.x[0], marker.y[0]) == (0.15, 2.9)


def test_p_best_figure_orders_by_probability():
    cr = psa_compare(Scenario(), draws=500, seed=1)
    fig = p_best_figure(cr.table, cr.p_none_best)
    xs = list(fig.data[0].x)
    assert xs == sorted(xs) and sum(xs) == pytest.approx(100)
    assert "Cover none (no therapy pays for itself)" in list(fig.data[0].y)


def test_figures_add_no_numbers_of_their_own_to_an_empty_tornado():
    empty = pd.DataFrame(columns=["input", "outcome", "base_outcome", "outcome_low", "outcome_high", "swing",
                                  "low", "high", "label"])
    assert len(tornado_figure(empty).data) == 2
