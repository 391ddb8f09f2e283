"""The command line: outputs, the contract paths, and exit status 2 with one clear line for bad input."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from calculator import Scenario, evaluate, to_json
from calculator.cli import main

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT.parent / "shared" / "checks" / "contract_core.py"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_defaults_is_the_default_scenario(capsys):
    code, out, _ = run(capsys, "defaults")
    assert code == 0
    d = json.loads(out)
    assert d["workforce"]["employees"] == 1000 and d["programs"][0]["therapy"] == "relaxation_massage"
    assert d["parameter_set"]


def test_evaluate_json_matches_api(capsys):
    code, out, _ = run(capsys, "evaluate", "--format", "json", "--set", "workforce.employees=500")
    assert code == 0
    d = json.loads(out)
    r = evaluate(Scenario().model_copy(update={"workforce": Scenario().workforce.model_copy(update={"employees": 500})}))
    assert d["burden"]["total"] == pytest.approx(r.burden.total)
    assert d["program"]["roi"] == pytest.approx(r.program.roi)
    assert d["program"]["payback_month"] is None or isinstance(d["program"]["payback_month"], float)


def test_evaluate_table_is_readable(capsys):
    code, out, _ = run(capsys, "evaluate")
    assert code == 0 and "Yearly cost of chronic low back pain" in out and "ROI" in out
    assert "$752,505" in out
    # Never a bare ROI: the base case stands beside P(ROI > 0) and the 90% interval (fixed seed).
    roi_line = next(line for line in out.splitlines() if line.strip().startswith("ROI"))
    assert "-31.2%" in roi_line and "P(ROI > 0)" in roi_line and "90% interval" in roi_line  # 9c defaults
    assert "2,000 draws, seed 20240101" in roi_line


def test_evaluate_json_states_roi_probability_and_interval(capsys):
    from calculator.uncertainty import headline
    code, out, _ = run(capsys, "evaluate", "--format", "json")
    p = json.loads(out)["program"]
    h = headline(Scenario())
    assert p["probability_roi_positive"] == pytest.approx(h.probability_roi_positive)
    lo, hi = p["roi_interval"]
    assert lo < p["roi"] < hi and [lo, hi] == pytest.approx(list(h.roi_interval))
    assert p["roi_uncertainty"]["draws"] == 2000 and p["roi_uncertainty"]["seed"] == 20240101
    pp = p["per_participant"]
    assert set(pp) == {"treatment_cost", "medical_savings", "productivity_savings", "net", "qaly_gain"}  # qaly_gain: issue 11
    assert pp["net"] == pytest.approx(p["net_benefit"] / p["participants"])


def test_evaluate_file_and_set(tmp_path, capsys):
    f = tmp_path / "s.json"
    f.write_text(to_json(Scenario()))
    code, out, _ = run(capsys, "evaluate", str(f), "--format", "json", "--set", "programs.0.therapy=yoga")
    assert code == 0 and json.loads(out)["program"]["therapy"] == "yoga"


def test_compare_formats(capsys):
    code, out, _ = run(capsys, "compare", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 11 and "roi" in rows[0]      # 10 therapies + "cover nothing"
    assert {r["therapy"] for r in rows} >= {"none", "usual_care"} and "comparator" in rows[0]
    code, out, _ = run(capsys, "compare", "--format", "json")
    assert len(json.loads(out)) == 11
    code, out, _ = run(capsys, "compare")
    assert "Yoga" in out and "Cover nothing" in out and "self-care book" in out


def test_parameters_have_citations(capsys):
    code, out, _ = run(capsys, "parameters", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) >= 60
    prev = next(r for r in rows if r["id"] == "condition.prevalence")
    assert "Luckhaupt SE" in prev["source"] and "https://doi.org/10.7326/M18-3602" in prev["links"]
    code, out, _ = run(capsys, "parameters", "--format", "json")
    assert json.loads(out)[0]["id"]


@pytest.mark.parametrize("args, fragment", [
    (["evaluate", "--set", "workforce.employees=-5"], "allowed 1 to 10000000"),
    (["evaluate", "--set", "workforce.employees=abc"], "must be a whole number"),
    (["evaluate", "--set", "condition.prevalence=1.5"], "allowed 0 to 1"),
    (["evaluate", "--set", "no.such.path=1"], "unknown path 'no.such.path'"),
    (["evaluate", "--set", "programs.0.therapy=snake_oil"], "unknown therapy 'snake_oil'"),
    (["evaluate", "--set", "workforce.employees"], "--set needs PATH=VALUE"),
    (["evaluate", "/nonexistent/scenario.json"], "cannot read scenario file"),
    (["evaluate", "--format", "xml"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_user_errors_exit_2_with_one_line(capsys, args, fragment):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_broken_and_foreign_files(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"workforce": {"employees": 10')
    code, _, err = run(capsys, "evaluate", str(broken))
    assert code == 2 and "not valid JSON" in err
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}')
    code, _, err = run(capsys, "evaluate", str(foreign))
    assert code == 2 and "unknown field 'hello'" in err


def test_console_script_and_module_entry_point():
    exe = shutil.which("backpain-roi")
    cmd = [exe] if exe else [sys.executable, "-m", "calculator"]
    p = subprocess.run([*cmd, "evaluate", "--set", "x=1"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.startswith("backpain-roi: error:")


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract check is not beside this checkout")
def test_outside_contract_check_passes():
    exe = shutil.which("backpain-roi")
    assert exe, "the backpain-roi console script must be installed (pip install -e .)"
    p = subprocess.run([sys.executable, str(CONTRACT)], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "CLI": exe})
    assert p.returncode == 0, p.stdout[-2000:]


def test_psa_and_report_with_a_census_carry_the_segment_table(capsys, tmp_path):
    sample = str(ROOT / "assets" / "sample_census.csv")
    code, out, _ = run(capsys, "psa", "--draws", "200", "--census", sample, "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert sum(s["employees"] for s in d["segments"]) == 1200 and min(s["employees"] for s in d["segments"]) >= 10
    code, out, _ = run(capsys, "psa", "--draws", "200", "--census", sample)
    assert code == 0 and "Your workforce: 1,200 employees" in out
    target = tmp_path / "seg.csv"
    code, out, err = run(capsys, "report", "--census", sample, "--draws", "0", "--out", str(target),
                         "--table", "segments")
    assert code == 0, err
    assert target.read_text().startswith("segment,")
    code, _, err = run(capsys, "report", "--draws", "0", "--out", str(tmp_path / "x.csv"), "--table", "segments")
    assert code == 2 and "needs a census" in err
