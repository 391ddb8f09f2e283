"""Command line: ``backpain-roi defaults | evaluate | compare | parameters``.

Exit status 0 on success; 2 with one line on stderr for any user error (bad file, path, value,
unknown therapy). Never a traceback for user input.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from . import fmt
from .evidence import PRICE_YEAR, library
from .guards import InputError
from .model import compare, evaluate
from .scenario import Scenario, ScenarioError, SchemaUpgradeWarning, apply_sets, load, to_json

PROG = "backpain-roi"


class UserError(Exception):
    """An error caused by the user's input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage + exit 2
        raise UserError(message)


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(_clean(obj), indent=2, ensure_ascii=False)


def _parse_sets(args: argparse.Namespace) -> list[tuple[str, str]]:
    sets = []
    for item in getattr(args, "set", None) or []:
        path, eq, value = item.partition("=")
        if not eq or not path.strip():
            raise UserError(f"--set needs PATH=VALUE, got {item[:80]!r}")
        sets.append((path.strip(), value))
    return sets


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario of any scenario command: file (or defaults), then --preset, --industry, --survey,
    --claims, --set and --census stacked by :func:`calculator.assemble.assemble` (census results on ``args``)."""
    from .assemble import AssemblyError, assemble
    from .census import CensusError
    from .claims import ClaimsError
    from .presets import PresetError
    s = load(args.scenario) if getattr(args, "scenario", None) else Scenario()
    sets = _parse_sets(args)
    from .cli_plan import read_claims_args
    claims = read_claims_args(args)
    path = getattr(args, "census", None)
    census = _read_census(args, path) if path else None
    if census is not None and census.rows_with_errors and not args.exclude_invalid_rows:
        raise UserError(f"{path}: {census.rows_with_errors:,} of {census.rows_read:,} rows have problems "
                        f"(first: {census.first_error()}); fix the file, or pass --exclude-invalid-rows "
                        f"(list them all: {PROG} census {path})")
    by = [b.strip() for b in args.by.split(",") if b.strip()] if getattr(args, "by", None) else None
    try:
        out = assemble(s, getattr(args, "scenario_preset", None), getattr(args, "industry", None),
                       getattr(args, "survey", None), census, sets, by=by,
                       exclude_invalid=bool(getattr(args, "exclude_invalid_rows", False)), claims=claims)
    except (CensusError, AssemblyError) as exc:
        raise UserError(f"{path + ': ' if path else ''}{exc}") from None
    except ClaimsError as exc:
        raise UserError(f"{args.claims}: {exc}") from None
    except PresetError as exc:
        raise UserError(str(exc)) from None
    args.applied, args.claims_changes = out.applied, out.claims_changes
    if out.census is not None:
        args.census_result, args.census_summary = out.census, census.summary()
    s = out.scenario
    return apply_sets(s, [("name", json.dumps(args.name))]) if getattr(args, "name", None) is not None else s


def _table(df: pd.DataFrame) -> str:
    return df.to_string(index=False)


def _money(x: float | None) -> str:
    return fmt.money(x, cents=False)


def cmd_defaults(args: argparse.Namespace) -> str:
    s = Scenario().model_copy(update={"parameter_set": library().version})
    return to_json(s).rstrip("\n")


def _headline_json(h: Any) -> dict[str, Any]:
    return {"probability_roi_positive": h.probability_roi_positive,
            "roi_interval": list(h.roi_interval),
            "roi_uncertainty": {"draws": h.draws, "seed": h.seed, "interval": "5th-95th percentile",
                                "probability_mc_se": h.probability_mc_se, "mean_roi": h.mean_roi,
                                "mean_net_benefit": h.mean_net_benefit}}


def cmd_evaluate(args: argparse.Namespace) -> str:
    from .uncertainty import headline
    r = evaluate(scenario_from_args(args))
    h = headline(r.scenario)
    if args.format == "json":
        from .cli_plan import plan_json  # budget_impact and program QALY paths (issue 11)
        d = plan_json(r)
        d["program"] = d["program"] | _headline_json(h)
        if d["programs"]:
            d["programs"][0] = d["program"]
        return dumps(d | _census_json(args))
    b, p = r.burden, r.program
    lo, hi = h.roi_interval
    lines = [
        f"Scenario: {r.scenario.name}  (parameter set {r.parameter_set}, {PRICE_YEAR} USD)",
        "",
        "Yearly cost of chronic low back pain",
        f"  employees affected        {b.affected_employees:,.0f}",
        f"  absenteeism               {_money(b.absenteeism)}",
        f"  presenteeism              {_money(b.presenteeism)}",
        f"  excess medical            {_money(b.medical)}",
        f"  total                     {_money(b.total)}  ({_money(b.per_employee)} per employee)",
        f"  hours lost                {b.hours_lost:,.0f}",
        "",
        f"Program: {p.therapy_label} over {p.horizon_months} months",
        f"  participants              {p.participants:,.1f}",
        f"  cost                      {_money(p.cost)}",
        f"  savings                   {_money(p.savings)}",
        f"  net benefit               {_money(p.net_benefit)}",
        f"  ROI                       {'n/a' if p.roi is None else f'{p.roi:.1%}'}"
        f"  (P(ROI > 0) {h.probability_roi_positive:.0%}, 90% interval {lo:.0%} to {hi:.0%};"
        f" {h.draws:,} draws, seed {h.seed})",
        f"  NPV                       {_money(p.npv)}",
        f"  payback month             {'not within horizon' if p.payback_month is None else int(p.payback_month)}",
        f"  break-even price/session  {_money(p.breakeven_price_per_session)}",
    ]
    for w in r.warnings:
        lines.append(f"  warning ({w.concerns}): {w.message}")
    return "\n".join(lines + _census_lines(args) + _own_lines(args))


def cmd_compare(args: argparse.Namespace) -> str:
    from .uncertainty import headlines
    s = scenario_from_args(args)
    df = compare(s)
    h = headlines(s)  # never a bare ROI: P(ROI > 0) and the 90% interval of every therapy (fixed seed)
    df = df.merge(h.drop(columns=["draws", "seed"]), on="therapy", how="left")
    if args.format == "json":
        records = df.to_dict(orient="records")
        return dumps({"therapies": records} | _census_json(args) if getattr(args, "census", None) else records)
    if args.format == "csv":
        return df.to_csv(index=False).rstrip("\n")
    cols = ["label", "comparator", "evidence_grade", "cost", "savings", "net_benefit", "roi"]
    view = df[cols].copy()
    for c in ("cost", "savings", "net_benefit"):
        view[c] = view[c].map(_money)
    view["roi"] = df["roi"].map(lambda v: fmt.pct(v, 0))
    view["P(ROI > 0)"] = df["probability_roi_positive"].map(lambda v: "-" if pd.isna(v) else fmt.pct(v, 0))
    view["ROI 90% interval"] = [("-" if pd.isna(a) else f"{fmt.pct(a, 0)} to {fmt.pct(b, 0)}")
                                for a, b in zip(df["roi_p5"], df["roi_p95"], strict=True)]
    view["payback"] = df["payback_month"].map(lambda v: "never" if pd.isna(v) else f"month {v:.0f}")
    view.loc[df["therapy"] == "none", "payback"] = "-"
    note = (f"P(ROI > 0) and the 90% interval: {int(h['draws'].iloc[0]):,} Monte Carlo draws per therapy, "
            f"seed {h['seed'].iloc[0]} (backpain-roi psa --all-therapies for more).")
    return "\n".join([_table(view), note, *_census_lines(args), *_own_lines(args)])


def parameters_frame() -> pd.DataFrame:
    """Every parameter with value, range, unit, distribution and full citation(s)."""
    lib = library()
    rows = []
    for p in lib.parameters.values():
        refs = lib.citations(p.source_keys)
        rows.append({
            "id": p.id, "label": p.label, "value": p.value, "low": p.low, "high": p.high,
            "unit": p.unit, "distribution": p.distribution,
            "distribution_parameters": ";".join(f"{k}={v:.6g}" for k, v in p.distribution_parameters().items()),
            "price_year": p.price_year or "", "provenance": p.provenance,
            "source_keys": ";".join(p.source_keys),
            "source": " | ".join(r.citation() for r in refs),
            "links": " ".join(r.link for r in refs if r.link),
            "evidence_note": p.evidence_note,
        })
    return pd.DataFrame(rows)


def cmd_parameters(args: argparse.Namespace) -> str:
    df = parameters_frame()
    if args.format == "json":
        return dumps(df.to_dict(orient="records"))
    buf = io.StringIO()
    df.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return buf.getvalue().rstrip("\n")


def _pct(p: float) -> str:
    return fmt.pct(p)


def cmd_psa(args: argparse.Namespace) -> str:
    from .uncertainty import UncertaintyError, psa, psa_compare
    s = scenario_from_args(args)
    fixed = [f for item in args.fix or [] for f in item.split(",") if f.strip()]
    try:
        if args.all_therapies:
            r = psa_compare(s, args.draws, args.seed, fixed=fixed, correlated=args.correlated)
        else:
            r = psa(s, args.draws, args.seed, fixed=fixed, correlated=args.correlated)
    except UncertaintyError as exc:
        raise UserError(str(exc)) from None
    if args.format == "json":
        return dumps(r.to_dict() | _census_json(args))
    if args.format == "csv":
        return r.draws.to_csv(index=False).rstrip("\n")
    head = (f"Monte Carlo analysis: {r.draws_n:,} draws, seed {r.seed}"
            f"{', correlated inputs' if r.correlated else ''}; {r.horizon_months}-month horizon, {PRICE_YEAR} USD")
    if args.all_therapies:
        t = r.table
        view = pd.DataFrame({
            "therapy": t["label"], "mean net": t["mean_net_benefit"].map(_money),
            "5%": t["p5_net_benefit"].map(_money), "95%": t["p95_net_benefit"].map(_money),
            "P(ROI>0)": t["p_roi_positive"].map(_pct), "P(best)": t["p_best"].map(_pct)})
        return "\n".join([head, "", _table(view), "",
                          f"No therapy pays for itself in {_pct(r.p_none_best)} of simulations (then covering "
                          "none is best; P(best) counts a therapy only where it beats covering none).",
                          f"EVPI (which therapy, or none): {_money(r.evpi['total'])} in total, "
                          f"${r.evpi['per_employee']:,.2f} per employee", *_census_lines(args), *_own_lines(args)])
    sm = r.summary.set_index("outcome")
    lines = [f"{head}", f"Program: {r.therapy_label}", "",
             f"  {'':16}{'base case':>12}{'mean':>12}{'5%':>12}{'median':>12}{'95%':>12}"]
    for key, label, f in (("net_benefit", "net benefit", _money), ("npv", "NPV", _money),
                          ("roi", "ROI", lambda v: f"{v:.1%}"),
                          ("payback_month", "payback month", lambda v: f"{v:.0f}")):
        row = sm.loc[key]
        cells = ["-" if pd.isna(row[c]) else f(row[c]) for c in ("base_case", "mean", "p5", "median", "p95")]
        lines.append(f"  {label:16}" + "".join(f"{c:>12}" for c in cells))
    lines.append("  (payback '-' = not within the horizon)")
    lines.append("")
    for row in r.probabilities.itertuples():
        lines.append(f"  P({row.label}) = {_pct(row.probability)} (Monte Carlo SE {row.mc_se:.1%}): "
                     f"{row.description}")
    lines.append(f"  In {r.probability('roi_positive'):.0%} of simulations the program pays for itself.")
    lines.append(f"  EVPI (cover / don't cover): {_money(r.evpi['total'])} in total, "
                 f"${r.evpi['per_employee']:,.2f} per employee")
    return "\n".join(lines + _census_lines(args) + _own_lines(args))


def cmd_tornado(args: argparse.Namespace) -> str:
    from .sensitivity import one_way
    from .uncertainty import UncertaintyError
    s = scenario_from_args(args)
    inputs = [f for item in args.inputs or [] for f in item.split(",") if f.strip()] or None
    try:
        df = one_way(s, args.outcome, inputs=inputs)
    except UncertaintyError as exc:
        raise UserError(str(exc)) from None
    if args.format == "json":
        return dumps(df.to_dict(orient="records"))
    if args.format == "csv":
        return df.to_csv(index=False).rstrip("\n")
    f = (lambda v: f"{v:.1%}") if args.outcome == "roi" else _money
    view = pd.DataFrame({
        "input (--set path)": df["path"], "low": df["low"].map(lambda v: f"{v:g}"),
        "high": df["high"].map(lambda v: f"{v:g}"), f"{args.outcome} at low": df["outcome_low"].map(f),
        f"{args.outcome} at high": df["outcome_high"].map(f), "swing": df["swing"].map(f)})
    view.columns = [c.ljust(len(c)) for c in view.columns]
    text = view.to_string(index=False, justify="left", formatters={view.columns[0]: lambda v: f"{v:<40}"})
    return f"One-way sensitivity of {args.outcome} (base case {f(df['base_outcome'].iloc[0])})\n" + text


def cmd_report(args: argparse.Namespace) -> str:
    """Write a report file; the extension of ``--out`` picks the format (docs/REPORTS.md)."""
    import os

    from .export import FORMATS, build_report, export
    from .export.render import browser_path
    ext = os.path.splitext(args.out)[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise UserError(f"--out {args.out!r}: the file name must end in "
                        f"{', '.join('.' + f for f in FORMATS)} (the extension picks the format)")
    if args.table != "results" and ext != "csv":
        raise UserError("--table applies only to .csv output")
    if args.draws < 0:
        raise UserError(f"--draws must be 0 (no uncertainty analysis) or more, got {args.draws}")
    s = scenario_from_args(args)
    summary = None
    if args.draws > 0:
        from .uncertainty import UncertaintyError, psa
        try:
            summary = psa(s, args.draws, args.seed)
        except UncertaintyError as exc:
            raise UserError(str(exc)) from None
    from .export.report import origins_from_applied  # survey and claims values say "from your ..." (issue 11)
    report = build_report(s, uncertainty=summary, census=getattr(args, "census_result", None),
                          origins=origins_from_applied(getattr(args, "applied", ())))
    try:
        data = export(report, ext, table=args.table, charts=not args.no_charts)
    except ValueError as exc:  # e.g. --table segments without --census
        raise UserError(str(exc)) from None
    try:
        with open(args.out, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise UserError(f"cannot write {args.out!r}: {exc.strerror}") from None
    note = ""
    if ext == "pdf" and not args.no_charts and browser_path() is None:
        note = " (charts not rendered: no Chrome/Chromium found; set BROWSER_PATH)"
    psa_note = f", uncertainty from {args.draws:,} draws" if summary is not None else ", uncertainty not run"
    return f"wrote {args.out}: {FORMATS[ext]}, {len(data):,} bytes{psa_note}{note}"


# --- the employer's own workforce: --census, --industry, --survey (docs/CENSUS.md) ---------------


def _census_args(p: argparse.ArgumentParser) -> None:
    """Add --census, --column-map, --industry, --survey ... to a command that calls scenario_from_args."""
    g = p.add_argument_group("your workforce (docs/CENSUS.md)")
    g.add_argument("--census", metavar="FILE",
                   help="employee census: CSV, XLSX or Parquet; one row per employee, or per group with a headcount")
    _census_file_args(g)
    g.add_argument("--by", metavar="DIMS",
                   help="segment by (comma-separated): job_family, age_band, sex, industry, location")
    g.add_argument("--exclude-invalid-rows", action="store_true",
                   help="leave out census rows with problems (their count is reported) instead of stopping")
    g.add_argument("--industry", metavar="PRESET",
                   help="industry preset (wage, prevalence, absence), applied before --set; "
                        "list: backpain-roi census --presets")
    g.add_argument("--survey", metavar="KEY=VALUE,...",
                   help="your own WPAI survey, e.g. 'presenteeism=31%%,absenteeism=4%%,respondents=85'")


def _census_file_args(g: Any) -> None:
    g.add_argument("--column-map", metavar="SRC=FIELD,...",
                   help="map census columns to fields, e.g. 'Pay Rate=hourly_wage,Dept=job_family'")
    g.add_argument("--census-kind", choices=("auto", "employee", "aggregated"), default="auto",
                   help="auto: aggregated when a headcount column exists")
    g.add_argument("--job-map", metavar="LABEL=PRESET,...",
                   help="map job-family labels to presets, e.g. 'RN=patient_care'")
    g.add_argument("--max-census-mb", type=_megabytes, default=200.0,
                   help=f"size limit of the census file [MB] (default 200, at most {MAX_CENSUS_MB:,})")
    g.add_argument("--decimal", choices=("auto", "point", "comma"), default="auto",
                   help="decimal mark of the census numbers: auto decides per column from all its values "
                        "and asks only when a column is truly ambiguous")


#: Largest --max-census-mb accepted [MB].
MAX_CENSUS_MB = 4096


def _megabytes(text: str) -> float:
    """--max-census-mb: a finite number of MB in (0, MAX_CENSUS_MB] (nan, inf, 1e999 refused)."""
    try:
        if len(text) > 40:
            raise ValueError
        mb = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of megabytes, got {text[:40]!r}") from None
    if not (math.isfinite(mb) and 0 < mb <= MAX_CENSUS_MB):
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_CENSUS_MB:,} MB, got {text[:40]}")
    return mb


def _read_census(args: argparse.Namespace, path: str) -> Any:
    from .census import CensusError, parse_column_map, read_census, read_limited
    limit = int(args.max_census_mb * 1024 * 1024)
    try:
        data = read_limited(path, limit, "the census file")
    except CensusError as exc:
        raise UserError(f"census: {exc} (--max-census-mb)") from None
    try:
        return read_census(data, os.path.basename(path), column_map=parse_column_map(args.column_map),
                           kind=args.census_kind, job_map=parse_column_map(args.job_map, "--job-map"),
                           max_bytes=limit, decimal=getattr(args, "decimal", "auto"))
    except CensusError as exc:
        raise UserError(f"{path}: {exc}") from None


def _census_json(args: argparse.Namespace) -> dict[str, Any]:
    """``segments`` (the table) and ``census`` (counts, columns, notes, issues) for JSON output."""
    res = getattr(args, "census_result", None)
    if res is None:
        return {}
    d = res.to_dict()
    summary = {k: v for k, v in args.census_summary.items() if k != "issues"}
    return {"segments": d.pop("segments"), "census": summary | d | {"issues": args.census_summary["issues"]}}


def _own_lines(args: argparse.Namespace) -> list[str]:
    """"From your survey / claims" lines of table output (review 2: evaluate, compare and psa said nothing)."""
    from .cli_plan import own_data_lines
    return own_data_lines(args)


def _census_lines(args: argparse.Namespace) -> list[str]:
    """The segment table for table output (nothing without --census)."""
    res = getattr(args, "census_result", None)
    if res is None:
        return []
    t = res.table()
    view = pd.DataFrame({
        "segment": t["segment"], "employees": t["employees"].map("{:,.0f}".format),
        "prevalence": t["prevalence"].map(fmt.pct), "burden/yr": t["burden"].map(_money),
        "per employee": t["burden_per_employee"].map(_money), "program net": t["net_benefit"].map(_money),
        "ROI": t["roi"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.0%}")})
    head = (f"Your workforce: {res.total['employees']:,.0f} employees in {res.rows_used:,} rows"
            + (f"; {res.rows_excluded:,} rows with problems excluded" if res.rows_excluded else ""))
    return ["", head, *(f"  note: {n}" for n in res.notes), "",
            _table(view) if len(view) else "  (no segment table)"]


def cmd_census(args: argparse.Namespace) -> str:
    from .presets import presets_frame
    if args.presets:
        df = presets_frame()[["preset", "kind", "label", "parameter", "value", "low", "high", "unit",
                              "provenance", "source_keys"]]
        return dumps(df.to_dict(orient="records")) if args.format == "json" else _table(df)
    if not args.file:
        raise UserError("give a census FILE to check (or --presets to list the presets)")
    census = _read_census(args, args.file)
    sm = census.summary()
    if args.format == "json":
        return dumps(sm)
    lines = [f"{args.file}: {sm['format']}, {sm['kind']}-level rows; {sm['rows_read']:,} rows, "
             f"{sm['employees']:,} employees in rows without errors",
             "columns: " + ", ".join(f"{f} <- {c!r}" for f, c in sm["columns"].items()),
             *([f"unused columns: {', '.join(repr(c) for c in sm['unused_columns'])}"] if sm["unused_columns"] else []),
             *(f"note: {n}" for n in sm["notes"]),
             f"{sm['rows_with_errors']:,} rows with errors, {sm['rows_with_warnings']:,} with warnings only"]
    if sm["issues"]:
        iss = census.issues
        view = pd.DataFrame({"severity": iss["severity"], "rows": iss["count"].map("{:,}".format),
                             "first rows": iss["rows"].map(lambda r: ",".join(map(str, r[:5]))),
                             "problem": iss["message"].map(lambda m: m if len(m) <= 150 else m[:149] + "…")})
        lines += ["", view.to_string(index=False)]
    return "\n".join(lines)


COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "defaults": cmd_defaults,
    "evaluate": cmd_evaluate,
    "compare": cmd_compare,
    "parameters": cmd_parameters,
    "psa": cmd_psa,
    "tornado": cmd_tornado,
    "report": cmd_report,
    "census": cmd_census,
}


def scenario_options(p: argparse.ArgumentParser) -> None:
    """THE options of every scenario command (evaluate, compare, psa, tornado, report and any command
    a later module adds): the scenario file, --preset, --industry, --survey, --set and --census
    (with its file options). :func:`scenario_from_args` reads them all, in the order of
    :mod:`calculator.assemble`."""
    p.add_argument("scenario", nargs="?", help="scenario JSON file (default: the built-in defaults)")
    p.add_argument("--preset", dest="scenario_preset", metavar="NAME",
                   help="conservative, base or optimistic: moves each input only in its own direction "
                        "(applied before --industry, --survey and --set)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a field by dotted path, e.g. workforce.employees=500 (repeatable)")
    p.add_argument("--name", help="name the scenario (shown in reports, file contents and JSON)")
    from .cli_plan import CLAIMS_HELP
    p.add_argument("--claims", metavar="FILE", help=CLAIMS_HELP)
    _census_args(p)


#: Older name of :func:`scenario_options` (other modules register commands with it).
_scenario_args = scenario_options


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Employer cost of chronic low back pain and therapy ROI.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("defaults", help="print the default scenario as JSON")
    ev = sub.add_parser("evaluate", help="burden and program results for a scenario")
    scenario_options(ev)
    ev.add_argument("--format", choices=("json", "table"), default="table")
    co = sub.add_parser("compare", help="every therapy for the same workforce")
    scenario_options(co)
    co.add_argument("--format", choices=("json", "csv", "table"), default="table")
    pa = sub.add_parser("parameters", help="the parameter library with citations")
    pa.add_argument("--format", choices=("csv", "json"), default="csv")
    from .uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
    ps = sub.add_parser("psa", help="Monte Carlo analysis: how sure is the ROI? (docs/UNCERTAINTY.md)")
    scenario_options(ps)
    ps.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help=f"number of draws (default {DEFAULT_DRAWS})")
    ps.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed: same seed, same numbers")
    ps.add_argument("--all-therapies", action="store_true", help="every therapy at once, with P(best)")
    ps.add_argument("--fix", action="append", metavar="INPUT",
                    help="hold an input at its value, e.g. uptake or programs.0.uptake (repeatable, or 'all')")
    ps.add_argument("--correlated", action="store_true",
                    help="correlate related inputs (calculator/data/correlations.csv)")
    ps.add_argument("--format", choices=("json", "csv", "table"), default="table",
                    help="table or json: the summary; csv: one row per draw")
    to = sub.add_parser("tornado", help="one-way sensitivity: what drives the answer")
    scenario_options(to)
    to.add_argument("--outcome", choices=("roi", "net_benefit", "npv"), default="roi")
    to.add_argument("--inputs", action="append", metavar="INPUT",
                    help="only these inputs (names or scenario paths; comma-separated or repeated)")
    to.add_argument("--format", choices=("json", "csv", "table"), default="table")
    rp = sub.add_parser("report", help="write a report: PDF, Excel (live formulas), PPTX, CSV or JSON")
    scenario_options(rp)
    rp.add_argument("-o", "--out", required=True, metavar="FILE",
                    help="output file; its extension picks the format: .pdf .xlsx .pptx .csv .json")
    rp.add_argument("--draws", type=int, default=DEFAULT_DRAWS,
                    help=f"Monte Carlo draws for the ROI interval (default {DEFAULT_DRAWS}; 0 = not run)")
    rp.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the uncertainty analysis")
    rp.add_argument("--table", choices=("results", "monthly", "comparison", "inputs", "sources", "segments"),
                    default="results", help="which table a .csv file holds (default results)")
    rp.add_argument("--no-charts", action="store_true", help="PDF without charts (no browser needed)")
    ce = sub.add_parser("census", help="check a census file: columns found, every problem with its rows")
    ce.add_argument("file", nargs="?", help="CSV, XLSX or Parquet census")
    _census_file_args(ce)
    ce.add_argument("--presets", action="store_true", help="list the industry and job-family presets instead")
    ce.add_argument("--format", choices=("json", "table"), default="table")
    from .cli_plan import register as register_plan  # budget-impact, cea, claims (issue 11)
    register_plan(sub)
    from .cli_scenarios import register as register_scenarios  # issue 13: the scenario library
    register_scenarios(sub)
    __import__("calculator.cli_portfolio", fromlist=["register"]).register(sub)  # issue 12: book of business
    return parser


def _notes(caught: list[warnings.WarningMessage]) -> None:
    """Schema-upgrade notices on stderr, one line each (not errors); other warnings pass through."""
    seen = set()
    for w in caught:
        if issubclass(w.category, SchemaUpgradeWarning):
            msg = " ".join(str(w.message).split())
            if msg not in seen:
                seen.add(msg)
                print(f"{PROG}: note: {msg}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        with warnings.catch_warnings(record=True) as caught:  # an upgraded old scenario: one note line each
            warnings.simplefilter("always", SchemaUpgradeWarning)
            args = parser.parse_args(argv)
            out = COMMANDS[args.command](args)
        _notes(caught)
    except (UserError, ScenarioError, InputError) as exc:
        msg = " ".join(str(exc).split())
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    sys.stdout.write(out + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
