r"""Bytes of an uploaded table -> text columns: formats, encodings and every size guard.

Nothing here touches the disk except :func:`read_limited`, which reads a named file (or stdin) and
stops at a byte limit *before* it allocates more. Every other reader takes the bytes the caller
already holds and refuses, with a :class:`CensusError` naming the limit, anything that would grow
beyond it: the upload size, rows, columns, the unpacked size of every member of an .xlsx (shared
strings included, streamed, never inflated whole), the text an .xlsx holds, and the uncompressed size
of a Parquet file.

:func:`read_table` is the one door for *any* uploaded table (census, groups files, claims files):

>>> df = read_table(b"group,members\nA,12\nB,7\n", "groups.csv", max_bytes=1000)
>>> df.to_dict(orient="list"), df.attrs["rows"]
({'group': ['A', 'B'], 'members': ['12', '7']}, [2, 3])
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import guards as _guards

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "MAX_COLUMNS",
    "XLSX_EXPANSION",
    "LABEL_MAX",
    "CensusError",
    "TableError",
    "TextTable",
    "read_limited",
    "read_table",
    "read_text_table",
]

#: Largest upload accepted by default [bytes] (200 MB, the Streamlit upload default too).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Largest number of data rows accepted by default (a hostile "absurd size" guard).
DEFAULT_MAX_ROWS = 5_000_000
#: Most columns accepted.
MAX_COLUMNS = 500
#: Every member of an .xlsx may unpack to at most this many times the byte limit (zip-bomb guard,
#: checked on the declared size before anything is unpacked and again while streaming).
XLSX_EXPANSION = 2
#: Longest label kept [characters]; longer labels are cut and flagged.
LABEL_MAX = 80

class CensusError(ValueError):
    """The file cannot be read as a census at all (every message says why and what to do)."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class TextTable:
    columns: list[str]
    cells: dict[str, pa.Array]  # column -> string array (no nulls)
    rows: np.ndarray  # spreadsheet row number of each data row
    fmt: str
    notes: list[str]
    broken: list[tuple[int, str]]  # (row, message) for rows that could not be split into the columns
    decimal_comma: bool = False


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def _decode(data: bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        notes.append("removed a UTF-8 byte-order mark (BOM) at the start of the file")
        data = data[len(codecs.BOM_UTF8):]
        enc = "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append("read as UTF-16 text (byte-order mark found)")
        enc = "utf-16"
    else:
        head = data[:4096]
        zeros_even, zeros_odd = head[0::2].count(0), head[1::2].count(0)
        if len(head) >= 4 and zeros_odd > len(head) / 4 and zeros_even == 0:
            enc = "utf-16-le"
            notes.append("read as UTF-16 (little-endian) text")
        elif len(head) >= 4 and zeros_even > len(head) / 4 and zeros_odd == 0:
            enc = "utf-16-be"
            notes.append("read as UTF-16 (big-endian) text")
        else:
            enc = "utf-8"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        if enc != "utf-8":
            raise CensusError(f"the file is not valid {enc.upper()} text") from None
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
            name = "Windows-1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            name = "Latin-1"
        notes.append(f"the file is not UTF-8 (first non-UTF-8 byte on line {line}): read it as {name}; "
                     "check accented names, or save the file as 'CSV UTF-8'")
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    if "\x00" in sample or bad > max(8, len(sample) // 100):
        raise CensusError("this is not a text (CSV) file, an Excel workbook (.xlsx) or a Parquet file")
    return text, notes


_DELIMS = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _sniff(text: str, cut: bool | None = None) -> str:
    lines = [ln for ln in text[:65536].splitlines()[:60] if ln.strip()]
    if len(lines) > 1 and (len(text) > 65536 if cut is None else cut):
        lines = lines[:-1]  # the last sampled line may be cut
    best, best_score = ",", (0, 0)
    for d in _DELIMS:
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts)
        score = (agree, counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _header(names: list[str]) -> list[str]:
    out, seen = [], {}
    for i, n in enumerate(names, start=1):
        clean = " ".join(_CONTROL.sub("", str(n if n is not None else "")).split())[:LABEL_MAX]
        clean = clean or f"column {i}"
        if clean in seen:
            raise CensusError(f"the column name {clean!r} appears twice (columns {seen[clean]} and {i}): "
                              "rename one of them")
        seen[clean] = i
        out.append(clean)
    if len(out) > MAX_COLUMNS:
        raise CensusError(f"the file has {len(out):,} columns; at most {MAX_COLUMNS} are accepted")
    return out


def _read_csv(text: str, max_rows: int) -> TextTable:
    notes: list[str] = []
    delim = _sniff(text)
    if delim != ",":
        notes.append(f"columns are separated by {_DELIM_NAMES[delim]}, not commas (detected)")
    try:
        first_line = next(csv.reader(io.StringIO(text, newline=""), delimiter=delim), None)
    except csv.Error as exc:
        raise CensusError(f"the header line cannot be split into columns ({exc})") from None
    if first_line is None or not any(c.strip() for c in first_line):
        raise CensusError("the first line (the header with the column names) is empty")
    columns = _header(first_line)
    table = _read_csv_arrow(text.encode("utf-8"), delim, columns, max_rows)
    if table is None:  # a row did not fit the header, or a cell spans lines: exact line numbers
        table = _read_csv_python(text, delim, columns, max_rows)
    table.notes[:0] = notes
    table.decimal_comma = delim == ";"
    return table


def _read_utf8_csv(data: bytes, max_rows: int) -> TextTable | None:
    """UTF-8 bytes straight to pyarrow, without a decoded copy of the file (memory: issue 10).

    Only a 64 kB sample is decoded, to detect the delimiter and read the header. None when the
    file needs the exact path (not UTF-8, a row that does not fit, a line break inside a cell)."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    head = data[:65536]
    if head[0::2].count(0) or head[1::2].count(0):  # UTF-16 or binary: the exact path says which
        return None
    sample = head.decode("utf-8", errors="ignore")
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        return None
    cut = len(data) > 65536
    if cut and "\n" not in sample:
        return None
    delim = _sniff(sample, cut)
    try:
        first_line = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delim), None)
    except csv.Error:
        return None
    if first_line is None or not any(c.strip() for c in first_line):
        return None
    table = _read_csv_arrow(data, delim, _header(first_line), max_rows)
    if table is not None:
        if delim != ",":
            table.notes.insert(0, f"columns are separated by {_DELIM_NAMES[delim]}, not commas (detected)")
        table.decimal_comma = delim == ";"
    return table


def _read_csv_arrow(raw: bytes, delim: str, columns: list[str], max_rows: int) -> TextTable | None:
    """Fast path (pyarrow, multi-threaded). None when row numbers would not match lines."""
    import pyarrow.csv as pacsv

    broken: list[Any] = []

    def handler(row: Any) -> str:
        broken.append(row)
        return "skip"

    try:
        t = pacsv.read_csv(
            pa.BufferReader(raw),  # zero-copy: no Python-side copies of each block
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(columns))], skip_rows=1,
                                           use_threads=False, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=delim, ignore_empty_lines=False,
                                              newlines_in_values=True, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(columns))},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[]),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if broken:
        return None
    if b'"' in raw:  # only a quoted cell can hold a line break
        for col in t.columns:
            if pc.any(pc.match_substring_regex(col, r"[\r\n]")).as_py():
                return None
    if t.num_rows > max_rows:
        raise CensusError(f"the file has {t.num_rows:,} rows; at most {max_rows:,} are accepted")
    n = t.num_rows
    chunked = list(t.columns)
    del t  # each column's chunks are freed once it is combined: the peak holds one extra column
    cells = {}
    for i, name in enumerate(columns):
        cells[name] = _text_array(chunked[i])
        chunked[i] = None
    return TextTable(columns, cells, np.arange(n, dtype=np.int64) + 2, "csv", [], [])


def _text_array(col: Any) -> pa.Array:
    """One contiguous string array without nulls."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    return pc.fill_null(col, "") if col.null_count else col


def _read_csv_python(text: str, delim: str, columns: list[str], max_rows: int) -> TextTable:
    """Slow, exact path: the csv module, so every row number is the line the row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    next(reader)
    width = len(columns)
    data: list[list[str]] = []
    rows: list[int] = []
    broken: list[tuple[int, str]] = []
    blank = 0
    start = reader.line_num + 1
    try:
        for rec in reader:
            if not any(c.strip() for c in rec):
                blank += 1
            elif len(rec) == width:
                data.append(rec)
                rows.append(start)
            else:
                broken.append((start, f"has {len(rec)} fields but the header has {width}"
                                      + (" (a separator inside an unquoted value? write \"$52,000\" in quotes)"
                                         if len(rec) > width else "")))
            if len(data) > max_rows:
                raise CensusError(f"the file has more than {max_rows:,} rows; at most {max_rows:,} are accepted")
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CensusError(f"line {reader.line_num}: the file cannot be split into columns ({exc})") from None
    cells = {name: pa.array([r[i] for r in data], pa.string()) for i, name in enumerate(columns)}
    notes = [f"skipped {blank:,} blank row(s)"] if blank else []
    return TextTable(columns, cells, np.asarray(rows, dtype=np.int64), "csv", notes, broken)


def _cell_text(v: Any) -> str:
    """An Excel or Parquet cell as text: numbers without trailing zeros, dates as ISO dates."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if hasattr(v, "isoformat"):  # datetime, date, time, pandas Timestamp
        return v.isoformat()
    return str(v)


def _read_parquet(data: bytes, max_bytes: int, max_rows: int) -> TextTable:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        meta = pf.metadata
    except (pa.ArrowException, OSError, ValueError):
        raise CensusError("the Parquet file is damaged and cannot be read") from None
    if meta.num_rows > max_rows:
        raise CensusError(f"the file has {meta.num_rows:,} rows; at most {max_rows:,} are accepted")
    if meta.num_columns > MAX_COLUMNS:
        raise CensusError(f"the file has {meta.num_columns:,} columns; at most {MAX_COLUMNS} are accepted")
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > XLSX_EXPANSION * max_bytes:
        raise CensusError(f"the Parquet file unpacks to {_mb(unpacked)}, more than {XLSX_EXPANSION} x the "
                          f"{_mb(max_bytes)} limit: upload an aggregated file instead")
    try:
        t = pf.read()
    except (pa.ArrowException, OSError, ValueError):
        raise CensusError("the Parquet file is damaged and cannot be read") from None
    columns = _header([str(n) for n in t.column_names])
    cells = {}
    for name, col in zip(columns, t.columns, strict=True):
        typ = col.type
        if pa.types.is_nested(typ):
            raise CensusError(f"column {name!r} holds lists or records; a census needs one value per cell")
        if pa.types.is_dictionary(typ):
            col = col.cast(typ.value_type)
        if pa.types.is_floating(col.type):
            cells[name] = pa.array([_cell_text(v) for v in col.to_pylist()], pa.string())
            continue
        try:
            txt = pc.cast(col, pa.string())
        except (pa.ArrowException, NotImplementedError):
            txt = pa.array([_cell_text(v) for v in col.to_pylist()], pa.string())
        cells[name] = _text_array(txt)
    return TextTable(columns, cells, np.arange(t.num_rows, dtype=np.int64) + 1, "parquet", [], [])


def read_text_table(data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
                    max_rows: int = DEFAULT_MAX_ROWS) -> TextTable:
    """Bytes of a CSV, XLSX or Parquet file -> text columns with row numbers (format from content).

    Rows that cannot be split into the header's columns are kept in :attr:`TextTable.broken`
    (the census reports them as issues); :func:`read_table` refuses them instead."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CensusError("the census must be given as the bytes of a file")
    with _guards.freed_memory_returned():
        return _read_text_table(bytes(data), filename, max_bytes, max_rows)


def _read_text_table(data: bytes, filename: str | None, max_bytes: int, max_rows: int) -> TextTable:
    if len(data) > max_bytes:
        raise CensusError(f"the file is {_mb(len(data))}, over the {_mb(max_bytes)} limit: "
                          "upload an aggregated file (one row per group with a headcount) instead")
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise CensusError("the file is empty")
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04"):
        table = read_xlsx(data, max_bytes, max_rows)
    elif data.startswith(b"PAR1"):
        table = _read_parquet(data, max_bytes, max_rows)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CensusError("this is an old Excel .xls (or another Office) file: save it as .xlsx or CSV")
    elif data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise CensusError("this is a PDF or an image, not a census: upload CSV, .xlsx or Parquet")
    else:
        if name.endswith((".xlsx", ".parquet", ".pq")):
            raise CensusError(f"{filename} is named like an Excel or Parquet file but is not one")
        table = _read_utf8_csv(data, max_rows)
        if table is None:
            text, notes = _decode(data)
            table = _read_csv(text, max_rows)
            table.notes[:0] = notes
    if not table.columns:
        raise CensusError("the file has no columns")
    return table


# ---------------------------------------------------------------------------------------------
# Columns

#: The error any reader here raises (a census is one kind of table).
TableError = CensusError


def read_table(data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
    """Any uploaded table (CSV, XLSX, Parquet) -> a DataFrame of text cells, every guard applied.

    Cells are ``str`` exactly as written ("" when empty): the caller parses values and reports
    problems with its own field names. ``df.attrs``: ``rows`` (spreadsheet row of each data row,
    header = row 1), ``format`` (csv/xlsx/parquet) and ``notes`` (what was detected: encoding,
    delimiter, sheet). Rows that do not fit the header, data beyond the last named column, a size
    over ``max_bytes`` or ``max_rows``, a zip bomb, a binary file: :class:`TableError` naming the
    rows or the limit. Nothing is dropped silently (blank rows are dropped and said in the notes).
    """
    t = read_text_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)
    if t.broken:
        shown = "; ".join(f"row {r} {m}" for r, m in t.broken[:5])
        more = f" (and {len(t.broken) - 5:,} more rows)" if len(t.broken) > 5 else ""
        raise CensusError(f"{len(t.broken):,} row(s) do not fit the header: {shown}{more}")
    df = pd.DataFrame({c: t.cells[c].to_pandas(types_mapper=None).astype(object) for c in t.columns},
                      columns=t.columns)
    blank = (df.apply(lambda s: s.str.strip() == "").all(axis=1) if len(df.columns) else
             pd.Series(False, index=df.index))
    rows = t.rows[~blank.to_numpy()]
    notes = list(t.notes) + ([f"skipped {int(blank.sum()):,} blank row(s)"] if blank.any() else [])
    df = df[~blank.to_numpy()].reset_index(drop=True)
    df.attrs.update(rows=[int(r) for r in rows], format=t.fmt, notes=notes)
    return df


def read_limited(source: str | os.PathLike | BinaryIO, max_bytes: int, what: str = "the file") -> bytes:
    """:func:`calculator.guards.read_limited` raising :class:`CensusError` (stops at ``max_bytes``)."""
    try:
        return _guards.read_limited(source, max_bytes, what)
    except _guards.InputError as exc:
        raise CensusError(str(exc)) from None


from .xlsx import read_xlsx  # noqa: E402  (xlsx.py uses TextTable and CensusError defined above)
