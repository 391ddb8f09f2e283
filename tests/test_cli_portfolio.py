"""``backpain-roi portfolio``: outputs read back, identical across backends, user errors, Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from calculator.book import WHOLE_BOOK
from calculator.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "assets" / "sample_groups.csv")
ARTIFACTS = ROOT / "test-artifacts" / "portfolio"


def cli(capsys, *args):
    code = main(["portfolio", *args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_book_in_one_command(capsys, tmp_path):
    out_csv = tmp_path / "book.csv"
    code, out, err = cli(capsys, SAMPLE, "--draws", "500", "--seed", "1", "--out", str(out_csv))
    assert code == 0, err
    d = json.loads(out)
    assert d["groups_done"] == 50 and d["out"] == str(out_csv) and "groups" not in d
    whole = d["totals"][0]
    assert whole["therapy"] == WHOLE_BOOK and whole["groups"] == 50
    df = pd.read_csv(out_csv)
    assert len(df) == 50 and (df["status"] == "ok").all()
    assert whole["employees"] == df["employees"].sum()
    assert whole["net_benefit_base"] == pytest.approx(df["net_benefit_base"].sum(), rel=1e-9)
    assert 0 <= whole["prob_net_positive"] <= 1
    assert set(d["confident_groups"]) == set(df.loc[df.prob_roi_positive >= 0.8, "group_id"])


def test_json_to_stdout_without_out_has_every_group(capsys):
    code, out, _ = cli(capsys, SAMPLE, "--draws", "200", "--seed", "3")
    assert code == 0
    d = json.loads(out)
    assert len(d["groups"]) == 50 and d["draws"] == 200 and d["seed"] == 3 and d["problems"] == []


def test_outputs_read_back(capsys, tmp_path):
    paths = {ext: tmp_path / f"book.{ext}" for ext in ("csv", "parquet", "xlsx", "json")}
    for p in paths.values():
        assert cli(capsys, SAMPLE, "--draws", "300", "--seed", "5", "--out", str(p))[0] == 0
    a = pd.read_csv(paths["csv"])
    b = pd.read_parquet(paths["parquet"])
    sheets = pd.read_excel(paths["xlsx"], sheet_name=None)
    j = json.loads(paths["json"].read_text())
    assert list(sheets) == ["Groups", "Book totals"]
    c = sheets["Groups"]
    for df in (b, c, pd.DataFrame(j["groups"])):
        assert list(df["group_id"]) == list(a["group_id"])
        assert df["roi_mean"].to_numpy() == pytest.approx(a["roi_mean"].to_numpy(), rel=1e-12)
    assert sheets["Book totals"]["therapy"].iloc[0] == WHOLE_BOOK


def test_pdf_is_one_page_summary(capsys, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    p = tmp_path / "book.pdf"
    code, _, err = cli(capsys, SAMPLE, "--draws", "500", "--seed", "1", "--out", str(p))
    assert code == 0, err
    reader = pypdf.PdfReader(str(p))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "BOOK OF BUSINESS" in text and "P(BOOK NET > 0)" in text and "Whole book" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "book.pdf").write_bytes(p.read_bytes())
    subprocess.run(["pdftoppm", "-r", "90", "-png", "-singlefile", str(p), str(ARTIFACTS / "book-page1")], check=False)


@pytest.mark.slow
def test_identical_files_for_jobs_1_jobs_2_and_dask(capsys, tmp_path):
    pytest.importorskip("dask.distributed")
    files = []
    for extra in ((), ("--jobs", "2"), ("--backend", "dask", "--jobs", "2")):
        p = tmp_path / f"book{len(files)}.csv"
        code, _, err = cli(capsys, SAMPLE, "--draws", "1000", "--seed", "8", "--out", str(p), *extra)
        assert code == 0, err
        files.append(p.read_bytes())
    assert files[0] == files[1] == files[2]


def _err_line(capsys, *args) -> str:
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_user_errors_are_one_line(capsys, tmp_path):
    assert "missing.csv: cannot be read (No such file or directory)" in _err_line(capsys, str(tmp_path / "missing.csv"))
    assert "the file name must end in .csv, .parquet, .xlsx, .pdf, .json" in _err_line(
        capsys, SAMPLE, "--out", str(tmp_path / "x.docx"))
    assert "--scheduler needs --backend dask" in _err_line(capsys, SAMPLE, "--scheduler", "tcp://127.0.0.1:9")
    assert "unknown therapy 'reiki'" in _err_line(capsys, SAMPLE, "--therapy", "reiki", "--draws", "10")
    bad = tmp_path / "bad.csv"
    bad.write_text("group_id,workforce.employes\nA,10\n")
    assert "'workforce.employes' is not a scenario path (did you mean workforce.employees" in _err_line(capsys, str(bad))


def test_bad_rows_stop_the_run_unless_excluded(capsys, tmp_path):
    g = tmp_path / "g.csv"
    g.write_text("group_id,name,workforce.employees,condition.prevalence\nA,Alpha,100,0.1\nB,Beta,200,2\n"
                 "C,=HYPERLINK(\"http://x\"),300,\n")
    line = _err_line(capsys, str(g), "--draws", "50")
    assert "1 group row(s) have problems" in line
    assert "row 3 column condition.prevalence value '2': condition.prevalence = 2 is out of range: allowed 0 to 1" in line
    out = tmp_path / "o.csv"
    code, stdout, _ = cli(capsys, str(g), "--draws", "50", "--exclude-invalid-rows", "--out", str(out))
    assert code == 0
    df = pd.read_csv(out)
    assert list(df["group_id"]) == ["B", "A", "C"]  # invalid rows first, listed with why
    assert df["status"].iloc[0].startswith("invalid: condition.prevalence: condition.prevalence = 2 is out of range")
    assert df["name"].iloc[2].startswith("'=HYPERLINK")  # never a live formula
    assert json.loads(stdout)["problems"][0]["row"] == 3


def test_ctrl_c_leaves_a_readable_partial_file(tmp_path):
    out = tmp_path / "partial.csv"
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "calculator", "portfolio", SAMPLE, "--draws", "100000",
                             "--seed", "1", "--out", str(out), "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted after" in stderr and str(out) in stderr
    df = pd.read_csv(io.StringIO(out.read_text()))
    assert 1 <= len(df) < 50 and (df["status"] == "ok").all() and df["roi_mean"].notna().all()
    assert stdout == ""
