"""The employer's own workforce: read, validate and segment a census; evaluate it per segment.

A census is a table of employees (one row each) or of groups (one row per group, with a
``headcount`` column), from a CSV, XLSX or Parquet file given as **bytes**: nothing here reads or
writes the disk, so the dashboard never stores an upload. The flow:

1. :func:`read_table` turns the bytes into text columns (encoding, BOM, delimiter and format are
   detected; the size limit, empty files, binary files and absurd sizes are refused with a
   :class:`CensusError`).
2. :func:`read_census` maps the columns to known *fields* (auto-detected from their names, or
   ``column_map={"Pay Rate": "hourly_wage"}``) and validates every value. Each problem becomes an
   :class:`Issue` naming the code, the column, the value, how many rows and which rows (``row`` is
   the spreadsheet row: the header is row 1). ``error`` rows cannot be used as they are; the caller
   chooses to exclude them or to fix the file (:func:`evaluate_census` refuses until one is
   chosen). ``warning`` rows are used with the interpretation stated in the message.
3. :func:`evaluate_census` fills what the census lacks from the scenario (and presets), builds one
   cell per age band x sex x job family (x industry, x location), runs the vectorised model once
   over all cells, adds the cells up to the requested segments and merges any segment under the
   minimum group size (``census.min_group_size``, 10) into "other". It also returns the
   *census-equivalent scenario*: one average affected employee whose burden and program results
   equal the sum over segments (exactly for money under human-capital valuation), so every other
   page and command can use the census through an ordinary :class:`~calculator.Scenario`.

Fields (all optional; anything missing takes the scenario's value): ``employee_id``,
``headcount``, ``job_family``, ``industry``, ``location``, ``hourly_wage`` [USD/h],
``annual_salary`` [USD/yr], ``pay`` (hourly or annual, inferred from the values), ``weekly_hours``,
``annual_hours``, ``hours`` (weekly or annual, inferred), ``fte``, ``age`` [years], ``age_band``,
``sex``.

>>> c = read_census(b'job,age,sex,salary\\nNurse,52,F,"$61,000"\\nClerk,29,M,41000\\n')
>>> c.kind, c.columns["annual_salary"], c.data["annual_pay"].tolist()
('employee', 'salary', [61000.0, 41000.0])
>>> c.data["age_band"].tolist(), c.data["job_preset"].tolist()
(['45-64', 'under 45'], ['patient_care', 'desk'])
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .evidence import library
from .finance import roi as _roi
from .model import Result, build_inputs, evaluate
from .presets import AGE_BANDS, AppliedValue, PresetError, match_preset, preset, presets, relative_prevalence
from .program import simulate
from .scenario import Scenario, ScenarioError, apply_sets, build, to_dict

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "FIELDS",
    "DEFAULT_BY",
    "CensusError",
    "Census",
    "CensusResult",
    "SurveyResults",
    "read_table",
    "detect_columns",
    "parse_column_map",
    "read_census",
    "segment_cells",
    "evaluate_census",
    "census_scenario",
    "parse_survey",
    "apply_survey",
    "safe_label",
    "min_group_size",
]

#: Largest upload accepted by default [bytes] (200 MB, the Streamlit upload default too).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Largest number of data rows accepted by default (a hostile "absurd size" guard).
DEFAULT_MAX_ROWS = 5_000_000
#: Most columns accepted.
MAX_COLUMNS = 500
#: An .xlsx may expand to at most this many times the size limit when unzipped (zip-bomb guard).
XLSX_EXPANSION = 10
#: Longest label kept [characters]; longer labels are cut and flagged.
LABEL_MAX = 80

# Validation thresholds. These are plausibility bounds for raw HR data, not evidence: they decide
# whether an amount looks hourly or annual, and which ages and hours are impossible.
#: Pay at or below this looks hourly [USD/h]; $500/h is about $1 million a year.
HOURLY_MAX = 500.0
#: Pay at or above this looks annual [USD/yr]; between HOURLY_MAX and this the unit is unclear.
ANNUAL_MIN = 5_000.0
#: Largest annual salary accepted [USD/yr] (the scenario's own bound).
ANNUAL_MAX = 10_000_000.0
#: Weekly hours above this are impossible [h/week] (and look annual at >= ANNUAL_HOURS_MIN).
WEEKLY_HOURS_MAX = 100.0
#: Annual hours: smallest that looks annual, and largest accepted [h/yr].
ANNUAL_HOURS_MIN, ANNUAL_HOURS_MAX = 200.0, 4_000.0
#: Largest FTE accepted [ratio].
FTE_MAX = 1.5
#: Working ages accepted [years].
AGE_MIN, AGE_MAX = 14, 100
#: Largest headcount of one aggregated row.
HEADCOUNT_MAX = 10_000_000

#: Segment dimensions used by default (those the census has).
DEFAULT_BY = ("job_family", "age_band", "sex")
SEGMENT_DIMS = ("job_family", "age_band", "sex", "industry", "location")

#: Fields a census column can be mapped to, with a description and the names auto-detected.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "employee_id": ("employee identifier (checked for duplicates, never shown)",
                    ("employee_id", "employee_number", "employee_no", "emp_id", "empid", "id", "staff_id",
                     "person_id", "personnel_number", "worker_id", "badge", "badge_number")),
    "headcount": ("number of employees in the row (aggregated files)",
                  ("headcount", "head_count", "employees", "count", "n", "number_of_employees", "num_employees",
                   "staff_count", "fte_count_headcount", "n_employees")),
    "job_family": ("job family or occupation",
                   ("job_family", "jobfamily", "occupation", "job", "job_title", "title", "role", "position",
                    "job_category", "job_group", "occupation_group", "job_function", "function")),
    "industry": ("industry of the employee's unit", ("industry", "sector", "naics", "business_line")),
    "location": ("site, office, state or region", ("location", "site", "office", "state", "region", "city",
                                                   "work_location", "country", "facility", "branch")),
    "hourly_wage": ("hourly wage [USD/h]", ("hourly_wage", "hourly_rate", "hourly_pay", "wage_rate", "rate",
                                            "pay_rate", "base_rate", "hourly", "rate_per_hour")),
    "annual_salary": ("annual salary [USD/yr]", ("annual_salary", "salary", "annual_pay", "base_salary",
                                                 "annual_wage", "yearly_salary", "annual_base", "salary_usd",
                                                 "annual_compensation", "base_pay")),
    "pay": ("pay, hourly or annual: the unit is inferred from the values",
            ("pay", "wage", "wages", "compensation", "earnings", "pay_amount")),
    "weekly_hours": ("hours worked per week", ("weekly_hours", "hours_per_week", "hours_week", "week_hours",
                                               "standard_weekly_hours", "scheduled_weekly_hours", "hrs_per_week")),
    "annual_hours": ("hours worked per year", ("annual_hours", "hours_per_year", "yearly_hours")),
    "hours": ("hours, weekly or annual: the unit is inferred from the values",
              ("hours", "work_hours", "standard_hours", "scheduled_hours", "contract_hours")),
    "fte": ("full-time equivalent (1 = full time)", ("fte", "fte_ratio", "full_time_equivalent", "fte_percent")),
    "age": ("age [years] (an age band is accepted too)", ("age", "age_years", "employee_age", "age_in_years")),
    "age_band": ("age band such as 25-34, 55+ or under 25", ("age_band", "ageband", "age_group", "age_range",
                                                             "age_bracket", "age_category")),
    "sex": ("sex or gender (F, M, or other / not given)", ("sex", "gender", "sex_gender")),
}
_PAY_FIELDS = ("hourly_wage", "annual_salary", "pay")
_HOURS_FIELDS = ("annual_hours", "weekly_hours", "hours", "fte")


class CensusError(ValueError):
    """The file cannot be read as a census at all (every message says why and what to do)."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def min_group_size() -> int:
    """Smallest segment shown on its own [employees] (parameter ``census.min_group_size``)."""
    return int(library().value("census.min_group_size"))


# ---------------------------------------------------------------------------------------------
# Text that came from the file


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HTML = re.compile(r"<\s*[a-zA-Z!/]|&#?[a-zA-Z0-9]+;|javascript:", re.I)


def _show(value: Any, limit: int = 40) -> str:
    """A value from the file for a message: quoted, control characters escaped, cut to ``limit``."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def safe_label(text: str) -> tuple[str, list[str]]:
    """A label from the file made safe to show and export, and what was changed.

    Control characters are removed, spaces collapsed, the text cut to :data:`LABEL_MAX`
    characters; a label that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets
    a leading apostrophe. HTML stays as plain text (flagged ``html``): callers render it as text.

    >>> safe_label("=HYPERLINK(\\"http://x\\")")
    ('\\'=HYPERLINK("http://x")', ['formula'])
    >>> safe_label("<script>alert(1)</script>")[1]
    ['html']
    """
    changes: list[str] = []
    clean = _CONTROL.sub("", str(text))
    clean = " ".join(clean.split())
    if len(clean) > LABEL_MAX:
        clean = clean[: LABEL_MAX - 1] + "…"
        changes.append("long")
    if clean.startswith(_FORMULA_START):
        clean = "'" + clean
        changes.append("formula")
    if _HTML.search(clean):
        changes.append("html")
    return clean, changes


# ---------------------------------------------------------------------------------------------
# Issues


@dataclass(frozen=True)
class Issue:
    """One problem, for one value of one column (rows with the same value are grouped)."""

    code: str
    severity: str  # "error": the row cannot be used as it is; "warning": used as the message says
    field: str
    column: str
    value: str
    count: int
    rows: tuple[int, ...]  # the first rows (spreadsheet numbering) that have it
    message: str


_ISSUE_COLUMNS = [f.name for f in dataclasses.fields(Issue)]
_MAX_ROWS_LISTED = 10
_MAX_VALUES_LISTED = 25


class _Report:
    """Collects issues and the per-row error/warning masks."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.error = np.zeros(len(rows), dtype=bool)
        self.warning = np.zeros(len(rows), dtype=bool)
        self.items: list[Issue] = []

    def add(self, mask: np.ndarray, *, code: str, severity: str, field: str, column: str,
            values: Any, message: Callable[[str], str], extra: Callable[[str], str] | None = None) -> None:
        """Flag the rows in ``mask``; one :class:`Issue` per distinct value (the most frequent first)."""
        mask = np.asarray(mask, dtype=bool)
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        (self.error if severity == "error" else self.warning)[idx] = True
        if values is None:
            raw = [""] * idx.size
        elif hasattr(values, "take") and not isinstance(values, np.ndarray):
            raw = values.take(pa.array(idx)).to_pylist()
        else:
            raw = list(np.asarray(values, dtype=object)[idx])
        codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=False)
        counts = np.bincount(codes, minlength=len(uniques))
        order = np.argsort(-counts, kind="stable")
        for k in order[:_MAX_VALUES_LISTED]:
            where = idx[codes == k]
            text = message(_show(uniques[k])) + (extra(str(uniques[k])) if extra else "")
            self.items.append(Issue(code, severity, field, column, str(uniques[k])[:200], int(counts[k]),
                                    tuple(int(r) for r in self.rows[where[:_MAX_ROWS_LISTED]]), text))
        if len(order) > _MAX_VALUES_LISTED:
            rest = np.isin(codes, order[_MAX_VALUES_LISTED:])
            where = idx[rest]
            self.items.append(Issue(code, severity, field, column, "(other values)", int(rest.sum()),
                                    tuple(int(r) for r in self.rows[where[:_MAX_ROWS_LISTED]]),
                                    message(f"{len(order) - _MAX_VALUES_LISTED} more values")))

    def frame(self) -> pd.DataFrame:
        if not self.items:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in _ISSUE_COLUMNS})
        df = pd.DataFrame([dataclasses.asdict(i) for i in self.items], columns=_ISSUE_COLUMNS)
        df["first_row"] = [r[0] if r else 0 for r in df["rows"]]
        df = df.sort_values(["severity", "first_row"], key=lambda s: s.map({"error": 0, "warning": 1})
                            if s.name == "severity" else s, kind="stable")
        return df.drop(columns="first_row").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Reading bytes into text columns


@dataclass
class _Table:
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


def _sniff(text: str) -> str:
    lines = [ln for ln in text[:65536].splitlines()[:60] if ln.strip()]
    if len(lines) > 1 and len(text) > 65536:
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


def _read_csv(text: str, max_rows: int) -> _Table:
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
    table = _read_csv_arrow(text, delim, columns, max_rows)
    if table is None:  # a row did not fit the header, or a cell spans lines: exact line numbers
        table = _read_csv_python(text, delim, columns, max_rows)
    table.notes[:0] = notes
    table.decimal_comma = delim == ";"
    return table


def _read_csv_arrow(text: str, delim: str, columns: list[str], max_rows: int) -> _Table | None:
    """Fast path (pyarrow, multi-threaded). None when row numbers would not match lines."""
    import pyarrow.csv as pacsv

    broken: list[Any] = []

    def handler(row: Any) -> str:
        broken.append(row)
        return "skip"

    try:
        t = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(columns))], skip_rows=1),
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
    if '"' in text:  # only a quoted cell can hold a line break
        for col in t.columns:
            if pc.any(pc.match_substring_regex(col, r"[\r\n]")).as_py():
                return None
    if t.num_rows > max_rows:
        raise CensusError(f"the file has {t.num_rows:,} rows; at most {max_rows:,} are accepted")
    cells = {name: _text_array(t.column(i)) for i, name in enumerate(columns)}
    return _Table(columns, cells, np.arange(t.num_rows, dtype=np.int64) + 2, "csv", [], [])


def _text_array(col: Any) -> pa.Array:
    """One contiguous string array without nulls."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    return pc.fill_null(col, "")


def _read_csv_python(text: str, delim: str, columns: list[str], max_rows: int) -> _Table:
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
    return _Table(columns, cells, np.asarray(rows, dtype=np.int64), "csv", notes, broken)


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


def _read_xlsx(data: bytes, max_bytes: int, max_rows: int) -> _Table:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise CensusError("reading .xlsx files needs the openpyxl package: pip install openpyxl") from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        expanded = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise CensusError("the file looks like a zip archive but is damaged: save it again as .xlsx or CSV") from None
    if expanded > XLSX_EXPANSION * max_bytes:
        raise CensusError(f"the workbook unpacks to {_mb(expanded)}, more than {XLSX_EXPANSION} x the "
                          f"{_mb(max_bytes)} limit: save the census sheet alone as CSV")
    if "xl/workbook.xml" not in zf.namelist():
        raise CensusError("the zip file is not an Excel workbook (.xlsx)")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise CensusError(f"the Excel workbook cannot be opened ({type(exc).__name__}): save it again") from None
    notes: list[str] = []
    try:
        ws = wb.worksheets[0]
        if len(wb.worksheets) > 1:
            notes.append(f"read the first sheet, {ws.title!r}, of {len(wb.worksheets)}")
        header: list[str] | None = None
        header_row = 0
        body: list[list[str]] = []
        rows: list[int] = []
        for rnum, values in enumerate(ws.iter_rows(values_only=True), start=1):
            texts = [_cell_text(v) for v in values]
            if header is None:
                if any(t.strip() for t in texts):
                    while texts and not texts[-1].strip():
                        texts.pop()
                    header = _header(texts)
                    header_row = rnum
                continue
            if not any(t.strip() for t in texts):
                continue
            if len(texts) > len(header) and any(t.strip() for t in texts[len(header):]):
                texts = texts[: len(header)]
                notes.append(f"row {rnum} has values beyond the last named column; they were not read")
            texts += [""] * (len(header) - len(texts))
            body.append(texts)
            rows.append(rnum)
            if len(body) > max_rows:
                raise CensusError(f"the sheet has more than {max_rows:,} rows; at most {max_rows:,} are accepted")
    finally:
        wb.close()
    if header is None:
        raise CensusError("the workbook's first sheet is empty")
    if header_row > 1:
        notes.append(f"the header is on row {header_row}")
    cells = {n: pa.array([r[i] for r in body], pa.string()) for i, n in enumerate(header)}
    return _Table(header, cells, np.asarray(rows, np.int64), "xlsx", notes[:5], [])


def _read_parquet(data: bytes, max_rows: int) -> _Table:
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
    return _Table(columns, cells, np.arange(t.num_rows, dtype=np.int64) + 1, "parquet", [], [])


def read_table(data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_rows: int = DEFAULT_MAX_ROWS) -> _Table:
    """Bytes of a CSV, XLSX or Parquet file -> text columns with row numbers (format from content)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CensusError("the census must be given as the bytes of a file")
    data = bytes(data)
    if len(data) > max_bytes:
        raise CensusError(f"the file is {_mb(len(data))}, over the {_mb(max_bytes)} limit: "
                          "upload an aggregated file (one row per group with a headcount) instead")
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise CensusError("the file is empty")
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data, max_bytes, max_rows)
    elif data.startswith(b"PAR1"):
        table = _read_parquet(data, max_rows)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CensusError("this is an old Excel .xls (or another Office) file: save it as .xlsx or CSV")
    elif data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise CensusError("this is a PDF or an image, not a census: upload CSV, .xlsx or Parquet")
    else:
        if name.endswith((".xlsx", ".parquet", ".pq")):
            raise CensusError(f"{filename} is named like an Excel or Parquet file but is not one")
        text, notes = _decode(data)
        table = _read_csv(text, max_rows)
        table.notes[:0] = notes
    if not table.columns:
        raise CensusError("the file has no columns")
    return table


# ---------------------------------------------------------------------------------------------
# Columns


def _norm_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


_AUTO_ORDER = ("employee_id", "headcount", "hourly_wage", "annual_salary", "pay", "annual_hours",
               "weekly_hours", "fte", "hours", "age_band", "age", "sex", "job_family", "industry", "location")


def detect_columns(names: Iterable[str], column_map: Mapping[str, str] | None = None) -> dict[str, str]:
    """Field -> column, from the user's map first, then from the column names.

    ``column_map`` maps a *column* of the file to a field (or to ``"ignore"``); it wins over
    auto-detection. Unknown fields and columns raise :class:`CensusError` listing what exists.

    >>> detect_columns(["Emp ID", "Job Title", "Annual Salary", "Gender", "Age"])
    {'employee_id': 'Emp ID', 'annual_salary': 'Annual Salary', 'age': 'Age', 'sex': 'Gender', 'job_family': 'Job Title'}
    """
    names = list(names)
    out: dict[str, str] = {}
    taken: set[str] = set()
    for src, dst in (column_map or {}).items():
        match = src if src in names else next((n for n in names if _norm_name(n) == _norm_name(src)), None)
        if match is None:
            raise CensusError(f"--column-map: the file has no column {src!r}; its columns are: "
                              f"{', '.join(repr(n) for n in names)}")
        dst = dst.strip().lower()
        if dst in ("ignore", "skip", "none", ""):
            taken.add(match)
            continue
        if dst not in FIELDS:
            raise CensusError(f"--column-map: {dst!r} is not a census field; use one of: "
                              f"{', '.join(FIELDS)} (or 'ignore')")
        if dst in out:
            raise CensusError(f"--column-map: two columns ({out[dst]!r} and {match!r}) are mapped to {dst!r}")
        out[dst] = match
        taken.add(match)
    normed = {n: _norm_name(n) for n in names if n not in taken}
    for fld in _AUTO_ORDER:
        if fld in out:
            continue
        for n, nn in normed.items():
            if n not in taken and nn in FIELDS[fld][1]:
                out[fld] = n
                taken.add(n)
                break
    # looser matches for columns still unmapped ("Base Salary (USD)", "Weekly hours worked" ...)
    loose = (("annual_salary", r"salary"), ("hourly_wage", r"hourly"), ("weekly_hours", r"week.*hour|hour.*week"),
             ("age_band", r"age_?(band|group|range)"), ("job_family", r"job|occupation"), ("sex", r"gender|sex"),
             ("headcount", r"headcount|head_count"), ("pay", r"wage|pay"))
    for fld, pattern in loose:
        if fld in out:
            continue
        for n, nn in normed.items():
            if n not in taken and re.search(pattern, nn):
                out[fld] = n
                taken.add(n)
                break
    if "pay" in out and ("hourly_wage" in out or "annual_salary" in out) and not (
            column_map and out["pay"] in column_map):
        taken.discard(out.pop("pay"))
    return out


def parse_column_map(text: str | None, option: str = "--column-map") -> dict[str, str]:
    """``"Pay Rate=hourly_wage,Dept=job_family"`` -> dict (the CLI's ``--column-map`` and ``--job-map``)."""
    out: dict[str, str] = {}
    if not text:
        return out
    for item in (i for i in re.split(r",(?=[^,=]+=)", text) if i.strip()):
        src, eq, dst = item.partition("=")
        if not eq or not src.strip() or not dst.strip():
            raise CensusError(f"{option} needs NAME=VALUE pairs separated by commas, got {item.strip()!r}")
        out[src.strip()] = dst.strip()
    return out


# ---------------------------------------------------------------------------------------------
# Values


_NUM = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NUM_RE = re.compile(_NUM)
_DATE_RE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$|"
                      r"^\d{1,2}[- ](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[- ]\d{2,4}$|"
                      r"^\d{1,2}:\d{2}(?::\d{2})?$", re.I)
_CURRENCY_RE = re.compile(r"[$€£¥\s\u00a0\u202f]|usd|eur|gbp|/\s*(?:hr|h|hour|yr|year|annum)$|per\s+(?:hour|year)$", re.I)
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_THOUSANDS_OTHER = re.compile(r"^[+-]?\d{1,3}(?:['’_]\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")

def _distinct(a: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of a string array (checks run once per distinct value)."""
    enc = a.dictionary_encode()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


# codes of _parse_numbers
OK, MISSING, NOT_NUMBER, DATE, FORMULA, CLEANED = 0, 1, 2, 3, 4, 5


def _parse_one(text: str, decimal_comma: bool, percent_ok: bool) -> tuple[float, int]:
    """A messy number: currency, thousands separators, accounting negatives, 'k', '%'."""
    t = text.strip()
    if t.startswith(("=", "@")) or (t.startswith(("+", "-")) and re.search(r"[A-Za-z(]", t)):
        return math.nan, FORMULA
    if _DATE_RE.match(t):
        return math.nan, DATE
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1]
    pct = t.endswith("%")
    if pct:
        if not percent_ok:
            return math.nan, NOT_NUMBER
        t = t[:-1]
    t = _CURRENCY_RE.sub("", t)
    mult = 1.0
    if t[-1:] in ("k", "K") and _NUM_RE.match(t[:-1]):
        mult, t = 1000.0, t[:-1]
    if _THOUSANDS_COMMA.match(t) and not (decimal_comma and _DECIMAL_COMMA.match(t)):
        t = t.replace(",", "")
    elif _THOUSANDS_OTHER.match(t):
        t = re.sub(r"['’_]", "", t)
    elif decimal_comma and _THOUSANDS_DOT.match(t):
        t = t.replace(".", "").replace(",", ".")
    elif decimal_comma and _DECIMAL_COMMA.match(t):
        t = t.replace(",", ".")
    if not _NUM_RE.match(t):
        return math.nan, NOT_NUMBER
    v = float(t) * mult * (-1 if neg else 1) / (100.0 if pct else 1.0)
    if not math.isfinite(v):
        return math.nan, NOT_NUMBER
    return v, CLEANED


def _parse_numbers(raw: pa.Array, decimal_comma: bool = False, percent_ok: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Text column -> (float values, codes): vectorised for clean numbers, per distinct value otherwise."""
    n = len(raw)
    values = np.full(n, np.nan)
    codes = np.zeros(n, dtype=np.int8)
    arr = pc.utf8_trim_whitespace(raw)
    empty = pc.equal(arr, "").to_numpy(zero_copy_only=False)
    clean = pc.match_substring_regex(arr, _NUM).to_numpy(zero_copy_only=False)
    if decimal_comma:  # "1,234" in a semicolon file is one-point-two-three-four
        clean &= ~pc.match_substring(arr, ",").to_numpy(zero_copy_only=False)
    if clean.any():
        values[clean] = pc.cast(arr.filter(pa.array(clean)), pa.float64()).to_numpy(zero_copy_only=False)
    codes[empty] = MISSING
    rest = np.flatnonzero(~clean & ~empty)
    if rest.size and not decimal_comma:  # "$52,000.00", "USD 41 000": vectorised cleaning first
        sub = pc.replace_substring_regex(arr.take(pa.array(rest)), r"^[+-]?\$|[$€£\s\x{00a0}\x{202f}]|^USD", "")
        sub = pc.if_else(pc.match_substring_regex(sub, r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"),
                         pc.replace_substring(sub, ",", ""), sub)
        ok = pc.match_substring_regex(sub, _NUM).to_numpy(zero_copy_only=False)
        sign = pc.starts_with(arr.take(pa.array(rest)), "-").to_numpy(zero_copy_only=False)
        if ok.any():
            v = pc.cast(sub.filter(pa.array(ok)), pa.float64()).to_numpy(zero_copy_only=False)
            idx = rest[ok]
            values[idx] = np.where(sign[ok] & (v > 0), -v, v)
            codes[idx] = CLEANED
        rest = rest[~ok]
    if rest.size:
        ucodes, uniques = _distinct(arr.take(pa.array(rest)))
        parsed = [_parse_one(u, decimal_comma, percent_ok) for u in uniques]
        uv = np.array([p[0] for p in parsed], dtype=float)
        uc = np.array([p[1] for p in parsed], dtype=np.int8)
        values[rest] = uv[ucodes]
        codes[rest] = uc[ucodes]
    bad = ~np.isfinite(values) & (codes == OK)
    values[bad], codes[bad] = np.nan, NOT_NUMBER
    return values, codes


_SEX_MAP = {
    "F": ("f", "female", "woman", "women", "w", "frau", "femme", "girl", "fem"),
    "M": ("m", "male", "man", "men", "mann", "homme", "boy", "masc"),
    "U": ("", "u", "x", "o", "d", "other", "non binary", "nonbinary", "non-binary", "diverse", "unknown",
          "not known", "not stated", "not specified", "unspecified", "prefer not to say", "declined",
          "decline to state", "n/a", "na", "none", "undisclosed", "intersex", "genderqueer", "another gender"),
}
_SEX_LOOKUP = {v: k for k, vals in _SEX_MAP.items() for v in vals}


def _band_of_age(age: float) -> str:
    return AGE_BANDS[0] if age < 45 else (AGE_BANDS[1] if age < 65 else AGE_BANDS[2])


_BAND_PATTERNS = (
    (re.compile(r"^(\d{1,3})\s*(?:-|–|—|to|bis)\s*(\d{1,3})(?:\s*(?:years|yrs|y))?$"), "range"),
    (re.compile(r"^(\d{1,3})\s*(?:\+|and over|and older|or older|plus|& over|or more|and above)$"), "from"),
    (re.compile(r"^(?:under|<|less than|below|younger than|up to)\s*(\d{1,3})$"), "under"),
    (re.compile(r"^(?:over|>|above|older than|>=|at least)\s*(\d{1,3})$"), "over"),
)


def _parse_band(text: str) -> tuple[str | None, str]:
    """An age band -> (model band or None, problem: '' | 'impossible' | 'unknown')."""
    t = " ".join(str(text).strip().lower().split())
    if t in ("", "unknown", "n/a", "na", "not given", "undisclosed", "prefer not to say"):
        return "unknown", ""
    if _NUM_RE.match(t):
        a = float(t)
        return (_band_of_age(a), "") if AGE_MIN <= a <= AGE_MAX else (None, "impossible")
    for pattern, kind in _BAND_PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        nums = [int(g) for g in m.groups()]
        if kind == "range":
            lo, hi = nums
            if lo > hi or lo < AGE_MIN - 4 or hi > AGE_MAX:
                return None, "impossible"
            return _band_of_age((lo + hi) / 2), ""
        (x,) = nums
        if not AGE_MIN <= x <= AGE_MAX:
            return None, "impossible"
        return _band_of_age(x if kind in ("from", "over") else x - 1), ""
    if t in (b.lower() for b in AGE_BANDS):
        return next(b for b in AGE_BANDS if b.lower() == t), ""
    return None, "unknown"


# ---------------------------------------------------------------------------------------------
# The census


@dataclass(frozen=True)
class Census:
    """A validated census: one row of :attr:`data` per row of the file (never per-person output).

    ``data`` columns: ``row`` (spreadsheet row), ``headcount``, ``hourly_wage`` [USD/h],
    ``annual_pay`` [USD/yr], ``hours_per_year`` [h/yr], ``fte``, ``age_band``, ``sex`` (F/M/U),
    ``job_family``, ``job_preset``, ``industry``, ``industry_preset``, ``location`` (labels are
    safe: see :func:`safe_label`), ``error`` and ``warning`` (bool). Missing numbers are NaN and
    take the scenario's values when evaluated.
    """

    data: pd.DataFrame = field(repr=False)
    issues: pd.DataFrame = field(repr=False)
    kind: str
    format: str
    columns: dict[str, str]
    unused_columns: tuple[str, ...]
    notes: tuple[str, ...]
    unreadable_rows: int
    source: str = ""
    file_columns: tuple[str, ...] = ()  # every column of the file, in file order

    @property
    def rows_read(self) -> int:
        """Data rows in the file (blank rows not counted), including any that could not be split."""
        return len(self.data) + self.unreadable_rows

    @property
    def rows_with_errors(self) -> int:
        return int(self.data["error"].sum()) + self.unreadable_rows

    @property
    def rows_with_warnings(self) -> int:
        return int((self.data["warning"] & ~self.data["error"]).sum())

    @property
    def employees(self) -> int:
        """Employees in rows without errors (the headcount a clean or cleaned file describes)."""
        d = self.data
        return int(d.loc[~d["error"], "headcount"].fillna(0).sum())

    @property
    def employees_with_errors(self) -> int:
        """Employees in rows with errors (rows whose headcount itself is unusable count as 0)."""
        d = self.data
        return int(d.loc[d["error"], "headcount"].fillna(0).sum())

    def fields(self) -> list[str]:
        """Segment dimensions this census can provide."""
        have = set(self.columns)
        dims = []
        for dim in SEGMENT_DIMS:
            need = {"age_band": {"age", "age_band"}}.get(dim, {dim})
            if have & need:
                dims.append(dim)
        return dims

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts, columns, notes and issues (what the CLI and the page report)."""
        return {
            "source": self.source, "format": self.format, "kind": self.kind,
            "rows_read": self.rows_read, "rows_with_errors": self.rows_with_errors,
            "rows_with_warnings": self.rows_with_warnings, "employees": self.employees,
            "employees_in_rows_with_errors": self.employees_with_errors,
            "columns": dict(self.columns), "unused_columns": list(self.unused_columns),
            "notes": list(self.notes),
            "issues": [{**r, "rows": list(r["rows"])} for r in self.issues.to_dict(orient="records")],
        }

    def first_error(self) -> str:
        errs = self.issues[self.issues["severity"] == "error"]
        if errs.empty:
            return ""
        e = errs.iloc[0]
        return f"row {e['rows'][0]}: {e['message']}" if e["rows"] else e["message"]


def _label_column(raw: pa.Array, report: _Report, fld: str, col: str) -> pd.Categorical:
    """Clean labels (per distinct value), flag formula-like, HTML and long labels."""
    codes, uniques = _distinct(raw)
    cleaned, flags = [], {"formula": [], "html": [], "long": []}
    for k, u in enumerate(uniques):
        c, changes = safe_label(u)
        cleaned.append(c or "unspecified")
        for ch in changes:
            flags[ch].append(k)
    msgs = {
        "formula": ("formula_like", lambda v: f"{col}: {v} starts like a spreadsheet formula; it is kept as "
                                              "text with a leading apostrophe and never evaluated"),
        "html": ("html_in_label", lambda v: f"{col}: {v} contains HTML or script markup; it is shown as plain "
                                            "text, never as HTML"),
        "long": ("label_too_long", lambda v: f"{col}: {v} is longer than {LABEL_MAX} characters; it was cut"),
    }
    for key, ks in flags.items():
        if ks:
            code, msg = msgs[key]
            report.add(np.isin(codes, ks), code=code, severity="warning", field=fld, column=col, values=raw,
                       message=msg)
    new_codes, cats = pd.factorize(pd.Series(cleaned, dtype=object))
    return pd.Categorical.from_codes(new_codes[codes] if len(cleaned) else np.array([], int), categories=cats)


def _number_issues(report: _Report, codes: np.ndarray, raw: np.ndarray, fld: str, col: str, what: str) -> None:
    report.add(codes == NOT_NUMBER, code="not_a_number", severity="error", field=fld, column=col, values=raw,
               message=lambda v: f"{col}: {v} is not a number ({what})")
    report.add(codes == DATE, code="date_in_number", severity="error", field=fld, column=col, values=raw,
               message=lambda v: f"{col}: {v} is a date, not a number: Excel may have formatted the "
                                 f"column as dates; format it as a number ({what})")
    report.add(codes == FORMULA, code="formula_in_number", severity="error", field=fld, column=col, values=raw,
               message=lambda v: f"{col}: {v} is a formula, not a value: export values only ({what})")


def _money(x: float) -> str:
    return f"${x:,.0f}"


def _pay(report: _Report, t: _Table, columns: dict[str, str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Hourly wage and annual pay arrays (NaN = not given), with unit checks."""
    n = len(t.rows)
    hourly = np.full(n, np.nan)
    annual = np.full(n, np.nan)
    notes: list[str] = []
    for fld in _PAY_FIELDS:
        if fld not in columns:
            continue
        col = columns[fld]
        raw = t.cells[col]
        v, codes = _parse_numbers(raw, t.decimal_comma)
        _number_issues(report, codes, raw, fld, col, "a wage or salary in US dollars, e.g. 52000 or $24.50")
        if (codes == CLEANED).any():
            notes.append(f"{col}: read {int((codes == CLEANED).sum()):,} amounts written with currency symbols "
                         "or thousands separators (\"$52,000\" = 52000)")
        ok = np.isfinite(v)
        report.add(ok & (v <= 0), code="not_positive", severity="error", field=fld, column=col, values=raw,
                   message=lambda x, c=col: f"{c}: {x} must be more than 0")
        pos = ok & (v > 0)
        looks_h = pos & (v <= HOURLY_MAX)
        looks_a = pos & (v >= ANNUAL_MIN) & (v <= ANNUAL_MAX)
        unclear = pos & (v > HOURLY_MAX) & (v < ANNUAL_MIN)
        huge = pos & (v > ANNUAL_MAX)
        unit = {"hourly_wage": "hourly", "annual_salary": "annual"}.get(fld)
        if unit is None:  # generic pay column: the majority decides
            unit = "annual" if looks_a.sum() >= looks_h.sum() else "hourly"
            if pos.any():
                    notes.append(f"{col}: amounts read as {unit} pay ({int(looks_a.sum() if unit == 'annual' else looks_h.sum()):,}"
                             f" of {int(pos.sum()):,} values look {unit})")
        if unit == "hourly":
            report.add(looks_a, code="mixed_units", severity="error", field=fld, column=col, values=raw,
                       message=lambda x, c=col: f"{c}: {x} looks like an annual salary in a column of hourly wages "
                                                f"(hourly means at most ${HOURLY_MAX:,.0f}); put salaries in a "
                                                "separate column mapped to annual_salary, or fix the value")
            hourly[looks_h] = v[looks_h]
        else:
            report.add(looks_h, code="mixed_units", severity="error", field=fld, column=col, values=raw,
                       message=lambda x, c=col: f"{c}: {x} looks like an hourly wage in a column of annual "
                                                f"salaries (annual means at least {_money(ANNUAL_MIN)}); put hourly "
                                                "rates in a separate column mapped to hourly_wage, or fix the value")
            annual[looks_a] = v[looks_a]
        report.add(unclear, code="unclear_unit", severity="error", field=fld, column=col, values=raw,
                   message=lambda x, c=col: f"{c}: {x} is neither an hourly wage (up to ${HOURLY_MAX:,.0f}) nor an "
                                            f"annual salary ({_money(ANNUAL_MIN)} or more): monthly or weekly pay? "
                                            "Convert it to hourly or annual")
        report.add(huge, code="out_of_range", severity="error", field=fld, column=col, values=raw,
                   message=lambda x, c=col: f"{c}: {x} is above the largest salary accepted ({_money(ANNUAL_MAX)})")
        # a row can have both an hourly and an annual column; the hourly value wins
        annual[np.isfinite(hourly)] = np.nan
    return hourly, annual, notes


def _hours(report: _Report, t: _Table, columns: dict[str, str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Hours per year and FTE arrays (NaN = not given)."""
    n = len(t.rows)
    per_year = np.full(n, np.nan)
    fte = np.full(n, np.nan)
    notes: list[str] = []
    weeks = library().value("census.weeks_per_year")
    for fld in _HOURS_FIELDS:
        if fld not in columns:
            continue
        col = columns[fld]
        raw = t.cells[col]
        v, codes = _parse_numbers(raw, t.decimal_comma, percent_ok=(fld == "fte"))
        _number_issues(report, codes, raw, fld, col, FIELDS[fld][0])
        ok = np.isfinite(v)
        report.add(ok & (v < 0), code="negative_hours", severity="error", field=fld, column=col, values=raw,
                   message=lambda x, c=col: f"{c}: {x} is negative; hours and FTE cannot be below 0")
        report.add(ok & (v == 0), code="not_positive", severity="error", field=fld, column=col, values=raw,
                   message=lambda x, c=col: f"{c}: {x} means no hours at all; give the contracted hours, or "
                                            "leave employees who do not work out of the file")
        pos = ok & (v > 0)
        if fld == "fte":
            report.add(pos & (v > FTE_MAX), code="out_of_range", severity="error", field=fld, column=col,
                       values=raw, message=lambda x, c=col: f"{c}: {x} is outside the FTE range 0 to {FTE_MAX:g} "
                                                            "(write 0.8 or 80% for four days a week)")
            good = pos & (v <= FTE_MAX)
            fte[good] = v[good]
            continue
        weekly = pos & (v <= WEEKLY_HOURS_MAX)
        yearly = pos & (v >= ANNUAL_HOURS_MIN) & (v <= ANNUAL_HOURS_MAX)
        unit = {"weekly_hours": "weekly", "annual_hours": "annual"}.get(fld)
        if unit is None:
            unit = "annual" if yearly.sum() > weekly.sum() else "weekly"
            if pos.any():
                notes.append(f"{col}: hours read as {unit} hours")
        if unit == "weekly":
            report.add(yearly, code="mixed_units", severity="error", field=fld, column=col, values=raw,
                       message=lambda x, c=col: f"{c}: {x} looks like hours per year in a column of weekly hours "
                                                f"(at most {WEEKLY_HOURS_MAX:g} h a week)")
            per_year[weekly] = v[weekly] * weeks
            report.add(pos & ~weekly & ~yearly, code="out_of_range", severity="error", field=fld, column=col,
                       values=raw, message=lambda x, c=col: f"{c}: {x} hours a week is impossible (allowed: more "
                                                            f"than 0 and at most {WEEKLY_HOURS_MAX:g})")
        else:
            report.add(weekly & (v < ANNUAL_HOURS_MIN), code="mixed_units", severity="error", field=fld, column=col,
                       values=raw, message=lambda x, c=col: f"{c}: {x} looks like weekly hours in a column of "
                                                            f"hours per year (at least {ANNUAL_HOURS_MIN:g})")
            per_year[yearly] = v[yearly]
            report.add(pos & ~weekly & ~yearly, code="out_of_range", severity="error", field=fld, column=col,
                       values=raw, message=lambda x, c=col: f"{c}: {x} hours a year is outside {ANNUAL_HOURS_MIN:g}"
                                                            f" to {ANNUAL_HOURS_MAX:g}")
        break  # one hours column is enough; FTE is read only when no hours column exists
    return per_year, fte, notes


_BAND_CATEGORIES = [*AGE_BANDS, "unknown"]
_UNKNOWN_BAND = len(AGE_BANDS)


def _age(report: _Report, t: _Table, columns: dict[str, str]) -> np.ndarray:
    """Age band codes (index into AGE_BANDS + 'unknown')."""
    n = len(t.rows)
    band = np.full(n, _UNKNOWN_BAND, dtype=np.int8)
    for fld in ("age", "age_band"):
        if fld not in columns:
            continue
        col = columns[fld]
        raw = t.cells[col]
        codes, uniques = _distinct(raw)
        parsed = [_parse_band(u) for u in uniques]
        ub = np.array([_BAND_CATEGORIES.index(p[0] or "unknown") for p in parsed] or [_UNKNOWN_BAND], np.int8)
        up = np.array([p[1] for p in parsed] or [""], dtype=object)
        b, problem = ub[codes], up[codes]
        report.add(problem == "impossible", code="impossible_age", severity="error", field=fld, column=col,
                   values=raw, message=lambda x, c=col: f"{c}: {x} is not a possible working age (allowed "
                                                        f"{AGE_MIN} to {AGE_MAX})", extra=_birth_year_hint)
        report.add(problem == "unknown", code="unknown_category", severity="error", field=fld, column=col,
                   values=raw, message=lambda x, c=col: f"{c}: {x} is neither an age nor an age band (write 37, "
                                                        "'35-44', '55+' or 'under 25')")
        fill = (band == _UNKNOWN_BAND) & (b != _UNKNOWN_BAND)
        band[fill] = b[fill]
    return band


def _birth_year_hint(raw: str) -> str:
    try:
        return "; it looks like a year of birth: give the age" if 1900 <= float(raw) <= 2030 else ""
    except ValueError:
        return ""


_SEX_CATEGORIES = ["F", "M", "U"]


def _sex(report: _Report, t: _Table, columns: dict[str, str]) -> np.ndarray:
    """Sex codes (index into F, M, U)."""
    n = len(t.rows)
    if "sex" not in columns:
        return np.full(n, 2, dtype=np.int8)
    col = columns["sex"]
    raw = t.cells[col]
    codes, uniques = _distinct(raw)
    mapped = [_SEX_LOOKUP.get(" ".join(str(u).strip().lower().replace("_", " ").split()).rstrip("."))
              for u in uniques]
    ucode = np.array([-1 if m is None else _SEX_CATEGORIES.index(m) for m in mapped] or [2], dtype=np.int8)
    out = ucode[codes]
    unknown = out < 0
    report.add(unknown, code="unknown_category", severity="error", field="sex", column=col, values=raw,
               message=lambda x, c=col: f"{c}: {x} is not a recognised value; use F, M, or X / other / "
                                        "blank when not given")
    out[unknown] = 2
    return out


def read_census(data: bytes, filename: str | None = None, *, column_map: Mapping[str, str] | None = None,
                kind: str = "auto", job_map: Mapping[str, str] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS) -> Census:
    """Read and validate a census file given as bytes (never touches the disk).

    ``kind``: ``"auto"`` (aggregated when a headcount column exists), ``"employee"`` or
    ``"aggregated"`` (then ``headcount`` is required). ``job_map`` maps job-family labels of the
    file to preset ids (``{"RN": "patient_care"}``) when the names are not recognised.
    Raises :class:`CensusError` for a file that cannot be a census; everything else is an
    :class:`Issue` in :attr:`Census.issues`.
    """
    if kind not in ("auto", "employee", "aggregated"):
        raise CensusError(f"kind must be auto, employee or aggregated, got {kind!r}")
    t = read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)
    if len(t.columns) == 1 and not column_map:
        known = {name for _, names in FIELDS.values() for name in names}
        words = [w for w in _norm_name(t.columns[0]).split("_") if w in known]
        if len(words) >= 2:
            raise CensusError(f"only one column was found, {t.columns[0]!r}, but it names several fields "
                              f"({', '.join(words)}): separate the columns with commas, semicolons, tabs or "
                              "vertical bars")
    columns = detect_columns(t.columns, column_map)
    unused = tuple(c for c in t.columns if c not in columns.values())
    if not columns:
        hint = ""
        if len(t.columns) == 1:
            hint = (" Only one column was found, so the values may be separated by something other than "
                    "commas, semicolons, tabs or vertical bars.")
        raise CensusError(f"no column was recognised (found: {', '.join(repr(c) for c in t.columns[:20])}).{hint} "
                          f"Name the columns like {', '.join(FIELDS)} or map them, e.g. --column-map "
                          "'Pay Rate=hourly_wage'")
    if kind == "aggregated" and "headcount" not in columns:
        raise CensusError("missing required column 'headcount': an aggregated file needs the number of "
                          f"employees in each row (columns found: {', '.join(repr(c) for c in t.columns[:20])})")
    if kind == "employee" and "headcount" in columns:
        raise CensusError(f"column {columns['headcount']!r} looks like a headcount, but the file was declared "
                          "employee-level; choose 'aggregated' or map the column to 'ignore'")
    agg = "headcount" in columns

    # blank rows carry nothing: drop them (and say so)
    nonblank = np.zeros(len(t.rows), dtype=bool)
    for col in t.columns:
        nonblank |= pc.not_equal(pc.utf8_trim_whitespace(t.cells[col]), "").to_numpy(zero_copy_only=False)
    notes = list(t.notes)
    if (~nonblank).any():
        notes.append(f"skipped {int((~nonblank).sum()):,} blank row(s)")
        keep = pa.array(nonblank)
        t = _Table(t.columns, {c: v.filter(keep) for c, v in t.cells.items()}, t.rows[nonblank], t.fmt, notes,
                   t.broken, t.decimal_comma)
    if len(t.rows) == 0 and not t.broken:
        raise CensusError("the file has a header but no data rows")
    report = _Report(t.rows)
    n = len(t.rows)

    # headcount
    if agg:
        col = columns["headcount"]
        raw = t.cells[col]
        hc, codes = _parse_numbers(raw, t.decimal_comma)
        _number_issues(report, codes, raw, "headcount", col, "the number of employees in the row")
        report.add(codes == MISSING, code="missing_required", severity="error", field="headcount", column=col,
                   values=raw, message=lambda x, c=col: f"{c}: empty; every row of an aggregated file needs a headcount")
        ok = np.isfinite(hc)
        report.add(ok & (hc < 0), code="negative", severity="error", field="headcount", column=col, values=raw,
                   message=lambda x, c=col: f"{c}: {x} is negative; a headcount is 0 or more")
        report.add(ok & (hc >= 0) & (hc != np.round(hc)), code="not_whole", severity="error", field="headcount",
                   column=col, values=raw, message=lambda x, c=col: f"{c}: {x} is not a whole number of employees")
        report.add(ok & (hc > HEADCOUNT_MAX), code="out_of_range", severity="error", field="headcount", column=col,
                   values=raw, message=lambda x, c=col: f"{c}: {x} is above {HEADCOUNT_MAX:,}")
        report.add(ok & (hc == 0), code="zero_headcount", severity="warning", field="headcount", column=col,
                   values=raw, message=lambda x, c=col: f"{c}: {x}: the row has no employees and adds nothing")
        good = ok & (hc >= 0) & (hc == np.round(hc)) & (hc <= HEADCOUNT_MAX)
        headcount = np.where(good, hc, np.nan)
    else:
        headcount = np.ones(n)

    # duplicate employee IDs
    if "employee_id" in columns:
        col = columns["employee_id"]
        ids = pc.utf8_trim_whitespace(t.cells[col])
        vc = pc.value_counts(ids)
        repeated = vc.field("values").filter(pc.and_(pc.greater(vc.field("counts"), 1),
                                                     pc.not_equal(vc.field("values"), "")))
        dup = pc.is_in(ids, value_set=repeated).to_numpy(zero_copy_only=False)
        if dup.any():
            idx = np.flatnonzero(dup)
            sub = pd.Series(t.rows[idx]).groupby(ids.take(pa.array(idx)).to_pylist())
            where = sub.agg(lambda r: ", ".join(map(str, r.iloc[:5])) + (" ..." if len(r) > 5 else ""))
            report.add(dup, code="duplicate_id", severity="error", field="employee_id", column=col, values=ids,
                       message=lambda x, c=col: f"{c}: employee ID {x} appears more than once",
                       extra=lambda raw: f" (rows {where.get(raw, '?')}); keep one row per employee")

    hourly, annual, pay_notes = _pay(report, t, columns)
    per_year, fte, hour_notes = _hours(report, t, columns)
    notes += pay_notes + hour_notes
    band = _age(report, t, columns)
    sex = _sex(report, t, columns)

    labels: dict[str, pd.Categorical] = {}
    for fld in ("job_family", "industry", "location"):
        if fld in columns:
            labels[fld] = _label_column(t.cells[columns[fld]], report, fld, columns[fld])
        else:
            labels[fld] = pd.Categorical.from_codes(np.zeros(n, int), categories=["unspecified"])

    # job families and industries -> presets
    jm = {str(k).strip().lower(): v for k, v in (job_map or {}).items()}
    for v in jm.values():
        try:
            p = preset(v)
        except PresetError as exc:
            raise CensusError(f"job map: {exc}") from None
        if p.kind != "job_family":
            raise CensusError(f"job map: {v!r} is an industry preset; use a job family: "
                              f"{', '.join(p.id for p in presets().values() if p.kind == 'job_family')}")
    preset_cols: dict[str, pd.Categorical] = {}
    for fld, kind_ in (("job_family", "job_family"), ("industry", "industry")):
        cat = labels[fld]
        matched = []
        for u in cat.categories:
            m = jm.get(str(u).lower()) if fld == "job_family" else None
            matched.append(m or (match_preset(str(u).lstrip("'"), kind_) if u != "unspecified" else None) or "")
        mcodes, mcats = pd.factorize(pd.Series(matched, dtype=object))
        codes = np.asarray(cat.codes)
        preset_cols[fld] = pd.Categorical.from_codes(mcodes[codes] if len(matched) else codes, categories=mcats)
        if fld in columns:
            names = ", ".join(p.id for p in presets().values() if p.kind == kind_)
            unmatched = np.array([m == "" and u != "unspecified" for m, u in zip(matched, cat.categories,
                                                                                 strict=True)] or [False])
            report.add(unmatched[codes], code="unknown_category", severity="warning",
                       field=fld, column=columns[fld], values=np.asarray(cat.categories, dtype=object)[codes]
                       if len(matched) else None,
                       message=lambda x, c=columns[fld], nm=names, f=fld: (
                           f"{c}: {x} is not a known {f.replace('_', ' ')}; it gets the workforce's average "
                           f"prevalence and absence. Map it to one of: {nm}"))

    # structurally broken rows
    for row, msg in t.broken:
        report.items.append(Issue("wrong_field_count", "error", "", "", "", 1, (row,), f"row {row} {msg}"))
    issues = report.frame()

    df = pd.DataFrame({
        "row": t.rows,
        "headcount": headcount,
        "hourly_wage": hourly,
        "annual_pay": annual,
        "hours_per_year": per_year,
        "fte": fte,
        "age_band": pd.Categorical.from_codes(band, categories=_BAND_CATEGORIES),
        "sex": pd.Categorical.from_codes(sex, categories=_SEX_CATEGORIES),
        "job_family": labels["job_family"],
        "job_preset": preset_cols["job_family"],
        "industry": labels["industry"],
        "industry_preset": preset_cols["industry"],
        "location": labels["location"],
        "error": report.error,
        "warning": report.warning,
    })
    return Census(df, issues, "aggregated" if agg else "employee", t.fmt, columns, unused, tuple(notes),
                  len(t.broken), filename or "", tuple(t.columns))


# ---------------------------------------------------------------------------------------------
# Segments


def _check_by(census: Census, by: Iterable[str] | None) -> tuple[str, ...]:
    have = census.fields()
    if by is None:
        return tuple(d for d in DEFAULT_BY if d in have)
    by = tuple(by)
    for d in by:
        if d not in SEGMENT_DIMS:
            raise CensusError(f"cannot segment by {d!r}; choose from: {', '.join(SEGMENT_DIMS)}")
        if d not in have:
            raise CensusError(f"cannot segment by {d!r}: the census has no such column "
                              f"(it can be segmented by: {', '.join(have) or 'nothing'})")
    return by


_MODEL_KEYS = ("age_band", "sex", "job_family", "job_preset", "industry", "industry_preset")


def segment_cells(census: Census, scenario: Scenario, *, by: Iterable[str] | None = None,
                  exclude_invalid: bool = False, industry: str | None = None) -> pd.DataFrame:
    """Model inputs per cell (age band x sex x job family x industry [x location]).

    Missing wages take the row's industry preset wage, else the scenario's; missing hours take FTE x
    the scenario's annual hours, else the scenario's annual hours. Prevalence = scenario prevalence
    x age/sex relative prevalence x (job-family multiplier / scenario industry multiplier); absence
    days and presenteeism likewise with their multipliers. ``industry`` names the industry preset
    already applied to the scenario (so it is replaced, not doubled, by a job family's).
    """
    by = _check_by(census, by)
    d = census.data
    if census.rows_with_errors and not exclude_invalid:
        raise CensusError(
            f"{census.rows_with_errors:,} of {census.rows_read:,} rows have problems (first: "
            f"{census.first_error()}); fix the file, or choose to exclude those rows")
    d = d[~d["error"]]
    d = d[d["headcount"] > 0]
    if d.empty:
        raise CensusError("no employees left to evaluate (every row has a problem or a headcount of 0)")
    wf, cond = scenario.workforce, scenario.condition
    h0, w0 = wf.annual_hours, wf.effective_hourly_wage
    scen_preset = preset(industry, "industry") if industry else None

    n = d["headcount"].to_numpy(float)
    hours = d["hours_per_year"].to_numpy(float)
    hours_default = ~np.isfinite(hours)
    hours = np.where(hours_default, d["fte"].to_numpy(float) * h0, hours)
    hours = np.where(np.isfinite(hours), hours, h0)
    wage = d["hourly_wage"].to_numpy(float)
    wage = np.where(np.isfinite(wage), wage, d["annual_pay"].to_numpy(float) / hours)
    wage_default = ~np.isfinite(wage)
    if wage_default.any():
        ind = d["industry_preset"].astype(str).to_numpy()
        pw = {p: (preset(p).get("hourly_wage").value if p and preset(p).get("hourly_wage") else w0)
              for p in np.unique(ind)}
        wage = np.where(wage_default, np.vectorize(pw.get, otypes=[float])(ind) if len(ind) else w0, wage)

    keys = list(dict.fromkeys([*_MODEL_KEYS, *by]))
    work = pd.DataFrame({k: d[k] for k in keys})
    work["employees"] = n
    work["hours"] = n * hours
    work["pay"] = n * hours * wage
    work["wage_defaulted"] = n * wage_default
    work["hours_defaulted"] = n * (hours_default & ~np.isfinite(d["fte"].to_numpy(float)))
    cells = work.groupby(keys, observed=True, sort=True).sum().reset_index()
    cells = cells[cells["employees"] > 0].reset_index(drop=True)

    cells["annual_hours"] = cells["hours"] / cells["employees"]
    cells["hourly_wage"] = cells["pay"] / cells["hours"]
    rr = relative_prevalence(cells["age_band"].astype(str).to_numpy(), cells["sex"].astype(str).to_numpy())

    def mult(name: str) -> np.ndarray:
        base = scen_preset.multiplier(name) if scen_preset else 1.0
        out = []
        for jp, ip in zip(cells["job_preset"].astype(str), cells["industry_preset"].astype(str), strict=True):
            chosen = preset(jp) if jp else (preset(ip) if ip else scen_preset)
            out.append((chosen.multiplier(name) if chosen else 1.0) / base)
        return np.asarray(out, dtype=float)

    cells["relative_prevalence"] = rr
    cells["prevalence_multiplier"] = mult("prevalence_multiplier")
    cells["absence_multiplier"] = mult("absence_multiplier")
    cells["presenteeism_multiplier"] = mult("presenteeism_multiplier")
    cells["prevalence"] = np.minimum(1.0, cond.prevalence * rr * cells["prevalence_multiplier"])
    cells["absence_days"] = np.minimum(cond.absence_days * cells["absence_multiplier"],
                                       cells["annual_hours"] / cond.hours_per_day)
    cells["presenteeism"] = np.minimum(1.0, cond.presenteeism * cells["presenteeism_multiplier"])
    return cells


_ADDITIVE = ("employees", "hours", "pay", "affected", "burden", "absenteeism", "presenteeism_cost", "medical",
             "hours_lost", "program_cost", "program_savings", "participants", "wage_defaulted", "hours_defaulted")


def _simulate_cells(cells: pd.DataFrame, scenario: Scenario, program_index: int) -> pd.DataFrame:
    base = build_inputs(scenario, program_index)
    n = cells["employees"].to_numpy(float)
    inp = dataclasses.replace(
        base, employees=n, hourly_wage=cells["hourly_wage"].to_numpy(float),
        annual_hours=cells["annual_hours"].to_numpy(float), prevalence=cells["prevalence"].to_numpy(float),
        absence_days=cells["absence_days"].to_numpy(float), presenteeism=cells["presenteeism"].to_numpy(float),
        setup_cost=base.setup_cost * n / n.sum())
    sim = simulate(inp)
    b = sim["burden"]
    out = cells.copy()
    out["affected"] = b["affected"]
    out["burden"] = b["total"]
    out["absenteeism"] = b["absenteeism"]
    out["presenteeism_cost"] = b["presenteeism"]
    out["medical"] = b["medical"]
    out["hours_lost"] = b["hours_lost"]
    out["program_cost"] = sim["total_cost"]
    out["program_savings"] = sim["total_savings"]
    out["participants"] = sim["participants"]
    return out


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Ratios recomputed from sums (never averaged)."""
    emp = df["employees"].to_numpy(float)
    df = df.copy()
    df["prevalence"] = df["affected"] / emp
    df["hourly_wage"] = df["pay"] / df["hours"]
    df["burden_per_employee"] = df["burden"] / emp
    df["net_benefit"] = df["program_savings"] - df["program_cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["roi"] = np.where(df["program_cost"] > 0, _roi(df["program_savings"].to_numpy(float),
                                                           df["program_cost"].to_numpy(float)), np.nan)
    return df


def _merge_small(seg: pd.DataFrame, by: tuple[str, ...], min_group: int) -> tuple[pd.DataFrame, int]:
    """Merge segments under ``min_group`` employees into one 'other' row (itself >= min_group)."""
    seg = seg.sort_values("employees", ascending=False, kind="stable").reset_index(drop=True)
    small = seg["employees"] < min_group
    if not small.any():
        seg["merged_segments"] = 1
        return seg, 0
    keep = seg[~small]
    other = seg[small]
    while 0 < other["employees"].sum() < min_group and len(keep):
        other = pd.concat([other, keep.iloc[[-1]]])
        keep = keep.iloc[:-1]
    row = {k: "other" for k in by}
    row.update({c: other[c].sum() for c in _ADDITIVE})
    row["merged_segments"] = len(other)
    keep = keep.assign(merged_segments=1)
    out = pd.concat([keep, pd.DataFrame([row])], ignore_index=True)
    return out, len(other)


@dataclass(frozen=True)
class CensusResult:
    """Results for a census: shown segments (each >= the minimum group), total, equivalent scenario."""

    scenario: Scenario  # the census-equivalent scenario (one average affected employee)
    result: Result  # evaluate(scenario): what every other page shows
    segments: pd.DataFrame  # display table, biggest first, 'other' last
    total: dict[str, float]
    by: tuple[str, ...]
    min_group_size: int
    merged_segments: int  # how many segments went into 'other'
    rows_used: int
    rows_excluded: int
    employees_excluded: int
    notes: tuple[str, ...]
    applied: tuple[AppliedValue, ...]  # scenario values that now come from the census

    SEGMENT_COLUMNS = ("segment", "employees", "share", "affected", "prevalence", "hourly_wage", "burden",
                       "absenteeism", "presenteeism_cost", "medical", "burden_per_employee", "hours_lost",
                       "program_cost", "program_savings", "net_benefit", "roi", "merged_segments")

    def table(self) -> pd.DataFrame:
        """The segment table with a readable ``segment`` label and no internal columns."""
        cols = [*self.by, *(c for c in self.SEGMENT_COLUMNS if c != "segment")]
        if self.segments.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ["segment", *cols]})
        out = self.segments[[c for c in cols if c in self.segments]].copy()
        out.insert(0, "segment", self.segments["segment"])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by), "min_group_size": self.min_group_size,
            "merged_segments": self.merged_segments, "rows_used": self.rows_used,
            "rows_excluded": self.rows_excluded, "employees_excluded": self.employees_excluded,
            "notes": list(self.notes), "total": dict(self.total),
            "segments": self.table().to_dict(orient="records"),
        }


def census_scenario(scenario: Scenario, cells: pd.DataFrame) -> Scenario:
    """One average employee whose yearly burden equals the sum over the cells.

    With ``A_s`` = affected employees of cell ``s`` (``n_s p_s``): prevalence ``P = sum A / N``;
    wage ``W = sum A w / sum A`` (of the average *affected* employee); absence days
    ``D = sum A d w / (sum A W)``; annual hours ``H = sum A H w / (sum A W)``; presenteeism
    ``Q = sum A (H_s - d_s h) q_s w_s / (sum A (H - D h) W)``. Absenteeism, presenteeism and medical
    cost, and hence the program's savings and cost (all linear in them), then match the segment sum
    exactly under human-capital valuation; work-time cost of sessions on paid time and the friction
    cap are close, not exact (docs/CENSUS.md).
    """
    hd = scenario.condition.hours_per_day
    n = cells["employees"].to_numpy(float)
    p = cells["prevalence"].to_numpy(float)
    w = cells["hourly_wage"].to_numpy(float)
    d = cells["absence_days"].to_numpy(float)
    h = cells["annual_hours"].to_numpy(float)
    q = cells["presenteeism"].to_numpy(float)
    N = n.sum()
    a = n * p
    if a.sum() <= 0:
        a = n  # nobody affected: plain averages (the burden is 0 whatever they are)
    W = (a * w).sum() / a.sum()
    D = (a * d * w).sum() / (a.sum() * W)
    H = (a * h * w).sum() / (a.sum() * W)
    work = (a * (h - d * hd) * w).sum()
    Q = (a * (h - d * hd) * q * w).sum() / work if work > 0 else scenario.condition.presenteeism
    data = to_dict(scenario)
    data["workforce"].update(employees=int(round(N)), hourly_wage=float(W), annual_salary=None, annual_hours=float(H))
    data["condition"].update(prevalence=float((n * p).sum() / N), absence_days=float(D), presenteeism=float(Q))
    try:
        return build(data)
    except ScenarioError as exc:
        raise CensusError(f"the census gives values outside the scenario's allowed ranges: {exc}") from None


def evaluate_census(scenario: Scenario, census: Census, *, by: Iterable[str] | None = None,
                    exclude_invalid: bool = False, industry: str | None = None, program_index: int = 0,
                    min_group: int | None = None) -> CensusResult:
    """Burden and program results per segment and in total; the census-equivalent scenario.

    ``by``: segment dimensions (default: job family, age band and sex, those the census has).
    Segments under ``min_group`` employees (default ``census.min_group_size``) are merged into
    "other"; nothing is reported per person. Raises :class:`CensusError` when rows have errors and
    ``exclude_invalid`` is False.
    """
    by = _check_by(census, by)
    mg = min_group_size() if min_group is None else int(min_group)
    cells = _simulate_cells(segment_cells(census, scenario, by=by, exclude_invalid=exclude_invalid,
                                          industry=industry), scenario, program_index)
    if by:
        seg = cells.groupby(list(by), observed=True, sort=True)[list(_ADDITIVE)].sum().reset_index()
        for k in by:
            seg[k] = seg[k].astype(str)
    else:
        seg = pd.DataFrame([{c: cells[c].sum() for c in _ADDITIVE}])
    N = float(cells["employees"].sum())
    notes: list[str] = []
    if N < mg:
        shown = seg.iloc[0:0].assign(merged_segments=pd.Series(dtype=int))
        merged = len(seg)
        notes.append(f"fewer than {mg} employees in total: no segment table is shown")
    else:
        shown, merged = _merge_small(seg, by, mg)
        if merged:
            notes.append(f"{merged} segment(s) with fewer than {mg} employees are merged into 'other'")
    shown = _finish(shown) if len(shown) else shown
    if len(shown):
        shown.insert(0, "segment", [" / ".join(str(r[k]) for k in by) if by else "all employees"
                                    for _, r in shown.iterrows()])
        shown.loc[shown["merged_segments"] > 1, "segment"] = "other"
        shown["share"] = shown["employees"] / N
    tot = _finish(pd.DataFrame([{c: cells[c].sum() for c in _ADDITIVE}])).iloc[0]
    total = {k: float(tot[k]) for k in ("employees", "affected", "prevalence", "hourly_wage", "burden",
                                        "absenteeism", "presenteeism_cost", "medical", "burden_per_employee",
                                        "hours_lost", "program_cost", "program_savings", "net_benefit", "roi")}
    d = census.data
    used = d[~d["error"] & (d["headcount"] > 0)]
    excluded = census.rows_with_errors if exclude_invalid else 0
    if excluded:
        notes.append(f"{excluded:,} row(s) with problems excluded ({census.employees_with_errors:,} employees)")
    wd, hd_ = float(cells["wage_defaulted"].sum()), float(cells["hours_defaulted"].sum())
    if wd:
        notes.append(f"no wage in the file for {wd:,.0f} employees: the scenario's (or industry preset's) wage is used")
    if hd_:
        notes.append(f"no hours in the file for {hd_:,.0f} employees: the scenario's "
                     f"{scenario.workforce.annual_hours:,.0f} hours a year are used")
    eq = census_scenario(scenario, cells)
    label = f"your census ({int(N):,} employees)"
    applied = tuple(AppliedValue(path, float(val), label, (), "DERIVED", note) for path, val, note in (
        ("workforce.employees", eq.workforce.employees, "headcount of the rows used"),
        ("workforce.hourly_wage", eq.workforce.hourly_wage, "wage of the average affected employee"),
        ("workforce.annual_hours", eq.workforce.annual_hours, "hours of the average affected employee (wage-weighted)"),
        ("condition.prevalence", eq.condition.prevalence, "affected / employees, by age, sex and job family"),
        ("condition.absence_days", eq.condition.absence_days, "average over affected employees (wage-weighted)"),
        ("condition.presenteeism", eq.condition.presenteeism, "average over affected employees' worked hours"),
    ))
    return CensusResult(eq, evaluate(eq), shown.reset_index(drop=True), total, by, mg, merged, len(used),
                        excluded, census.employees_with_errors if exclude_invalid else 0, tuple(notes), applied)


# ---------------------------------------------------------------------------------------------
# Bring-your-own survey (WPAI)


@dataclass(frozen=True)
class SurveyResults:
    """Aggregate results of the employer's own WPAI (or similar) survey [fractions 0-1].

    ``presenteeism``: mean impairment while working among respondents with chronic back pain;
    ``absenteeism``: mean share of work time missed among them; ``respondents``: how many of them.
    ``comparison_*``: the same among respondents *without* back pain (default: the library's
    ``survey.comparison_*`` values), subtracted so that only the excess is costed.
    """

    respondents: int
    presenteeism: float | None = None
    absenteeism: float | None = None
    comparison_presenteeism: float | None = None
    comparison_absenteeism: float | None = None

    def __post_init__(self) -> None:
        if self.presenteeism is None and self.absenteeism is None:
            raise CensusError("survey: give presenteeism, absenteeism or both")
        for name in ("presenteeism", "absenteeism", "comparison_presenteeism", "comparison_absenteeism"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= 1):
                raise CensusError(f"survey: {name} = {v!r} must be a fraction from 0 to 1 (e.g. 0.31 or 31%)")
        mg = min_group_size()
        if not isinstance(self.respondents, int) or self.respondents < mg:
            raise CensusError(f"survey: respondents = {self.respondents!r}; at least {mg} are needed for a "
                              "reliable, anonymous average")


def parse_survey(text: str) -> SurveyResults:
    """``"presenteeism=31%,absenteeism=0.04,respondents=85"`` -> :class:`SurveyResults` (CLI ``--survey``).

    >>> parse_survey("presenteeism=31%, respondents=85").presenteeism
    0.31
    """
    vals: dict[str, Any] = {}
    allowed = {f.name for f in dataclasses.fields(SurveyResults)}
    for item in (i for i in text.split(",") if i.strip()):
        key, eq, raw = item.partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if not eq or key not in allowed:
            raise CensusError(f"survey: {item.strip()!r} is not KEY=VALUE with KEY one of {', '.join(sorted(allowed))}")
        if key == "respondents":
            if not raw.isdigit():
                raise CensusError(f"survey: respondents must be a whole number, got {raw!r}")
            vals[key] = int(raw)
            continue
        pct = raw.endswith("%")
        try:
            v = float(raw[:-1] if pct else raw)
        except ValueError:
            raise CensusError(f"survey: {key} must be a number such as 0.31 or 31%, got {raw!r}") from None
        if not pct and v > 1:
            raise CensusError(f"survey: {key} = {raw} is ambiguous; write a fraction (0.31) or a percentage (31%)")
        vals[key] = v / 100 if pct else v
    if "respondents" not in vals:
        raise CensusError("survey: give the number of respondents with back pain, e.g. respondents=85")
    return SurveyResults(**vals)


def apply_survey(scenario: Scenario, survey: SurveyResults) -> tuple[Scenario, list[AppliedValue]]:
    """The scenario with presenteeism and/or absence days from the survey; what was replaced.

    Attributable presenteeism = survey mean - comparison (at least 0). Absence days =
    (work time missed - comparison) x annual hours / hours per day (WPAI's absenteeism is the share
    of scheduled hours missed).

    >>> s, a = apply_survey(Scenario(), SurveyResults(respondents=85, presenteeism=0.30))
    >>> round(s.condition.presenteeism, 3), a[0].source
    (0.085, 'your survey (n=85)')
    """
    lib = library()
    sets: list[tuple[str, Any]] = []
    applied: list[AppliedValue] = []
    label = f"your survey (n={survey.respondents})"
    if survey.presenteeism is not None:
        comp = survey.comparison_presenteeism
        comp_note = "your comparison group" if comp is not None else "Montgomery 2017 controls (library)"
        comp = lib.value("survey.comparison_presenteeism") if comp is None else comp
        v = max(0.0, survey.presenteeism - comp)
        sets.append(("condition.presenteeism", v))
        applied.append(AppliedValue("condition.presenteeism", v, label, () if survey.comparison_presenteeism
                                    is not None else lib.parameter("survey.comparison_presenteeism").source_keys,
                                    "DERIVED", f"{survey.presenteeism:.1%} impairment with back pain - "
                                               f"{comp:.1%} without ({comp_note})"))
    if survey.absenteeism is not None:
        comp = survey.comparison_absenteeism
        comp = lib.value("survey.comparison_absenteeism") if comp is None else comp
        days = max(0.0, survey.absenteeism - comp) * scenario.workforce.annual_hours / scenario.condition.hours_per_day
        sets.append(("condition.absence_days", days))
        applied.append(AppliedValue("condition.absence_days", days, label, (), "DERIVED",
                                    f"({survey.absenteeism:.1%} - {comp:.1%}) of {scenario.workforce.annual_hours:g} h"
                                    f" / {scenario.condition.hours_per_day:g} h per day"))
    try:
        return apply_sets(scenario, sets), applied
    except ScenarioError as exc:
        raise CensusError(f"survey: {exc}") from None
