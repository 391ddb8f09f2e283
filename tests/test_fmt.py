"""calculator.fmt: the one number format of the dashboard, the reports and the CLI.

Issue 14 found "$48.85" vs "$49", hyphen vs minus sign, "$−40,000", "Month" vs "month", "No payback"
vs "never" across pages. These tests pin the format and check that every user of it agrees.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator import fmt

MONEY = re.compile(r"^(\u2212)?\$\d{1,3}(,\d{3})*(\.\d{2})?$")


@pytest.mark.parametrize(("x", "text"), [
    (1204225.9, "$1,204,226"), (-1082.99, "\u2212$1,083"), (0.976, "$0.98"), (48.85, "$48.85"),
    (-40000, "\u2212$40,000"), (0, "$0.00"), (-0.004, "$0.00"), (99.995, "$100.00"), (None, "n/a"),
    (math.nan, "n/a"), (math.inf, "n/a"),
])
def test_money_hand_cases(x, text):
    assert fmt.money(x) == text


@pytest.mark.parametrize(("x", "text"), [
    (1_234_567, "$1.2M"), (-1_234_567, "\u2212$1.2M"), (12_345_678, "$12M"), (840_000, "$840k"),
    (9_999, "$9,999"), (1_000_000, "$1M"), (2_500_000_000, "$2.5B"), (999_000_000, "$999M"),
])
def test_short_money_for_axes_and_tables(x, text):
    assert fmt.money(x, short=True) == text


def test_percent_minus_sign_and_signed():
    assert fmt.pct(-0.0923) == "\u22129.2%" and fmt.pct(0.5912, 0, signed=True) == "+59%"
    assert fmt.pct(-0.00001) == "0.0%"  # rounds to zero: no "−0.0%"
    assert fmt.pct(0.0, signed=True) == "0.0%"


def test_payback_is_month_n_or_never():
    assert fmt.payback(6.0) == "month 6" and fmt.payback(None) == "never" and fmt.payback(math.nan) == "never"
    assert fmt.NEVER == "never"


def test_quantity_rounds_for_display():
    assert fmt.quantity(5.39662) == "5.4" and fmt.quantity(0.0412) == "0.041" and fmt.quantity(1234.0) == "1,234"
    assert fmt.quantity(-2.25) == "\u22122.2" or fmt.quantity(-2.25) == "\u22122.3"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_money_round_trips_to_the_rounded_value(x):
    text = fmt.money(x)
    assert MONEY.match(text), text
    back = float(text.replace("\u2212", "-").replace("$", "").replace(",", ""))
    assert back == pytest.approx(round(x, 2 if abs(x) < 100 else 0), abs=0.011 if abs(x) < 100 else 1.0)
    assert "-" not in text  # never a hyphen for a negative amount


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_short_money_is_short(x):
    text = fmt.axis_money(x)
    assert len(text) <= 8, text
    assert ("\u2212" in text) == (text != "$0" and x < 0 and text.strip("\u2212$0.,kM") != "")


def test_every_user_shares_the_format():
    from calculator import cli
    from calculator.dashboard import fmt as dash
    from calculator.export import report
    assert dash.money is fmt.money and dash.pct is fmt.pct
    assert dash.months(None, 12) == "never" and dash.months(3, 12) == "month 3"
    assert cli._money(-1082.99) == report.money(-1082.99) == "\u2212$1,083"
    assert report.pct(-0.0925) == "\u22129%"
