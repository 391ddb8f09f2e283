"""Stream the first sheet of an .xlsx into text columns, never inflating a member whole.

An .xlsx is a zip of XML members. A hostile one is small on the wire and huge unpacked (a 1 MB
file whose shared strings unpack to 1 GB). The guards, in order:

1. every member's *declared* unpacked size is at most :data:`XLSX_EXPANSION` x the byte limit
   (checked before anything is unpacked);
2. members are streamed in 64 KB chunks through expat, counting the bytes actually unpacked
   (a member that lies about its size is stopped at the same cap, and zipfile checks the CRC);
3. a document type declaration (DTD, the door to entity expansion) is refused;
4. the sheet is read first, keeping shared-string cells as indices; then only the shared strings
   the sheet uses are kept, so unused strings cost nothing;
5. the text the sheet holds, once shared strings are resolved, may not exceed the byte limit (the
   same budget a CSV of the same content has).

Cells beyond the last header column are an error naming the rows, as in a CSV.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Callable
from xml.parsers import expat

import numpy as np
import pyarrow as pa

from .files import MAX_COLUMNS, XLSX_EXPANSION, CensusError, TextTable, _header, _mb

__all__ = ["read_xlsx", "XLSX_CELL_MAX", "XLSX_TEXT_RATIO"]

_CHUNK = 1 << 16
#: Excel's own limit on the characters of one cell: a longer string is not from a real workbook.
XLSX_CELL_MAX = 32_767
#: The text a workbook holds may be at most this many times its size on the wire (and at most the
#: byte limit): a real census .xlsx holds 5-30 x its size as text (repeated job titles), a bomb 1,000 x.
XLSX_TEXT_RATIO = 100
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# built-in number formats that are dates or times (ECMA-376 18.8.30)
_DATE_IDS = set(range(14, 18)) | {22} | set(range(27, 37)) | set(range(50, 59))
_TIME_IDS = set(range(18, 22)) | {45, 46, 47}
_EPOCH = dt.datetime(1899, 12, 30)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _stream(zf: zipfile.ZipFile, name: str, cap: int, start: Callable, end: Callable,
            text: Callable | None = None) -> None:
    """Parse one member with expat in chunks; stop at ``cap`` unpacked bytes; refuse a DTD."""
    info = zf.getinfo(name)
    if info.file_size > cap:
        raise CensusError(f"the workbook member {name} unpacks to {_mb(info.file_size)}, more than the "
                          f"{_mb(cap)} allowed ({XLSX_EXPANSION} x the upload limit): save the census sheet "
                          "alone as CSV")
    p = expat.ParserCreate(namespace_separator="}")

    def no_dtd(*_a: object) -> None:
        raise CensusError("the workbook contains a document type declaration (DTD), which a real .xlsx "
                          "never has: save it again from Excel")

    p.StartDoctypeDeclHandler = no_dtd
    p.EntityDeclHandler = no_dtd
    p.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    p.EndElementHandler = lambda tag: end(_local(tag))
    if text is not None:
        p.CharacterDataHandler = text
    p.buffer_text = True
    total = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                total += len(chunk)
                if total > cap:
                    raise CensusError(f"the workbook member {name} unpacks to more than {_mb(cap)}: save the "
                                      "census sheet alone as CSV")
                p.Parse(chunk, False)
        p.Parse(b"", True)
    except expat.ExpatError as exc:
        raise CensusError(f"the workbook member {name} is not valid XML ({expat.errors.messages[exc.code]}, "
                          f"line {exc.lineno}): save the file again") from None
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise CensusError(f"the workbook is damaged ({name}: {exc}): save it again as .xlsx or CSV") from None


def _first_sheet(zf: zipfile.ZipFile, cap: int) -> tuple[str, str, int]:
    """(path of the first worksheet, its name, how many sheets) from workbook.xml and its rels."""
    sheets: list[tuple[str, str]] = []
    rels: dict[str, str] = {}

    def wb_start(tag: str, a: dict) -> None:
        if tag == "sheet":
            sheets.append((a.get("name", ""), a.get(f"{_REL_NS}}}id", a.get("r:id", ""))))

    _stream(zf, "xl/workbook.xml", cap, wb_start, lambda t: None)
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        _stream(zf, "xl/_rels/workbook.xml.rels", cap,
                lambda t, a: rels.__setitem__(a.get("Id", ""), a.get("Target", "")) if t == "Relationship" else None,
                lambda t: None)
    if not sheets:
        raise CensusError("the workbook has no sheet")
    name, rid = sheets[0]
    target = rels.get(rid, "worksheets/sheet1.xml")
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in zf.namelist():
        raise CensusError(f"the workbook's first sheet ({name!r}) is missing from the file: save it again")
    return path, name, len(sheets)


def _date_styles(zf: zipfile.ZipFile, cap: int) -> list[str]:
    """Per cell style index: '' (plain), 'date' or 'time'."""
    if "xl/styles.xml" not in zf.namelist():
        return []
    custom: dict[int, str] = {}
    xfs: list[int] = []
    depth = {"cellXfs": False}

    def start(tag: str, a: dict) -> None:
        if tag == "numFmt":
            custom[int(a.get("numFmtId", "0") or 0)] = a.get("formatCode", "")
        elif tag == "cellXfs":
            depth["cellXfs"] = True
        elif tag == "xf" and depth["cellXfs"]:
            xfs.append(int(a.get("numFmtId", "0") or 0))

    def end(tag: str) -> None:
        if tag == "cellXfs":
            depth["cellXfs"] = False

    _stream(zf, "xl/styles.xml", cap, start, end)
    out = []
    for fid in xfs:
        if fid in _TIME_IDS:
            out.append("time")
        elif fid in _DATE_IDS:
            out.append("date")
        elif fid in custom:
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", custom[fid]).lower()
            has_date, has_time = bool(re.search(r"[dy]|m(?!m?:)", code)), bool(re.search(r"[hs]", code))
            out.append("date" if has_date else "time" if has_time else "")
        else:
            out.append("")
    return out


def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


def _number_text(v: str, style: str) -> str:
    try:
        x = float(v)
    except ValueError:
        return v
    if not math.isfinite(x):
        return v
    if style and 0 <= x < 2958466:  # Excel's last date is 9999-12-31
        # Excel counts 1900-02-29, a day that never was: serials before it start a day later
        when = _EPOCH + dt.timedelta(days=x + (1 if x < 60 else 0))
        return when.time().isoformat() if style == "time" and x < 1 else when.isoformat()
    return repr(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


class _Sheet:
    """Expat handlers for a worksheet: rows of (column, text or shared-string index)."""

    def __init__(self, styles: list[str], max_rows: int):
        self.styles, self.max_rows = styles, max_rows
        self.rows: list[tuple[int, list[tuple[int, str | int]]]] = []
        self.cur: list[tuple[int, str | int]] = []
        self.rnum = 0
        self.cell: dict | None = None
        self.buf: list[str] = []
        self.grab = False
        self.col = -1
        self.size = 0

    def start(self, tag: str, a: dict) -> None:
        if tag == "row":
            self.rnum = int(a["r"]) if a.get("r", "").isdigit() else self.rnum + 1
            self.cur, self.col = [], -1
        elif tag == "c":
            ref = a.get("r", "")
            self.col = _col_index(ref) if ref[:1].isalpha() else self.col + 1
            self.cell, self.buf, self.size = a, [], 0
        elif tag in ("v", "t") and self.cell is not None:
            self.grab = True

    def text(self, data: str) -> None:
        if self.grab:
            self.buf.append(data)
            self.size += len(data)
            if self.size > XLSX_CELL_MAX:
                raise CensusError(f"row {self.rnum}: a cell is longer than Excel's {XLSX_CELL_MAX:,}-character "
                                  "limit: this is not a workbook saved by Excel")

    def end(self, tag: str) -> None:
        if tag in ("v", "t"):
            self.grab = False
        elif tag == "c" and self.cell is not None:
            self._cell()
        elif tag == "row":
            if self.cur:
                self.rows.append((self.rnum, self.cur))
                if len(self.rows) > self.max_rows + 1:
                    raise CensusError(f"the sheet has more than {self.max_rows:,} rows; at most "
                                      f"{self.max_rows:,} are accepted")

    def _cell(self) -> None:
        a, raw = self.cell, "".join(self.buf)
        self.cell = None
        if self.col >= MAX_COLUMNS * 4:
            raise CensusError(f"row {self.rnum} has a value in column {self.col + 1:,}; at most {MAX_COLUMNS} "
                              "columns are accepted")
        kind = a.get("t", "n")
        if kind == "s":
            if not raw.strip().isdigit() or not raw.strip().isascii():
                raise CensusError(f"row {self.rnum}: a shared-string cell refers to {raw[:20]!r}: save the file again")
            self.cur.append((self.col, int(raw)))
            return
        if kind == "b":
            val = "TRUE" if raw.strip() == "1" else "FALSE"
        elif kind in ("n", "") and raw:
            s = a.get("s", "0")
            style = self.styles[int(s)] if s.isdigit() and int(s) < len(self.styles) else ""
            val = _number_text(raw, style)
        else:  # str, inlineStr, e (error such as #N/A), d (ISO date)
            val = raw
        if val:
            self.cur.append((self.col, val))


def _shared(zf: zipfile.ZipFile, cap: int, wanted: set[int], budget: int) -> dict[int, str]:
    """Only the shared strings the sheet uses (phonetic runs skipped)."""
    if "xl/sharedStrings.xml" not in zf.namelist():
        return {}
    out: dict[int, str] = {}
    st = {"i": -1, "buf": [], "grab": False, "ph": 0, "len": 0, "kept": 0}
    last = max(wanted)

    def start(tag: str, a: dict) -> None:
        if tag == "si":
            st["i"] += 1
            st["buf"], st["len"] = [], 0
            if st["i"] > last:  # every string the sheet uses is read: stop unpacking
                raise _Done
        elif tag == "rPh":
            st["ph"] += 1
        elif tag == "t" and not st["ph"] and st["i"] in wanted:
            st["grab"] = True

    def end(tag: str) -> None:
        if tag == "t":
            st["grab"] = False
        elif tag == "rPh":
            st["ph"] -= 1
        elif tag == "si" and st["i"] in wanted:
            out[st["i"]] = "".join(st["buf"])
            st["kept"] += st["len"]
            if st["kept"] > budget:
                raise CensusError(f"the workbook's text is more than {_mb(budget)} ({XLSX_TEXT_RATIO} x its size, "
                                  "at most the upload limit): save the census sheet alone as CSV")

    def text(data: str) -> None:
        if st["grab"]:
            st["buf"].append(data)
            st["len"] += len(data)
            if st["len"] > XLSX_CELL_MAX:
                raise CensusError(f"shared string {st['i']:,} is longer than Excel's {XLSX_CELL_MAX:,}-character "
                                  "cell limit: this is not a workbook saved by Excel")

    try:
        _stream(zf, "xl/sharedStrings.xml", cap, start, end, text)
    except _Done:
        pass
    return out


class _Done(Exception):
    """Raised inside a parser callback to stop reading a member early (nothing more is needed)."""


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise CensusError("the file looks like a zip archive but is damaged: save it again as .xlsx or CSV") from None
    if "xl/workbook.xml" not in zf.namelist():
        raise CensusError("the zip file is not an Excel workbook (.xlsx)")
    return zf


def _check_members(zf: zipfile.ZipFile, cap: int) -> None:
    """Every member's declared unpacked size under the cap, read or not (before anything unpacks)."""
    for info in zf.infolist():
        if info.file_size > cap:
            raise CensusError(f"the workbook member {info.filename[:80]} unpacks to {_mb(info.file_size)}, more "
                              f"than the {_mb(cap)} allowed ({XLSX_EXPANSION} x the upload limit): save the "
                              "census sheet alone as CSV")


def read_xlsx(data: bytes, max_bytes: int, max_rows: int) -> TextTable:
    """The first sheet of an .xlsx as text columns (see the module's guards)."""
    zf = _open(data)
    cap = XLSX_EXPANSION * max_bytes
    _check_members(zf, cap)
    path, title, n_sheets = _first_sheet(zf, cap)
    sheet = _Sheet(_date_styles(zf, cap), max_rows)
    _stream(zf, path, cap, sheet.start, sheet.end, sheet.text)
    wanted = {v for _, cells in sheet.rows for _, v in cells if isinstance(v, int)}
    budget = min(max_bytes, XLSX_TEXT_RATIO * len(data))
    strings = _shared(zf, cap, wanted, budget) if wanted else {}
    missing = wanted - strings.keys()
    if missing:
        raise CensusError(f"the sheet refers to {len(missing):,} shared string(s) the workbook does not have: "
                          "save it again")
    notes = [f"read the first sheet, {title!r}, of {n_sheets}"] if n_sheets > 1 else []
    return _table(sheet.rows, strings, budget, notes)


def _table(rows: list, strings: dict[int, str], max_bytes: int, notes: list[str]) -> TextTable:
    """Header = first non-empty row; cells beyond it are errors naming the rows; text budget."""
    if not rows:
        raise CensusError("the workbook's first sheet is empty")
    budget = 0
    hnum, hcells = rows[0]
    width = max(c for c, _ in hcells) + 1
    head = [""] * width
    for c, v in hcells:
        head[c] = strings[v] if isinstance(v, int) else v
    while head and not head[-1].strip():
        head.pop()
    header = _header(head)
    body: list[list[str]] = []
    nums: list[int] = []
    beyond: list[int] = []
    for rnum, cells in rows[1:]:
        texts = [""] * len(header)
        over = False
        for c, v in cells:
            s = strings[v] if isinstance(v, int) else v
            budget += len(s) + 1
            if c >= len(header):
                over = over or bool(s.strip())
                continue
            texts[c] = s
        if budget > max_bytes:
            raise CensusError(f"the sheet holds more than {_mb(max_bytes)} of text ({XLSX_TEXT_RATIO} x the "
                              "file's size, at most the upload limit): save an aggregated file instead")
        if over:
            beyond.append(rnum)
        elif any(t.strip() for t in texts):
            body.append(texts)
            nums.append(rnum)
    broken = [(r, f"has values beyond the last named column ({len(header)} columns in the header on row {hnum}); "
                  "name the column or delete the values") for r in beyond]
    if hnum > 1:
        notes.append(f"the header is on row {hnum}")
    cells = {n: pa.array([r[i] for r in body], pa.string()) for i, n in enumerate(header)}
    return TextTable(header, cells, np.asarray(nums, np.int64), "xlsx", notes[:5], broken)
