"""Shared page pieces: KPI cards with the sanity warnings that concern them, charts, notices."""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go
import streamlit as st

from calculator.model import Warning as CoreWarning

from . import fmt, state

#: Plotly toolbar: keep the image download, drop the editing tools.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}
#: Width of a KPI card [px]; cards wrap onto more rows on narrow screens.
CARD_WIDTH = 230


@dataclass(frozen=True)
class Kpi:
    label: str  #: plain words
    value: str  #: already formatted
    help: str = ""  #: what it means, in plain words
    concerns: tuple[str, ...] = field(default_factory=tuple)  #: result paths whose warnings belong here
    key: str = ""  #: stable id: the card container gets the CSS class ``st-key-kpi-<key>``
    note: str = ""  #: a short second line under the value (e.g. "110% of the trial effect")


def kpi_cards(cards: list[Kpi], warnings: list[CoreWarning]) -> list[CoreWarning]:
    """Bordered metric cards in a wrapping row; each warning is drawn in the card it concerns.

    Returns the warnings no card claimed (draw them with :func:`other_warnings`).
    """
    left = list(warnings)
    row = st.container(horizontal=True, gap="small")
    for card in cards:
        box = row.container(border=True, width=CARD_WIDTH, key=f"kpi-{card.key}" if card.key else None)
        box.metric(fmt.md(card.label), card.value, help=fmt.md(card.help) if card.help else None,
                   delta=card.note or None, delta_color="off", delta_arrow="off")
        for w in [w for w in left if w.concerns in card.concerns]:
            box.warning(fmt.md(w.message), icon=":material/warning:")
            left.remove(w)
    return left


def other_warnings(warnings: list[CoreWarning]) -> None:
    box = st.container()  # always one element, so later elements keep their place (and state)
    for w in warnings:
        box.warning(fmt.md(w.message), icon=":material/warning:")


def chart(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def stale_banner() -> None:
    """Say so when an input is invalid and the results shown are those of the last valid inputs."""
    box = st.container()  # always one element, so later elements keep their place (and state)
    if state.has_errors():
        box.error("Some inputs are not valid (see the messages beside them). The results below use your "
                 "last valid inputs.", icon=":material/error:")


def header(title: str, intro: str) -> None:
    st.title(title)
    st.markdown(intro)
