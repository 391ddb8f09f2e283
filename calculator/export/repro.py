"""Same inputs, same bytes: the one timestamp every export carries, and zip packages made stable.

Every format stamps a time somewhere: the PDF's ``/CreationDate`` and document ID, the Office
files' core properties (``dcterms:created``/``modified``) and the time of every zip entry, the
"generated" line of each report. All of them come from :func:`report_time`:

* ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/) when it is set,
  so a build system can pin it;
* otherwise the start of the current UTC day, so two exports of the same scenario made the same
  day are byte-identical (a report is dated, not timed).

:func:`stable_zip` rewrites an OOXML package (xlsx, pptx, docx) with fixed entry times, a fixed
entry order and permissions, and core-property dates set to that time.

>>> import os; os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
>>> report_time().isoformat()
'2023-11-14T22:13:20+00:00'
>>> del os.environ["SOURCE_DATE_EPOCH"]
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import zipfile

__all__ = ["report_time", "stable_zip", "EPOCH_VAR"]

EPOCH_VAR = "SOURCE_DATE_EPOCH"
# Zip timestamps cannot go before 1980 (the DOS epoch).
_ZIP_MIN = _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)


def report_time() -> _dt.datetime:
    """The export time: ``SOURCE_DATE_EPOCH`` if set, else midnight UTC today (see module doc)."""
    raw = os.environ.get(EPOCH_VAR, "").strip()
    if raw:
        try:
            return _dt.datetime.fromtimestamp(int(raw), _dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"{EPOCH_VAR} must be a whole number of seconds since 1970-01-01 UTC; "
                             f"got {raw!r}") from None
    now = _dt.datetime.now(_dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _core_props(data: bytes, when: _dt.datetime) -> bytes:
    stamp = when.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _CORE_DATE.sub(lambda m: m.group(1) + stamp + m.group(3), data)


def stable_zip(data: bytes, when: _dt.datetime) -> bytes:
    """The zip package ``data`` rewritten so that it depends only on its content and ``when``."""
    when = max(when.astimezone(_dt.UTC), _ZIP_MIN)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        # [Content_Types].xml must stay first for some readers; keep the writer's order otherwise.
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _core_props(body, when)
            elif body[:4] == b"PK\x03\x04":  # an embedded package (a chart's workbook in a deck)
                body = stable_zip(body, when)
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 0
            dst.writestr(zi, body, compresslevel=6)
    return out.getvalue()
