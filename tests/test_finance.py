import numpy as np
import pytest

from calculator.finance import discount_factors, npv, payback_month, roi


def test_npv_zero_rate_is_sum():
    flows = np.array([-1000.0, 200, 300, 400, 500])
    assert float(npv(flows, 0.0)) == pytest.approx(400.0)


def test_npv_matches_excel_convention_shifted():
    # Excel: =F0 + NPV(rate_m, F1..Fn) with rate_m = (1+d)^(1/12)-1 equals our npv.
    d = 0.05
    flows = np.array([-500.0, 100, 100, 100, 100, 100, 100])
    rate_m = (1 + d) ** (1 / 12) - 1
    excel = flows[0] + sum(f / (1 + rate_m) ** (i + 1) for i, f in enumerate(flows[1:]))
    assert float(npv(flows, d)) == pytest.approx(excel)


def test_discount_factor_one_year():
    assert float(discount_factors(13, 0.03)[12]) == pytest.approx(1 / 1.03)


def test_roi_conventions():
    assert float(roi(0, 100)) == -1.0
    assert float(roi(300, 100)) == 2.0
    assert np.isnan(roi(10, 0))


def test_payback_month_counts_from_one_and_nan_when_never():
    assert float(payback_month([-100, 60, 50])) == 3
    assert float(payback_month([10, -5])) == 1
    assert np.isnan(payback_month([-100, 10, 10]))
    many = payback_month(np.array([[-10, 20, 0], [-10, 1, 1]]))
    assert many[0] == 2 and np.isnan(many[1])


def test_payback_is_the_month_after_which_cumulative_net_stays_positive():
    # positive in month 1, negative again in month 2, positive for good from month 4
    assert payback_month([10, -20, 5, 30]).tolist() == 4.0
    # never again below zero after month 3
    assert payback_month([-100, 40, 70, -5, 1]).tolist() == 3.0
    # positive at first but negative at the end: no payback
    assert np.isnan(payback_month([10, -20]))
