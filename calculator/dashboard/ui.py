"""Shared page pieces: KPI cards with the sanity warnings that concern them, charts, notices."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import plotly.graph_objects as go
import streamlit as st

from calculator.model import Warning as CoreWarning

from . import fmt, state
from .fields import label_for_path

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
    #: scenario paths of the inputs behind the figure: the help names their sources and links to their rows
    sources: tuple[str, ...] = field(default_factory=tuple)


#: Query parameter of the Assumptions page naming the rows a KPI's help linked to (comma-separated paths).
ROW_PARAM = "row"


def sources_help(paths: tuple[str, ...] | list[str]) -> str:
    """Markdown: the sources of these inputs, and a link to their rows on the Assumptions page.

    The link carries the scenario (its share query), so the rows show the values in use.
    """
    table = state.cached_input_table(state.scenario_json(), 0)
    rows = table[table["path"].isin(list(paths))]
    keys = list(dict.fromkeys(k for ks in rows["source_keys"] for k in str(ks).split(";") if k))
    labels = ", ".join(label_for_path(p) for p in paths)
    link = "assumptions?" + urlencode({**state.share_query(), ROW_PARAM: ",".join(paths)})
    cites = "; ".join(dict.fromkeys(fmt.short_citation(k) for k in keys))  # one mention per publication
    return (f"Source: {fmt.md(cites)} (inputs: {fmt.md(labels)}). "
            f"[See these rows on Assumptions & sources]({link})")


def kpi_cards(cards: list[Kpi], warnings: list[CoreWarning]) -> list[CoreWarning]:
    """Bordered metric cards in a wrapping row; each warning is drawn in the card it concerns.

    Returns the warnings no card claimed (draw them with :func:`other_warnings`).
    """
    left = list(warnings)
    row = st.container(horizontal=True, gap="small")
    for card in cards:
        box = row.container(border=True, width=CARD_WIDTH, key=f"kpi-{card.key}" if card.key else None)
        text = "\n\n".join(t for t in (fmt.md(card.help) if card.help else "",
                                          sources_help(card.sources) if card.sources else "") if t)
        box.metric(fmt.md(card.label), card.value, help=text or None,
                   delta=card.note or None, delta_color="off", delta_arrow="off")
        for w in [w for w in left if w.concerns in card.concerns]:
            box.warning(fmt.md(w.message), icon=":material/warning:")
            left.remove(w)
    return left


def other_warnings(warnings: list[CoreWarning]) -> None:
    box = st.container()  # always one element, so later elements keep their place (and state)
    for w in warnings:
        box.warning(fmt.md(w.message), icon=":material/warning:")


def _plain(text: str | None) -> str:
    """Plotly title text as plain text: tags go, white space collapses."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", text or "")).strip()


def chart(fig: go.Figure, key: str) -> None:
    """The figure with its title drawn above it as text (first line bold), not inside the plot.

    Text wraps at any width, so a 390 px phone never cuts a title, and Plotly's toolbar (top right,
    in the small top margin left) never sits over it. The figure passed in is not changed.
    """
    lines = [_plain(t) for t in re.split(r"<br\s*/?>", fig.layout.title.text or "")]
    lines = [t for t in [*lines, _plain(fig.layout.title.subtitle.text)] if t]
    if lines:
        st.markdown("  \n".join([f"**{fmt.md(lines[0])}**", *(fmt.md(t) for t in lines[1:])]))
        fig = go.Figure(fig).update_layout(title=dict(text="", subtitle=dict(text="")),
                                           margin=dict(t=max(36, int((fig.layout.margin.t or 0) - 40))))
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
