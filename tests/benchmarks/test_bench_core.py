"""Benchmarks (pytest-benchmark), not timed asserts. Targets from the core issue:
one evaluation under 5 ms, the full comparison of every therapy under 50 ms."""

from calculator import Scenario, compare, evaluate


def test_bench_evaluate(benchmark):
    s = Scenario()
    r = benchmark(evaluate, s)
    assert r.program.cost > 0


def test_bench_compare(benchmark):
    s = Scenario()
    df = benchmark(compare, s)
    assert len(df) == 11   # 10 therapies + "cover nothing"
