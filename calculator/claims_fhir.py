"""Optional reader: FHIR R4 ExplanationOfBenefit bundles (CARIN Blue Button) -> the aggregate template.

A payer's FHIR export is member-level; this module aggregates it **locally, in memory**, into the
rows of ``assets/claims_template.csv`` and then hands those rows to :func:`calculator.claims.read_claims`,
so every privacy rule (cells of 1 to 10 refused, derivable cells refused) and every guard applies
to the result exactly as to an uploaded extract. Nothing member-level leaves this function.

Parsing and validation use the ``fhir.resources`` package (R4B models, a well-kept FHIR library;
the ``fhir`` extra). Per calendar year of the claims' ``billablePeriod.start``:

* ``members`` and ``member_months`` from the bundle's ``Coverage`` resources (beneficiary and
  ``period``, months of overlap with the year); a bundle without Coverage is refused.
* ``members_with_lbp``: distinct patients with an EOB whose diagnosis is in the low-back-pain code
  group of the fiscal year of service (M54.5 before 1 Oct 2021, M54.50/.51/.59 after).
* ``allowed_<cat>`` / ``paid_<cat>`` / ``visits_<cat>`` for the categories the CPT code groups name
  (massage, acupuncture, chiropractic, pt), from those EOBs' items: ``allowed`` = adjudication
  ``eligible``/``allowed``; ``paid`` = ``benefit``/``paidtoprovider``/``paidtopatient``/``paid``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from typing import Any

from .claims import DEFAULT_MAX_BYTES, ClaimsError, ClaimsSummary, code_groups, codes_for, read_claims
from .guards import InputError, loads_json

__all__ = ["looks_like_fhir", "fhir_to_template", "read_fhir_claims", "read_any_claims"]

_ALLOWED = {"eligible", "allowed"}
_PAID = {"benefit", "paidtoprovider", "paidtopatient", "paid"}
_MAX_RESOURCES = 1_000_000


def looks_like_fhir(data: bytes) -> bool:
    """True when the bytes start like a JSON FHIR Bundle (checked on the first 2 kB only)."""
    head = bytes(data[:2048]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"resourceType"' in head


def _fiscal_year(day: dt.date) -> int:
    """US federal fiscal year (ICD-10-CM updates take effect on 1 October)."""
    return day.year + 1 if day.month >= 10 else day.year


def _bundle(data: bytes, max_bytes: int) -> list[Any]:
    if len(data) > max_bytes:
        raise ClaimsError(f"the FHIR bundle is {len(data) / 1048576:,.1f} MB, over the "
                          f"{max_bytes / 1048576:,.1f} MB limit")
    try:
        from fhir.resources.R4B.bundle import Bundle
    except ImportError:  # pragma: no cover - the optional extra
        raise ClaimsError("reading FHIR bundles needs the 'fhir' extra: pip install 'backpain-roi[fhir]'") from None
    try:  # guarded parse: depth, number length, duplicate keys and NaN refused before allocating
        raw = loads_json(bytes(data).decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ClaimsError("the FHIR bundle is not UTF-8 text") from None
    except InputError as exc:
        raise ClaimsError(f"the FHIR bundle: {exc}") from None
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise ClaimsError("a FHIR file must be a Bundle (resourceType 'Bundle')")
    if len(raw.get("entry") or []) > _MAX_RESOURCES:
        raise ClaimsError(f"the bundle has more than {_MAX_RESOURCES:,} entries")
    try:
        bundle = Bundle.model_validate(raw)
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError: report its first lines
        first = str(exc).splitlines()[:3]
        raise ClaimsError("the FHIR bundle does not validate as R4: " + " / ".join(first)) from None
    return [e.resource for e in (bundle.entry or []) if e.resource is not None]


def _ref(reference: Any) -> str:
    return str(getattr(reference, "reference", None) or "")


def _coverage(resources: list[Any]) -> dict[int, dict[str, float]]:
    """Per calendar year: members (distinct beneficiaries) and member months."""
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"members": set(), "months": 0.0})
    for r in resources:
        if r.get_resource_type() != "Coverage" or r.period is None or r.period.start is None:
            continue
        start = r.period.start if isinstance(r.period.start, dt.date) else dt.date.fromisoformat(str(r.period.start)[:10])
        end_raw = r.period.end
        end = (end_raw if isinstance(end_raw, dt.date) else dt.date.fromisoformat(str(end_raw)[:10])) if end_raw \
            else dt.date(start.year, 12, 31)
        for year in range(start.year, end.year + 1):
            a, b = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            if b < a:
                continue
            out[year]["members"].add(_ref(r.beneficiary))
            out[year]["months"] += (b.year - a.year) * 12 + b.month - a.month + 1
    return {y: {"members": float(len(v["members"])), "months": v["months"]} for y, v in out.items()}


def _eob_rows(resources: list[Any]) -> dict[int, dict[str, Any]]:
    """Per calendar year: patients with LBP and LBP-linked amounts and visits by category."""
    cpt = code_groups().query("code_system == 'CPT'").set_index("code")["group"].to_dict()
    acc: dict[int, dict[str, Any]] = defaultdict(lambda: {"lbp": set(), "fy": set(), **{
        f"{k}_{c}": 0.0 for k in ("allowed", "paid", "visits") for c in set(cpt.values())}})
    for r in resources:
        if r.get_resource_type() != "ExplanationOfBenefit" or r.billablePeriod is None or not r.billablePeriod.start:
            continue
        start = r.billablePeriod.start
        day = start.date() if isinstance(start, dt.datetime) else start if isinstance(start, dt.date) \
            else dt.date.fromisoformat(str(start)[:10])
        fy = _fiscal_year(day)
        lbp = set(codes_for(f"FY{min(max(fy, 2016), 2027)}", groups=["lbp"])["code"])
        dx = {(c.code or "").strip().upper() for d in (r.diagnosis or []) if d.diagnosisCodeableConcept
              for c in (d.diagnosisCodeableConcept.coding or [])}
        dx |= {x.replace(".", "") for x in dx}
        if not (dx & (lbp | {x.replace(".", "") for x in lbp})):
            continue
        row = acc[day.year]
        row["lbp"].add(_ref(r.patient))
        row["fy"].add(fy)
        for item in r.item or []:
            codes = {c.code for c in ((item.productOrService.coding or []) if item.productOrService else [])}
            cats = {cpt[c] for c in codes if c in cpt}
            for cat in cats:
                row[f"visits_{cat}"] += 1
                for adj in item.adjudication or []:
                    kinds = {c.code for c in (adj.category.coding or [])}
                    value = float(adj.amount.value) if adj.amount is not None and adj.amount.value is not None else 0.0
                    if kinds & _ALLOWED:
                        row[f"allowed_{cat}"] += value
                    if kinds & _PAID:
                        row[f"paid_{cat}"] += value
    return acc


def fhir_to_template(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A FHIR R4 EOB bundle -> the aggregate claims template as CSV bytes (one row per calendar year)."""
    resources = _bundle(data, max_bytes)
    cover = _coverage(resources)
    if not cover:
        raise ClaimsError("the bundle has no Coverage resources with a period: members and member months "
                          "cannot be counted (add the plan's Coverage resources, or aggregate to the template)")
    eobs = _eob_rows(resources)
    cats = sorted({k.split("_", 1)[1] for v in eobs.values() for k in v if k.startswith("allowed_")})
    cols = ["group", "period", "months", "code_set_version", "members", "member_months", "members_with_lbp"]
    cols += [f"{k}_{c}" for c in cats for k in ("allowed", "paid", "visits")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for year in sorted(cover):
        e = eobs.get(year)
        fy = max(e["fy"]) if e and e["fy"] else year
        row = ["FHIR bundle", str(year), 12, f"FY{fy}", int(cover[year]["members"]), cover[year]["months"],
               len(e["lbp"]) if e else 0]
        row += [round((e or {}).get(f"{k}_{c}", 0.0), 2) for c in cats for k in ("allowed", "paid", "visits")]
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def read_fhir_claims(data: bytes, filename: str | None = None, *,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> ClaimsSummary:
    """A FHIR bundle aggregated locally, then read (with every guard) like an uploaded extract."""
    summary = read_claims(fhir_to_template(data, max_bytes=max_bytes), filename or "fhir_bundle.json",
                          max_bytes=max_bytes)
    return summary


def read_any_claims(data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ClaimsSummary:
    """An aggregate extract (CSV, XLSX, Parquet) or a FHIR R4 EOB bundle (JSON), told apart by content."""
    if looks_like_fhir(data):
        return read_fhir_claims(data, filename, max_bytes=max_bytes)
    return read_claims(data, filename, max_bytes=max_bytes)
