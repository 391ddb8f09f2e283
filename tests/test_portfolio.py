"""Book of business (calculator.book): groups file validation, per-group PSA, backends, book totals."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calculator
from calculator import Scenario, evaluate
from calculator import uncertainty as unc
from calculator.book import (
    WHOLE_BOOK,
    BookError,
    Group,
    GroupsFile,
    build_scenario,
    draw,
    group_seed,
    groups_from_frame,
    read_groups,
    run,
)
from calculator.model import build_inputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_groups.csv"


@pytest.fixture(scope="module")
def sample_book() -> GroupsFile:
    return read_groups(SAMPLE.read_bytes(), "sample_groups.csv")


@pytest.fixture(scope="module")
def sample_run(sample_book):
    return run(sample_book, 400, 11)


@pytest.fixture(scope="module")
def dask_client():
    """One real Dask LocalCluster for the module (threads: fast start; the CLI test uses processes)."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_sample_book_is_varied_and_valid(sample_book):
    assert len(sample_book.groups) == 50 and sample_book.problems.empty
    scen = [build_scenario(g, Scenario()) for g in sample_book.groups]
    assert len({s.programs[0].therapy for s in scen}) >= 6
    assert {s.analysis.perspective for s in scen} == {"self_insured", "fully_insured", "health_plan"}
    assert len({g.industry for g in sample_book.groups}) >= 8
    sizes = [s.workforce.employees for s in scen]
    assert min(sizes) < 100 and max(sizes) > 10_000


def test_base_case_equals_evaluate_for_every_group(sample_book, sample_run):
    rows = sample_run.groups.set_index("group_id")
    assert (rows["status"] == "ok").all()
    for g in sample_book.groups:
        r = evaluate(build_scenario(g, Scenario())).program
        row = rows.loc[g.group_id]
        for col, want in (("cost_base", r.cost), ("savings_base", r.savings), ("net_benefit_base", r.net_benefit),
                          ("roi_base", r.roi)):
            assert row[col] == pytest.approx(want, rel=1e-9, abs=1e-9), (g.group_id, col)
        assert row["pmpm_base"] == pytest.approx(calculator.budget_impact(build_scenario(g, Scenario())).pmpm,
                                                 rel=1e-9, abs=1e-12)
        if r.payback_month is None:
            assert math.isnan(row["payback_month_base"])
        else:
            assert row["payback_month_base"] == pytest.approx(r.payback_month, rel=1e-9)


def test_group_draws_are_the_psa_engine_draws_from_the_group_seed():
    s = Scenario().model_copy(update={"name": "x"})
    s = calculator.apply_sets(s, [("workforce.hourly_wage", "42"), ("programs.0.therapy", "yoga")])
    inp = build_inputs(s, 0)
    mine = draw(s, inp, 3000, np.random.default_rng(group_seed(5, "ACME-1")))
    ref = unc.sample(s, 3000, np.random.default_rng(group_seed(5, "ACME-1")))
    assert sorted(mine) == sorted(ref.columns)
    for c in ref.columns:
        np.testing.assert_array_equal(mine[c], ref[c].to_numpy())


def test_group_summary_matches_the_psa_of_its_draws():
    df = pd.DataFrame({"group_id": ["A"], "workforce.employees": [800], "programs.0.therapy": ["tai_chi"]})
    res = run(groups_from_frame(df), 2000, 3)
    row = res.groups.iloc[0]
    s = build_scenario(Group(2, "A", "", None, (("workforce.employees", "800"), ("programs.0.therapy", "tai_chi"))),
                       Scenario())
    out = unc.evaluate_draws(s, unc.sample(s, 2000, np.random.default_rng(group_seed(3, "A"))))
    assert row["prob_roi_positive"] == float((out["roi"] > 0).mean())
    assert row["net_benefit_mean"] == pytest.approx(out["net_benefit"].mean(), rel=1e-12)
    assert row["roi_p5"] == pytest.approx(np.quantile(out["roi"], 0.05), rel=1e-12)
    assert row["evpi"] == pytest.approx(unc.evpi(np.column_stack([out["net_benefit"], np.zeros(2000)])), rel=1e-12)


def test_seed_depends_on_group_id_not_on_position():
    a = pd.DataFrame({"group_id": ["X", "Y"], "workforce.employees": [300, 900]})
    b = a.iloc[::-1].reset_index(drop=True)
    ra = run(groups_from_frame(a), 500, 9).groups.set_index("group_id").drop(columns="row")
    rb = run(groups_from_frame(b), 500, 9).groups.set_index("group_id").drop(columns="row")
    pd.testing.assert_frame_equal(ra.sort_index(), rb.sort_index())
    assert ra.loc["X", "net_benefit_mean"] != run(groups_from_frame(a), 500, 10).groups.iloc[0]["net_benefit_mean"]


def _same(r1, r2) -> None:
    pd.testing.assert_frame_equal(r1.groups, r2.groups, check_exact=True)
    pd.testing.assert_frame_equal(r1.totals, r2.totals, check_exact=True)


@pytest.mark.slow
def test_identical_for_jobs_1_jobs_2_and_dask(sample_book, sample_run, dask_client):
    two = run(sample_book, 400, 11, jobs=2)
    _same(sample_run, two)
    dk = run(sample_book, 400, 11, backend="dask", client=dask_client)
    _same(sample_run, dk)


def test_batched_and_one_at_a_time_evaluation_agree(sample_book, sample_run):
    _same(sample_run, run(sample_book, 400, 11, batch=False))


def test_book_probability_sums_each_draw_across_groups():
    df = pd.DataFrame({"group_id": ["A", "B", "C"], "workforce.employees": [150, 2000, 40],
                       "programs.0.therapy": ["yoga", "yoga", "tai_chi"]})
    book = groups_from_frame(df)
    res = run(book, 700, 4)
    total = np.zeros(700)
    for g in book.groups:
        s = build_scenario(g, Scenario())
        out = unc.evaluate_draws(s, unc.sample(s, 700, np.random.default_rng(group_seed(4, g.group_id))))
        total += np.rint(out["savings"].to_numpy() * 100) - np.rint(out["cost"].to_numpy() * 100)
    whole = res.totals.set_index("therapy").loc[WHOLE_BOOK]
    assert whole["prob_net_positive"] == float((total > 0).mean())
    assert whole["net_benefit_mean"] == pytest.approx(total.mean() / 100, rel=1e-12)
    assert whole["employees"] == 2190 and whole["groups"] == 3
    assert whole["cost_base"] == pytest.approx(res.groups["cost_base"].sum(), rel=1e-12)
    yoga = res.totals.set_index("therapy").loc["yoga"]
    assert yoga["groups"] == 2 and yoga["employees"] == 2150
    w = res.groups[res.groups.therapy == "yoga"]
    assert yoga["prob_roi_positive_weighted"] == pytest.approx(
        (w.prob_roi_positive * w.employees).sum() / w.employees.sum(), rel=1e-12)


def test_therapy_all_uses_common_random_numbers():
    df = pd.DataFrame({"group_id": ["A"], "workforce.employees": [500]})
    res = run(groups_from_frame(df), 300, 2, therapy="all")
    assert len(res.groups) == len(calculator.library().therapies)
    assert WHOLE_BOOK not in set(res.totals["therapy"])
    s = build_scenario(groups_from_frame(df).groups[0], Scenario())
    d1 = unc.sample(s, 300, np.random.default_rng(group_seed(2, "A")))
    s2 = calculator.set_path(s, "programs.0.therapy", "cbt")
    d2 = unc.sample(s2, 300, np.random.default_rng(group_seed(2, "A")))
    np.testing.assert_array_equal(d1["prevalence"], d2["prevalence"])  # shared inputs drawn alike


def test_unknown_therapy_and_bad_arguments_are_clear():
    book = groups_from_frame(pd.DataFrame({"group_id": ["A"]}))
    with pytest.raises(BookError, match="unknown therapy 'massage'; choose all or one of: relaxation_massage"):
        run(book, 100, 1, therapy="massage")
    with pytest.raises(BookError, match="draws must be a whole number from 1 to 1,000,000, got 0"):
        run(book, 0, 1)
    with pytest.raises(BookError, match="backend must be local or dask"):
        run(book, 10, 1, backend="spark")


def test_bad_rows_are_reported_with_row_column_value_and_range():
    text = ("group_id,name,workforce.employees,condition.prevalence,analysis.perspective,industry\n"
            "A,Alpha,100,0.1,self_insured,retail\n"
            "B,Beta,-5,1.5,self_insured,\n"
            "A,Again,100,,,\n"
            ",Nameless,100,,,\n"
            "E,Eps,100,,employer,bakery\n")
    book = read_groups(text.encode(), "g.csv")
    assert [g.group_id for g in book.groups] == ["A"]
    p = book.problems
    got = {(r.row, r.column, r.value) for r in p.itertuples()}
    assert (3, "workforce.employees", "-5") in got and (3, "condition.prevalence", "1.5") in got
    assert (4, "group_id", "A") in got and (5, "group_id", "") in got
    assert (6, "analysis.perspective", "employer") in got and (6, "industry", "bakery") in got
    msg = p[(p.row == 3) & (p.column == "condition.prevalence")].problem.iloc[0]
    assert "allowed 0 to 1" in msg
    assert "duplicate group_id: row 2" in p[p.row == 4].problem.iloc[0]
    with pytest.raises(BookError, match="4 group row.s. have problems .*row 3 column workforce.employees value '-5'"):
        run(book, 100, 1)
    res = run(book, 100, 1, exclude_invalid_rows=True)
    assert len(res.groups) == 5 and list(res.groups["status"] == "ok") == [False, False, False, False, True]
    bad = res.groups[res.groups.status != "ok"].set_index("row")
    assert bad.loc[3, "status"].startswith("invalid: workforce.employees: workforce.employees = -5 is out of range")
    assert res.groups_total == 5


def test_bad_headers_name_the_column():
    with pytest.raises(BookError, match="needs a group_id column"):
        read_groups(b"id,workforce.employees\nA,10\n", "g.csv")
    with pytest.raises(BookError, match=r"'workforce.employes' is not a scenario path \(did you mean workforce.employees"):
        read_groups(b"group_id,workforce.employes\nA,10\n", "g.csv")
    with pytest.raises(BookError, match="one program per group; use programs.0.uptake"):
        read_groups(b"group_id,programs.1.uptake\nA,0.1\n", "g.csv")
    for idx in ("\u00b2", "\u0663", "1" * 5000):  # superscript, Arabic-Indic, huge: a message, not a traceback
        col = f"programs.{idx}.therapy"
        with pytest.raises(BookError, match="is not a scenario path|one program per group"):
            read_groups(f"group_id,{col}\nA,yoga\n".encode(), "g.csv")
    with pytest.raises(BookError, match="the file is empty"):
        read_groups(b"", "g.csv")
    with pytest.raises(BookError, match="over the"):
        read_groups(b"group_id\nA\n" * 10, "g.csv", max_bytes=20)


def test_xlsx_and_parquet_groups_files(tmp_path):
    df = pd.DataFrame({"group_id": ["A", "B"], "workforce.employees": [120, 3400],
                       "programs.0.on_site": [True, False]})
    df.to_excel(tmp_path / "g.xlsx", index=False)
    df.to_parquet(tmp_path / "g.parquet", index=False)
    for name in ("g.xlsx", "g.parquet"):
        book = read_groups((tmp_path / name).read_bytes(), name)
        assert [build_scenario(g, Scenario()).workforce.employees for g in book.groups] == [120, 3400]
        assert build_scenario(book.groups[0], Scenario()).programs[0].on_site is True


def test_base_scenario_fills_empty_cells():
    base = calculator.set_path(Scenario(), "analysis.horizon_months", "24")
    df = pd.DataFrame({"group_id": ["A", "B"], "analysis.horizon_months": [None, 36]})
    res = run(groups_from_frame(df, base), 100, 1, base=base)
    assert list(res.groups["horizon_months"]) == [24, 36]


def test_a_failing_group_does_not_stop_the_others():
    good = Group(2, "OK1", "", None, (("workforce.employees", "300"),))
    broken = Group(3, "BAD", "", None, (("workforce.employees", "-3"),))  # validated elsewhere: fails in the worker
    also = Group(4, "OK2", "", None, ())
    book = GroupsFile([good, broken, also], pd.DataFrame(columns=["row"]), [], ["group_id"], [])
    res = run(book, 200, 1)
    st = res.groups.set_index("group_id")["status"]
    assert st["OK1"] == "ok" and st["OK2"] == "ok"
    assert st["BAD"].startswith("failed: ScenarioError: workforce.employees = -3 is out of range: allowed 1 to")
    whole = res.totals.set_index("therapy").loc[WHOLE_BOOK]
    assert whole["groups"] == 2 and whole["groups_failed"] == 1 and whole["employees"] == 1300


def test_stop_after_a_chunk_leaves_the_rows_done(sample_book):
    seen = []
    res = run(sample_book, 20_000, 1, sink=seen.append, stop=lambda: True)
    assert res.interrupted and 0 < len(res.groups) < 50
    assert sum(len(f) for f in seen) == len(res.groups)
    assert (res.groups["status"] == "ok").all()


def test_public_api_returns_dataframes():
    groups, totals = calculator.portfolio(pd.DataFrame({"group_id": ["A", "B"], "workforce.employees": [10, 20]}),
                                          draws=200, seed=1)
    assert list(groups["group_id"]) == ["A", "B"] and totals.iloc[0]["therapy"] == WHOLE_BOOK
    for col in ("group_id", "status", "employees", "therapy", "net_benefit_base", "roi_base", "roi_mean", "roi_p5",
                "roi_p95", "prob_roi_positive", "prob_payback_12m"):
        assert col in groups.columns


_MEMORY_SCRIPT = """
import sys, tracemalloc, pandas as pd
from calculator.book import groups_from_frame, run
n = int(sys.argv[1])
df = pd.DataFrame({"group_id": [f"G{i}" for i in range(n)], "workforce.employees": [100 + i for i in range(n)]})
book = groups_from_frame(df)
tracemalloc.start()
run(book, 500, 1, sink=lambda df: None)
print(tracemalloc.get_traced_memory()[1])
"""


@pytest.mark.slow
def test_memory_does_not_grow_with_the_book(tmp_path):
    """Peak traced memory for one chunk (64 groups) and six chunks x 500 draws: the draws are never kept."""
    env = {"PYTHONPATH": str(ROOT)}
    peaks = []
    for n in (64, 384):
        out = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, str(n)], capture_output=True, text=True,
                             env=env | {"PATH": "/usr/bin:/bin"}, check=True, cwd=tmp_path)
        peaks.append(int(out.stdout.strip()))
    # keeping every draw of 384 groups would need 384 x 500 x (18 inputs + 6 outcomes) x 8 B = 37 MB more
    assert peaks[1] < peaks[0] * 1.2 + 5e6, peaks
    assert peaks[1] < 150e6, peaks


def test_to_dict_is_json_ready(sample_run):
    d = json.loads(json.dumps(sample_run.to_dict(), default=str))
    assert d["groups_done"] == 50 and d["draws"] == 400 and d["totals"][0]["therapy"] == WHOLE_BOOK


def test_group_scenarios_are_stacked_by_assemble(monkeypatch):
    """Review fix: the book stacked preset and cells itself (a second home of the stacking order)."""
    import importlib

    asm = importlib.import_module("calculator.assemble")  # the module (the package exports the function)
    from calculator.book import Group

    calls = []
    real = asm.assemble

    def spy(*a, **k):  # calls through: the real stacking runs
        calls.append(k.get("industry"))
        return real(*a, **k)

    monkeypatch.setattr(asm, "assemble", spy)
    g = Group(row=2, group_id="G1", name="Plant", industry="manufacturing",
              sets=(("workforce.employees", "321"), ("programs.0.uptake", "0.2")))
    s = build_scenario(g, Scenario())
    assert calls == ["manufacturing"]
    want = real(Scenario(), industry="manufacturing", sets=[("workforce.employees", "321"),
                                                          ("programs.0.uptake", "0.2"), ("name", "Plant")]).scenario
    assert s == want and s.workforce.employees == 321 and s.name == "Plant"
    import inspect

    import calculator.book
    assert "apply_preset" not in inspect.getsource(calculator.book)
