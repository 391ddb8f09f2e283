"""Command line for health plans: ``budget-impact``, ``cea``, ``claims FILE``; ``--claims`` everywhere.

Registered by one line in :func:`calculator.cli.build_parser`. ``--claims FILE`` is added to every
scenario command by the shared options helper (``cli._scenario_args``) and applied by
:func:`calculator.assemble.assemble` (after the survey, before ``--set``); :func:`read_claims_args` reads it.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import pandas as pd

from . import cli, fmt

__all__ = ["register", "read_claims_args", "plan_json", "read_claims_file", "own_data_lines"]

CLAIMS_HELP = "your aggregate claims extract (CSV, XLSX or Parquet; docs/HEALTH_PLAN.md): sets prevalence, " \
              "medical cost per member with LBP, members and paid-to-allowed, marked 'from your claims'"


def _read_bytes(path: str, max_mb: float) -> bytes:
    """A user's file, its byte limit checked before (and while) it is read."""
    limit = int(max_mb * 1024 * 1024)
    try:
        size = os.path.getsize(path)
        if size > limit:
            raise cli.UserError(f"{path}: the file is {size / 1048576:,.1f} MB, over the {max_mb:g} MB limit "
                                "of a claims extract (aggregate rows only)")
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise cli.UserError(f"cannot read claims file {path!r}: {exc.strerror}") from None


def read_claims_file(path: str, max_mb: float = 20.0) -> Any:
    """Read an aggregate extract or a FHIR bundle, the byte limit checked before the bytes are read."""
    from .claims import ClaimsError
    from .claims_fhir import read_any_claims
    data = _read_bytes(path, max_mb)
    try:
        return read_any_claims(data, os.path.basename(path), max_bytes=int(max_mb * 1024 * 1024))
    except ClaimsError as exc:
        raise cli.UserError(f"{path}: {exc}") from None


def read_claims_args(args: argparse.Namespace) -> Any:
    """The validated extract of ``--claims FILE`` (or None); kept on ``args`` for the output.

    :func:`calculator.assemble.assemble` applies it (after the survey, before ``--set``)."""
    path = getattr(args, "claims", None)
    if not path:
        return None
    summary = read_claims_file(path)
    args.claims_summary = summary
    return summary


def own_data_lines(args: argparse.Namespace) -> list[str]:
    """For table output: the values your survey and your claims set (``evaluate``; review 2: it printed
    none, so nothing said which results rest on the employer's own data)."""
    survey = [a for a in getattr(args, "applied", ()) if "your survey" in str(a.source).lower()]
    out = ["", f"From {survey[0].source}: " + "; ".join(f"{a.path} {a.value:g}" for a in survey)] if survey else []
    return out + _claims_lines(args)


def plan_json(result: Any) -> dict[str, Any]:
    """The health-plan paths merged into ``evaluate`` JSON (one home: :mod:`calculator.export.tables_plan`)."""
    from .export.tables_plan import with_plan
    return with_plan(result.to_dict(), result.scenario)


def _claims_json(args: argparse.Namespace) -> dict[str, Any]:
    s = getattr(args, "claims_summary", None)
    return {} if s is None else {"claims": s.to_dict()}


def _money(x: float | None) -> str:
    return cli._money(x)


#: Most Monte Carlo draws ``budget-impact`` and ``cea`` accept: they hold every draw in memory
#: (about 10 kB a draw), so 10^8 draws would exhaust the machine instead of failing with a message.
MAX_DRAWS = 100_000


def _simulated(run: Any, s: Any, args: argparse.Namespace, none: str) -> Any:
    """``run(s, draws, seed)`` after checking --draws (0 = not run) and --seed, or a clear error."""
    from .uncertainty import UncertaintyError
    if not 0 <= args.draws <= MAX_DRAWS:
        raise cli.UserError(f"--draws must be 0 ({none}) to {MAX_DRAWS:,}, got {args.draws:,}")
    if not args.draws:
        return None
    try:
        return run(s, args.draws, args.seed)
    except UncertaintyError as exc:  # e.g. a negative --seed
        raise cli.UserError(f"--seed/--draws: {exc}") from None


def cmd_budget_impact(args: argparse.Namespace) -> str:
    from .budget import FEE_BASIS_LABELS, budget_impact, budget_interval
    s = cli.scenario_from_args(args)
    b = budget_impact(s)
    iv = _simulated(budget_interval, s, args, "no intervals")
    iv = None if iv is None else iv.set_index("year")
    if args.format == "json":
        d = b.to_dict()
        if iv is not None:  # 5-95% of PMPM and net per plan year, year 0 = whole horizon
            d["intervals"] = iv.reset_index().to_dict(orient="records")
        return cli.dumps({"budget_impact": d} | _claims_json(args))
    if args.format == "csv":
        years = b.years if iv is None else b.years.merge(
            iv[["pmpm_p5", "pmpm_p95", "net_p5", "net_p95", "p_saves"]], left_on="year", right_index=True)
        return years.to_csv(index=False).rstrip("\n")
    mark = lambda p: " (from your claims)" if p in b.from_claims else ""  # noqa: E731
    y = b.years
    view = pd.DataFrame({
        "year": y["year"], "starters": y["starters"].map("{:,.0f}".format),
        "gross cost": y["gross_cost"].map(_money), "refund": y["refund"].map(_money),
        "offsets": y["offsets"].map(_money), "net": y["net"].map(_money),
        "PMPM": y["pmpm"].map(fmt.pmpm),
        **({} if iv is None else {"PMPM 90% interval": [f"{fmt.pmpm(iv.loc[int(k), 'pmpm_p5'])} to {fmt.pmpm(iv.loc[int(k), 'pmpm_p95'])}"
                                                       for k in y["year"]]}),
        "PEPM": y["pepm"].map(fmt.pmpm),
        "% of plan spend": y["share_of_plan_spend"].map(lambda v: f"{v:.4%}")})
    lines = [
        f"Budget impact (health plan's view): {s.programs[0].therapy} over {b.horizon_years} plan year(s), "
        "undiscounted, positive = the plan spends more",
        f"  members {b.members:,.0f}{mark('plan.members')}; fee {FEE_BASIS_LABELS[b.fee_basis]} "
        f"{_money(b.fee_amount)}; paid-to-allowed {b.paid_to_allowed:.3f}{mark('condition.plan_paid_share')} "
        f"({b.sources['paid_to_allowed']}); medical trend {b.medical_trend:.1%}/yr",
        "", view.to_string(index=False), "",
        f"  whole horizon: net {_money(b.net)}, PMPM {fmt.pmpm(b.pmpm)}"
        + ("" if iv is None else f" (90% interval {fmt.pmpm(iv.loc[0, 'pmpm_p5'])} to {fmt.pmpm(iv.loc[0, 'pmpm_p95'])}; "
                                 f"P(plan saves) {iv.loc[0, 'p_saves']:.0%}; {args.draws:,} draws, seed {args.seed})")
        + f", PEPM {fmt.pmpm(b.pepm)}, {b.share_of_plan_spend:.4%} of total plan spend",
    ]
    if b.from_claims:
        lines.append(f"  from your claims ({s.plan.claims_file}): {', '.join(b.from_claims)}")
    return "\n".join(lines + _claims_lines(args))


def cmd_cea(args: argparse.Namespace) -> str:
    from .cea import cea_psa, cost_effectiveness
    s = cli.scenario_from_args(args)
    ce = cost_effectiveness(s)
    psa = _simulated(cea_psa, s, args, "no CEAC")
    if args.format == "json":
        out = {"cost_effectiveness": ce.to_dict()}
        if psa is not None:
            out["psa"] = psa.to_dict()
        return cli.dumps(out | _claims_json(args))
    if args.format == "csv":
        if psa is None:
            return ce.table.to_csv(index=False).rstrip("\n")
        return psa.ceac.to_csv(index=False).rstrip("\n")
    return "\n".join(_cea_lines(ce, psa) + _claims_lines(args))


def _cea_lines(ce: Any, psa: Any) -> list[str]:
    t = ce.table
    ratio = t["cost_per_qaly"].map(lambda v: "-" if pd.isna(v) else f"${v:,.0f}")
    view = pd.DataFrame({"perspective": t["perspective"], "cost": t["incremental_cost"].map(_money),
                         "QALYs": t["qalys_gained"].map("{:.3f}".format), "cost per QALY": ratio,
                         "verdict": t["dominance"]}
                        | {f"NMB at ${w / 1000:.0f}k": t[f"nmb_{int(w)}"].map(_money) for w in ce.wtp})
    lines = [f"Cost-effectiveness: {ce.therapy_label}, {ce.horizon_months} months, QALYs and costs discounted "
             f"at {ce.discount_rate:.1%}/yr; {ce.participants:,.1f} participants, "
             f"{ce.qaly_gain_per_participant:.4f} QALY each", "", view.to_string(index=False), "",
             "  threshold price per session: " + ", ".join(
                 f"${w / 1000:.0f}k/QALY -> {_money(p)}" for w, p in zip(ce.wtp, ce.threshold_prices, strict=True)),
             f"  QALY burden of chronic LBP in this workforce: {ce.qaly_burden:,.1f} QALYs per year"]
    if psa is not None:
        ceac = psa.ceac[psa.ceac["option"] != "none"].pivot(index="option", columns="wtp", values="p_cost_effective")
        lines += ["", f"Probability cost-effective vs no cover ({psa.draws:,} draws, seed {psa.seed}), health plan view:",
                  ceac.map(lambda v: f"{v:.0%}").rename(columns=lambda w: f"${w / 1000:.0f}k").to_string()]
        row = psa.table.set_index("therapy").loc[ce.therapy]
        lines.append(f"  {ce.therapy_label}: cost per QALY 90% interval "
                     + (fmt.per_qaly_interval(row["p5_cost_per_qaly"], row["p95_cost_per_qaly"])
                        if not row["cost_per_qaly_interval_note"] else f"none ({row['cost_per_qaly_interval_note']})")
                     + "; NMB 90% interval " + ", ".join(
                         f"${w / 1000:.0f}k {_money(row[f'p5_nmb_{int(w)}'])} to {_money(row[f'p95_nmb_{int(w)}'])}"
                         for w in psa.wtp))
    return lines


def _claims_lines(args: argparse.Namespace) -> list[str]:
    s = getattr(args, "claims_summary", None)
    if s is None:
        return []
    ch = args.claims_changes
    def shown(v: Any) -> str:
        return "blank" if v is None or (isinstance(v, float) and v != v) else f"{v:g}" if isinstance(v, float) else str(v)

    return ["", f"From your claims ({s.filename}, {s.rows} rows): " + "; ".join(
        f"{r.path} {shown(r.before)} -> {shown(r.after)}" for r in ch.itertuples()),
        *(f"  warning: {w}" for w in s.warnings)]


def cmd_claims(args: argparse.Namespace) -> str:
    if args.format == "template":
        return _fhir_template(args)
    s = read_claims_file(args.file, args.max_claims_mb)
    if args.format == "json":
        return cli.dumps(s.to_dict())
    lines = [f"{args.file}: {s.rows} rows, code sets {', '.join(s.code_set_versions)}; "
             f"{s.members:,.0f} members, {s.member_months:,.0f} member months, {s.members_with_lbp:,.0f} with LBP",
             f"  prevalence {s.prevalence:.2%}",
             "  LBP-linked allowed cost per member with LBP per year "
             + ("-" if s.medical_per_lbp_member is None else _money(s.medical_per_lbp_member)),
             "  paid-to-allowed " + ("-" if s.paid_to_allowed is None else f"{s.paid_to_allowed:.3f}"),
             "", "Would set (from your claims): " + ", ".join(f"{p} = {v}" for p, v in s.scenario_sets())]
    if not s.by_state.empty:
        lines += ["", s.by_state.to_string(index=False)]
    lines += [f"warning: {w}" for w in s.warnings] + [f"note: {n}" for n in s.notes]
    return "\n".join(lines)


def _fhir_template(args: argparse.Namespace) -> str:
    from .claims import ClaimsError
    from .claims_fhir import fhir_to_template, looks_like_fhir
    s = read_claims_file(args.file, args.max_claims_mb)  # every guard and small-cell rule first
    data = _read_bytes(args.file, args.max_claims_mb)
    if not looks_like_fhir(data):
        raise cli.UserError(f"{args.file}: --format template applies to FHIR bundles; this is already a "
                            f"{s.rows}-row aggregate extract")
    try:
        return fhir_to_template(data, max_bytes=int(args.max_claims_mb * 1024 * 1024)).decode().rstrip("\n")
    except ClaimsError as exc:  # pragma: no cover - read_claims_file raised it already
        raise cli.UserError(f"{args.file}: {exc}") from None


def register(sub: Any) -> None:
    """Add ``budget-impact``, ``cea`` and ``claims`` to the command-line parser."""
    from .uncertainty import DEFAULT_SEED
    bi = sub.add_parser("budget-impact", help="health plan: budget impact by plan year, PMPM (docs/HEALTH_PLAN.md)")
    cli._scenario_args(bi)
    bi.add_argument("--draws", type=int, default=1000,
                    help="Monte Carlo draws for the PMPM and net intervals (0 = none, at most 100,000; default 1000, "
                         "as the page and PDF)")
    bi.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the intervals")
    bi.add_argument("--format", choices=("json", "csv", "table"), default="table",
                    help="json adds budget_impact.intervals; csv adds pmpm_p5, pmpm_p95, net_p5, net_p95, p_saves")
    ce = sub.add_parser("cea", help="cost per QALY, net monetary benefit, CEAC for every therapy")
    cli._scenario_args(ce)
    ce.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws for the CEAC (0 = none, at most 100,000; default 2000)")
    ce.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the CEAC")
    ce.add_argument("--format", choices=("json", "csv", "table"), default="table",
                    help="csv: the CEAC table (or the deterministic table with --draws 0)")
    cl = sub.add_parser("claims", help="check an aggregate claims extract: what it sets, every problem by row/column")
    cl.add_argument("file", help="CSV, XLSX or Parquet claims extract (assets/claims_template.csv), or a FHIR R4 "
                                 "ExplanationOfBenefit bundle (JSON; aggregated locally)")
    cl.add_argument("--max-claims-mb", type=cli._megabytes, default=20.0,  # the CLI's one megabytes check
                    help="size limit of the file (default 20; more than 0, at most 4096)")
    cl.add_argument("--format", choices=("json", "table", "template"), default="table",
                    help="template: the aggregate rows (CSV) a FHIR bundle becomes, to keep instead of the bundle")
    cli.COMMANDS.update({"budget-impact": cmd_budget_impact, "cea": cmd_cea, "claims": cmd_claims})
