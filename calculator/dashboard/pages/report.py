"""Report: a preview of the business case's headline, and every export as a download.

The preview and the files read the same :class:`calculator.export.ReportData`, so the numbers on
this page, in the PDF, the workbook, the deck and the CSV/JSON are the same. Files are made only
when a download button is clicked (Streamlit runs the callable then, in a worker thread) and are
cached on the scenario's canonical JSON and the simulation settings.
"""

from __future__ import annotations

import threading

import streamlit as st

from calculator import from_json
from calculator.census import CensusResult
from calculator.export import MEDIA_TYPES, ReportData, build_report, export, filename
from calculator.export.render import browser_path
from calculator.export.report import own_data_lines, ref_list
from calculator.scenario_library import name_slug
from calculator.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, psa

from .. import fmt, state, ui
from ..census_state import active_census

#: Simulations the page offers for the ROI interval (0 = do not run the uncertainty analysis).
DRAW_CHOICES = (0, 1_000, 10_000)

#: (format, table, button label, icon) in the order of the buttons.
DOWNLOADS = (
    ("pdf", "results", "Business case (PDF)", ":material/picture_as_pdf:"),
    ("xlsx", "results", "Workbook with live formulas (Excel)", ":material/table_view:"),
    ("pptx", "results", "Pitch deck (PowerPoint)", ":material/slideshow:"),
    ("docx", "results", "Executive summary (Word)", ":material/description:"),
    ("csv", "results", "Results (CSV)", ":material/csv:"),
    ("csv", "monthly", "Monthly cash flow (CSV)", ":material/calendar_month:"),
    ("json", "results", "Everything (JSON)", ":material/data_object:"),
)


def _report(scenario_json: str, draws: int, seed: int, census: CensusResult | None = None,
            origins: tuple[tuple[str, str], ...] = ()) -> ReportData:
    """The report, built the one way the CLI builds it: ``build_report(..., census=CensusResult,
    origins={path: "survey"})``; values from the claims are marked by the scenario itself."""
    s = from_json(scenario_json)
    return build_report(s, uncertainty=psa(s, draws, seed) if draws else None, census=census, origins=dict(origins))


def own_origins() -> tuple[tuple[str, str], ...]:
    """``(path, "survey" | "claims")`` of values the Your workforce and Health plan pages set from the
    user's own data and still in the scenario (an edited value is no longer "from your survey")."""
    from calculator.scenario import get_path

    from ..fields import ORIGINS_KEY
    s, out = state.current_scenario(), []
    for path, o in sorted((st.session_state.get(ORIGINS_KEY) or {}).items()):
        try:
            now = get_path(s, path)
        except Exception:  # noqa: BLE001 - a path of another scenario shape is simply not shown
            continue
        if o.get("kind") in ("survey", "claims") and isinstance(now, (int, float)) and \
                isinstance(o.get("value"), (int, float)) and abs(float(now) - float(o["value"])) < 1e-9:
            out.append((path, str(o["kind"])))
    return tuple(out)


@st.cache_data(max_entries=32, show_spinner="Preparing the report ...")
def cached_report(scenario_json: str, draws: int, seed: int, census_key: str | None = None,
                  _census: CensusResult | None = None, origins: tuple[tuple[str, str], ...] = ()) -> ReportData:
    """The report's content for a scenario (canonical JSON), simulation settings and the census in use
    (``census_key`` identifies it; the result itself is not hashed) (cached)."""
    return _report(scenario_json, draws, seed, _census, origins)


_FILES: dict[tuple, bytes] = {}
_FILES_MAX = 24
_FILES_LOCK = threading.Lock()


def file_bytes(scenario_json: str, draws: int, seed: int, fmt_: str, table: str,
               census_key: str | None = None, census: CensusResult | None = None,
               origins: tuple[tuple[str, str], ...] = ()) -> bytes:
    """One export file (cached on its inputs). Runs in Streamlit's download thread, so no ``st`` call."""
    key = (scenario_json, draws, seed, fmt_, table, census_key, origins)
    with _FILES_LOCK:
        if key in _FILES:
            return _FILES[key]
    data = export(_report(scenario_json, draws, seed, census, origins), fmt_, table=table)
    with _FILES_LOCK:
        while len(_FILES) >= _FILES_MAX:
            _FILES.pop(next(iter(_FILES)))
        _FILES[key] = data
    return data


def _download_name(d: ReportData, fmt_: str, table: str) -> str:
    name = filename(d, fmt_)
    name = name.replace(".csv", f"_{table}.csv") if fmt_ == "csv" else name
    slug = name_slug(d.result.scenario.name)  # the scenario's name leads the file name (issue 13)
    return f"{slug}_{name}" if slug else name


def render() -> None:
    ui.header(
        "Report: the business case to share",
        "A one-page answer for a finance lead with every number footnoted to its source, the workbook "
        "with live formulas an analyst can audit, a short pitch deck, and the raw tables. All of them "
        "carry the numbers of the current scenario.",
    )
    ui.stale_banner()
    opts = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with opts.container(width=300):
        draws = st.selectbox(
            "Simulations for the ROI interval", DRAW_CHOICES, index=DRAW_CHOICES.index(DEFAULT_DRAWS),
            format_func=lambda n: "headline only (2,000, fixed seed)" if n == 0 else f"{n:,}", key="report-draws",
            help="The probabilistic sensitivity analysis behind the ROI interval and the chance the "
                 "program pays for itself (same model and seed as the Uncertainty page).")
    with opts.container(width=200):
        seed = st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=DEFAULT_SEED, step=1,
                               key="report-seed", help="Same seed, same numbers.")
    sj = state.scenario_json()
    census_key, census = active_census() or (None, None)
    own = own_origins()
    d = cached_report(sj, int(draws), int(seed), census_key, census, own)
    if census is not None:
        st.caption(f"Your census is in use: the reports add a table of {len(d.segments)} workforce segments.")
    own_lines = own_data_lines(d)
    if own_lines:  # what the files will mark "from your claims" / "from your survey" (issue 11)
        st.container(key="report-own-data").caption(fmt.md("Marked in every report as your own data: "
                                                           + "; ".join(own_lines) + "."))

    st.header("Preview of page 1")
    st.markdown(f"**{fmt.md(d.verdict())}**")
    st.markdown(fmt.md(d.question()))
    st.markdown("\n".join(f"- {fmt.md(line)}" for line in d.answer()[1:]))
    figs = d.figures
    cards = []
    for key in ("burden", "cost", "savings", "roi", "interval", "p_positive", "payback"):
        f = figs[key]
        refs = ref_list(f.refs)
        cards.append(ui.Kpi(f.label, f.text, f.note + (f" Sources {refs} in the report's reference list." if refs else ""),
                            key=f"report-{key}", note=f.sub))
    ui.other_warnings(ui.kpi_cards(cards, d.result.warnings))

    st.header("Download")
    if browser_path() is None:
        st.info("No Chrome or Chromium was found on this server, so the PDF will say that its charts could "
                "not be drawn; every table is still in it.", icon=":material/info:")
    row = st.container(horizontal=True, gap="small")
    for fmt_, table, label, icon in DOWNLOADS:
        row.download_button(
            label, data=lambda f=fmt_, t=table: file_bytes(sj, int(draws), int(seed), f, t, census_key, census, own),
            file_name=_download_name(d, fmt_, table), mime=MEDIA_TYPES[fmt_],
            key=f"report-download-{fmt_}-{table}", icon=icon, on_click="ignore")
    st.caption(
        f"Parameter set {d.result.parameter_set}; scenario fingerprint {d.scenario_sha256[:16]}. The workbook's "
        "results are Excel formulas over named input cells: change an input there and every figure "
        "updates. The PDF's appendix lists every assumption, the therapy evidence, the method, the "
        "limitations and the numbered sources.")
