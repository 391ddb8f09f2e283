"""The PDF's health-plan page: budget impact by plan year (PMPM) and cost per QALY, with intervals.

Hooked into :func:`calculator.export.pdf.pdf_bytes` with one call; reuses that module's styles and
table helper so the page looks like the rest of the report. Figures set from the user's claims are
marked "from your claims". Intervals come from a fixed-seed Monte Carlo run (seed and draws printed).
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from ..budget import FEE_BASIS_LABELS, budget_impact, budget_interval
from ..cea import cea_psa, cost_effectiveness
from ..uncertainty import DEFAULT_SEED
from .report import ReportData, money

__all__ = ["health_plan_story", "plan_figures", "DRAWS"]

#: Draws behind the page's intervals (fixed seed: the same report gives the same numbers).
DRAWS = 1000
_VERDICT = {"dominant": "dominant (more QALYs for less money)", "dominated": "dominated (no more QALYs, more money)",
            "no_difference": "no difference", "cheaper_fewer_qalys": "cheaper, fewer QALYs"}


def _usd3(x: float) -> str:
    return ("-" if x < 0 else "") + f"${abs(x):,.3f}"


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
    from .pdf import ST, WIDTH, _image, _t, _table
    s = d.scenario
    b, ce = budget_impact(s), cost_effectiveness(s)
    iv = budget_interval(s, DRAWS, DEFAULT_SEED).set_index("year")
    psa = cea_psa(s, DRAWS, DEFAULT_SEED)
    mark = lambda p: " (from your claims)" if p in s.plan.from_claims else ""  # noqa: E731
    figs = {"plan_budget": ("Budget impact by plan year (US$)", None, (880, 280)),
            "plan_ceac": ("Probability cost-effective by willingness to pay per QALY", None, (880, 340))}
    if images:
        figs = plan_figures(d)
    out: list[Any] = [PageBreak(), Paragraph("Health plan view: budget impact and cost per QALY", ST["h1"])]
    claims = (f" From your claims ({_t(s.plan.claims_file)}): {_t(', '.join(s.plan.from_claims))}."
              if s.plan.from_claims else "")
    out.append(Paragraph(
        f"Budget holder's view (ISPOR good practice; Sullivan 2014): program fees ({_t(FEE_BASIS_LABELS[b.fee_basis])}, "
        f"{money(b.fee_amount) if b.fee_amount >= 100 else f'${b.fee_amount:,.2f}'}) minus plan-paid medical offsets "
        f"(paid-to-allowed {b.paid_to_allowed:.3f}{mark('condition.plan_paid_share')}, medical trend "
        f"{b.medical_trend:.1%} a year), undiscounted; {b.members:,.0f} members{mark('plan.members')}. "
        f"Positive = the plan spends more. Intervals: 5th-95th percentile of {DRAWS:,} simulations, seed {DEFAULT_SEED}."
        + claims, ST["body"]))
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
    if images and "plan_budget" in images:
        out += [Spacer(1, 6), KeepTogether([Paragraph(_t(figs["plan_budget"][0]), ST["caption"]),
                                            _image(images["plan_budget"], WIDTH * 0.9, figs["plan_budget"][2])]),
                Spacer(1, 4)]
    out.append(Spacer(1, 6))
    row = psa.table.set_index("therapy").loc[ce.therapy]
    ratio = f"${ce.cost_per_qaly:,.0f} per QALY" if ce.cost_per_qaly is not None else _VERDICT.get(ce.dominance, "n/a")
    out.append(Paragraph(
        f"<b>Cost per QALY ({_t(ce.therapy_label)}, health plan's view, {ce.horizon_months} months, QALYs and costs "
        f"discounted at {ce.discount_rate:.1%}): {ratio}.</b> QALYs gained {ce.qalys_gained:,.3f} (90% interval "
        f"{row['p5_qalys']:,.3f} to {row['p95_qalys']:,.3f}); {ce.qaly_gain_per_participant or 0:.4f} per "
        f"participant; incremental cost {money(ce.incremental_cost)}. QALYs come from the time spent in each "
        "pain-impact state with and without the program, weighted by SF-6D utilities (Herman 2019 Table 1). "
        f"Chronic low back pain costs this workforce about {ce.qaly_burden:,.1f} QALYs a year.", ST["body"]))
    t = ce.table
    rows = [["View", "Incremental cost", "QALYs", "Cost per QALY"] + [f"NMB ${x / 1000:,.0f}k" for x in ce.wtp]
            + [f"Threshold price ${x / 1000:,.0f}k" for x in ce.wtp]]
    for r in t.itertuples():
        cpq = f"${r.cost_per_qaly:,.0f}" if r.cost_per_qaly == r.cost_per_qaly else _VERDICT.get(r.dominance, "-")
        rows.append([{"health_plan": "Health plan", "societal": "Societal"}[r.perspective], money(r.incremental_cost),
                     f"{r.qalys_gained:,.3f}", cpq]
                    + [money(getattr(r, f"nmb_{int(x)}")) for x in ce.wtp]
                    + [(lambda v: f"${v:,.2f}" if v == v else "none")(getattr(r, f"threshold_price_{int(x)}"))
                       for x in ce.wtp])
    out.append(_table(rows, [WIDTH * 0.1] + [WIDTH * 0.9 / 9] * 9, right=set(range(1, 10))))
    out.append(Spacer(1, 6))
    out.append(Paragraph(
        f"Probability cost-effective against no cover, every therapy ({psa.draws:,} simulations, seed {psa.seed}; "
        "the acceptability curve on the Health plan page):", ST["body"]))
    rows = [["Therapy", "Mean QALYs", "Mean incremental cost"] + [f"P(CE) at ${x / 1000:,.0f}k" for x in psa.wtp]]
    for r in psa.table.itertuples():
        rows.append([_t(r.label), f"{r.mean_qalys:,.3f}", money(r.mean_cost)]
                    + [f"{getattr(r, f'p_cost_effective_{int(x)}'):.0%}" for x in psa.wtp])
    out.append(_table(rows, [WIDTH * 0.4, WIDTH * 0.12, WIDTH * 0.15] + [WIDTH * 0.11] * 3, right={1, 2, 3, 4, 5}))
    if images and "plan_ceac" in images:
        out += [Spacer(1, 6), KeepTogether([Paragraph(_t(figs["plan_ceac"][0]), ST["caption"]),
                                            _image(images["plan_ceac"], WIDTH * 0.9, figs["plan_ceac"][2])])]
    elif reason:
        out.append(Paragraph(f"(Charts not rendered: {_t(reason)}; every number is in the tables.)", ST["note"]))
    out.append(Paragraph(
        "Limitations: budget impact applies the workforce's prevalence to every member unless your claims set it; "
        "offsets follow the program model's pain-impact states, not observed claims; cost per QALY uses SF-6D "
        "weights and a horizon of at most five years.", ST["note"]))
    return out
