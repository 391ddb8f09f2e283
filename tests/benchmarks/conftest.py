"""Benchmarks under pytest-xdist.

pytest-benchmark switches itself off when xdist is active (the whole suite runs on two workers), and
its ``benchmark.stats`` is then ``None``. The benchmarks still run their code and check their
results there; this fixture times a single round with ``time.perf_counter`` so the figures they
record (``benchmark.stats.stats.min``, ratios, ``extra_info``) stay defined. Reliable timings come
from running the benchmarks on their own: ``python -m pytest tests/benchmarks -p no:xdist``.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from pytest_benchmark.fixture import BenchmarkFixture  # noqa: E402


class _SingleRound(BenchmarkFixture):
    """pytest-benchmark's fixture when the plugin is disabled: one round, timed with perf_counter."""

    def _time(self, fn, args=(), kwargs=None):
        t0 = time.perf_counter()
        out = fn(*args, **(kwargs or {}))
        dt = time.perf_counter() - t0
        self.stats = SimpleNamespace(stats=SimpleNamespace(min=dt, mean=dt, median=dt, max=dt, rounds=1))
        return out

    def __call__(self, fn, *args, **kwargs):
        return self._time(fn, args, kwargs)

    def pedantic(self, target, args=(), kwargs=None, setup=None, rounds=1, warmup_rounds=0, iterations=1):
        if setup is not None:
            got = setup()
            if got is not None:
                args, kwargs = got
        return self._time(target, args, kwargs)


@pytest.fixture
def benchmark(benchmark):  # noqa: F811 - wraps pytest-benchmark's own fixture of this name
    """pytest-benchmark's fixture; when the plugin is disabled (under xdist) it times one round."""
    if getattr(benchmark, "disabled", False):
        benchmark.__class__ = _SingleRound
    return benchmark
