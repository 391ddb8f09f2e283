"""Reports and exports: PDF business case, live Excel workbook, pitch deck, Word summary, CSV and JSON.

Every export function takes a :class:`~calculator.scenario.Scenario` (or a prepared
:class:`~calculator.export.report.ReportData`) and returns ``bytes``::

    from calculator import Scenario
    from calculator.export import export
    pdf = export(Scenario(), "pdf")                      # business case with charts
    xlsx = export(Scenario(), "xlsx")                    # live formulas over named inputs
    csv = export(Scenario(), "csv", table="monthly")     # one table per CSV

``uncertainty`` takes the result of :func:`calculator.uncertainty.psa` (or ``None``: the reports
then say "not run"). Importing this package needs openpyxl, reportlab and python-pptx (the
``export`` extra); the PDF's charts also need kaleido and a Chrome/Chromium.
"""

from __future__ import annotations

from typing import Any

from .report import ReportData, Uncertainty, build_report

__all__ = ["FORMATS", "MEDIA_TYPES", "ReportData", "Uncertainty", "build_report", "export", "filename"]

#: File extension -> what it holds.
FORMATS = {
    "pdf": "business case report (PDF)",
    "xlsx": "workbook with live formulas (Excel)",
    "pptx": "pitch deck (PowerPoint)",
    "docx": "one-page executive summary (Word)",
    "csv": "one table as CSV",
    "json": "results, monthly cash flow, comparison, inputs and sources (JSON)",
}

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "json": "application/json",
}


def export(scenario: Any, fmt: str, *, uncertainty: Any = None, table: str = "results",
           charts: bool = True) -> bytes:
    """The scenario (or a :class:`ReportData`) as ``fmt`` bytes (``pdf``, ``xlsx``, ``pptx``, ``docx``, ``csv``,
    ``json``)."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    d = scenario if isinstance(scenario, ReportData) else build_report(scenario, uncertainty=uncertainty)
    if fmt == "pdf":
        from .pdf import pdf_bytes
        return pdf_bytes(d, charts=charts)
    if fmt == "xlsx":
        from .xlsx import xlsx_bytes
        return xlsx_bytes(d)
    if fmt == "pptx":
        from .pptx import pptx_bytes
        return pptx_bytes(d)
    if fmt == "docx":
        from .docx import docx_bytes
        return docx_bytes(d)
    from .tables import csv_bytes, json_bytes
    return csv_bytes(d, table) if fmt == "csv" else json_bytes(d)


def filename(d: ReportData, fmt: str) -> str:
    """A download name such as ``backpain-roi_relaxation_massage_12m.pdf`` (no user text in it)."""
    return f"backpain-roi_{d.program.therapy}_{d.horizon}m.{fmt}"
