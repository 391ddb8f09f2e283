"""Credible defaults (issue 9): expected-value base case, price years, provenance of the swing."""

import csv
from collections import defaultdict
from importlib import resources

import numpy as np
import pytest

from calculator import Scenario, apply_sets, evaluate, library
from calculator import distributions as dist
from calculator.evidence import PRICE_YEAR, cpi_factor, cpi_table
from calculator.uncertainty import headline


def test_every_base_value_is_the_mean_of_its_distribution():
    bad = []
    for p in library().parameters.values():
        if p.distribution == "fixed":
            continue
        mean, _ = dist.moments(p.distribution, p.distribution_parameters())
        if not np.isclose(mean, p.value, rtol=1e-6, atol=1e-9):
            bad.append(f"{p.id}: base {p.value} vs mean {mean:.6g}")
    assert not bad, "\n".join(bad)


def test_effect_multiplier_default_is_a_haircut_with_sources():
    p = library().parameter("program.effect_multiplier")
    assert p.value < 1 and p.low < p.value < p.high == 1.0
    assert "mattke2013" in p.source_keys and "regression to the mean" in p.evidence_note.lower()
    # DERIVED from two verified meta-epidemiological ratios (docs/evidence-verification.md section 14):
    # Dechartres 2013 (mean of the size-quarter RORs 0.83 and 0.88) x Moustgaard 2020 (ROR 0.91).
    assert p.provenance == "DERIVED" and {"dechartres2013", "moustgaard2020"} <= set(p.source_keys)
    assert p.value == pytest.approx((0.83 + 0.88) / 2 * 0.91, abs=0.005)
    assert p.low == pytest.approx(0.68 * 0.61, abs=0.005)


def test_base_case_agrees_with_the_monte_carlo_mean():
    # Every base value is its distribution's mean and the model is nearly linear in each input
    # (nonlinearities: the 100% responder cap, retention (1 - turnover)^(m/12), clipping of draws to
    # their allowed range), so the PSA mean net benefit must sit within 3 Monte Carlo SEs plus 2% of
    # the base case. Measured: base -$4,092, mean -$4,113 (SE $49) at 20,000 draws (issue 9c defaults).
    h = headline(Scenario(), draws=20_000)
    gap = abs(h.mean_net_benefit - h.base_net_benefit)
    assert gap <= 3 * h.net_benefit_mc_se + 0.02 * abs(h.base_net_benefit), (h.base_net_benefit, h.mean_net_benefit)


def test_headline_probability_and_interval_beside_the_roi():
    h = headline(Scenario())
    assert h.draws == 2000 and h.seed == 20240101
    lo, hi = h.roi_interval
    assert lo < h.roi < hi
    assert 0 < h.probability_roi_positive < 0.5          # the default massage program: mostly a loss
    assert h == headline(Scenario())                     # fixed seed: identical on a rerun
    assert "P(ROI > 0)" in h.text() and "90% interval" in h.text()
    # a program that clearly pays: higher probability, interval moves up
    good = headline(apply_sets(Scenario(), [("programs.0.therapy", "yoga"), ("programs.0.effect_multiplier", "1"),
                                            ("programs.0.uptake_unaffected", "0")]))
    assert good.probability_roi_positive > h.probability_roi_positive and good.roi_interval[1] > hi


def test_price_year_is_one_constant_from_the_data():
    assert PRICE_YEAR == 2024
    assert cpi_table()[2024] == 313.689 and cpi_factor(2015) == pytest.approx(313.689 / 237.02)
    assert evaluate(Scenario()).to_dict()["price_year"] == PRICE_YEAR


def test_every_cpi_year_in_use_is_verified():
    # Issue 9 item 7 / 9b: the CPI-U annual averages 2009, 2011 and 2019 were RECALLED; they are now
    # checked against read values (docs/evidence-verification.md 14f). 2009 is the mean of its 12
    # monthly NSA values, read one by one.
    path = resources.files("calculator") / "data" / "cpi.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = {int(r["year"]): r for r in csv.DictReader(fh)}
    assert {r["provenance"] for r in rows.values()} == {"VERIFIED"}
    months_2009 = [211.143, 212.193, 212.709, 213.240, 213.856, 215.693, 215.351, 215.834, 215.969,
                   216.177, 216.330, 215.949]
    assert float(rows[2009]["cpi_u"]) == pytest.approx(sum(months_2009) / 12, abs=0.0005)
    assert float(rows[2011]["cpi_u"]) == 224.939 and float(rows[2019]["cpi_u"]) == 255.657
    # 2019's annual average lies between its February and December values (252.776, 256.974).
    assert 252.776 < float(rows[2019]["cpi_u"]) < 256.974


def test_every_money_parameter_from_another_year_is_converted_with_cpi():
    # calculator/data/price_conversions.csv lists each money value quoted in another year's dollars;
    # the library value must equal source value x CPI-U(price year) / CPI-U(source year), to the cent.
    lib = library()
    path = resources.files("calculator") / "data" / "price_conversions.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["parameter"] for r in rows} >= {"therapy.acupuncture.price_per_session",
                                              "therapy.spinal_manipulation.price_per_session"}
    for r in rows:
        p = lib.parameter(r["parameter"])
        assert p.price_year == PRICE_YEAR, r["parameter"]
        want = float(r["source_value"]) * cpi_factor(int(r["source_year"]))
        assert getattr(p, r["field"]) == pytest.approx(want, abs=0.5 if want > 1000 else 0.006), r


def _swing_by_provenance():
    lib = library()
    from calculator.sensitivity import one_way
    by = defaultdict(float)
    for tid in lib.therapies:
        df = one_way(apply_sets(Scenario(), [("programs.0.therapy", tid)]), "roi")
        for r in df.itertuples():
            by[lib.parameter(r.parameter).provenance] += r.swing
    return by


def test_most_of_the_tornado_swing_rests_on_verified_or_derived_parameters():
    # Issue 9 item 7. Measured 81.6% on 2026-11-30 (was 48%): uptake, uptake without LBP, the effect
    # multiplier, the employer share and the tai chi price are now DERIVED from verified figures
    # (docs/evidence-verification.md section 14). The rest is setup cost, admin fee (benefit design),
    # the presenteeism link and the non-completer share (assumptions).
    by = _swing_by_provenance()
    total = sum(by.values())
    assert set(by) <= {"VERIFIED", "DERIVED", "ASSUMPTION", "RECALLED"}
    assert (by["VERIFIED"] + by["DERIVED"]) / total >= 0.80
