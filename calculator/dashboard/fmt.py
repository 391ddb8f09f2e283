"""How numbers and citations are written on the dashboard: one place, so every page agrees.

Numbers are written by :mod:`calculator.fmt` (re-exported here); this module adds what only the
dashboard needs: markdown escaping and short citations.

>>> money(1204225.9), money(-1082.99), money(0.976), pct(-0.0923), months(None, 12)
('$1,204,226', '−$1,083', '$0.98', '−9.2%', 'never')
"""

from __future__ import annotations

import re

from calculator import library

# The number formats live in calculator.fmt (one module for pages, reports and the CLI).
from calculator.fmt import DASH, MINUS, NEVER, PRICE_YEAR, interval, money, number, pct, quantity, ratio  # noqa: F401
from calculator.fmt import payback as _payback


def months(m: float | None, horizon: int | None = None) -> str:
    """Payback month as every page writes it: 'month 6', or 'never' within the horizon."""
    return _payback(m)


def md(text: str) -> str:
    """Escape text for Streamlit markdown (labels, help, captions): no LaTeX from '$', no markup."""
    return re.sub(r"([\\`*_{}\[\]<>#|$~])", r"\\\1", str(text))


def label(text: str) -> str:
    """A widget label: markdown-escaped like :func:`md`, except that a lone '$' stays as it is.

    One '$' cannot start LaTeX (that needs a pair), and an escaped one would reach the field's
    accessible name as a literal backslash ("Price per session (\\$)").

    >>> label("Price per session ($)"), label("From $1 to $2") == md("From $1 to $2")
    ('Price per session ($)', True)
    """
    out = md(text)
    return out.replace("\\$", "$") if str(text).count("$") <= 1 else out


def short_citation(key: str) -> str:
    """'Luckhaupt et al. 2019' for a reference key; 'project assumption' for the assumption key."""
    if key == "assumption":
        return "project assumption"
    ref = library().references[key]
    first = ref.authors.split(";")[0].split(",")[0].strip()
    personal = re.fullmatch(r"[A-Za-z\u00C0-\u017F'\- ]+ [A-Z]{1,3}", first)
    if personal:
        surname = first.rsplit(" ", 1)[0]
        many = "," in ref.authors or "et al" in ref.authors
        return f"{surname}{' et al.' if many else ''} {ref.year}"
    org = re.sub(r"\s*\(.*$", "", first)
    return f"{org} {ref.year}"


def citations(keys: tuple[str, ...] | list[str]) -> str:
    """Short citations joined: 'Luckhaupt et al. 2019; Shmagel et al. 2016'."""
    return "; ".join(short_citation(k) for k in keys)


PROVENANCE_WORDS = {
    "VERIFIED": "checked against the source",
    "DERIVED": "derived from the sources",
    "ASSUMPTION": "an assumption",
    "RECALLED": "recalled, not yet re-checked",
}
