"""Neutralise user text before it reaches a spreadsheet, a CSV file or a PDF paragraph.

Spreadsheet applications run a cell as a formula when its text starts with certain characters
(CSV/formula injection, OWASP "CSV Injection"): ``=``, ``+``, ``-``, ``@``, a tab (0x09) or a
carriage return (0x0D), including when the value is opened from a CSV file. Excel in East-Asian
locales also accepts the full-width forms (``＝ ＋ － ＠``), and leading spaces or line breaks
before a trigger are trimmed by some importers, so these are treated as triggers too. A DDE
payload (``=cmd|' /C calc'!A0``) always starts with one of them.

:func:`cell_text` returns text that no spreadsheet will evaluate: when the first non-blank
character is a trigger, a single quote is put in front (OWASP's recommendation; Excel and
LibreOffice show the quote, so nothing is hidden). Control characters that the XLSX format cannot
store are removed, and over-long text is cut to Excel's 32,767-character cell limit.

Only text that came from a user (scenario names, uploaded labels) needs this. Numbers are never
passed through it: ``-1200`` stays a number.

>>> cell_text("=HYPERLINK(\\"http://x\\",\\"click\\")")
'\\'=HYPERLINK("http://x","click")'
>>> cell_text("Default scenario")
'Default scenario'
>>> cell_text("  @SUM(A1)")
"'  @SUM(A1)"
>>> is_dangerous("-2+3"), is_dangerous("2-3")
(True, False)
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["TRIGGERS", "EXCEL_MAX_CHARS", "is_dangerous", "cell_text", "csv_value", "pdf_text"]

#: First characters that make a spreadsheet treat a cell as a formula (or a DDE/command call).
TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

#: The most characters an Excel cell can hold.
EXCEL_MAX_CHARS = 32_767

# XML 1.0 forbids these control characters; openpyxl refuses to write them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters an importer may trim before it looks at the first character.
_BLANKS = " \u00a0\u3000\ufeff"


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet would run ``text`` as a formula (first non-blank char a trigger)."""
    stripped = text.lstrip(_BLANKS)
    return bool(stripped) and (stripped[0] in TRIGGERS or text[:1] in TRIGGERS)


def cell_text(value: Any) -> str:
    """User text made safe for an XLSX or CSV cell (see the module docstring)."""
    text = _ILLEGAL.sub("", "" if value is None else str(value))
    if is_dangerous(text):
        text = "'" + text
    return text[:EXCEL_MAX_CHARS]


def csv_value(value: Any) -> Any:
    """A CSV field: strings are neutralised with :func:`cell_text`, numbers pass unchanged."""
    return cell_text(value) if isinstance(value, str) else value


def pdf_text(value: Any) -> str:
    """User text for a reportlab ``Paragraph``: markup characters escaped, controls removed."""
    return escape(_ILLEGAL.sub("", "" if value is None else str(value)))
