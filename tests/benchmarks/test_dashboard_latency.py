"""Rerun latency of the dashboard after a widget change (target: under 300 ms at default settings).

Run: ``python -m pytest tests/benchmarks/test_dashboard_latency.py -p no:cacheprovider``. Each round
changes an input to a value not seen before, so the cached core call misses and the figure includes
evaluating the model, rendering the page and serialising its charts (AppTest runs the script in
process; a real browser adds network and drawing time on the client).
"""

from __future__ import annotations

import itertools

import pytest
from streamlit.testing.v1 import AppTest

from calculator import library
from calculator.dashboard import state


def _page_app(page: str) -> None:
    import streamlit as st

    from calculator.dashboard import shell
    from calculator.dashboard.registry import PAGES

    shell.frame(st.navigation(shell.pages(PAGES, default=page), position="top"))


def _values(path: str):
    if path.endswith(".therapy"):
        return itertools.cycle(list(library().therapies))
    if path.endswith(".uptake"):
        return (10 + i / 100 for i in itertools.count(1))
    return (1000 + i for i in itertools.count(1))


@pytest.mark.parametrize("page, path", [
    ("cost", "workforce.employees"),
    ("roi", "programs.0.uptake"),
    ("compare", "programs.0.therapy"),
], ids=["cost-headcount", "roi-uptake", "compare-therapy"])
def test_rerun_after_a_widget_change(benchmark, page, path):
    at = AppTest.from_function(_page_app, args=(page,), default_timeout=60).run()
    key = state.widget_key(path)
    values = _values(path)
    kind = "selectbox" if path.endswith(".therapy") else "number_input"

    def change() -> None:
        getattr(at, kind)(key=key).set_value(next(values)).run()

    change()  # warm-up: imports, first chart build
    benchmark.pedantic(change, rounds=15, iterations=1)
    assert not at.exception
