"""How numbers and citations are written on the dashboard: one place, so every page agrees.

These functions format; they never compute a result. Money is US dollars (in the price year of the parameter library),
negative amounts use a true minus sign, percentages are fractions written out as "12.5%".

>>> money(1204225.9), money(-1082.99), money(0.976), pct(-0.0923), months(None, 12)
('$1,204,226', '−$1,083', '$0.98', '−9.2%', 'No payback')
"""

from __future__ import annotations

import math
import re

from calculator import library

MINUS = "\u2212"
DASH = "\u2013"


def _finite(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def money(x: float | None, cents: bool | None = None) -> str:
    """US dollars: whole dollars, or cents when the amount is below $100 (or ``cents=True``)."""
    if not _finite(x):
        return "n/a"
    use_cents = abs(x) < 100 if cents is None else cents
    text = f"${abs(x):,.2f}" if use_cents else f"${abs(x):,.0f}"
    return (MINUS + text) if round(x, 2 if use_cents else 0) < 0 else text


def pct(x: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.081 -> '8.1%'."""
    if not _finite(x):
        return "n/a"
    text = f"{abs(x) * 100:,.{decimals}f}%"
    return (MINUS + text) if round(x * 100, decimals) < 0 else text


def number(x: float | None, decimals: int = 0) -> str:
    """A plain count or quantity with thousands separators."""
    if not _finite(x):
        return "n/a"
    text = f"{abs(x):,.{decimals}f}"
    return (MINUS + text) if round(x, decimals) < 0 else text


def months(m: float | None, horizon: int) -> str:
    """Payback month: 'Month 6', or 'No payback' when it does not pay back within the horizon."""
    if not _finite(m):
        return "No payback"
    return f"Month {int(m)}"


def ratio(x: float | None) -> str:
    """Benefit-cost ratio as dollars back per dollar spent."""
    if not _finite(x):
        return "n/a"
    return f"${x:,.2f} per $1"


def md(text: str) -> str:
    """Escape text for Streamlit markdown (labels, help, captions): no LaTeX from '$', no markup."""
    return re.sub(r"([\\`*_{}\[\]<>#|$~])", r"\\\1", str(text))


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
