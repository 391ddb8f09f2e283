"""Benchmark: the Monte Carlo with QALYs for every therapy against today's PSA for the same draws.

Target (issue 11): cost-effectiveness of every therapy at 10,000 draws (incremental cost and QALYs
per draw, plus the acceptability curve over 41 willingness-to-pay values) stays within 1.5x the time
of :func:`calculator.uncertainty.psa_compare` for the same 10,000 draws. Both are measured in the
same run (fastest of several rounds); the ratio is recorded in ``extra_info`` and printed. Run::

    python -m pytest tests/benchmarks/test_bench_cea.py -p no:cacheprovider --benchmark-columns=min,median
"""

import time

import numpy as np

from calculator import Scenario
from calculator.cea import cea_psa
from calculator.uncertainty import psa_compare

DRAWS = 10_000


def _fastest(fn, repeats: int = 3) -> float:
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def test_bench_cea_every_therapy_10k_draws(benchmark):
    s = Scenario()
    r = benchmark.pedantic(cea_psa, args=(s, DRAWS), kwargs={"seed": 1}, rounds=3, warmup_rounds=1)
    assert r.draws == DRAWS and np.allclose(r.ceac.groupby("wtp")["p_optimal"].sum(), 1.0)
    psa_s = _fastest(lambda: psa_compare(s, DRAWS, seed=1))
    cea_s = benchmark.stats.stats.min
    benchmark.extra_info.update({"psa_compare_s_min": round(psa_s, 4), "cea_psa_s_min": round(cea_s, 4),
                                 "ratio_cea_to_psa": round(cea_s / psa_s, 2), "target_ratio": 1.5})
    print(f"\ncea_psa {cea_s:.3f} s vs psa_compare {psa_s:.3f} s for {DRAWS:,} draws: ratio {cea_s / psa_s:.2f}x "
          "(target 1.5x)")
