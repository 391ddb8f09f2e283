"""Command line for health plans: budget-impact, cea, claims, --claims and the evaluate JSON paths."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from calculator import Scenario, apply_sets
from calculator.budget import budget_impact
from calculator.cea import cost_effectiveness
from calculator.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "assets" / "sample_claims.csv")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_json_has_the_health_plan_paths(capsys):
    code, out, _ = run(capsys, "evaluate", "--format", "json")
    assert code == 0
    d = json.loads(out)
    b = budget_impact(Scenario())
    assert d["budget_impact"]["pmpm"] == pytest.approx(b.pmpm)
    assert d["budget_impact"]["share_of_plan_spend"] == pytest.approx(b.share_of_plan_spend)
    years = d["budget_impact"]["years"]
    assert len(years) == 3 and {"pmpm", "net", "gross_cost", "offsets"} <= set(years[0])
    ce = cost_effectiveness(Scenario())
    p = d["program"]
    assert p["per_participant"]["qaly_gain"] == pytest.approx(ce.qaly_gain_per_participant)
    assert p["qalys_gained"] == pytest.approx(ce.qalys_gained)
    assert set(p["nmb"]) == {"50000", "100000", "150000"}
    assert p["dominance"] in ("ratio", "dominant", "dominated", "cheaper_fewer_qalys", "no_difference")
    assert (p["cost_per_qaly"] is None) == (p["dominance"] != "ratio" and p["dominance"] != "cheaper_fewer_qalys")


def test_cost_per_qaly_null_when_dominated(capsys):
    code, out, _ = run(capsys, "evaluate", "--format", "json", "--set", "programs.0.effect_multiplier=0")
    p = json.loads(out)["program"]
    assert p["cost_per_qaly"] is None and p["dominance"] == "dominated" and p["qalys_gained"] == 0


def test_budget_impact_table_and_csv(capsys):
    code, out, _ = run(capsys, "budget-impact", "--set", "plan.horizon_years=2")
    assert code == 0 and "PMPM" in out and "whole horizon" in out
    code, out, _ = run(capsys, "budget-impact", "--format", "csv", "--set", "plan.horizon_years=5")
    lines = out.strip().splitlines()
    assert lines[0].startswith("year,") and len(lines) == 6


def test_budget_impact_json_matches_api(capsys):
    code, out, _ = run(capsys, "budget-impact", "--format", "json", "--set", "plan.fee_basis=pmpm",
                       "--set", "plan.fee_amount=1.5")
    s = apply_sets(Scenario(), [("plan.fee_basis", "pmpm"), ("plan.fee_amount", "1.5")])
    assert json.loads(out)["budget_impact"]["net"] == pytest.approx(budget_impact(s).net)


def test_claims_check_command(capsys):
    code, out, _ = run(capsys, "claims", SAMPLE)
    assert code == 0 and "prevalence 8.64%" in out and "from your claims" in out
    code, out, _ = run(capsys, "claims", SAMPLE, "--format", "json")
    d = json.loads(out)
    assert {s["path"] for s in d["sets"]} >= {"condition.prevalence", "condition.plan_paid_share"}


def test_claims_option_on_every_scenario_command(capsys):
    for cmd in ("evaluate", "compare", "budget-impact", "tornado"):
        code, out, err = run(capsys, cmd, "--claims", SAMPLE, "--format", "json")
        assert code == 0, (cmd, err)
    code, out, _ = run(capsys, "budget-impact", "--claims", SAMPLE, "--format", "json")
    d = json.loads(out)
    assert "condition.prevalence" in d["budget_impact"]["from_claims"]
    assert d["claims"]["filename"] == "sample_claims.csv"
    code, out, _ = run(capsys, "budget-impact", "--claims", SAMPLE)
    assert "(from your claims)" in out


def test_set_wins_over_claims(capsys):
    code, out, _ = run(capsys, "evaluate", "--format", "json", "--claims", SAMPLE, "--set", "condition.prevalence=0.2")
    assert json.loads(out)["scenario"]["condition"]["prevalence"] == 0.2
    # review fix: the overridden value is no longer marked "from your claims" (scenario, changes, output)
    d = json.loads(out)
    assert "condition.prevalence" not in d["scenario"]["plan"]["from_claims"]
    assert "condition.plan_paid_share" in d["scenario"]["plan"]["from_claims"]
    from calculator.assemble import assemble
    from calculator.claims import read_claims
    a = assemble(Scenario(), claims=read_claims(Path(SAMPLE).read_bytes(), "s.csv"), sets=[("condition.prevalence", 0.2)])
    assert "condition.prevalence" not in set(a.claims_changes["path"]) | set(a.scenario.plan.from_claims)
    assert "condition.plan_paid_share" in set(a.claims_changes["path"])
    code, out, _ = run(capsys, "budget-impact", "--claims", SAMPLE, "--set", "plan.members=5000")
    assert code == 0 and "members 5,000;" in out and "members 5,000 (from your claims)" not in out, out


def test_small_cell_file_exit_2_one_line(capsys, tmp_path):
    bad = tmp_path / "small.csv"
    bad.write_text("group,period,months,code_set_version,members,member_months,members_with_lbp\n"
                   "A,2024,12,FY2024,5000,60000,9\n")
    code, out, err = run(capsys, "claims", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "row 2, column members_with_lbp: 9 is a small cell (1 to 10" in err
    code, _, err = run(capsys, "evaluate", "--claims", str(bad))
    assert code == 2 and "small cell" in err


def test_missing_claims_file(capsys):
    code, _, err = run(capsys, "budget-impact", "--claims", "/nonexistent/claims.csv")
    assert code == 2 and "cannot read claims file" in err


def test_cea_table_json_csv(capsys):
    code, out, _ = run(capsys, "cea", "--draws", "200")
    assert code == 0 and "Cost-effectiveness" in out and "threshold price per session" in out
    assert "Probability cost-effective" in out
    code, out, _ = run(capsys, "cea", "--draws", "200", "--format", "json")
    d = json.loads(out)
    assert d["psa"]["draws"] == 200 and len(d["psa"]["therapies"]) >= 9
    code, out, _ = run(capsys, "cea", "--draws", "0", "--format", "csv")
    assert out.splitlines()[0].startswith("perspective,incremental_cost")


def test_console_script_runs_budget_impact():
    r = subprocess.run([sys.executable, "-m", "calculator", "budget-impact", "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert r.returncode == 0, r.stderr
    assert "pmpm" in json.loads(r.stdout)["budget_impact"]
