"""Benchmarks of the census upload (pytest-benchmark; figures, not timed asserts).

Target from the workforce issue, on this machine: 1,000,000 employee rows (CSV) read, validated and
aggregated in under 5 s and under 2 GB peak memory; report how time grows from 10k to 1M rows.

* ``test_bench_census_growth[n]``: bytes -> validated census -> model cells (age band x sex x job
  family), for 10k, 100k and 1M rows; ``extra_info`` holds rows/s and the file size.
* ``test_bench_census_evaluate_1m``: the same plus the segment results and the census-equivalent
  scenario (everything the page shows).
* ``test_census_peak_memory_1m``: peak resident memory of a fresh process doing the 1M-row run
  (pyarrow allocates outside tracemalloc's view, so the process's own peak RSS, VmHWM, is measured).

Run::

    python -m pytest tests/benchmarks/test_bench_census.py -p no:cacheprovider -s \
        --benchmark-columns=min,median,max --benchmark-json=/tmp/bench_census.json
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from calculator import Scenario
from calculator.census import evaluate_census, read_census, segment_cells


def make_census_csv(n: int, seed: int = 1) -> bytes:
    """A realistic employee-level census: ID, job family, site, salary, weekly hours, age, sex."""
    rng = np.random.default_rng(seed)
    jobs = np.array(["Nursing", "Warehouse", "Drivers", "Office", "Customer service", "Maintenance", "Care aides"])
    sites = np.array(["Lakeside", "Riverton", "Hill Park", "Northgate"])
    df = pd.DataFrame({
        "employee_id": np.char.add("E", np.arange(n).astype(str)),
        "job_family": jobs[rng.integers(0, len(jobs), n)],
        "location": sites[rng.integers(0, len(sites), n)],
        "annual_salary": np.round(rng.normal(60_000, 12_000, n).clip(20_000), -2),
        "weekly_hours": rng.choice([20, 30, 40], n, p=[0.1, 0.1, 0.8]),
        "age": rng.integers(19, 67, n),
        "gender": rng.choice(["F", "M", "X"], n, p=[0.5, 0.49, 0.01]),
    })
    return df.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def files() -> dict[int, bytes]:
    return {n: make_census_csv(n) for n in (10_000, 100_000, 1_000_000)}


def _read_validate_aggregate(data: bytes) -> pd.DataFrame:
    return segment_cells(read_census(data, "census.csv"), Scenario())


@pytest.mark.parametrize("n", [10_000, 100_000, 1_000_000])
def test_bench_census_growth(benchmark, files, n):
    data = files[n]
    cells = benchmark.pedantic(_read_validate_aggregate, args=(data,), rounds=3 if n == 1_000_000 else 5,
                               iterations=1, warmup_rounds=0 if n == 1_000_000 else 1)
    assert cells["employees"].sum() == n
    best = benchmark.stats.stats.min
    benchmark.extra_info.update({"rows": n, "file_mb": round(len(data) / 1e6, 1),
                                 "rows_per_s": round(n / best), "min_s": round(best, 3)})
    print(f"\n{n:>9,} rows ({len(data) / 1e6:5.1f} MB): {best:.3f} s min, {n / best:,.0f} rows/s")


def test_bench_census_evaluate_1m(benchmark, files):
    data = files[1_000_000]

    def whole():
        return evaluate_census(Scenario(), read_census(data, "census.csv"))

    r = benchmark.pedantic(whole, rounds=3, iterations=1)
    assert r.total["employees"] == 1_000_000
    benchmark.extra_info["min_s"] = round(benchmark.stats.stats.min, 3)


PEAK_SCRIPT = textwrap.dedent("""
    import json, sys
    from calculator import Scenario
    from calculator.census import read_census, segment_cells

    def hwm_mb():  # peak RSS of this process (VmHWM; ru_maxrss would include the parent's, kept over exec)
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    data = open(sys.argv[1], "rb").read()
    before = hwm_mb()
    cells = segment_cells(read_census(data, "census.csv"), Scenario())
    peak = hwm_mb()
    print(json.dumps({"before_mb": before, "peak_mb": peak, "employees": float(cells["employees"].sum())}))
""")


@pytest.mark.slow
def test_census_peak_memory_1m(files, tmp_path):
    """Peak RSS of a fresh process; 'before' = interpreter, libraries and the 1M-row file's bytes."""
    path = tmp_path / "census.csv"
    path.write_bytes(files[1_000_000])
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path)], capture_output=True, text=True, check=True)
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    assert fig["employees"] == 1_000_000
    print(f"\n1,000,000 rows: peak RSS {fig['peak_mb']:,.0f} MB (before the census step: {fig['before_mb']:,.0f} MB;"
          f" read + validate + aggregate added {fig['peak_mb'] - fig['before_mb']:,.0f} MB)")
