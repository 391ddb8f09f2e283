"""Benchmarks of the scenario library (pytest-benchmark; figures, not timed asserts).

* ``test_bench_save``: one save to SQLite (WAL): the results summary (evaluation + 2,000-draw PSA),
  the parameter snapshot and the write transaction.
* ``test_bench_list_200``: listing a library of 200 saved scenarios (what the Library page reads).
* ``test_bench_compare_4``: a 4-way comparison (4 evaluations + 4 PSAs + the input table).

Run::

    python -m pytest tests/benchmarks/test_bench_library.py -p no:cacheprovider --benchmark-columns=min,median,max
"""

import itertools

from calculator import Scenario, set_path
from calculator.scenario_library import compare_scenarios, open_library

_COUNTER = itertools.count()


def test_bench_save(benchmark, tmp_path):
    lib = open_library(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    rec = benchmark(lambda: lib.save(f"s{next(_COUNTER)}", Scenario(), tags=["bench"]))
    assert rec.version == 1


def test_bench_list_200(benchmark, tmp_path):
    lib = open_library(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    for i in range(200):
        lib.save(f"s{i:03d}", set_path(Scenario(), "workforce.employees", str(100 + i)), tags=[f"t{i % 5}"])
    out = benchmark(lib.list)
    assert len(out) == 200


def test_bench_compare_4(benchmark):
    items = [(t, set_path(Scenario(), "programs.0.therapy", t)) for t in
             ("relaxation_massage", "yoga", "spinal_manipulation", "acupuncture")]
    cmp = benchmark(compare_scenarios, items)
    assert cmp.names == tuple(t for t, _ in items)
