"""How every number is written: one module for the dashboard, the reports and the CLI tables.

Money is US dollars at the parameter library's price year (:data:`PRICE_YEAR`); negative values
carry a true minus sign (U+2212) before the dollar sign (``−$1,083``); percentages are fractions
written out; a payback that is not reached within the horizon is spelled "never"; counts get
thousands separators; quantities such as days are rounded for display (``5.4 days``, never
``5.39662``). These functions format only: they never compute a result.

>>> money(1204225.9), money(-1082.99), money(0.976), money(-1_234_567, short=True)
('$1,204,226', '−$1,083', '$0.98', '−$1.2M')
>>> pct(-0.0923), pct(0.5912, 0, signed=True), payback(None), payback(6.0), number(1234.6)
('−9.2%', '+59%', 'never', 'month 6', '1,235')
>>> quantity(5.39662), quantity(0.0412), quantity(1234.0)
('5.4', '0.041', '1,234')
"""

from __future__ import annotations

import math

__all__ = ["MINUS", "DASH", "PRICE_YEAR", "NEVER", "finite", "money", "pct", "number", "quantity",
           "payback", "ratio", "interval", "axis_money"]

MINUS = "\u2212"
DASH = "\u2013"
#: Price year of every dollar figure: the parameter library's (calculator.evidence.PRICE_YEAR).
from .evidence import PRICE_YEAR  # noqa: E402

#: What a payback month reads when the program does not pay back within the horizon.
NEVER = "never"


def finite(x: float | None) -> bool:
    """True for a real, finite number (not None, NaN or infinity)."""
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _sign(text: str, negative: bool, signed: bool = False) -> str:
    return (MINUS + text) if negative else (("+" + text) if signed else text)


def money(x: float | None, cents: bool | None = None, *, short: bool = False) -> str:
    """US dollars: whole dollars, cents below $100 (or ``cents=True``); ``short``: ``$2.5B``, ``$1.2M``, ``$840k``."""
    if not finite(x):
        return "n/a"
    x = float(x)
    a = abs(x)
    if short and a >= 999_500_000:
        text = f"${a / 1e9:,.1f}B" if a < 9.95e9 else f"${a / 1e9:,.0f}B"
        return _sign(text.replace(".0B", "B"), x < 0)
    if short and a >= 999_500:
        text = f"${a / 1e6:,.1f}M" if a < 9.95e6 else f"${a / 1e6:,.0f}M"
        return _sign(text.replace(".0M", "M"), x < 0)
    if short and a >= 9_999.5:
        return _sign(f"${a / 1e3:,.0f}k", x < 0)
    use_cents = a < 100 if cents is None else cents
    text = f"${a:,.2f}" if use_cents else f"${a:,.0f}"
    return _sign(text, round(x, 2 if use_cents else 0) < 0)


def pmpm(x: float | None) -> str:
    """A per-member-per-month amount, to a tenth of a cent: '$0.283', '−$0.328' (never '$-0.328').

    >>> pmpm(0.2834), pmpm(-0.3281), pmpm(-0.0001)
    ('$0.283', '−$0.328', '$0.000')
    """
    if not finite(x):
        return "n/a"
    x = float(x)
    return _sign(f"${abs(x):,.3f}", round(x, 3) < 0)


def pct(x: float | None, decimals: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.081 -> '8.1%'; ``signed`` puts '+' before gains."""
    if not finite(x):
        return "n/a"
    x = float(x)
    r = round(x * 100, decimals)
    return _sign(f"{abs(x) * 100:,.{decimals}f}%", r < 0, signed and r > 0)


def number(x: float | None, decimals: int = 0) -> str:
    """A count or quantity with thousands separators: 1234.5 -> '1,235'."""
    if not finite(x):
        return "n/a"
    x = float(x)
    return _sign(f"{abs(x):,.{decimals}f}", round(x, decimals) < 0)


def quantity(x: float | None, significant: int = 2) -> str:
    """A measured quantity rounded for display: at least ``significant`` figures, no false precision."""
    if not finite(x):
        return "n/a"
    x = float(x)
    if x == 0:
        return "0"
    digits = max(0, significant - 1 - math.floor(math.log10(abs(x))))
    return number(x, digits)


def payback(month: float | None) -> str:
    """Payback: 'month 6', or 'never' when it is not reached within the horizon."""
    return f"month {int(month)}" if finite(month) else NEVER


def ratio(x: float | None) -> str:
    """Benefit-cost ratio as dollars back per dollar spent: '$1.42 per $1'."""
    return "n/a" if not finite(x) else f"{money(x, cents=True)} per $1"


def interval(low: float | None, high: float | None, kind: str = "pct") -> str:
    """'−12.0% to +35.1%' (percent) or '−$1,200 to $3,400' (money); en dash free, reads aloud."""
    if kind == "pct":
        return f"{pct(low, signed=True)} to {pct(high, signed=True)}"
    return f"{money(low)} to {money(high)}"


def per_qaly_interval(low: float | None, high: float | None, note: str = "") -> str:
    """A cost-per-QALY interval: '$6,068 to $230,992'; a negative bound (dominant draws) reads 'dominant';
    'n/a' when there is none. ``note`` is :func:`calculator.cea.cost_per_qaly_interval`'s reason for
    giving none, shown in short ('none: not every draw gains QALYs' / 'none: no draw gains QALYs').

    >>> per_qaly_interval(float("nan"), float("nan"), "no ratio interval: no draw gains QALYs (...)")
    'none: no draw gains QALYs'

    >>> per_qaly_interval(-10682.8, 119489.1), per_qaly_interval(float("nan"), float("nan"))
    ('dominant to $119,489', 'n/a')
    >>> per_qaly_interval(-900.0, -10.0)
    'dominant (whole interval)'
    """
    if note:
        return "none: no draw gains QALYs" if "no draw gains" in note else "none: not every draw gains QALYs"
    if not (finite(low) and finite(high)):
        return "n/a"
    if high < 0:
        return "dominant (whole interval)"
    show = lambda v: "dominant" if v < 0 else money(v, cents=False)  # noqa: E731
    return f"{show(low)} to {show(high)}"


def axis_money(x: float) -> str:
    """A chart tick: '$1.2M', '$840k', '$500', '−$2M' (short, so ticks never overlap)."""
    return money(x, cents=False, short=True)
