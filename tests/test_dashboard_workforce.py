"""The 'Your workforce' page, driven headless with AppTest: the sample census in one click, a broken
file with its report, exclusion by choice, presets, survey, and every other page using the census.
Expected numbers come from ``calculator`` itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from calculator import Scenario, apply_sets, evaluate, library
from calculator.census import evaluate_census, read_census
from calculator.dashboard import fmt, state
from calculator.dashboard.pages import workforce as page
from calculator.presets import apply_preset

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_census.csv"
TIMEOUT = 60


def _page_app(name: str) -> None:
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default=name), position="top"))


def open_page(name: str = "workforce", session: dict | None = None) -> AppTest:
    at = AppTest.from_function(_page_app, args=(name,), default_timeout=TIMEOUT)
    for k, v in (session or {}).items():
        at.session_state[k] = v
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def visible_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success)]
    return " | ".join(str(p) for p in parts)


#: A column that only the named table has (AppTest does not expose dataframe keys).
TABLE_COLUMN = {"segments": "Net benefit", "issues": "What is wrong", "sources": "Comes from",
                "preset-table": "Value from the preset"}


def df_by_key(at: AppTest, key: str):
    column = TABLE_COLUMN[key.removeprefix(page.P)]
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def test_sample_census_in_one_click_shows_segments_of_at_least_ten():
    at = open_page()
    assert not at.exception
    assert "Upload a census, or try the sample census" in visible_text(at)
    at.button(key=page.P + "sample").click().run()
    assert not at.exception, [e.value for e in at.exception]
    expected = evaluate_census(Scenario(), read_census(SAMPLE.read_bytes()))
    m = metrics(at)
    assert m["Rows read"] == "1,200" and m["Rows with problems"] == "0"
    assert m["Employees"] == fmt.number(expected.total["employees"])
    assert m["Yearly cost"] == fmt.money(expected.total["burden"])
    assert m["Program net benefit"] == fmt.money(expected.total["net_benefit"])
    seg = df_by_key(at, page.P + "segments")
    assert (seg["Employees"] >= 10).all() and seg["Employees"].sum() == 1200
    assert seg["Yearly cost"].sum() == pytest.approx(expected.total["burden"])
    assert "merged into 'other'" in visible_text(at)
    assert any(c.key == page.P + "chart" for c in at.get("plotly_chart"))


def test_use_on_every_page_then_stop():
    at = open_page()
    at.button(key=page.P + "sample").click().run()
    at.button(key=page.P + "use").click().run()
    assert not at.exception
    expected = evaluate_census(Scenario(), read_census(SAMPLE.read_bytes()))
    s = at.session_state[state.SCENARIO_KEY]
    assert s == expected.scenario and s.workforce.employees == 1200
    assert "Every page now uses your workforce: 1,200 employees" in visible_text(at)
    sources = df_by_key(at, page.P + "sources")
    assert set(sources["Comes from"]) == {"your census (1,200 employees)"}
    # the cost page, in a session holding that scenario, shows the census's burden
    cost = open_page("cost", {state.SCENARIO_KEY: s, state.ERRORS_KEY: {}, state.NOTICES_KEY: []})
    assert metrics(cost)["Yearly cost, total"] == fmt.money(expected.total["burden"])
    at.button(key=page.P + "stop").click().run()
    assert at.session_state[state.SCENARIO_KEY] == Scenario()


BROKEN = (b"employee_id,job_family,hourly_wage,age,sex\n"
          + b"".join(f"E{i},Office,30,40,F\n".encode() for i in range(12))
          + b"E1,<script>alert(1)</script>,abc,7,banana\n"
          + b"E99,=HYPERLINK(\"http://evil\"),31,41,M\n")


def test_broken_file_is_reported_and_rows_are_left_out_only_by_choice():
    at = open_page(session={page.FILE_KEY: ("broken.csv", BROKEN)})
    assert not at.exception, [e.value for e in at.exception]
    m = metrics(at)
    assert m["Rows read"] == "14" and m["Rows with problems"] == "2"
    issues = df_by_key(at, page.P + "issues")
    problems = dict(zip(issues["What is wrong"].str.slice(0, 40), issues["First rows"], strict=True))
    assert any(r == "14" for r in problems.values())  # the bad row is named by its spreadsheet row
    text = " ".join(issues["What is wrong"])
    assert "'abc' is not a number" in text and "not a possible working age" in text
    assert "appears more than once" in text and "'banana' is not a recognised value" in text
    assert "never as HTML" in text and "formula" in text
    assert "Nothing is left out without your say-so" in visible_text(at)
    assert not [d for d in at.dataframe if "Net benefit" in d.value.columns]
    # uploaded text never reaches markdown unescaped
    assert "<script>" not in visible_text(at)
    at.checkbox(key=page.EXCLUDE_KEY).check().run()
    assert not at.exception
    assert "2 row(s) with problems excluded" in visible_text(at)
    assert metrics(at)["Employees"] == "12"
    seg = df_by_key(at, page.P + "segments")
    assert seg["Employees"].sum() == 12


@pytest.mark.parametrize("data, expected", [
    (bytes(range(256)) * 10, "not a text"),
    (b"", "the file is empty"),
    (b"foo,bar\n1,2\n", "no column was recognised"),
])
def test_unreadable_file_says_why_and_changes_nothing(data, expected):
    at = open_page(session={page.FILE_KEY: ("upload.bin", data)})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "could not be read as a census" in errors and expected in errors.replace("\\", "")
    assert at.session_state[state.SCENARIO_KEY] == Scenario()


def test_column_mapping_turns_a_file_into_an_aggregated_census():
    data = b"Team,People,Rate\nOffice,40,30\nNurses,60,38\n"
    at = open_page(session={page.FILE_KEY: ("groups.csv", data)})
    assert not at.exception
    at.radio(key=page.KIND_KEY).set_value("aggregated").run()
    assert "missing required column" in " ".join(e.value for e in at.error)
    at.radio(key=page.KIND_KEY).set_value("auto").run()
    at.selectbox(key=page.P + f"col:{len(data)}:1").set_value("headcount").run()
    at.selectbox(key=page.P + f"col:{len(data)}:0").set_value("job_family").run()
    at.selectbox(key=page.P + f"col:{len(data)}:2").set_value("hourly_wage").run()
    assert not at.exception
    assert metrics(at)["Employees"] == "100"
    seg = df_by_key(at, page.P + "segments")
    assert set(seg["Segment"]) == {"Office", "Nurses"}


def test_industry_preset_fills_inputs_and_says_which_values_came_from_it():
    at = open_page()
    at.selectbox(key=page.INDUSTRY_KEY).set_value("health_care").run()
    assert not at.exception
    s = at.session_state[state.SCENARIO_KEY]
    assert s.condition.prevalence == pytest.approx(library().value("condition.prevalence") * 1.32)
    table = df_by_key(at, page.P + "preset-table")
    assert len(table) == 3 and (table["Now"] == "as set by the preset").all()
    assert table["Source"].str.contains("National Institute for Occupational Safety").any()
    at.selectbox(key=page.INDUSTRY_KEY).set_value("").run()
    assert at.session_state[state.SCENARIO_KEY] == Scenario()


def test_preset_under_an_active_census_recomputes_it():
    at = open_page()
    at.button(key=page.P + "sample").click().run()
    at.button(key=page.P + "use").click().run()
    at.selectbox(key=page.INDUSTRY_KEY).set_value("health_care").run()
    assert not at.exception
    base, _ = apply_preset(Scenario(), "health_care")
    expected = evaluate_census(base, read_census(SAMPLE.read_bytes()), industry="health_care")
    assert at.session_state[state.SCENARIO_KEY] == expected.scenario


def test_survey_results_replace_presenteeism_with_the_source_named():
    at = open_page()
    at.number_input(key=page.P + "sv_pres").set_value(30.0)
    at.number_input(key=page.P + "sv_n").set_value(85)
    at.button(key=page.P + "sv_use").click().run()
    assert not at.exception
    s = at.session_state[state.SCENARIO_KEY]
    assert s.condition.presenteeism == pytest.approx(0.30 - 0.215)
    src = df_by_key(at, page.P + "sources")
    assert "your survey (n=85)" in set(src["Comes from"])
    at.number_input(key=page.P + "sv_n").set_value(3)
    at.button(key=page.P + "sv_use").click().run()
    assert "at least 10 are needed" in " ".join(e.value for e in at.error)


def test_page_never_writes_the_upload_to_disk(tmp_path, monkeypatch):
    import builtins

    real_open = builtins.open
    writes = []

    def spy(file, mode="r", *a, **k):
        if any(ch in mode for ch in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    at = open_page(session={page.FILE_KEY: ("c.csv", SAMPLE.read_bytes())})
    at.button(key=page.P + "use").click().run()
    assert not at.exception
    assert [w for w in writes if "census" in w or w.endswith(".csv")] == []
    assert evaluate(at.session_state[state.SCENARIO_KEY]).burden.total > 0
    assert apply_sets  # imported for parity with test_dashboard


def test_report_page_adds_the_segment_table_when_the_census_is_in_use():
    from calculator.dashboard.pages import report

    at = open_page()
    at.button(key=page.P + "sample").click().run()
    at.button(key=page.P + "use").click().run()
    keep = [state.SCENARIO_KEY, state.ERRORS_KEY, state.NOTICES_KEY, page.FILE_KEY, page.ACTIVE_KEY]
    session = {k: at.session_state[k] for k in keep if k in at.session_state}
    rep = open_page("report", session | {"report-draws": 0})
    assert not rep.exception
    expected = evaluate_census(Scenario(), read_census(SAMPLE.read_bytes()))
    n = len(expected.table())
    assert f"the reports add a table of {n} workforce segments" in visible_text(rep)
    # one way only: the report takes the CensusResult itself, as the CLI's report --census does
    data = report.file_bytes(rep.session_state[state.SCENARIO_KEY].model_dump_json(), 0, 1, "json", "results",
                             "sample", expected)
    import json
    assert sum(s["employees"] for s in json.loads(data)["segments"]) == 1200


def test_an_edit_on_another_page_after_the_census_is_flagged():
    at = open_page()
    at.button(key=page.P + "sample").click().run()
    at.button(key=page.P + "use").click().run()
    s = at.session_state[state.SCENARIO_KEY]
    edited = apply_sets(s, [("condition.prevalence", "0.2")])
    assert page.edited_since_census(edited, s) == ["condition.prevalence"]
    assert page.edited_since_census(s, s) == []
    at.session_state[state.SCENARIO_KEY] = edited
    at.run()
    assert not at.exception
    assert "Since your census was applied you changed" in " ".join(w.value for w in at.warning)
