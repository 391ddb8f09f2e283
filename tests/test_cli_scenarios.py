"""``backpain-roi scenarios ...`` end to end, on SQLite and on the test session's real PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from calculator import Scenario, evaluate, set_path
from calculator.cli import main
from calculator.scenario_library import open_library

ROOT = Path(__file__).resolve().parents[1]


def _roi(s) -> str:
    return f"{evaluate(s).program.roi:.1%}"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_save_list_show_compare_on_both_databases(capsys, library_url):
    db = ["--db", library_url]
    code, out, _ = run(capsys, "scenarios", "save", "Massage 10 visits", "--tag", "massage", "--note", "base", *db)
    assert code == 0 and "saved 'Massage 10 visits' version 1" in out and f"ROI {_roi(Scenario())}" in out
    assert run(capsys, "scenarios", "save", "Yoga", "--set", "programs.0.therapy=yoga", "--tag", "yoga", *db)[0] == 0
    code, _, err = run(capsys, "scenarios", "save", "Yoga", *db)
    assert code == 2 and "already saved (version 1)" in err and "--new-version" in err
    code, out, _ = run(capsys, "scenarios", "save", "Yoga", "--set", "programs.0.therapy=yoga",
                       "--set", "workforce.employees=500", "--new-version", *db)
    assert code == 0 and "version 2" in out
    code, out, _ = run(capsys, "scenarios", "list", "--format", "json", *db)
    rows = json.loads(out)
    assert [(r["name"], r["versions"], r["therapy"]) for r in rows] == [
        ("Massage 10 visits", 1, "relaxation_massage"), ("Yoga", 2, "yoga")]
    assert rows[1]["summary"]["employees"] == 500
    code, out, _ = run(capsys, "scenarios", "list", "--tag", "massage", *db)
    assert "Massage 10 visits" in out and "Yoga" not in out
    code, out, _ = run(capsys, "scenarios", "list", "--therapy", "yoga", "--format", "json", *db)
    assert [r["name"] for r in json.loads(out)] == ["Yoga"]
    code, out, _ = run(capsys, "scenarios", "show", "Yoga", "--version", "1", "--scenario-only", *db)
    assert json.loads(out)["workforce"]["employees"] == 1000 and json.loads(out)["name"] == "Yoga"
    code, out, _ = run(capsys, "scenarios", "compare", "Massage 10 visits", "Yoga", "--format", "json", *db)
    rec = {(r["section"], r["key"]): r for r in json.loads(out)}
    yoga = set_path(set_path(Scenario(), "programs.0.therapy", "yoga"), "workforce.employees", "500")
    assert rec[("result", "roi")]["Yoga"] == pytest.approx(evaluate(yoga).program.roi)
    assert rec[("input", "workforce.employees")]["differs"] and rec[("input", "workforce.employees")]["Yoga"] == 500
    assert not rec[("input", "condition.prevalence")]["differs"]


def test_an_analyst_sees_the_same_postgres_library(capsys, pg_url, tmp_path):
    # a planner's dashboard (the Python API) saves; the analyst's CLI reads the same rows with --db
    open_library(pg_url).save("Planner's pick", set_path(Scenario(), "programs.0.therapy", "yoga"), tags=["q3"])
    code, out, _ = run(capsys, "scenarios", "list", "--db", pg_url)
    assert code == 0 and "Planner's pick" in out and "q3" in out and "1 saved scenario(s) in postgresql://" in out
    # and the environment variable sets the default for a real console-script process
    env = dict(os.environ, BACKPAIN_ROI_DB=pg_url, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "calculator", "scenarios", "save", "Analyst", "--set",
                        "workforce.employees=200"], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert open_library(pg_url).load("Analyst").workforce.employees == 200


def test_compare_downloads_xlsx_and_pdf(capsys, tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'lib.sqlite3'}"]
    for name, sets in (("A massage", []), ("B yoga", ["--set", "programs.0.therapy=yoga"]),
                       ("=C cap 6", ["--set", "programs.0.visit_cap=6"])):
        assert run(capsys, "scenarios", "save", name, *sets, *db)[0] == 0
    xlsx, pdf = tmp_path / "cmp.xlsx", tmp_path / "cmp.pdf"
    code, out, _ = run(capsys, "scenarios", "compare", "A massage", "B yoga", "=C cap 6", "--out", str(xlsx), *db)
    assert code == 0 and out.startswith(f"wrote {xlsx}")
    wb = openpyxl.load_workbook(xlsx)
    res = wb["Results"]
    assert [c.value for c in res[4]] == ["Result", "A massage", "B yoga", "'=C cap 6"]  # no formula from a name
    roi_row = next(r for r in res.iter_rows(min_row=5, values_only=True) if r[0] == "ROI")
    assert roi_row[1] == pytest.approx(evaluate(Scenario()).program.roi)
    inputs = wb["Inputs"]
    cap = next(r for r in inputs.iter_rows(min_row=2) if r[1].value == "programs.0.visit_cap")
    assert [c.value for c in cap[2:6]] == ["(none)", "(none)", 6, "yes"]
    assert cap[0].font.bold
    assert cap[0].fill.fgColor.rgb.endswith("FFF4CC")
    code, out, _ = run(capsys, "scenarios", "compare", "A massage", "B yoga", "--out", str(pdf), *db)
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert len(PdfReader(str(pdf)).pages) == 1
    assert "Scenario comparison" in text and "A massage vs B yoga" in text and "P(ROI > 0)" in text
    assert _roi(Scenario()) in text and _roi(set_path(Scenario(), "programs.0.therapy", "yoga")) in text
    code, out, _ = run(capsys, "scenarios", "compare", "A massage", "B yoga", "--format", "csv", *db)
    assert out.splitlines()[0] == "section,key,label,differs,A massage,B yoga"
    code, _, err = run(capsys, "scenarios", "compare", "A massage", "--out", str(tmp_path / "x.docx"), *db)
    assert code == 2 and "compare 2 to 4 scenarios, got 1" in err
    code, _, err = run(capsys, "scenarios", "compare", "A massage", "B yoga", "--out", str(tmp_path / "x.docx"), *db)
    assert code == 2 and "must end in .xlsx or .pdf" in err


def test_export_delete_import_and_drift(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'lib.sqlite3'}"
    db = ["--db", url]
    run(capsys, "scenarios", "save", "Plan", *db)
    zpath = tmp_path / "lib.zip"
    code, out, _ = run(capsys, "scenarios", "export", str(zpath), *db)
    assert code == 0 and "1 scenario(s)" in out
    assert "scenarios/Plan.json" in zipfile.ZipFile(zpath).namelist()
    code, out, _ = run(capsys, "scenarios", "delete", "Plan", *db)
    assert code == 0 and "deleted 'Plan' (1 version(s))" in out
    code, _, err = run(capsys, "scenarios", "show", "Plan", *db)
    assert code == 2 and "no saved scenario is called 'Plan'; the library is empty" in err
    code, out, _ = run(capsys, "scenarios", "import", str(zpath), *db)
    assert code == 0 and "imported 1 scenario(s)" in out
    code, _, err = run(capsys, "scenarios", "import", str(zpath), *db)
    assert code == 2 and "1 problem(s), nothing imported: entry 1 'Plan': a scenario with this name is already" in err
    # Drift: pretend the library was saved when the prevalence row said 0.05 (an older parameter set).
    with sqlite3.connect(tmp_path / "lib.sqlite3") as c:
        (pj,) = c.execute("SELECT parameters_json FROM scenario_versions").fetchone()
        snap = json.loads(pj)
        snap["condition.prevalence"]["value"] = 0.05
        c.execute("UPDATE scenario_versions SET parameters_json = ?", (json.dumps(snap),))
        c.execute("UPDATE scenario_versions SET scenario_json = replace(scenario_json, '\"prevalence\": 0.081', "
                  "'\"prevalence\": 0.05')")
        (sj,) = c.execute("SELECT scenario_json FROM scenario_versions").fetchone()
        import hashlib
        c.execute("UPDATE scenario_versions SET sha256 = ?", (hashlib.sha256(sj.encode()).hexdigest(),))
    code, out, _ = run(capsys, "scenarios", "drift", "Plan", "--format", "json", *db)
    d = json.loads(out)
    assert code == 0 and d["changed"]
    [row] = d["parameter_rows"]
    assert row["parameter"] == "condition.prevalence" and row["change"] == "value 0.05 -> 0.081"
    assert row["applies"] == "value used"
    burden = next(r for r in d["results"] if r["result"] == "burden_total")
    assert burden["now"] == pytest.approx(evaluate(Scenario()).burden.total)
    code, out, _ = run(capsys, "scenarios", "drift", "Plan", *db)
    old = evaluate(set_path(Scenario(), "condition.prevalence", "0.05")).program.net_benefit
    assert row["net_benefit_effect"] == pytest.approx(evaluate(Scenario()).program.net_benefit - old, rel=1e-9)
    line = next(ln for ln in out.splitlines() if ln.startswith("condition.prevalence"))
    assert line.split()[1:5] == ["value", "0.05", "->", "0.081"] and "value used" in line
    assert f"+${evaluate(Scenario()).program.net_benefit - old:,.0f}" in line


def test_library_errors_are_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, _, err = run(capsys, "scenarios", "import", str(bad), "--db", f"sqlite:///{tmp_path / 'l.sqlite3'}")
    assert code == 2 and err.count("\n") == 1 and "not valid JSON" in err
    code, _, err = run(capsys, "scenarios", "list", "--db", f"sqlite:///{tmp_path}/missing/dir/l.sqlite3")
    assert code == 2 and "cannot be reached" in err and "current scenario is unchanged" in err
    code, _, err = run(capsys, "scenarios", "export", str(tmp_path / "x.txt"), "--db", f"sqlite:///{tmp_path / 'l.sqlite3'}")
    assert code == 2 and "must end in .json or .zip" in err
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 1_000_001)
    code, _, err = run(capsys, "scenarios", "save", "x", str(big), "--db", f"sqlite:///{tmp_path / 'l.sqlite3'}")
    assert code == 2 and "1,000,001 bytes; a scenario file is at most 1,000,000" in err
    bad_scenario = tmp_path / "bad-scenario.json"
    bad_scenario.write_text('{"workforce": {"employees": -5}}')
    code, _, err = run(capsys, "scenarios", "save", "x", str(bad_scenario), "--db", f"sqlite:///{tmp_path / 'l.sqlite3'}")
    assert code == 2 and "workforce.employees = -5 is out of range" in err


def test_name_option_names_the_scenario_everywhere(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", "--name", "Yoga for the warehouse", "--format", "json")
    assert code == 0 and json.loads(out)["scenario"]["name"] == "Yoga for the warehouse"
    code, _, err = run(capsys, "evaluate", "--name", "bad\x07name")
    assert code == 2 and "control characters" in err
    out_file = tmp_path / "r.json"
    code, _, _ = run(capsys, "report", "--name", "Q3 plan", "--out", str(out_file), "--draws", "0")
    assert code == 0 and "Q3 plan" in json.dumps(json.loads(out_file.read_text()))
