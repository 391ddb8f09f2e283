"""Benchmarks of the uncertainty analysis (pytest-benchmark; figures, not timed asserts).

Targets from the uncertainty issue, on this machine:
* 100,000 draws x 60-month horizon for one therapy: under 2 s and under 1 GB peak memory;
* 10,000 draws for every therapy at once: under 2 s;
* the whole analysis within 5x the time numpy needs just to draw the random inputs;
* the Uncertainty page with 10,000 draws reruns in under 1 s after a widget change.

Each benchmark records extra figures in ``extra_info`` (shown with ``--benchmark-json``):
the draw-only time measured in the same run, the ratio, and peak memory (tracemalloc, which
numpy reports its array allocations to). Run::

    python -m pytest tests/benchmarks/test_bench_uncertainty.py -p no:cacheprovider \
        --benchmark-columns=min,median,max --benchmark-json=/tmp/bench.json
"""

import time
import tracemalloc

import numpy as np
import pytest

from calculator import Scenario, apply_sets, distributions, library
from calculator.uncertainty import psa, psa_compare, uncertainty_table

DRAWS_ONE = 100_000
DRAWS_ALL = 10_000


@pytest.fixture(scope="module")
def five_years() -> Scenario:
    return apply_sets(Scenario(), [("analysis.horizon_months", "60")])


def _draw_only(scenario: Scenario, n: int, repeats: int = 5) -> float:
    """Fastest time [s] numpy takes to draw every sampled input (distributions known in advance)."""
    rows = uncertainty_table(scenario).query("sampled")
    best = np.inf
    for seed in range(repeats):
        rng = np.random.default_rng(seed)
        t = time.perf_counter()
        for r in rows.itertuples():
            distributions.sample(r.distribution, r.dist_params, n, rng)
        best = min(best, time.perf_counter() - t)
    return best


def _draw_only_all_therapies(scenario: Scenario, n: int, repeats: int = 5) -> float:
    """As :func:`_draw_only` for psa_compare: the shared inputs once, each therapy's own inputs."""
    specs = [uncertainty_table(apply_sets(scenario, [("programs.0.therapy", tid)])).query("sampled")
             for tid in library().therapies]
    rows = [specs[0].query("not therapy_specific")] + [s.query("therapy_specific") for s in specs]
    best = np.inf
    for seed in range(repeats):
        rng = np.random.default_rng(seed)
        t = time.perf_counter()
        for part in rows:
            for r in part.itertuples():
                distributions.sample(r.distribution, r.dist_params, n, rng)
        best = min(best, time.perf_counter() - t)
    return best


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _record(benchmark, draw_s: float, peak_mb: float) -> None:
    whole = benchmark.stats.stats.min
    benchmark.extra_info.update({
        "draw_only_s": round(draw_s, 4), "whole_s_min": round(whole, 4),
        "ratio_whole_to_draw": round(whole / draw_s, 1), "peak_memory_mb": round(peak_mb, 1)})
    print(f"\n{benchmark.name}: whole {whole:.3f} s (min), draw-only {draw_s:.4f} s, "
          f"ratio {whole / draw_s:.1f}x, peak memory {peak_mb:.0f} MB")


def test_bench_psa_100k_draws_60_months(benchmark, five_years):
    r = benchmark.pedantic(psa, args=(five_years, DRAWS_ONE), kwargs={"seed": 1}, rounds=5, warmup_rounds=1)
    assert r.draws_n == DRAWS_ONE and r.horizon_months == 60
    _record(benchmark, _draw_only(five_years, DRAWS_ONE),
            _peak_mb(lambda: psa(five_years, DRAWS_ONE, seed=1)))


def test_bench_psa_100k_draws_60_months_with_fan(benchmark, five_years):
    r = benchmark.pedantic(psa, args=(five_years, DRAWS_ONE), kwargs={"seed": 1, "monthly": True},
                           rounds=3, warmup_rounds=1)
    assert len(r.monthly) == 60
    _record(benchmark, _draw_only(five_years, DRAWS_ONE),
            _peak_mb(lambda: psa(five_years, DRAWS_ONE, seed=1, monthly=True)))


def test_bench_psa_every_therapy_10k_draws(benchmark):
    s = Scenario()
    r = benchmark.pedantic(psa_compare, args=(s, DRAWS_ALL), kwargs={"seed": 1}, rounds=5, warmup_rounds=1)
    assert r.table["p_best"].sum() + r.p_none_best == pytest.approx(1.0)
    _record(benchmark, _draw_only_all_therapies(s, DRAWS_ALL), _peak_mb(lambda: psa_compare(s, DRAWS_ALL, seed=1)))


def test_bench_draw_only_100k(benchmark, five_years):
    """The floor: numpy drawing every sampled input, nothing else."""
    rows = uncertainty_table(five_years).query("sampled")
    rng = np.random.default_rng(0)

    def draw():
        return [distributions.sample(r.distribution, r.dist_params, DRAWS_ONE, rng) for r in rows.itertuples()]

    out = benchmark(draw)
    assert len(out) == len(rows) and out[0].shape == (DRAWS_ONE,)


def _page_app(page: str) -> None:
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default=page), position="top"))


def test_bench_uncertainty_page_rerun_after_seed_change(benchmark):
    """The Uncertainty page at 10,000 draws, rerun after the seed changes to a value not seen before
    (so every cached simulation misses: the PSA, the all-therapy PSA and the page's charts)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_app, args=("uncertainty",), default_timeout=60).run()
    assert not at.exception
    seeds = iter(range(1_000, 2_000))

    def change() -> None:
        at.number_input(key="unc-seed").set_value(next(seeds)).run()

    benchmark.pedantic(change, rounds=5, warmup_rounds=1)
    assert not at.exception


def test_bench_headline_psa(benchmark):
    """The fixed-seed PSA beside every headline ROI (2,000 draws): pages, CLI, PDF and deck call it.

    Measured on this machine (2 shared cores): about 0.1 s per call.
    """
    from calculator import Scenario
    from calculator.uncertainty import headline
    h = benchmark(headline, Scenario())
    assert h.draws == 2000
