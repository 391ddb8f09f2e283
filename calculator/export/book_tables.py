"""Book-of-business tables as files: CSV, Parquet and XLSX written row chunk by row chunk.

A :class:`BookSink` is opened before the run, receives each chunk of group rows as it finishes
(``write``), and is closed at the end or on an interruption (``close``): whatever was written is
then a complete, readable file. User text (group ids, names, statuses) is neutralised for
spreadsheets with :func:`calculator.export.safe.cell_text`.
"""

from __future__ import annotations

import io
import os
from typing import Any

import pandas as pd

from .safe import cell_text

__all__ = ["BOOK_FORMATS", "BookSink", "open_sink", "table_bytes"]

#: Extension -> description of the per-group table formats.
BOOK_FORMATS = {"csv": "CSV (one row per group)", "parquet": "Parquet (one row per group)",
                "xlsx": "Excel workbook (groups and book totals)"}
_TEXT = ("group_id", "name", "status", "industry", "therapy", "perspective", "label")


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in _TEXT:
        if c in out.columns:
            out[c] = out[c].map(cell_text)
    return out


def _cell(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v.item() if hasattr(v, "item") else v


class BookSink:
    """Streams group rows to ``path`` (the extension picks the format)."""

    def __init__(self, path: str):
        self.path = path
        self.ext = os.path.splitext(path)[1].lower().lstrip(".")
        if self.ext not in BOOK_FORMATS:
            raise ValueError(f"{path!r}: the file name must end in "
                             f"{', '.join('.' + e for e in BOOK_FORMATS)} (the extension picks the format)")
        self.rows = 0
        self._fh: Any = None
        self._pq: Any = None
        self._wb: Any = None
        self._ws: Any = None
        self._open()

    def _open(self) -> None:
        if self.ext == "csv":
            self._fh = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
        elif self.ext == "xlsx":
            from openpyxl import Workbook
            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet("Groups")
        else:
            open(self.path, "wb").close()  # fail early on an unwritable path

    def write(self, df: pd.DataFrame) -> None:
        if df.empty and self.rows:
            return
        safe = _safe(df)
        if self.ext == "csv":
            safe.to_csv(self._fh, index=False, header=self.rows == 0)
            self._fh.flush()
        elif self.ext == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq
            table = pa.Table.from_pandas(safe, preserve_index=False)
            if self._pq is None:
                self._pq = pq.ParquetWriter(self.path, table.schema)
            self._pq.write_table(table.cast(self._pq.schema))
        else:
            if self.rows == 0:
                self._ws.append(list(safe.columns))
            for rec in safe.itertuples(index=False):
                self._ws.append([_cell(v) for v in rec])
        self.rows += len(df)

    def close(self, totals: pd.DataFrame | None = None, note: str = "") -> None:
        """Finish the file; an XLSX file also gets a ``Book totals`` sheet."""
        if self.ext == "csv" and self._fh is not None:
            self._fh.close()
        elif self.ext == "parquet":
            if self._pq is not None:
                self._pq.close()
        elif self._wb is not None:
            ws = self._wb.create_sheet("Book totals")
            if note:
                ws.append([cell_text(note)])
            if totals is not None and not totals.empty:
                t = _safe(totals)
                ws.append(list(t.columns))
                for rec in t.itertuples(index=False):
                    ws.append([_cell(v) for v in rec])
            self._wb.save(self.path)
        self._fh = self._pq = self._wb = None


def open_sink(path: str) -> BookSink:
    return BookSink(path)


def table_bytes(groups: pd.DataFrame, totals: pd.DataFrame, ext: str) -> bytes:
    """The whole table in memory (the dashboard's download): csv, parquet or xlsx."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, f"book.{ext}")
        sink = BookSink(path)
        sink.write(groups)
        sink.close(totals)
        with open(path, "rb") as fh:
            return io.BytesIO(fh.read()).getvalue()
