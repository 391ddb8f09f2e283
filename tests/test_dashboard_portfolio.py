"""The Book of business page, headless (AppTest): the sample book's KPIs and tables equal calculator.book."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from calculator.book import read_groups, run
from calculator.dashboard import fmt
from calculator.uncertainty import DEFAULT_SEED

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_groups.csv"


def _page_app() -> None:
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default="portfolio"), position="top"))


def test_sample_book_runs_and_matches_the_engine():
    at = AppTest.from_function(_page_app, default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Book of business"
    assert not at.metric  # nothing shown before a run
    at.selectbox(key="book-draws").set_value(1000)
    at.button(key="book-run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    expected = run(read_groups(SAMPLE.read_bytes(), SAMPLE.name), 1000, DEFAULT_SEED)
    head = expected.totals.iloc[0]
    m = {x.label: x.value for x in at.metric}
    assert m["Book net benefit"] == fmt.money(head["net_benefit_mean"])
    assert m["Book comes out ahead"] == fmt.pct(head["prob_net_positive"], 0)
    assert m["Book ROI"] == fmt.pct(head["roi_mean"], 0)
    groups = at.dataframe[1].value
    assert len(groups) == 50 and list(groups["Group"]) == list(expected.groups["group_id"])
    assert groups["P(ROI > 0)"].tolist() == expected.groups["prob_roi_positive"].tolist()
    # plan PMPM: the book's member-weighted figure and each group's interval (issue 12 with issue 9)
    assert m["Book plan PMPM"] == fmt.money(head["pmpm_base"], cents=True)
    assert groups["Plan PMPM 5%"].tolist() == expected.groups["pmpm_p5"].tolist()
    assert groups["Plan PMPM 95%"].tolist() == expected.groups["pmpm_p95"].tolist()
    # a changed setting says the results are stale until the next run
    at.number_input(key="book-seed").set_value(7).run()
    assert any("settings changed" in i.value for i in at.info)
