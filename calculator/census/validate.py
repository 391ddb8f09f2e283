"""Census columns and values: map columns to fields, parse messy values, report every problem.

:func:`read_census` turns the text table of :mod:`calculator.census.files` into a
:class:`Census`: each column mapped to a field (from its name or the user's map), each value parsed
(currency, thousands separators, the decimal mark decided per column), and each problem an
:class:`Issue` naming the code, column, value, count and spreadsheet rows.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import guards as _guards
from ..evidence import library
from ..presets import AGE_BANDS, PresetError, match_preset, preset, presets
from .files import (
    _CONTROL,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    LABEL_MAX,
    CensusError,
    TextTable,
    read_text_table,
)

__all__ = [
    "FIELDS",
    "DEFAULT_BY",
    "SEGMENT_DIMS",
    "Census",
    "Issue",
    "detect_columns",
    "parse_column_map",
    "read_census",
    "safe_label",
]

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

_PROVES_POINT = (re.compile(r"^\d{1,3}(?:,\d{3})+\.\d+$"), re.compile(r"^\d{1,3}(?:,\d{3}){2,}$"),
                 re.compile(r"^\d*\.(?:\d{1,2}|\d{4,})$"))
_PROVES_COMMA = (re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$"), re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$"),
                 re.compile(r"^\d*,(?:\d{1,2}|\d{4,})$"))
_EITHER = re.compile(r"^\d{1,3}[.,]\d{3}$")
_MONEY_NOISE = re.compile(r"[$€£¥\s\u00a0\u202f()+-]|usd|eur|gbp|k$|%$", re.I)


def decimal_mark(values: Iterable[str], prior: str = "point") -> tuple[str, str, str]:
    """The decimal mark of one column, decided from all its distinct values.

    Returns ``(mark, point_example, comma_example)``: ``"point"`` or ``"comma"`` when some value
    proves it (``$48,500.00`` or ``1,000,000`` prove a point; ``1.234,5`` or ``24,50`` a comma), the
    ``prior`` (the file's convention) when no value is ambiguous either way, ``"ambiguous"`` when
    values prove both, or when only values like ``75,250`` / ``1.500`` exist and the prior is
    ``"ask"``.

    >>> decimal_mark(["$52,000", "$48,500.00", "75,250"], prior="ask")[0]
    'point'
    >>> decimal_mark(["24,50", "1.234,5"])[0], decimal_mark(["75,250"], prior="ask")[0]
    ('comma', 'ambiguous')
    """
    point = comma = either = ""
    for v in values:
        t = _MONEY_NOISE.sub("", str(v))
        if not point and any(r.match(t) for r in _PROVES_POINT):
            point = str(v)
        elif not comma and any(r.match(t) for r in _PROVES_COMMA):
            comma = str(v)
        elif not either and _EITHER.match(t):
            either = str(v)
    if point and comma:
        return "ambiguous", point, comma
    if point or comma:
        return ("point" if point else "comma"), point, comma
    if either and prior == "ask":
        return "ambiguous", either, either
    return ("comma" if prior == "comma" else "point"), "", ""


def _column_decimal(t: TextTable, col: str, choice: str) -> bool:
    """True when column ``col`` uses a decimal comma; asks (CensusError) when it cannot tell."""
    if choice in ("point", "comma"):
        return choice == "comma"
    uniques = pc.unique(t.cells[col]).to_pylist()  # distinct values only: no per-row codes (memory)
    mark, p, c = decimal_mark(uniques, prior="ask" if t.decimal_comma else "point")
    if mark == "ambiguous":
        what = (f"{p!r} reads as a decimal point and {c!r} as a decimal comma" if p != c else
                f"{p!r} could be {_show_both(p)}")
        raise CensusError(f"column {col!r}: cannot tell the decimal mark ({what}); say which: --decimal point "
                          "or --decimal comma (on the page: 'Decimal mark')")
    return mark == "comma"


def _show_both(v: str) -> str:
    t = _MONEY_NOISE.sub("", v)
    return f"{t.replace(',', '').replace('.', '')} or {t.replace(',', '.').replace('.', '.', 1)}"


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
    if arr.nbytes == raw.nbytes:  # nothing trimmed: drop the copy (memory, issue 10)
        arr = raw
    empty = pc.equal(arr, "").to_numpy(zero_copy_only=False)
    clean = pc.match_substring_regex(arr, _NUM).to_numpy(zero_copy_only=False)
    if decimal_comma:  # "1,234" in a semicolon file is one-point-two-three-four
        clean &= ~pc.match_substring(arr, ",").to_numpy(zero_copy_only=False)
    if clean.any():  # (a whole clean column is cast without a filtered copy: memory, issue 10)
        values[clean] = pc.cast(arr if clean.all() else arr.filter(pa.array(clean)),
                                pa.float64()).to_numpy(zero_copy_only=False)
    codes[empty] = MISSING
    todo = ~clean & ~empty  # a mask, not row indices: 1 byte a row instead of 8 (memory)
    del clean, empty
    if not decimal_comma and todo.any():  # "$52,000.00", "USD 41 000": vectorised cleaning first
        src = arr if todo.all() else arr.filter(pa.array(todo))
        sign = pc.starts_with(src, "-").to_numpy(zero_copy_only=False)
        sub = pc.replace_substring_regex(src, r"^[+-]?\$|[$€£\s\x{00a0}\x{202f}]|^USD", "")
        del src
        grouped = pc.match_substring_regex(sub, r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
        if pc.all(grouped).as_py():
            sub = pc.replace_substring(sub, ",", "")
        elif pc.any(grouped).as_py():
            sub = pc.if_else(grouped, pc.replace_substring(sub, ",", ""), sub)
        del grouped
        ok = pc.match_substring_regex(sub, _NUM).to_numpy(zero_copy_only=False)
        if ok.any():
            v = pc.cast(sub if ok.all() else sub.filter(pa.array(ok)), pa.float64()).to_numpy(zero_copy_only=False)
            del sub
            done = todo.copy()
            done[todo] = ok
            values[done] = v
            del v
            values[done & (values > 0) & _scatter(todo, sign)] *= -1
            codes[done] = CLEANED
            todo &= ~done
    rest = np.flatnonzero(todo)
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


def _scatter(where: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A full-length mask holding ``values`` at the True positions of ``where`` (False elsewhere)."""
    out = np.zeros(len(where), dtype=bool)
    out[where] = values
    return out


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


def _pay(report: _Report, t: TextTable, columns: dict[str, str], decimal: str = "auto") -> tuple[np.ndarray, np.ndarray, list[str]]:
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
        v, codes = _parse_numbers(raw, _column_decimal(t, col, decimal))
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


def _hours(report: _Report, t: TextTable, columns: dict[str, str], decimal: str = "auto") -> tuple[np.ndarray, np.ndarray, list[str]]:
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
        v, codes = _parse_numbers(raw, _column_decimal(t, col, decimal), percent_ok=(fld == "fte"))
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


def _age(report: _Report, t: TextTable, columns: dict[str, str]) -> np.ndarray:
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


def _sex(report: _Report, t: TextTable, columns: dict[str, str]) -> np.ndarray:
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


def _shape_checks(t: TextTable, column_map: Mapping[str, str] | None, kind: str) -> tuple[dict[str, str], bool]:
    """Columns mapped to fields, and whether the file is aggregated; CensusError when unusable."""
    if len(t.columns) == 1 and not column_map:
        known = {name for _, names in FIELDS.values() for name in names}
        words = [w for w in _norm_name(t.columns[0]).split("_") if w in known]
        if len(words) >= 2:
            raise CensusError(f"only one column was found, {t.columns[0]!r}, but it names several fields "
                              f"({', '.join(words)}): separate the columns with commas, semicolons, tabs or "
                              "vertical bars")
    columns = detect_columns(t.columns, column_map)
    found = ", ".join(repr(c) for c in t.columns[:20])
    if not columns:
        hint = ""
        if len(t.columns) == 1:
            hint = (" Only one column was found, so the values may be separated by something other than "
                    "commas, semicolons, tabs or vertical bars.")
        raise CensusError(f"no column was recognised (found: {found}).{hint} "
                          f"Name the columns like {', '.join(FIELDS)} or map them, e.g. --column-map "
                          "'Pay Rate=hourly_wage'")
    if kind == "aggregated" and "headcount" not in columns:
        raise CensusError("missing required column 'headcount': an aggregated file needs the number of "
                          f"employees in each row (columns found: {found})")
    if kind == "employee" and "headcount" in columns:
        raise CensusError(f"column {columns['headcount']!r} looks like a headcount, but the file was declared "
                          "employee-level; choose 'aggregated' or map the column to 'ignore'")
    return columns, "headcount" in columns


def _drop_blank(t: TextTable) -> tuple[TextTable, list[str]]:
    """Blank rows carry nothing: drop them, and say so."""
    nonblank = np.zeros(len(t.rows), dtype=bool)
    for col in t.columns:
        nonblank |= pc.not_equal(pc.utf8_trim_whitespace(t.cells[col]), "").to_numpy(zero_copy_only=False)
    notes = list(t.notes)
    if (~nonblank).any():
        notes.append(f"skipped {int((~nonblank).sum()):,} blank row(s)")
        keep = pa.array(nonblank)
        t = TextTable(t.columns, {c: v.filter(keep) for c, v in t.cells.items()}, t.rows[nonblank], t.fmt, notes,
                      t.broken, t.decimal_comma)
    if len(t.rows) == 0 and not t.broken:
        raise CensusError("the file has a header but no data rows")
    return t, notes


def _headcount(report: _Report, t: TextTable, columns: dict[str, str], decimal: str) -> np.ndarray:
    """Employees per row (1 in an employee-level file); NaN where the headcount is unusable."""
    if "headcount" not in columns:
        return np.ones(len(t.rows))
    col = columns["headcount"]
    raw = t.cells[col]
    hc, codes = _parse_numbers(raw, _column_decimal(t, col, decimal))
    _number_issues(report, codes, raw, "headcount", col, "the number of employees in the row")
    add = dict(severity="error", field="headcount", column=col, values=raw)
    report.add(codes == MISSING, code="missing_required", **add,
               message=lambda x, c=col: f"{c}: empty; every row of an aggregated file needs a headcount")
    ok = np.isfinite(hc)
    report.add(ok & (hc < 0), code="negative", **add,
               message=lambda x, c=col: f"{c}: {x} is negative; a headcount is 0 or more")
    report.add(ok & (hc >= 0) & (hc != np.round(hc)), code="not_whole", **add,
               message=lambda x, c=col: f"{c}: {x} is not a whole number of employees")
    report.add(ok & (hc > HEADCOUNT_MAX), code="out_of_range", **add,
               message=lambda x, c=col: f"{c}: {x} is above {HEADCOUNT_MAX:,}")
    report.add(ok & (hc == 0), code="zero_headcount", **{**add, "severity": "warning"},
               message=lambda x, c=col: f"{c}: {x}: the row has no employees and adds nothing")
    good = ok & (hc >= 0) & (hc == np.round(hc)) & (hc <= HEADCOUNT_MAX)
    return np.where(good, hc, np.nan)


def _duplicate_ids(report: _Report, t: TextTable, columns: dict[str, str]) -> None:
    if "employee_id" not in columns:
        return
    col = columns["employee_id"]
    dup = _repeated(t.cells[col])
    if not dup.any():
        return
    ids = pc.utf8_trim_whitespace(t.cells[col])
    idx = np.flatnonzero(dup)
    sub = pd.Series(t.rows[idx]).groupby(ids.take(pa.array(idx)).to_pylist())
    where = sub.agg(lambda r: ", ".join(map(str, r.iloc[:5])) + (" ..." if len(r) > 5 else ""))
    report.add(dup, code="duplicate_id", severity="error", field="employee_id", column=col, values=ids,
               message=lambda x, c=col: f"{c}: employee ID {x} appears more than once",
               extra=lambda raw: f" (rows {where.get(raw, '?')}); keep one row per employee")


def _repeated(raw: pa.Array) -> np.ndarray:
    """True for every row whose (trimmed, non-empty) value appears more than once.

    Sorting costs a fraction of a hash table's memory for a column of unique IDs (issue 10)."""
    ids = pc.utf8_trim_whitespace(raw)
    if ids.nbytes == raw.nbytes:  # trimming removed nothing: use the column itself
        ids = raw
    order = pc.array_sort_indices(ids)
    ranked = ids.take(order)
    del ids
    same = pc.equal(ranked[1:], ranked[:-1]).to_numpy(zero_copy_only=False)
    dup_sorted = np.zeros(len(raw), dtype=bool)
    dup_sorted[1:] |= same
    dup_sorted[:-1] |= same
    del same
    dup_sorted &= pc.not_equal(ranked, "").to_numpy(zero_copy_only=False)
    del ranked
    dup = np.empty(len(raw), dtype=bool)
    dup[order.to_numpy(zero_copy_only=False)] = dup_sorted
    return dup


def _labels(report: _Report, t: TextTable, columns: dict[str, str]) -> dict[str, pd.Categorical]:
    n = len(t.rows)
    return {fld: (_label_column(t.cells[columns[fld]], report, fld, columns[fld]) if fld in columns else
                  pd.Categorical.from_codes(np.zeros(n, int), categories=["unspecified"]))
            for fld in ("job_family", "industry", "location")}


def _check_job_map(job_map: Mapping[str, str] | None) -> dict[str, str]:
    jm = {str(k).strip().lower(): v for k, v in (job_map or {}).items()}
    for v in jm.values():
        try:
            p = preset(v)
        except PresetError as exc:
            raise CensusError(f"job map: {exc}") from None
        if p.kind != "job_family":
            raise CensusError(f"job map: {v!r} is an industry preset; use a job family: "
                              f"{', '.join(p.id for p in presets().values() if p.kind == 'job_family')}")
    return jm


def _preset_columns(report: _Report, labels: dict[str, pd.Categorical], columns: dict[str, str],
                    jm: dict[str, str]) -> dict[str, pd.Categorical]:
    """Job families and industries -> preset ids ('' = unknown, flagged as a warning)."""
    out: dict[str, pd.Categorical] = {}
    for fld in ("job_family", "industry"):
        cat = labels[fld]
        matched = []
        for u in cat.categories:
            m = jm.get(str(u).lower()) if fld == "job_family" else None
            matched.append(m or (match_preset(str(u).lstrip("'"), fld) if u != "unspecified" else None) or "")
        mcodes, mcats = pd.factorize(pd.Series(matched, dtype=object))
        codes = np.asarray(cat.codes)
        out[fld] = pd.Categorical.from_codes(mcodes[codes] if len(matched) else codes, categories=mcats)
        if fld not in columns:
            continue
        names = ", ".join(p.id for p in presets().values() if p.kind == fld)
        unmatched = np.array([m == "" and u != "unspecified" for m, u in zip(matched, cat.categories, strict=True)]
                             or [False])
        report.add(unmatched[codes], code="unknown_category", severity="warning", field=fld, column=columns[fld],
                   values=np.asarray(cat.categories, dtype=object)[codes] if len(matched) else None,
                   message=lambda x, c=columns[fld], nm=names, f=fld: (
                       f"{c}: {x} is not a known {f.replace('_', ' ')}; it gets the workforce's average "
                       f"prevalence and absence. Map it to one of: {nm}"))
    return out


def read_census(data: bytes, filename: str | None = None, *, column_map: Mapping[str, str] | None = None,
                kind: str = "auto", job_map: Mapping[str, str] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS,
                decimal: str = "auto") -> Census:
    """Read and validate a census file given as bytes (never touches the disk).

    ``kind``: ``"auto"`` (aggregated when a headcount column exists), ``"employee"`` or
    ``"aggregated"`` (then ``headcount`` is required). ``job_map`` maps job-family labels of the
    file to preset ids (``{"RN": "patient_care"}``) when the names are not recognised.
    ``decimal``: ``"auto"`` decides the decimal mark per column from all its values
    (:func:`decimal_mark`) and raises :class:`CensusError` asking for ``"point"`` or ``"comma"``
    only when a column is truly ambiguous. Raises :class:`CensusError` for a file that cannot be a
    census; everything else is an :class:`Issue` in :attr:`Census.issues`.
    """
    with _guards.freed_memory_returned():  # memory: issue 10 (docs/CENSUS.md, "Memory")
        return _read_census(data, filename, column_map, kind, job_map, max_bytes, max_rows, decimal)


def _read_census(data: bytes, filename: str | None, column_map: Mapping[str, str] | None, kind: str,
                 job_map: Mapping[str, str] | None, max_bytes: int, max_rows: int, decimal: str) -> Census:
    if kind not in ("auto", "employee", "aggregated"):
        raise CensusError(f"kind must be auto, employee or aggregated, got {kind!r}")
    if decimal not in ("auto", "point", "comma"):
        raise CensusError(f"decimal must be auto, point or comma, got {decimal!r}")
    t = read_text_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)
    columns, agg = _shape_checks(t, column_map, kind)
    unused = tuple(c for c in t.columns if c not in columns.values())
    jm = _check_job_map(job_map)
    t, notes = _drop_blank(t)
    file_columns = tuple(t.columns)
    # each text column is dropped as soon as its fields are read (memory: issue 10)
    t = dataclasses.replace(t, cells={c: v for c, v in t.cells.items() if c in columns.values()})
    del data
    report = _Report(t.rows)
    headcount = _done(t, columns, ("headcount",), _headcount(report, t, columns, decimal))
    _done(t, columns, ("employee_id",), _duplicate_ids(report, t, columns))
    hourly, annual, pay_notes = _done(t, columns, _PAY_FIELDS, _pay(report, t, columns, decimal))
    per_year, fte, hour_notes = _done(t, columns, _HOURS_FIELDS, _hours(report, t, columns, decimal))
    notes += pay_notes + hour_notes
    band = _done(t, columns, ("age", "age_band"), _age(report, t, columns))
    sex = _done(t, columns, ("sex",), _sex(report, t, columns))
    labels = _done(t, columns, ("job_family", "industry", "location"), _labels(report, t, columns))
    preset_cols = _preset_columns(report, labels, columns, jm)
    for row, msg in t.broken:  # structurally broken rows
        report.items.append(Issue("wrong_field_count", "error", "", "", "", 1, (row,), f"row {row} {msg}"))
    df = pd.DataFrame({
        "row": t.rows, "headcount": headcount, "hourly_wage": hourly, "annual_pay": annual,
        "hours_per_year": per_year, "fte": fte,
        "age_band": pd.Categorical.from_codes(band, categories=_BAND_CATEGORIES),
        "sex": pd.Categorical.from_codes(sex, categories=_SEX_CATEGORIES),
        "job_family": labels["job_family"], "job_preset": preset_cols["job_family"],
        "industry": labels["industry"], "industry_preset": preset_cols["industry"],
        "location": labels["location"], "error": report.error, "warning": report.warning,
    }, copy=False)  # the arrays are this function's own: no consolidated copy of the float columns (memory)
    del headcount, hourly, annual, per_year, fte, band, sex, labels, preset_cols
    return Census(df, report.frame(), "aggregated" if agg else "employee", t.fmt, columns, unused, tuple(notes),
                  len(t.broken), filename or "", file_columns)


def _done(t: TextTable, columns: dict[str, str], fields: tuple[str, ...], result: Any) -> Any:
    """Drop the text columns of ``fields`` from ``t`` once they are read; return ``result``."""
    for fld in fields:
        if fld in columns:
            t.cells.pop(columns[fld], None)
    return result
