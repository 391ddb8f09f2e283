"""The employer's own workforce: read, validate and segment a census; evaluate it per segment.

A census is a table of employees (one row each) or of groups (one row per group, with a
``headcount`` column), from a CSV, XLSX or Parquet file given as **bytes**: nothing here reads or
writes the disk, so the dashboard never stores an upload. Three stages, one module each:

1. :mod:`.files` (and :mod:`.xlsx`): bytes -> text columns. Encoding, BOM, delimiter and format are
   detected; every size guard lives here (the byte limit, rows, columns, every unpacked .xlsx member
   including shared strings, streamed). :func:`read_table` is the one door for *any* uploaded table
   (census, groups, claims): it returns a DataFrame of text cells or a :class:`CensusError`.
2. :mod:`.validate`: :func:`read_census` maps columns to *fields* (auto-detected or
   ``column_map={"Pay Rate": "hourly_wage"}``), parses every value (the decimal mark decided per
   column) and reports each problem as an :class:`Issue` with code, column, value and rows.
3. :mod:`.segments`: :func:`evaluate_census` builds model cells per age band x sex x job family,
   runs the vectorised model once, merges small segments into "other" and returns the
   *census-equivalent scenario* every other page and command uses.

The bring-your-own WPAI survey lives with the other named sources of values in
:mod:`calculator.presets` (re-exported here).

>>> c = read_census(b'job,age,sex,salary\\nNurse,52,F,"$61,000"\\nClerk,29,M,41000\\n')
>>> c.kind, c.columns["annual_salary"], c.data["annual_pay"].tolist()
('employee', 'salary', [61000.0, 41000.0])
>>> c.data["age_band"].tolist(), c.data["job_preset"].tolist()
(['45-64', 'under 45'], ['patient_care', 'desk'])
"""

from ..presets import SurveyResults, apply_survey, parse_survey
from .files import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    LABEL_MAX,
    MAX_COLUMNS,
    XLSX_EXPANSION,
    CensusError,
    TableError,
    TextTable,
    read_limited,
    read_table,
    read_text_table,
)
from .segments import CensusResult, census_scenario, evaluate_census, min_group_size, segment_cells
from .validate import (
    DEFAULT_BY,
    FIELDS,
    SEGMENT_DIMS,
    Census,
    Issue,
    detect_columns,
    parse_column_map,
    read_census,
    safe_label,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "LABEL_MAX",
    "MAX_COLUMNS",
    "XLSX_EXPANSION",
    "FIELDS",
    "DEFAULT_BY",
    "SEGMENT_DIMS",
    "CensusError",
    "TableError",
    "TextTable",
    "Census",
    "CensusResult",
    "Issue",
    "SurveyResults",
    "read_limited",
    "read_table",
    "read_text_table",
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
