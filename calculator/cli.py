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
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .evidence import library
from .model import compare, evaluate
from .scenario import Scenario, ScenarioError, apply_sets, load, to_json

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


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario file (or defaults) with every ``--set PATH=VALUE`` applied."""
    s = load(args.scenario) if getattr(args, "scenario", None) else Scenario()
    sets = []
    for item in getattr(args, "set", None) or []:
        path, eq, value = item.partition("=")
        if not eq:
            raise UserError(f"--set needs PATH=VALUE, got {item!r}")
        sets.append((path.strip(), value))
    return apply_sets(s, sets) if sets else s


def _table(df: pd.DataFrame) -> str:
    return df.to_string(index=False)


def _money(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def cmd_defaults(args: argparse.Namespace) -> str:
    s = Scenario().model_copy(update={"parameter_set": library().version})
    return to_json(s).rstrip("\n")


def cmd_evaluate(args: argparse.Namespace) -> str:
    r = evaluate(scenario_from_args(args))
    if args.format == "json":
        return dumps(r.to_dict())
    b, p = r.burden, r.program
    lines = [
        f"Scenario: {r.scenario.name}  (parameter set {r.parameter_set}, 2024 USD)",
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
        f"  ROI                       {'n/a' if p.roi is None else f'{p.roi:.1%}'}",
        f"  NPV                       {_money(p.npv)}",
        f"  payback month             {'not within horizon' if p.payback_month is None else int(p.payback_month)}",
        f"  break-even price/session  {_money(p.breakeven_price_per_session)}",
    ]
    for w in r.warnings:
        lines.append(f"  warning ({w.concerns}): {w.message}")
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> str:
    df = compare(scenario_from_args(args))
    if args.format == "json":
        return dumps(df.to_dict(orient="records"))
    if args.format == "csv":
        return df.to_csv(index=False).rstrip("\n")
    cols = ["label", "evidence_grade", "cost", "savings", "net_benefit", "roi", "payback_month"]
    view = df[cols].copy()
    for c in ("cost", "savings", "net_benefit"):
        view[c] = view[c].map(_money)
    view["roi"] = df["roi"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.0%}")
    view["payback_month"] = df["payback_month"].map(lambda v: "-" if pd.isna(v) else f"{v:.0f}")
    return _table(view)


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


COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "defaults": cmd_defaults,
    "evaluate": cmd_evaluate,
    "compare": cmd_compare,
    "parameters": cmd_parameters,
}


def _scenario_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?", help="scenario JSON file (default: the built-in defaults)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a field by dotted path, e.g. workforce.employees=500 (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Employer cost of chronic low back pain and therapy ROI.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("defaults", help="print the default scenario as JSON")
    ev = sub.add_parser("evaluate", help="burden and program results for a scenario")
    _scenario_args(ev)
    ev.add_argument("--format", choices=("json", "table"), default="table")
    co = sub.add_parser("compare", help="every therapy for the same workforce")
    _scenario_args(co)
    co.add_argument("--format", choices=("json", "csv", "table"), default="table")
    pa = sub.add_parser("parameters", help="the parameter library with citations")
    pa.add_argument("--format", choices=("csv", "json"), default="csv")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        out = COMMANDS[args.command](args)
    except (UserError, ScenarioError) as exc:
        msg = " ".join(str(exc).split())
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    sys.stdout.write(out + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
