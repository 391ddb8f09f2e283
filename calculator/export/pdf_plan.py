"""The PDF's health-plan page: budget impact by plan year (PMPM) and cost per QALY, with intervals.

Hooked into :func:`calculator.export.pdf.pdf_bytes` with one call; reuses that module's styles and
table helper so the page looks like the rest of the report. Figures set from the user's claims are
marked "from your claims". Intervals come from a fixed-seed Monte Carlo run (seed and draws printed).
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from .. import fmt
from ..budget import FEE_BASIS_LABELS, budget_impact, budget_interval
from ..cea import cea_psa, cost_effectiveness
from ..uncertainty import DEFAULT_SEED
from .report import ReportData, money

__all__ = ["health_plan_story", "plan_figures", "DRAWS"]

#: Draws behind the page's intervals (fixed seed: the same report gives the same numbers).
DRAWS = 1000
_VERDICT = {"dominant": "dominant (more QALYs for less money)", "dominated": "dominated (no more QALYs, more money)",
            "no_difference": "no difference", "cheaper_fewer_qalys": "cheaper, fewer QALYs"}


_usd3 = fmt.pmpm  # '−$0.328': the house minus, as every other amount in the PDF


def plan_figures(d: ReportData) -> dict[str, tuple[str, Any, tuple[int, int]]]:
    """The health-plan page's charts for the PDF's one render batch (``report_figures`` adds them)."""
    from .. import charts_plan
    from .figures import for_print
    s = d.scenario
    psa = cea_psa(s, DRAWS, DEFAULT_SEED)
    b = budget_impact(s)
    budget = for_print(charts_plan.budget_figure(charts_plan.budget_years_table(b)), legend=True)
    ceac = for_print(charts_plan.ceac_figure(charts_plan.ceac_table(psa.ceac), psa.wtp), legend=True)
    for fig in (budget, ceac):
        fig.update_layout(legend=dict(orientation="v", x=1.01, y=1, xanchor="left", yanchor="top",
                                      font=dict(size=10)), margin=dict(r=190, t=26))
    return {
        "plan_budget": ("Budget impact by plan year (US$): fees up, plan-paid offsets down, net as a diamond",
                        budget, (880, 280)),
        "plan_ceac": ("Probability cost-effective against no cover by willingness to pay per QALY, every therapy",
                      ceac, (880, 340)),
    }


def health_plan_story(d: ReportData, images: dict[str, bytes] | None = None, reason: str | None = None) -> list[Any]:
    """Flowables of the health-plan page (a page of its own), with its charts when ``images`` has them."""
    from .pdf import ST
    s = d.scenario
    b, ce = budget_impact(s), cost_effectiveness(s)
    figs = plan_figures(d) if images else {
        "plan_budget": ("Budget impact by plan year (US$)", None, (880, 280)),
        "plan_ceac": ("Probability cost-effective by willingness to pay per QALY", None, (880, 340))}
    out: list[Any] = [PageBreak(), Paragraph("Health plan view: budget impact and cost per QALY", ST["h1"])]
    out += _budget_part(s, b, images, figs, d)
    out += _cea_part(s, ce, images, figs, reason)
    out.append(Paragraph(
        "Limitations: budget impact applies the workforce's prevalence to every member unless your claims set it; "
        "offsets follow the program model's pain-impact states, not observed claims; cost per QALY uses SF-6D "
        "weights and a horizon of at most five years.", ST["note"]))
    return out


def _mark(s: Any, path: str) -> str:
    return " (from your claims)" if path in s.plan.from_claims else ""


def _chart(images: dict[str, bytes] | None, figs: dict, key: str) -> list[Any]:
    from .pdf import ST, WIDTH, _image, _t
    if not images or key not in images:
        return []
    return [Spacer(1, 6), KeepTogether([Paragraph(_t(figs[key][0]), ST["caption"]),
                                        _image(images[key], WIDTH * 0.9, figs[key][2])]), Spacer(1, 4)]


def _budget_part(s: Any, b: Any, images: dict[str, bytes] | None, figs: dict, d: ReportData) -> list[Any]:
    """The budget-impact text, the table by plan year (with intervals) and its chart."""
    from .pdf import ST, WIDTH, _t, _table
    from .report import own_data_lines
    iv = budget_interval(s, DRAWS, DEFAULT_SEED).set_index("year")
    mine = [line.removesuffix(" (from your claims)") for line in own_data_lines(d) if line.endswith("(from your claims)")]
    claims = (f" From your claims ({_t(s.plan.claims_file)}): {_t('; '.join(mine))}." if s.plan.from_claims else "")
    out: list[Any] = [Paragraph(
        f"Budget holder's view (ISPOR good practice; Sullivan 2014): program fees ({_t(FEE_BASIS_LABELS[b.fee_basis])}, "
        f"{money(b.fee_amount) if b.fee_amount >= 100 else f'${b.fee_amount:,.2f}'}) minus plan-paid medical offsets "
        f"(paid-to-allowed {b.paid_to_allowed:.3f}{_mark(s, 'condition.plan_paid_share')}, medical trend "
        f"{b.medical_trend:.1%} a year), undiscounted; {b.members:,.0f} members{_mark(s, 'plan.members')}. "
        f"Positive = the plan spends more. Intervals: 5th-95th percentile of {DRAWS:,} simulations, seed {DEFAULT_SEED}."
        + claims, ST["body"])]
    w = iv.loc[0]
    out.append(Paragraph(
        f"<b>Budget impact over {b.horizon_years} plan year(s): net {money(b.net)}, PMPM {_usd3(b.pmpm)} "
        f"(90% interval {_usd3(w['pmpm_p5'])} to {_usd3(w['pmpm_p95'])}; P(plan saves) {w['p_saves']:.0%}), "
        f"{b.share_of_plan_spend:.3%} of total plan spend.</b>", ST["body"]))
    rows = [["Plan year", "Starting", "Program fees", "Refunds", "Offsets", "Net", "PMPM", "PMPM 90% interval",
             "% of plan spend"]]
    for y in b.years.itertuples():
        r = iv.loc[int(y.year)]
        rows.append([f"{int(y.year)}", f"{y.starters:,.0f}", money(y.gross_cost), money(y.refund), money(y.offsets),
                     money(y.net), _usd3(y.pmpm), f"{_usd3(r['pmpm_p5'])} to {_usd3(r['pmpm_p95'])}",
                     f"{y.share_of_plan_spend:.3%}"])
    rows.append(["Total", "", money(b.gross_cost), money(b.refund), money(b.offsets), money(b.net), _usd3(b.pmpm),
                 f"{_usd3(w['pmpm_p5'])} to {_usd3(w['pmpm_p95'])}", f"{b.share_of_plan_spend:.3%}"])
    out.append(_table(rows, [WIDTH * x for x in (0.08, 0.08, 0.12, 0.1, 0.11, 0.11, 0.1, 0.18, 0.12)],
                      right=set(range(0, 9)), bold_rows={len(rows) - 1}))
    return out + _chart(images, figs, "plan_budget") + [Spacer(1, 6)]


def _ratio_interval(row: Any) -> str:
    """The cost per QALY's 90% interval, or why there is none and the NMB interval instead."""
    if row["cost_per_qaly_interval_note"]:
        w = sorted(int(k.removeprefix("p5_nmb_")) for k in row.index if k.startswith("p5_nmb_"))
        mid = w[len(w) // 2] if w else None
        nmb = (f" (NMB at ${int(mid) / 1000:,.0f}k: 90% interval {money(row[f'p5_nmb_{mid}'])} to "
               f"{money(row[f'p95_nmb_{mid}'])})") if mid else ""
        return f"cost per QALY: {row['cost_per_qaly_interval_note']}{nmb}"
    return (f"cost per QALY 90% interval {fmt.per_qaly_interval(row['p5_cost_per_qaly'], row['p95_cost_per_qaly'])} "
            "(every simulation gains QALYs, so the ratios are ordered)")


def _cea_part(s: Any, ce: Any, images: dict[str, bytes] | None, figs: dict, reason: str | None) -> list[Any]:
    """Cost per QALY (both views), NMB and threshold prices, the acceptability table and its chart."""
    from .pdf import ST, WIDTH, _t, _table
    psa = cea_psa(s, DRAWS, DEFAULT_SEED)
    row = psa.table.set_index("therapy").loc[ce.therapy]
    ratio = f"${ce.cost_per_qaly:,.0f} per QALY" if ce.cost_per_qaly is not None else _VERDICT.get(ce.dominance, "n/a")
    out: list[Any] = [Paragraph(
        f"<b>Cost per QALY ({_t(ce.therapy_label)}, health plan's view, {ce.horizon_months} months, QALYs and costs "
        f"discounted at {ce.discount_rate:.1%}): {ratio}.</b> QALYs gained {ce.qalys_gained:,.3f} (90% interval "
        f"{row['p5_qalys']:,.3f} to {row['p95_qalys']:,.3f}); {_ratio_interval(row)}; "
        f"{ce.qaly_gain_per_participant or 0:.4f} per "
        f"participant; incremental cost {money(ce.incremental_cost)}. QALYs come from the time spent in each "
        "pain-impact state with and without the program, weighted by SF-6D utilities (Herman 2019 Table 1). "
        f"Chronic low back pain costs this workforce about {ce.qaly_burden:,.1f} QALYs a year.", ST["body"])]
    rows = [["View", "Incremental cost", "QALYs", "Cost per QALY"] + [f"NMB ${x / 1000:,.0f}k" for x in ce.wtp]
            + [f"Threshold price ${x / 1000:,.0f}k" for x in ce.wtp]]
    for r in ce.table.itertuples():
        cpq = f"${r.cost_per_qaly:,.0f}" if r.cost_per_qaly == r.cost_per_qaly else _VERDICT.get(r.dominance, "-")
        rows.append([{"health_plan": "Health plan", "societal": "Societal"}[r.perspective], money(r.incremental_cost),
                     f"{r.qalys_gained:,.3f}", cpq]
                    + [money(getattr(r, f"nmb_{int(x)}")) for x in ce.wtp]
                    + [(lambda v: f"${v:,.2f}" if v == v else "none")(getattr(r, f"threshold_price_{int(x)}"))
                       for x in ce.wtp])
    out += [_table(rows, [WIDTH * 0.1] + [WIDTH * 0.9 / 9] * 9, right=set(range(1, 10))), Spacer(1, 3),
            Paragraph("Net monetary benefit, health plan's view, 90% intervals of the same simulations: " + "; ".join(
                f"at ${x / 1000:,.0f}k per QALY {money(row[f'p5_nmb_{int(x)}'])} to {money(row[f'p95_nmb_{int(x)}'])} "
                f"(P(NMB &gt; 0) {row[f'p_cost_effective_{int(x)}']:.0%})" for x in psa.wtp) + ".", ST["body"]),
            Spacer(1, 6),
            Paragraph(f"Probability cost-effective against no cover, every therapy ({psa.draws:,} simulations, seed "
                      f"{psa.seed}; the acceptability curve on the Health plan page):", ST["body"])]
    rows = [["Therapy", "Mean QALYs", "Mean incremental cost", "Cost per QALY 90% interval"]
            + [f"P(CE) at ${x / 1000:,.0f}k" for x in psa.wtp]]
    for r in psa.table.itertuples():
        rows.append([_t(r.label), f"{r.mean_qalys:,.3f}", money(r.mean_cost),
                     fmt.per_qaly_interval(r.p5_cost_per_qaly, r.p95_cost_per_qaly, r.cost_per_qaly_interval_note)]
                    + [f"{getattr(r, f'p_cost_effective_{int(x)}'):.0%}" for x in psa.wtp])
    out.append(_table(rows, [WIDTH * 0.31, WIDTH * 0.09, WIDTH * 0.12, WIDTH * 0.2] + [WIDTH * 0.09] * 3,
                      right={1, 2, 3, 4, 5, 6}))
    chart = _chart(images, figs, "plan_ceac")
    if chart:
        return out + chart[:-1]
    if reason:
        out.append(Paragraph(f"(Charts not rendered: {_t(reason)}; every number is in the tables.)", ST["note"]))
    return out
