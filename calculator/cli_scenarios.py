"""``backpain-roi scenarios ...``: the saved scenario library from the command line (docs/LIBRARY.md).

Every subcommand takes ``--db URL`` (default ``$BACKPAIN_ROI_DB``, else SQLite in the user's data
directory). Library problems (unreachable, locked, read-only, unknown name, bad import file) are
one-line errors with exit status 2, like every other user error.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import pandas as pd

from .cli import COMMANDS, UserError, _Parser, _scenario_args, _table, dumps, scenario_from_args

_DB_HELP = "database URL: sqlite:///path/file.sqlite3 or postgresql://user:pass@host/db (default: $BACKPAIN_ROI_DB, " \
           "else SQLite in your data directory)"


def _open(args: argparse.Namespace) -> Any:
    from .scenario_library import open_library
    return open_library(args.db)


def _pct(v: Any, digits: int = 0) -> str:
    return "n/a" if v is None or (isinstance(v, float) and pd.isna(v)) else f"{v:.{digits}%}"


def _money(v: Any) -> str:
    from .export.compare import format_value
    return format_value(v, "money")


#: Largest scenario file read (checked before reading; the dashboard's upload limit too): a real
#: scenario file is a few kB.
MAX_SCENARIO_BYTES = 1_000_000


def cmd_save(args: argparse.Namespace) -> str:
    if args.scenario and os.path.isfile(args.scenario) and os.path.getsize(args.scenario) > MAX_SCENARIO_BYTES:
        raise UserError(f"{args.scenario}: the file is {os.path.getsize(args.scenario):,} bytes; a scenario file "
                        f"is at most {MAX_SCENARIO_BYTES:,}")
    lib = _open(args)
    rec = lib.save(args.library_name, scenario_from_args(args), tags=args.tag or [], note=args.note,
                   if_exists="new_version" if args.new_version else "error")
    sm = rec.summary
    return (f"saved {rec.name!r} version {rec.version} to {lib.where}: {sm['therapy_label']}, ROI "
            f"{_pct(sm['roi'], 1)} (90% interval {_pct(sm['roi_p5'])} to {_pct(sm['roi_p95'])}, "
            f"P(ROI > 0) {_pct(sm['p_roi_positive'])}), net benefit {_money(sm['net_benefit'])}")


def _list_frame(records: list[Any]) -> pd.DataFrame:
    return pd.DataFrame([{
        "name": r.name, "versions": r.versions, "therapy": r.summary.get("therapy_label", r.therapy),
        "tags": ", ".join(r.tags), "saved (UTC)": f"{r.saved_at:%Y-%m-%d %H:%M}",
        "ROI": _pct(r.summary.get("roi")), "90% interval": f"{_pct(r.summary.get('roi_p5'))} to "
        f"{_pct(r.summary.get('roi_p95'))}", "P(ROI>0)": _pct(r.summary.get("p_roi_positive")),
        "net benefit": _money(r.summary.get("net_benefit"))} for r in records])


def cmd_list(args: argparse.Namespace) -> str:
    lib = _open(args)
    recs = lib.list(text=args.search, tag=args.tag, therapy=args.therapy)
    if args.format == "json":
        return dumps([{k: v for k, v in r.to_dict().items() if k not in ("scenario", "parameters")} for r in recs])
    if not recs:
        return f"no saved scenarios{' match' if (args.search or args.tag or args.therapy) else ''} in {lib.where}"
    return f"{len(recs)} saved scenario(s) in {lib.where}\n" + _table(_list_frame(recs))


def cmd_show(args: argparse.Namespace) -> str:
    rec = _open(args).get(args.name, args.version)
    if args.scenario_only:
        return rec.scenario_json.rstrip("\n")
    if args.format == "json":
        return dumps(rec.to_dict())
    from .export.compare import format_value
    from .scenario_library.summary import METRICS
    lines = [f"{rec.name}  (version {rec.version} of {rec.versions}, saved {rec.saved_at:%Y-%m-%d %H:%M} UTC, "
             f"parameter set {rec.parameter_set})",
             f"tags: {', '.join(rec.tags) or '(none)'}", f"sha256: {rec.sha256}"]
    if rec.note:
        lines.append(f"note: {rec.note}")
    lines += ["", f"Results when saved ({rec.summary.get('therapy_label', rec.therapy)}, "
              f"{rec.summary.get('psa_draws', 0):,} draws):"]
    lines += [f"  {label:<44}{format_value(rec.summary.get(k), kind)}" for k, label, kind in METRICS]
    return "\n".join(lines)


def cmd_history(args: argparse.Namespace) -> str:
    hist = _open(args).history(args.name)
    if args.format == "json":
        return dumps([{k: v for k, v in h.to_dict().items() if k not in ("scenario", "parameters")} for h in hist])
    view = pd.DataFrame([{"version": h.version, "saved (UTC)": f"{h.saved_at:%Y-%m-%d %H:%M:%S}",
                          "therapy": h.therapy, "tags": ", ".join(h.tags), "ROI": _pct(h.summary.get("roi")),
                          "90% interval": f"{_pct(h.summary.get('roi_p5'))} to {_pct(h.summary.get('roi_p95'))}",
                          "P(ROI>0)": _pct(h.summary.get("p_roi_positive")), "note": h.note[:40]} for h in hist])
    return _table(view)


def cmd_compare(args: argparse.Namespace) -> str:
    from .export.compare import (
        comparison_csv,
        comparison_frame,
        comparison_pdf,
        comparison_xlsx,
        format_value,
    )
    from .scenario_library import compare_scenarios
    lib = _open(args)
    cmp = compare_scenarios([(n, lib.load(n)) for n in args.names])
    msg = ""
    if args.out:
        ext = os.path.splitext(args.out)[1].lower()
        if ext not in (".xlsx", ".pdf"):
            raise UserError(f"--out {args.out!r}: the file name must end in .xlsx or .pdf")
        data = comparison_xlsx(cmp) if ext == ".xlsx" else comparison_pdf(cmp, chart_png=_chart(cmp))
        try:
            with open(args.out, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise UserError(f"cannot write {args.out!r}: {exc.strerror}") from None
        msg = f"wrote {args.out}: {len(data):,} bytes"
        if args.format == "table":
            return msg
    if args.format == "json":
        return dumps(comparison_frame(cmp).to_dict(orient="records"))
    if args.format == "csv":
        return comparison_csv(cmp).rstrip("\n")
    res = pd.DataFrame([{"result": r["label"], **{n: format_value(r[n], r["kind"]) if r["kind"] != "text" else r[n]
                                                  for n in cmp.names}} for r in cmp.results.to_dict(orient="records")])
    diff = cmp.differences
    inp = pd.DataFrame([{"input that differs": r["label"], **{n: "(none)" if r[n] is None else r[n] for n in cmp.names}}
                        for r in diff.to_dict(orient="records")])
    return "\n".join([f"Parameter set {cmp.parameter_set}; PSA {cmp.draws:,} draws, seed {cmp.seed}", "",
                      _table(res), "", _table(inp) if len(inp) else "The scenarios have the same inputs."]
                     + ([msg] if msg else []))


def _chart(cmp: Any) -> bytes | None:
    from .charts_library import comparison_chart_table, comparison_figure
    from .export.render import ChartsUnavailable, render_png
    try:
        return render_png([comparison_figure(comparison_chart_table(cmp))], [(1100, 420)])[0]
    except ChartsUnavailable:
        return None


def cmd_delete(args: argparse.Namespace) -> str:
    lib = _open(args)
    entry = lib.delete(args.name)
    return f"deleted {args.name!r} ({len(entry['versions'])} version(s)) from {lib.where}"


def cmd_export(args: argparse.Namespace) -> str:
    from .scenario_library import export_bytes
    ext = os.path.splitext(args.file)[1].lower()
    if ext not in (".json", ".zip"):
        raise UserError(f"{args.file!r}: the file name must end in .json or .zip (the extension picks the format)")
    lib = _open(args)
    data = export_bytes(lib, ext[1:])
    try:
        with open(args.file, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise UserError(f"cannot write {args.file!r}: {exc.strerror}") from None
    return f"wrote {args.file}: {len(lib.names())} scenario(s), {len(data):,} bytes"


def cmd_import(args: argparse.Namespace) -> str:
    from .guards import InputError, read_limited
    from .scenario_library import import_bytes
    from .scenario_library.transfer import MAX_IMPORT_BYTES
    try:  # capped read: /dev/zero, a FIFO or a huge file stops at MAX_IMPORT_BYTES (50 MB) + 1
        data = read_limited(args.file, MAX_IMPORT_BYTES, "the library file")
    except InputError as exc:
        raise UserError(f"scenarios import: {exc}") from None
    rep = import_bytes(_open(args), data, os.path.basename(args.file), skip_invalid=args.skip_invalid,
                       if_exists=args.if_exists.replace("-", "_"))
    lines = [f"imported {len(rep.imported)} scenario(s) from {args.file}"]
    lines += [f"skipped {s}" for s in rep.skipped]
    return "\n".join(lines)


def cmd_drift(args: argparse.Namespace) -> str:
    from .export.compare import format_value
    from .scenario_library import drift
    d = drift(_open(args).get(args.name, args.version))
    if args.format == "json":
        return dumps(d.to_dict())
    head = (f"Drift of {d.name!r} version {d.version}: saved with parameter set {d.saved_parameter_set}, "
            f"re-run with {d.current_parameter_set}")
    res = pd.DataFrame([{"result": r["label"], "saved": format_value(r["saved"], r["kind"]),
                         "now": format_value(r["now"], r["kind"]),
                         "change": _change(r["change"], r["kind"])} for r in d.results.to_dict(orient="records")])
    lines = [head, *d.notes, "", _table(res), ""]
    if d.rows.empty:
        lines.append("No parameter row this scenario uses has changed.")
    else:
        rows = pd.DataFrame({"parameter row": d.rows["parameter"], "change": d.rows["change"],
                             "applies": d.rows["applies"],
                             "net benefit effect": d.rows["net_benefit_effect"].map(lambda v: _change(v, "money")),
                             "ROI effect": d.rows["roi_effect"].map(lambda v: _change(v, "ratio"))})
        lines += ["Parameter rows that changed (effects are sequential and add up to the change above):", _table(rows)]
    return "\n".join(lines)


def _change(v: Any, kind: str) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "-"
    if kind in ("ratio", "prob"):
        return f"{v * 100:+.1f} points"
    if kind == "money":
        return ("+" if v >= 0 else "-") + f"${abs(v):,.0f}"
    return f"{v:+g}"


_COMMANDS = {"save": cmd_save, "list": cmd_list, "show": cmd_show, "history": cmd_history, "compare": cmd_compare,
             "delete": cmd_delete, "export": cmd_export, "import": cmd_import, "drift": cmd_drift}


def cmd_scenarios(args: argparse.Namespace) -> str:
    from .scenario_library import LibraryError
    try:
        return _COMMANDS[args.scenarios_command](args)
    except LibraryError as exc:
        raise UserError(str(exc)) from None


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help=_DB_HELP)


def register(sub: Any) -> None:
    """Add ``scenarios`` and its subcommands to the main parser's subparsers."""
    sc = sub.add_parser("scenarios", help="the saved scenario library: save, list, compare, drift (docs/LIBRARY.md)")
    ss = sc.add_subparsers(dest="scenarios_command", required=True, parser_class=_Parser)
    sv = ss.add_parser("save", help="save a scenario under a name (a file, defaults, and --set)")
    sv.add_argument("library_name", metavar="NAME", help="the name in the library (also the scenario's name)")
    _scenario_args(sv)
    sv.add_argument("--tag", action="append", metavar="TAG", help="a tag (repeatable)")
    sv.add_argument("--note", help="free-text note")
    sv.add_argument("--new-version", action="store_true", help="the name exists: save as its next version")
    _db(sv)
    li = ss.add_parser("list", help="saved scenarios with their headline results")
    li.add_argument("--format", choices=("json", "table"), default="table")
    li.add_argument("--tag", help="only scenarios with this tag")
    li.add_argument("--therapy", help="only scenarios of this therapy id, e.g. yoga")
    li.add_argument("--search", metavar="TEXT", help="only names or notes containing TEXT")
    _db(li)
    for name, hlp in (("show", "one saved scenario: metadata and results"), ("history", "every version of a name"),
                      ("drift", "re-run under today's parameter library: what changed, and which rows caused it")):
        p = ss.add_parser(name, help=hlp)
        p.add_argument("name", metavar="NAME")
        if name != "history":
            p.add_argument("--version", type=int, help="an earlier version (default the newest)")
        p.add_argument("--format", choices=("json", "table"), default="table")
        if name == "show":
            p.add_argument("--scenario-only", action="store_true",
                           help="print only the scenario JSON (input for evaluate, report ...)")
        _db(p)
    co = ss.add_parser("compare", help="2 to 4 saved scenarios side by side")
    co.add_argument("names", nargs="+", metavar="NAME")
    co.add_argument("--format", choices=("json", "csv", "table"), default="table")
    co.add_argument("--out", metavar="FILE", help="also write the comparison as .xlsx or .pdf")
    _db(co)
    de = ss.add_parser("delete", help="delete a name and its history")
    de.add_argument("name", metavar="NAME")
    _db(de)
    ex = ss.add_parser("export", help="the whole library as one .json or .zip file")
    ex.add_argument("file", metavar="FILE")
    _db(ex)
    im = ss.add_parser("import", help="add a library file (.json or .zip) to this library")
    im.add_argument("file", metavar="FILE")
    im.add_argument("--skip-invalid", action="store_true", help="import the valid entries and list the others")
    im.add_argument("--if-exists", choices=("error", "skip", "new-version"), default="error",
                    help="a name already in the library: refuse (default), keep the library's, or add versions")
    _db(im)
    COMMANDS["scenarios"] = cmd_scenarios
