"""Per-group plan PMPM in a book run: base case by hand, the interval from the group's own draws,
the member-weighted book PMPM, and every output format and surface carrying it."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from calculator import Scenario, apply_sets
from calculator.book import PMPM_DRAWS, build_scenario, draw, group_seed, groups_from_frame, run
from calculator.budget import budget_impact, plan_pmpm
from calculator.model import build_inputs

GROUPS = pd.DataFrame({
    "group_id": ["HAND", "B", "C"],
    "workforce.employees": [1000, 250, 4000],
    "plan.members_per_employee": [2.0, 1.8, 2.4],
    "plan.horizon_years": [3, 2, 3],
    "analysis.perspective": ["health_plan", "self_insured", "fully_insured"],
})


@pytest.fixture(scope="module")
def res():
    return run(groups_from_frame(GROUPS), 1500, 4)


def _scenario(res, gid: str) -> Scenario:
    book = groups_from_frame(GROUPS)
    return build_scenario(next(g for g in book.groups if g.group_id == gid), Scenario())


def test_hand_computed_pmpm_of_one_group(res):
    """1,000 employees x 2.0 members each = 2,000 members; 3 plan years x 12 months = 72,000 member
    months. PMPM = the plan's net budget impact over the 3 years / 72,000, as budget_impact reports."""
    row = res.groups.set_index("group_id").loc["HAND"]
    b = budget_impact(_scenario(res, "HAND"))
    assert row["member_months"] == 72_000
    assert row["plan_net_base"] == pytest.approx(b.net, rel=1e-12)
    assert row["pmpm_base"] == pytest.approx(b.net / 72_000, rel=1e-12)
    assert row["pmpm_base"] == pytest.approx(b.pmpm, rel=1e-12)
    # and the plan's yearly table adds up to the same
    assert b.years["net"].sum() / b.years["member_months"].sum() == pytest.approx(row["pmpm_base"], rel=1e-12)


def test_interval_is_from_the_groups_own_first_draws(res):
    """Redraw the group from its seed, evaluate the plan-year model on its first PMPM_DRAWS draws
    with the base case's fee (as budget_interval does): the row's mean, 5% and 95%."""
    m = min(1500, PMPM_DRAWS)
    for gid in ("HAND", "B", "C"):
        row = res.groups.set_index("group_id").loc[gid]
        s = _scenario(res, gid)
        inp = build_inputs(s, 0)
        d = draw(s, inp, 1500, np.random.default_rng(group_seed(4, gid)))
        base = plan_pmpm(s, inp)
        pm = np.broadcast_to(plan_pmpm(s, dataclasses.replace(inp, **{k: v[:m] for k, v in d.items()}),
                                       fee=base.fee).pmpm, (m,))
        assert row["pmpm_draws"] == m
        assert row["pmpm_mean"] == pytest.approx(pm.mean(), rel=1e-12)
        assert row["pmpm_p5"] == pytest.approx(np.quantile(pm, 0.05), rel=1e-12)
        assert row["pmpm_p95"] == pytest.approx(np.quantile(pm, 0.95), rel=1e-12)
        assert row["pmpm_p5"] <= row["pmpm_mean"] <= row["pmpm_p95"]
        assert row["pmpm_p5"] < row["pmpm_p95"]  # the draws do move the plan's budget


def test_few_draws_use_all_of_them():
    r = run(groups_from_frame(GROUPS.head(1)), 200, 4)
    assert r.groups["pmpm_draws"].iloc[0] == 200


def test_book_pmpm_is_member_weighted(res):
    g, t = res.groups, res.totals.iloc[0]
    assert t["member_months"] == pytest.approx(72_000 + 250 * 1.8 * 24 + 4000 * 2.4 * 36, rel=1e-12)
    assert t["pmpm_base"] == pytest.approx(g["plan_net_base"].sum() / g["member_months"].sum(), rel=1e-12)
    assert t["pmpm_base"] == pytest.approx(np.average(g["pmpm_base"], weights=g["member_months"]), rel=1e-9)
    assert t["pmpm_p5"] <= t["pmpm_mean"] <= t["pmpm_p95"]
    # the book's draws are the sums of the groups' draws: its mean is the member-weighted mean of theirs
    assert t["pmpm_mean"] == pytest.approx(np.average(g["pmpm_mean"], weights=g["member_months"]), rel=1e-6)


def test_every_sample_group_has_an_ordered_interval():
    from pathlib import Path

    from calculator.book import read_groups
    sample = Path(__file__).resolve().parents[1] / "assets" / "sample_groups.csv"
    r = run(read_groups(sample.read_bytes(), sample.name), 400, 2)
    ok = r.groups[r.groups["status"] == "ok"]
    assert len(ok) == 50
    assert (ok["pmpm_p5"] <= ok["pmpm_mean"]).all() and (ok["pmpm_mean"] <= ok["pmpm_p95"]).all()
    assert ok[["pmpm_base", "pmpm_mean", "pmpm_p5", "pmpm_p95"]].notna().all().all()


def test_exports_and_json_carry_the_pmpm_columns(res, tmp_path):
    from calculator.export.book_tables import table_bytes
    cols = ["member_months", "plan_net_base", "pmpm_base", "pmpm_mean", "pmpm_p5", "pmpm_p95", "pmpm_draws"]
    for ext in ("csv", "parquet", "xlsx"):
        p = tmp_path / f"b.{ext}"
        p.write_bytes(table_bytes(res.groups, res.totals, ext))
        df = (pd.read_csv(p) if ext == "csv" else pd.read_parquet(p) if ext == "parquet"
              else pd.read_excel(p, sheet_name="Groups"))
        for c in cols:
            assert df[c].to_numpy(dtype=float) == pytest.approx(res.groups[c].to_numpy(dtype=float), rel=1e-12), (ext, c)
        if ext == "xlsx":
            tot = pd.read_excel(p, sheet_name="Book totals")
            assert tot["pmpm_base"].iloc[0] == pytest.approx(res.totals["pmpm_base"].iloc[0], rel=1e-12)
    d = json.loads(json.dumps(res.to_dict(), default=str))
    assert d["groups"][0]["pmpm_p95"] == pytest.approx(res.groups["pmpm_p95"].iloc[0], rel=1e-12)
    assert d["totals"][0]["pmpm_mean"] == pytest.approx(res.totals["pmpm_mean"].iloc[0], rel=1e-12)


def test_pdf_totals_table_shows_the_book_pmpm(res):
    pypdf = pytest.importorskip("pypdf")
    import io

    from calculator.export.pdf_book import book_pdf_bytes
    text = pypdf.PdfReader(io.BytesIO(book_pdf_bytes(res))).pages[0].extract_text()
    t = res.totals.iloc[0]
    assert "Plan PMPM" in text
    for x in (t["pmpm_base"], t["pmpm_p95"]):
        assert (f"-${abs(x):,.2f}" if x < 0 else f"${x:,.2f}") in text


def test_unchanged_scenarios_keep_budget_impact_pmpm():
    s = apply_sets(Scenario(), [("workforce.employees", "700")])
    assert float(plan_pmpm(s, build_inputs(s, 0)).pmpm) == pytest.approx(budget_impact(s).pmpm, rel=1e-12)
