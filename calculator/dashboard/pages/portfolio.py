"""Book of business: every employer group of a book, each with its own Monte Carlo analysis.

Upload a groups file (or use the sample of 50 fictional groups), run it with a progress bar, then
read the book totals, the scatter of group size against P(ROI > 0), the sortable per-group table,
and download the table (CSV, Excel) or the one-page PDF summary. The run happens in this server
process (:func:`calculator.book.run` with one worker); the CLI spreads large books over processes or
a Dask cluster (docs/PORTFOLIO.md).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import streamlit as st

from calculator import charts_portfolio as cp
from calculator import library
from calculator.book import CONFIDENT_P, WHOLE_BOOK, BookError, BookResult, GroupsFile, read_groups, run
from calculator.census import DEFAULT_MAX_BYTES
from calculator.uncertainty import DEFAULT_SEED

from .. import fmt, state, ui

SAMPLE = Path(__file__).resolve().parents[3] / "assets" / "sample_groups.csv"
#: Draws per group the page offers (the CLI takes any number).
DRAW_CHOICES = (1_000, 10_000)
_PMPM_HELP = ("5th / 95th percentile of the plan PMPM over the group's first simulations "
              "(calculator.book.PMPM_DRAWS), the same draws as its ROI")
#: Columns of the per-group table: output column -> heading.
COLUMNS = {
    "group_id": "Group", "name": "Name", "status": "Status", "industry": "Industry", "therapy": "Therapy",
    "perspective": "Perspective", "employees": "Employees", "net_benefit_base": "Net benefit (base case)",
    "net_benefit_mean": "Net benefit (mean)", "roi_base": "ROI (base case)", "roi_mean": "ROI (mean)",
    "roi_p5": "ROI 5%", "roi_p95": "ROI 95%", "prob_roi_positive": "P(ROI > 0)",
    "prob_payback_12m": "P(payback <= 12 months)", "evpi": "EVPI", "pmpm_base": "Plan PMPM (base case)",
    "pmpm_p5": "Plan PMPM 5%", "pmpm_p95": "Plan PMPM 95%",
}


@st.cache_data(max_entries=4, show_spinner="Reading and checking the groups file ...")
def cached_groups(digest: str, name: str, data: bytes, base_json: str) -> GroupsFile:
    from calculator import from_json
    return read_groups(data, name, from_json(base_json))


def _source() -> tuple[str, bytes] | None:
    choice = st.segmented_control("Groups", ["Sample book (50 groups)", "Upload a groups file"],
                                  default="Sample book (50 groups)", key="book-source")
    if choice == "Upload a groups file":
        up = st.file_uploader("Groups file: CSV, Excel (.xlsx) or Parquet, one row per employer group",
                              type=["csv", "xlsx", "parquet"], key="book-upload",
                              help="Columns: group_id (required), name, industry, and any scenario path such "
                                   "as workforce.employees or programs.0.therapy. Empty cells take the "
                                   "values on the other pages.")
        if up is None:
            st.info("Upload a groups file, or use the sample book. docs/PORTFOLIO.md describes the columns.")
            return None
        if up.size > DEFAULT_MAX_BYTES:
            st.error(f"The file is {up.size / 2**20:,.1f} MB, over the {DEFAULT_MAX_BYTES / 2**20:,.0f} MB limit.")
            return None
        return up.name, up.getvalue()
    return SAMPLE.name, SAMPLE.read_bytes()


def _settings() -> tuple[int, int, str | None]:
    row = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with row.container(width=200):
        draws = st.selectbox("Simulations per group", DRAW_CHOICES, index=1, format_func=lambda n: f"{n:,}",
                             key="book-draws")
    with row.container(width=180):
        seed = st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=DEFAULT_SEED, step=1,
                               key="book-seed", help="Same seed, same numbers; each group's draws also "
                                                     "depend on its group id.")
    lib = library()
    options = [None, *lib.therapies]
    with row.container(width=320):
        therapy = st.selectbox("Therapy", options, key="book-therapy",
                               format_func=lambda t: "Each group's own (from the file)" if t is None
                               else lib.therapy(t).label)
    return int(draws), int(seed), therapy


def _problems(book: GroupsFile) -> bool:
    """Show the invalid rows; True when the run may go ahead."""
    if book.problems.empty:
        return True
    st.warning(f"{len(book.invalid)} row(s) of the file have problems. Fix them in the file, or run the other "
               "groups and list these in the results.", icon=":material/warning:")
    heads = {"row": "Row", "group_id": "Group", "column": "Column", "value": "Value", "problem": "Problem"}
    st.dataframe(book.problems.rename(columns=heads), hide_index=True, width="stretch", key="book-problems")
    return st.checkbox("Run the valid groups and list the invalid rows in the results", key="book-exclude")


def _progress_text(done: int, total: int, t0: float) -> str:
    """'12 of 50 groups · 8.1 groups/s · about 5 s left'."""
    elapsed = max(time.perf_counter() - t0, 1e-9)
    rate = done / elapsed
    left = (total - done) / rate if rate > 0 else float("nan")
    eta = f"about {left:,.0f} s left" if left == left else "estimating time left"
    return f"{done:,} of {total:,} groups · {rate:,.1f} groups/s · {eta}"


def _run(book: GroupsFile, draws: int, seed: int, therapy: str | None, exclude: bool) -> BookResult:
    bar = st.progress(0.0, text=f"0 of {len(book.groups):,} groups")
    t0 = time.perf_counter()

    def update(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=_progress_text(done, total, t0))
    res = run(book, draws, seed, base=state.current_scenario(), therapy=therapy, exclude_invalid_rows=exclude,
              progress=update)
    bar.progress(1.0, text=f"Done: {len(book.groups):,} groups in {res.seconds:,.1f} s")
    return res


def _short(x: float) -> str:
    """Compact dollars for a card's second line: '−$1.6M', '$905k', '$950'."""
    a = abs(x)
    text = f"${a / 1e6:,.1f}M" if a >= 1e6 else f"${a / 1e3:,.0f}k" if a >= 1e4 else f"${a:,.0f}"
    return (fmt.MINUS + text) if x < 0 else text


def _totals(res: BookResult) -> None:
    t = res.totals
    head = t.iloc[0]
    what = "the whole book" if head["therapy"] == WHOLE_BOOK else head["label"]
    st.header(f"Book totals: {what}")
    cards = [
        ui.Kpi("Book net benefit", fmt.money(head["net_benefit_mean"]),
               "Savings minus cost over each group's horizon, summed over the groups: the mean over "
               f"simulations, and the 5-95% interval ({fmt.money(head['net_benefit_p5'])} to "
               f"{fmt.money(head['net_benefit_p95'])})", key="book-net",
               note=f"{_short(head['net_benefit_p5'])} to {_short(head['net_benefit_p95'])}"),
        ui.Kpi("Book comes out ahead", fmt.pct(head["prob_net_positive"], 0),
               "Share of simulations in which the summed net benefit of all groups is positive: P(book ROI > 0)",
               key="book-p", note="of simulations"),
        ui.Kpi("Book ROI", fmt.pct(head["roi_mean"], 0), "Summed savings over summed cost, minus 1 (mean over "
               f"simulations). P(ROI > 0) = {fmt.pct(head['prob_net_positive'], 0)}.", key="book-roi",
               note=f"{fmt.pct(head['roi_p5'], 0)} to {fmt.pct(head['roi_p95'], 0)} · P>0 {fmt.pct(head['prob_net_positive'], 0)}"),
        ui.Kpi("Book plan PMPM", fmt.money(head["pmpm_base"], cents=True),
               "The plans' net budget impact per member per month over their horizons, summed over the groups "
               "and divided by all their member months (member-weighted; positive: the plans spend more). "
               f"5-95% over simulations: {fmt.money(head['pmpm_p5'], cents=True)} to "
               f"{fmt.money(head['pmpm_p95'], cents=True)}.", key="book-pmpm",
               note=f"{fmt.money(head['pmpm_p5'], cents=True)} to {fmt.money(head['pmpm_p95'], cents=True)}"),
        ui.Kpi(f"Groups with P(ROI > 0) ≥ {CONFIDENT_P:.0%}", f"{int(head['groups_confident']):,} of {int(head['groups']):,}",
               "Groups where the benefit very likely pays back", key="book-confident",
               note=f"{int(head['employees_confident']):,} of {int(head['employees']):,} employees"),
    ]
    ui.kpi_cards(cards, [])
    if len(t) > 1:
        view = t[["label", "groups", "employees", "net_benefit_mean", "net_benefit_p5", "net_benefit_p95",
                  "roi_mean", "prob_net_positive", "groups_confident"]].rename(columns={
            "label": "Therapy", "groups": "Groups", "employees": "Employees", "net_benefit_mean": "Net benefit (mean)",
            "net_benefit_p5": "5%", "net_benefit_p95": "95%", "roi_mean": "ROI (mean)",
            "prob_net_positive": "P(net > 0)", "groups_confident": f"Groups P ≥ {CONFIDENT_P:.0%}"})
        money = st.column_config.NumberColumn(format="dollar", step=1)
        st.dataframe(view.round({"Net benefit (mean)": 0, "5%": 0, "95%": 0}), hide_index=True, width="stretch",
                     key="book-totals", column_config={
                         "Net benefit (mean)": money, "5%": money, "95%": money,
                         "Employees": st.column_config.NumberColumn(format="localized"),
                         "ROI (mean)": st.column_config.NumberColumn(format="percent"),
                         "P(net > 0)": st.column_config.NumberColumn(format="percent")})


def _table(res: BookResult) -> None:
    st.header("Every group")
    st.caption("Click a column heading to sort. Status says why a group failed or was left out.")
    view = res.groups[list(COLUMNS)].rename(columns=COLUMNS)
    money = st.column_config.NumberColumn(format="dollar", step=1)
    pct = st.column_config.NumberColumn(format="percent")
    st.dataframe(view, hide_index=True, width="stretch", key="book-table", column_config={
        "Group": st.column_config.TextColumn(pinned=True), "Employees": st.column_config.NumberColumn(format="localized"),
        "Net benefit (base case)": money, "Net benefit (mean)": money, "EVPI": money, "ROI (base case)": pct,
        "ROI (mean)": pct, "ROI 5%": pct, "ROI 95%": pct, "P(ROI > 0)": pct, "P(payback <= 12 months)": pct,
        "Plan PMPM (base case)": st.column_config.NumberColumn(
            format="dollar", step=0.01, help="Net budget impact per member per month over the plan horizon "
                                             "(positive: the plan spends more)"),
        "Plan PMPM 5%": st.column_config.NumberColumn(format="dollar", step=0.01, help=_PMPM_HELP),
        "Plan PMPM 95%": st.column_config.NumberColumn(format="dollar", step=0.01, help=_PMPM_HELP)})


def _downloads(res: BookResult) -> None:
    from calculator.export import MEDIA_TYPES
    from calculator.export.book_tables import table_bytes
    from calculator.export.pdf_book import book_pdf_bytes
    row = st.container(horizontal=True, gap="small")
    row.download_button("Download CSV", table_bytes(res.groups, res.totals, "csv"), "book_of_business.csv",
                        mime="text/csv", key="book-dl-csv", icon=":material/download:", on_click="ignore")
    row.download_button("Download Excel", table_bytes(res.groups, res.totals, "xlsx"), "book_of_business.xlsx",
                        mime=MEDIA_TYPES["xlsx"], key="book-dl-xlsx", icon=":material/download:", on_click="ignore")
    row.download_button("Download PDF summary", book_pdf_bytes(res), "book_of_business.pdf",
                        mime=MEDIA_TYPES["pdf"], key="book-dl-pdf", icon=":material/download:", on_click="ignore")


def _results(res: BookResult) -> None:
    _totals(res)
    ui.chart(cp.groups_scatter(res.groups), key="chart-book-scatter")
    ui.chart(cp.roi_histogram(res.groups), key="chart-book-roi")
    _table(res)
    _downloads(res)


def render() -> None:
    ui.header("Book of business", "Every employer group of a book, each with its own Monte Carlo analysis "
              "(its own seed, from the run seed and its group id). Which groups does a back-pain benefit pay "
              "back for, what does the whole book save, and how sure is that? Cells a row leaves empty take "
              "the values set on the other pages.")
    src = _source()
    draws, seed, therapy = _settings()
    if src is None:
        return
    name, data = src
    digest = hashlib.sha256(data).hexdigest()
    try:
        book = cached_groups(digest, name, data, state.scenario_json())
    except BookError as exc:
        st.error(f"{name}: {exc}", icon=":material/error:")
        return
    st.caption(f"{name}: {len(book.groups) + len(book.invalid):,} groups.")
    go = _problems(book)
    key = (digest, state.scenario_json(), draws, seed, therapy, bool(book.invalid))
    stored: dict[str, Any] | None = st.session_state.get("book-result")
    if st.button("Run the book", type="primary", key="book-run", disabled=not go, icon=":material/play_arrow:"):
        stored = {"key": key, "result": _run(book, draws, seed, therapy, bool(book.invalid))}
        st.session_state["book-result"] = stored
    if stored is None:
        return
    if stored["key"] != key:
        st.info("The settings changed since the last run: press Run the book to update the results.")
    _results(stored["result"])
