"""The Uncertainty page, driven headless with Streamlit's AppTest. Expected numbers come from
``calculator.uncertainty`` / ``calculator.sensitivity`` themselves, formatted the page's way."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from calculator import Scenario, apply_sets, evaluate
from calculator.dashboard import fmt
from calculator.dashboard.pages.uncertainty import chance, pays_sentence
from calculator.sensitivity import compare_presets
from calculator.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, psa

TIMEOUT = 60


def _page_app(page: str) -> None:
    """The same frame as app.py, opened on one page (AppTest cannot switch to callable pages)."""
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default=page), position="top"))


def open_page(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_function(_page_app, args=("uncertainty",), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at: AppTest) -> str:
    return " | ".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_page()


def test_page_renders_the_calculator_numbers(page):
    assert not page.exception, [e.value for e in page.exception]
    r = psa(Scenario(), DEFAULT_DRAWS, DEFAULT_SEED, monthly=True)
    m = metrics(page)
    assert m["Chance it pays for itself"] == chance(r.probability("roi_positive"))
    assert m["Pays back in the plan year"] == chance(r.probability("payback_12_months"))
    sm = r.summary.set_index("outcome")
    assert m["Net benefit, median"] == fmt.money(sm.at["net_benefit", "median"])
    deltas = {d.label: d.delta for d in page.metric if hasattr(d, "delta")}
    assert deltas["Net benefit, median"] == (
        f"{fmt.money(sm.at['net_benefit', 'p5'])} to {fmt.money(sm.at['net_benefit', 'p95'])}")
    assert m["ROI, median"] == fmt.pct(sm.at["roi", "median"])
    assert m["Value of better evidence"] == fmt.money(r.evpi["per_employee"])
    assert fmt.md(pays_sentence(r.probability("roi_positive"), DEFAULT_DRAWS)) in markdown(page)


def test_page_shows_every_chart_and_the_presets_side_by_side(page):
    keys = {c.key for c in page.get("plotly_chart")}
    assert keys == {"chart-unc-net", "chart-unc-roi", "chart-unc-fan", "chart-unc-tornado",
                    "chart-unc-breakeven", "chart-unc-pbest"}
    presets = next(df.value for df in page.dataframe if "Preset" in df.value.columns)
    expected = compare_presets(Scenario())
    assert presets["Preset"].tolist() == ["Conservative", "Base", "Optimistic", "High impact"]
    assert presets["Net benefit"].tolist() == pytest.approx(expected["net_benefit"].tolist())
    assert presets.loc[presets["Preset"] == "Base", "Net benefit"].iloc[0] == pytest.approx(
        evaluate(Scenario()).program.net_benefit)


def test_no_variable_names_in_visible_text(page):
    visible = markdown(page) + " ".join(c.value for c in page.caption) + " ".join(m.label for m in page.metric)
    assert not re.search(r"\b(workforce|condition|translation|analysis|programs\.\d)\.[a-z_]+", visible)
    assert "_" not in " ".join(m.label for m in page.metric)


def test_seed_and_draws_controls_rerun_the_simulation():
    at = open_page()
    at.number_input(key="unc-seed").set_value(7).run()
    at.selectbox(key="unc-draws").set_value(1_000).run()
    assert not at.exception
    r = psa(Scenario(), 1_000, 7)
    assert metrics(at)["Chance it pays for itself"] == chance(r.probability("roi_positive"))
    assert "Seed 7" in " ".join(c.value for c in at.caption)
    assert "of 1,000 simulations" in markdown(at)


def test_holding_every_input_fixed_collapses_to_the_base_case():
    at = open_page()
    at.multiselect(key="unc-fixed").set_value(_sampled_inputs()).run()
    assert not at.exception
    p = evaluate(Scenario()).program
    assert metrics(at)["Chance it pays for itself"] == ("100%" if p.roi > 0 else "0%")
    assert metrics(at)["Net benefit, median"] == fmt.money(p.net_benefit)
    assert metrics(at)["Value of better evidence"] == fmt.money(0.0)


def _sampled_inputs() -> list[str]:
    """Every input the default scenario draws (the multiselect's option values)."""
    from calculator.uncertainty import uncertainty_table

    t = uncertainty_table(Scenario())
    return list(t.loc[t["sampled"], "input"])


def test_a_zero_effect_scenario_never_pays():
    at = open_page({"programs.0.effect_size": "0"})
    assert not at.exception
    assert metrics(at)["Chance it pays for itself"] == "0%"
    assert f"In none of {DEFAULT_DRAWS:,} simulations does the program pay for itself." in markdown(at)


def test_the_other_break_even_map_and_outcome_render():
    at = open_page()
    at.selectbox(key="unc-map-pair").set_value(at.selectbox(key="unc-map-pair").options[1]).run()
    at.segmented_control(key="unc-tornado-outcome").set_value("net_benefit").run()
    assert not at.exception


def test_page_follows_the_scenario_from_the_other_pages():
    s = apply_sets(Scenario(), [("programs.0.uptake", "0.25")])
    at = open_page({"programs.0.uptake": "0.25"})
    r = psa(s, DEFAULT_DRAWS, DEFAULT_SEED)
    assert metrics(at)["Chance it pays for itself"] == chance(r.probability("roi_positive"))


def test_words():
    assert chance(0.8312) == "83%" and chance(0.003) == "under 1%" and chance(0.9991) == "over 99%"
    assert pays_sentence(0.83, 10_000) == ("In 83% of 10,000 simulations the program pays for itself; "
                                           "in the others it costs more than it saves.")
    assert pays_sentence(1.0, 500) == "In all 500 simulations the program pays for itself."
