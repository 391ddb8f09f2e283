"""CSV and JSON exports read back; formula-injection neutralising; the ``report`` command."""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd
import pytest

from calculator import Scenario, apply_sets, compare, evaluate
from calculator.cli import main
from calculator.export import MEDIA_TYPES, export
from calculator.export.report import build_report, conservative_scenario
from calculator.export.safe import TRIGGERS, cell_text, csv_value, is_dangerous, pdf_text
from calculator.export.tables import TABLES, csv_bytes, json_bytes, monthly_frame, results_frame

# ---------------------------------------------------------------------------------------------
# safe.py


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "\n=1", "\uff1d1", "\uff0b1",
                                  "\uff0d1", "\uff20A1", "  =1+1", "\u00a0=1", "=cmd|' /C calc'!A0"])
def test_cell_text_neutralises_every_trigger(text):
    out = cell_text(text)
    assert out.startswith("'") and out[1:] == text.replace("\x00", "")
    assert is_dangerous(text)


@pytest.mark.parametrize("text", ["Default scenario", "2-3", "a=b", "Acme (US)", "", "100%", "'quoted"])
def test_cell_text_leaves_harmless_text_alone(text):
    assert cell_text(text) == text and not is_dangerous(text)


def test_cell_text_strips_controls_and_truncates():
    assert cell_text("a\x00b\x07c") == "abc"
    assert len(cell_text("x" * 40_000)) == 32_767


def test_csv_value_keeps_numbers_and_pdf_text_escapes_markup():
    assert csv_value(-1200.5) == -1200.5 and csv_value("-1200") == "'-1200"
    assert pdf_text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"


# ---------------------------------------------------------------------------------------------
# CSV / JSON read back


@pytest.fixture(scope="module")
def report():
    return build_report(Scenario(), headline=False)


def test_results_csv_reads_back_with_the_calculator_numbers(report):
    df = pd.read_csv(io.BytesIO(csv_bytes(report)), keep_default_na=False, na_values=[""])
    r = evaluate(Scenario())
    v = df.set_index(["section", "metric"])["value"]
    assert v[("burden", "total")] == pytest.approx(r.burden.total, rel=1e-12)
    assert v[("burden", "presenteeism")] == pytest.approx(r.burden.presenteeism, rel=1e-12)
    assert v[("program", "cost")] == pytest.approx(r.program.cost, rel=1e-12)
    assert v[("program", "roi")] == pytest.approx(r.program.roi, rel=1e-12)
    assert v[("program", "npv")] == pytest.approx(r.program.npv, rel=1e-12)
    assert math.isnan(v[("program", "payback_month")])  # never pays back: no number ...
    assert df.set_index(["section", "metric"])["text"][("program", "payback_month")] == "never"  # ... "never"
    assert v[("scenario", "price_year")] == 2024
    units = df.set_index(["section", "metric"])["unit"]
    assert units[("program", "cost")] == "USD (2024 prices)" and units[("burden", "total")] == "USD (2024 prices)/yr"
    cons = evaluate(conservative_scenario(Scenario())).program
    assert v[("program_conservative", "roi")] == pytest.approx(cons.roi, rel=1e-12)
    text = df.set_index(["section", "metric"])["text"]
    assert text[("uncertainty", "status")] == "not run"
    assert text[("scenario", "name")] == "Default scenario"


def test_monthly_csv_is_the_cash_flow(report):
    df = pd.read_csv(io.BytesIO(csv_bytes(report, "monthly")))
    m = evaluate(Scenario()).program.monthly
    assert list(df["month"]) == list(range(1, 13))
    assert df["total_cost_usd"].sum() == pytest.approx(evaluate(Scenario()).program.cost, rel=1e-12)
    pd.testing.assert_series_equal(df["cumulative_net_usd"], m["cumulative_net"], check_names=False, rtol=1e-12)
    # the model's "sessions" column holds dollars: the file says so in its name
    assert "sessions" not in df and df["session_cost_usd"].sum() == pytest.approx(m["sessions"].sum())
    assert df["sessions_purchased"].sum() == pytest.approx(m["sessions_purchased"].sum())


def test_every_csv_column_is_in_the_data_dictionary_with_a_unit(report):
    dic = pd.read_csv(io.BytesIO(csv_bytes(report, "dictionary")))
    for t in ("results", "monthly", "comparison"):
        cols = pd.read_csv(io.BytesIO(csv_bytes(report, t))).columns
        listed = set(dic.query("table == @t")["column"])
        assert set(cols) <= listed, (t, set(cols) - listed)
    assert dic["unit"].notna().all() and dic["meaning"].str.len().gt(3).all()
    money_cols = dic[dic["column"].str.endswith("_usd")]
    assert len(money_cols) > 15 and (money_cols["unit"] == "USD (2024 prices)").all()
    inputs = pd.read_csv(io.BytesIO(csv_bytes(report, "inputs")))
    assert set(inputs.loc[inputs["unit"].str.startswith("USD"), "price_year"]) == {2024}


def test_comparison_csv_spells_out_never_and_names_money_columns(report):
    df = pd.read_csv(io.BytesIO(csv_bytes(report, "comparison")), dtype={"payback_month": str})
    comp = compare(Scenario())
    for got, want in zip(df["payback_month"], comp["payback_month"], strict=True):
        assert got == ("never" if want is None or want != want else str(int(want)))
    assert "never" in set(df["payback_month"])  # the default scenario has therapies that never pay back
    assert df["cost_usd"].tolist() == pytest.approx(comp["cost"].tolist(), rel=1e-12)
    assert "roi_fraction" in df and "price_per_session_usd" in df


def test_json_sha256_is_the_hash_of_its_embedded_scenario(report):
    import hashlib

    from calculator.scenario import build, to_json
    doc = json.loads(json_bytes(report))
    canonical = json.dumps(doc["scenario"], indent=2, ensure_ascii=False) + "\n"
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == doc["scenario_sha256"]
    assert to_json(build(doc["scenario"])) == canonical  # and it loads back as the same scenario
    assert doc["price_year"] == 2024 and doc["currency"] == "USD"
    assert doc["results"]["program"]["payback"] == "never"


def test_every_csv_table_and_the_unknown_one(report):
    for t in (t for t in TABLES if t != "segments"):  # segments needs a census: test_export_census.py
        assert len(pd.read_csv(io.BytesIO(csv_bytes(report, t)))) > 0
    with pytest.raises(ValueError, match="unknown table 'x'"):
        csv_bytes(report, "x")


def test_json_holds_everything_and_matches(report):
    doc = json.loads(json_bytes(report))
    r = evaluate(Scenario())
    assert doc["results"]["burden"]["total"] == pytest.approx(r.burden.total, rel=1e-12)
    assert doc["results"]["program"]["net_benefit"] == pytest.approx(r.program.net_benefit, rel=1e-12)
    assert doc["results"]["program"]["payback_month"] is None
    assert doc["uncertainty"] == {"status": "not run"}
    assert len(doc["monthly"]) == 12 and doc["monthly"][0]["setup_cost_usd"] == pytest.approx(2000)
    assert [c["therapy"] for c in doc["comparison"]] == list(compare(Scenario())["therapy"])
    assert doc["scenario"]["name"] == "Default scenario" and doc["parameter_set"] == r.parameter_set
    assert [s["n"] for s in doc["sources"]] == list(range(1, len(doc["sources"]) + 1))
    assert doc["conservative"]["overrides"] and doc["conservative"]["program"]["roi"] < r.program.roi


def test_json_with_uncertainty_carries_the_simulation_summary():
    from calculator.uncertainty import psa
    res = psa(Scenario(), 400, 3)
    doc = json.loads(json_bytes(build_report(Scenario(), uncertainty=res)))
    u = doc["uncertainty"]
    assert u["status"] == "simulation output" and u["draws"] == 400 and u["seed"] == 3
    assert u["p_roi_positive"] == pytest.approx(res.probability("roi_positive"))
    assert u["roi_low"] == pytest.approx(res.summary.set_index("outcome").loc["roi", "p5"])


def test_results_and_monthly_frames_cover_every_program():
    s = apply_sets(Scenario(), [("programs.1.therapy", "yoga")])
    d = build_report(s)
    assert set(monthly_frame(d)["program"]) == {0, 1}
    progs = set(results_frame(d).query("section == 'program'")["program"])
    assert progs == {"0:relaxation_massage", "1:yoga"}


HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd", "-2+3", "@SUM(1)", "\t=1", "\r=1", "\uff1d1+1"]


@pytest.mark.parametrize("name", HOSTILE)
def test_csv_never_starts_a_field_with_a_formula_trigger(name):
    d = build_report(apply_sets(Scenario(), [("name", name)]))
    for t in (t for t in TABLES if t != "segments"):
        text = csv_bytes(d, t).decode("utf-8")
        for row in csv.reader(io.StringIO(text)):
            for field in row:
                if field and field[:1] in TRIGGERS:
                    float(field)  # only a number may start with '-' (a negative value), never text
    rows = list(csv.reader(io.StringIO(csv_bytes(d).decode("utf-8"))))
    name_row = next(r for r in rows if r[:3] == ["scenario", "", "name"])
    assert name_row[-1].startswith("'")


def test_conservative_case_is_the_shared_preset_and_never_rosier_than_the_scenario():
    from calculator.sensitivity import apply_scenario_preset
    assert conservative_scenario(Scenario()) == apply_scenario_preset(Scenario(), "conservative")
    # a scenario already more pessimistic than the preset on two inputs keeps its own values there
    s = apply_sets(Scenario(), [("programs.0.uptake_unaffected", 0.2), ("programs.0.completion", 0.3)])
    c = conservative_scenario(s)
    assert c.programs[0].uptake_unaffected == 0.2 and c.programs[0].completion == 0.3
    assert c.programs[0].effect_multiplier == 0.5 and c.workforce.turnover == 0.4
    assert evaluate(c).program.net_benefit <= evaluate(s).program.net_benefit


def test_export_dispatch_and_media_types(report):
    assert export(report, "csv") == csv_bytes(report)
    assert set(MEDIA_TYPES) == {"pdf", "xlsx", "pptx", "docx", "csv", "json"}
    with pytest.raises(ValueError, match="unknown format 'doc'"):
        export(report, "doc")


# ---------------------------------------------------------------------------------------------
# The report command (exit 0; exit 2 with one line for every user error)


def test_cli_report_writes_each_table_format(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["report", "--out", str(out), "--draws", "300", "--seed", "5"]) == 0
    doc = json.loads(out.read_bytes())
    assert doc["uncertainty"]["draws"] == 300
    assert "wrote" in capsys.readouterr().out
    out = tmp_path / "m.csv"
    assert main(["report", "--set", "analysis.horizon_months=24", "--out", str(out), "--table", "monthly",
                 "--draws", "0"]) == 0
    assert len(pd.read_csv(out)) == 24


@pytest.mark.parametrize("argv, message", [
    (["report", "--out", "x.txt"], "must end in .pdf"),
    (["report", "--out", "/nonexistent-dir/x.csv", "--draws", "0"], "cannot write"),
    (["report", "--set", "programs.0.uptake=2", "--out", "x.csv"], "out of range"),
    (["report", "--out", "x.pdf", "--table", "monthly"], "--table applies only to .csv"),
    (["report", "--out", "x.csv", "--draws", "-1"], "--draws must be 0"),
    (["report", "missing.json", "--out", "x.csv"], "cannot read scenario file"),
    (["report"], "--out"),
])
def test_cli_report_user_errors_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
