import numpy as np
import pytest

from calculator.effect import WEEKS_PER_MONTH, effect_profile, month_midpoints_weeks


def test_ramp_peak_decay_massage():
    # Cherkin 2011: benefit present at 26 weeks and small at 52. k = 0.022/week from the evidence
    # addenda: exp(-0.022*16) = 0.703 at week 26; exp(-0.022*42) = 0.397 at week 52.
    v = effect_profile(np.array([-1, 0, 5, 10, 26, 52]), 10, 0.022)
    assert v.tolist() == pytest.approx([0, 0, 0.5, 1.0, np.exp(-0.352), np.exp(-0.924)])


def test_boosters_restore_the_peak():
    t = np.array([30.0, 52.0, 53.0])
    plain = effect_profile(t, 10, 0.05)
    boosted = effect_profile(t, 10, 0.05, booster_interval_weeks=52.0)
    assert boosted[0] == pytest.approx(plain[0])
    assert boosted[1] == pytest.approx(1.0)
    assert boosted[2] == pytest.approx(np.exp(-0.05))


def test_vectorised_over_parameters():
    k = np.array([0.0, 0.022, 0.044])[:, None]
    out = effect_profile(np.array([10.0, 20.0]), 10, k)
    assert out.shape == (3, 2)
    assert out[:, 1].tolist() == pytest.approx([1.0, np.exp(-0.22), np.exp(-0.44)])


def test_month_midpoints():
    assert month_midpoints_weeks(2).tolist() == pytest.approx([WEEKS_PER_MONTH / 2, 1.5 * WEEKS_PER_MONTH])
