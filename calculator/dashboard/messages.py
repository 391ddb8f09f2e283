"""App messages: user text shown as plain text, and many notices collapsed into one banner.

Streamlit renders every message body as markdown, with GitHub's autolinks: ``http://…`` and
``www.…`` in a link key or a census header would become a live link, ``&quot;`` an entity, ``**`` bold.
:func:`plain` escapes every ASCII punctuation character (CommonMark renders ``\\x`` as ``x``), so
the text shows exactly as typed and nothing in it is markup or a link. :func:`collapse` turns any
number of notices into at most one banner per level, the items listed (the first
:data:`MAX_LISTED`, then a count).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["plain", "collapse", "MAX_LISTED"]

#: Most items listed in one collapsed banner.
MAX_LISTED = 12
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_LEVELS = ("error", "warning", "info", "success")
_WJ = "\u2060"
_AUTOLINK = re.compile(r":/|www\.|@\w", re.I)


def plain(text: object, limit: int = 200) -> str:
    """User text as literal markdown: every ASCII punctuation escaped, newlines as spaces, cut.

    >>> plain("=HYPERLINK(\\"http://x.io\\")").replace("\\u2060", "~")
    '\\\\=HYPERLINK\\\\(\\\\"http\\\\:~\\\\/\\\\/x\\\\.io\\\\"\\\\)'
    """
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    # GitHub's autolinks are found after escapes are resolved, so an invisible word joiner (U+2060)
    # breaks the patterns themselves: "http://", "www." and "@" no longer start a link
    s = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + _WJ + m.group(0)[-1], s)
    return _PUNCT.sub(r"\\\1", s)


def collapse(notices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(level, markdown)`` notices -> one per level (errors first); several become a list."""
    by: dict[str, list[str]] = {}
    for level, text in notices:
        items = by.setdefault(level, [])
        if text not in items:
            items.append(text)
    out = []
    for level in sorted(by, key=lambda lv: _LEVELS.index(lv) if lv in _LEVELS else 9):
        items = by[level]
        if len(items) == 1:
            out.append((level, items[0]))
            continue
        shown = "\n".join(f"- {t}" for t in items[:MAX_LISTED])
        more = f"\n- … and {len(items) - MAX_LISTED:,} more" if len(items) > MAX_LISTED else ""
        out.append((level, f"{len(items):,} notes:\n\n{shown}{more}"))
    return out
