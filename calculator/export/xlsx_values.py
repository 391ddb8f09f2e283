"""Cached values for every formula of a workbook, so that readers which do not calculate see results.

openpyxl writes a formula with an empty value. Excel recalculates on opening, but pandas,
``openpyxl(data_only=True)``, e-mail previews and phone viewers read the cached value and show a
blank or NaN. :func:`with_cached_values` evaluates the written workbook with the ``formulas``
engine (a pure-Python Excel calculator; the same engine tests/test_export_xlsx.py checks against
``calculator``) and stores each result next to its formula (``<c><f>..</f><v>result</v></c>``,
typed ``str``/``b``/``e`` for text, TRUE/FALSE and errors such as ``#N/A``). The formulas stay
live: a spreadsheet still recalculates them.

It takes about 4 s for a 12-month workbook (loading the model is most of it).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import tempfile
import zipfile
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["computed_values", "with_cached_values"]

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v>\s*</v>)?</c>', re.S)


def computed_values(data: bytes) -> dict[tuple[str, str], Any]:
    """``{(SHEET TITLE UPPER-CASE, "B7"): value}`` for every single cell the engine computes."""
    import formulas

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "w.xlsx")
        with open(path, "wb") as fh:
            fh.write(data)
        with contextlib.redirect_stderr(io.StringIO()):  # the engine draws progress bars
            sol = formulas.ExcelModel().loads(path).finish().calculate()
    out: dict[tuple[str, str], Any] = {}
    for key, rng in sol.items():
        m = re.fullmatch(r"'\[w\.xlsx\](.+)'!([A-Z]+[0-9]+)", key)
        if m:
            v = rng.value[0][0]
            out[(m.group(1), m.group(2))] = v.item() if hasattr(v, "item") else v
    return out


def _value_xml(v: Any) -> tuple[bytes, bytes] | None:
    """(type attribute, <v> text) for a computed value, or None to leave the cell as it is."""
    import formulas

    if isinstance(v, formulas.functions.XlError):
        return b' t="e"', str(v).encode()
    if isinstance(v, bool):
        return b' t="b"', b"1" if v else b"0"
    if isinstance(v, (int, float)):
        f = float(v)
        return (b"", repr(f).encode()) if math.isfinite(f) else (b' t="e"', b"#NUM!")
    if isinstance(v, str):
        return b' t="str"', escape(v).encode("utf-8")
    return None  # empty


def _sheet_files(z: zipfile.ZipFile) -> dict[str, str]:
    """``{"xl/worksheets/sheet3.xml": "BURDEN"}`` from the workbook and its relationships."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    target = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    target |= {m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    out = {}
    for m in re.finditer(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        t = target[m.group(2)].lstrip("/")
        out[t if t.startswith("xl/") else "xl/" + t] = m.group(1).replace("&amp;", "&").replace("&apos;", "'").upper()
    return out


def with_cached_values(data: bytes) -> bytes:
    """The workbook ``data`` with the engine's result cached in every formula cell."""
    values = computed_values(data)
    src = zipfile.ZipFile(io.BytesIO(data))
    sheets = _sheet_files(src)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            title = sheets.get(info.filename)
            if title is not None:
                def fill(m: re.Match, title: str = title) -> bytes:
                    xml = _value_xml(values.get((title, m.group(1).decode())))
                    if xml is None:
                        return m.group(0)
                    attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(2))
                    return (b'<c r="' + m.group(1) + b'"' + attrs + xml[0] + b"><f>" + m.group(3)
                            + b"</f><v>" + xml[1] + b"</v></c>")
                body = _CELL.sub(fill, body)
            dst.writestr(info, body)
    return out.getvalue()
