"""Hand-made FHIR R4 bundles for the FHIR claims reader (no public synthetic LBP data exists)."""

from __future__ import annotations

import json


def coverage(i: int, start: str = "2024-01-01", end: str = "2024-12-31") -> dict:
    return {"resourceType": "Coverage", "id": f"cov{i}", "status": "active",
            "beneficiary": {"reference": f"Patient/p{i}"}, "payor": [{"reference": "Organization/plan"}],
            "period": {"start": start, "end": end}}


def eob(i: int, patient: int, day: str, dx: str, cpt: str, allowed: float, paid: float) -> dict:
    return {
        "resourceType": "ExplanationOfBenefit", "id": f"eob{i}", "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "use": "claim", "patient": {"reference": f"Patient/p{patient}"}, "created": day,
        "billablePeriod": {"start": day, "end": day},
        "insurer": {"reference": "Organization/plan"}, "provider": {"reference": "Practitioner/x"},
        "outcome": "complete", "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/cov{patient}"}}],
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {
            "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": dx}]}}],
        "item": [{"sequence": 1, "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt",
                                                                 "code": cpt}]},
                  "adjudication": [
                      {"category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication",
                                                "code": "eligible"}]}, "amount": {"value": allowed, "currency": "USD"}},
                      {"category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication",
                                                "code": "benefit"}]}, "amount": {"value": paid, "currency": "USD"}}]}],
    }


def bundle(members: int = 40, with_lbp: int = 15, visits_each: int = 2, dx: str = "M54.50",
           day: str = "2024-03-05") -> bytes:
    entries = [coverage(i) for i in range(members)]
    k = 0
    for p in range(with_lbp):
        for _ in range(visits_each):
            entries.append(eob(k, p, day, dx, "97124", 80.0, 64.0))
            k += 1
    entries.append(eob(k, members - 1, day, "J06.9", "97124", 80.0, 64.0))  # not back pain: not counted
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"resource": r} for r in entries]}).encode()
