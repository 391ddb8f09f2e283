"""Optional FHIR R4 ExplanationOfBenefit reader: aggregated locally, then every claims guard applies."""

import json

import pytest

from calculator.claims import ClaimsError
from calculator.cli import main
from tests.fhir_fixtures import bundle, coverage, eob

pytest.importorskip("fhir.resources")

from calculator.claims_fhir import fhir_to_template, looks_like_fhir, read_any_claims, read_fhir_claims  # noqa: E402


def test_bundle_aggregates_to_the_template_by_hand():
    # 40 members covered all 2024 (480 member months); 15 with LBP, 2 massage visits each at $80 allowed,
    # $64 paid; one EOB with a cold (J06.9) is not back pain and is left out.
    s = read_fhir_claims(bundle())
    assert s.prevalence == pytest.approx(15 / 40)
    assert s.medical_per_lbp_member == pytest.approx(30 * 80 / 15)
    assert s.paid_to_allowed == pytest.approx(0.8)
    cat = s.categories.set_index("category")
    assert cat.loc["massage", "visits"] == 30 and cat.loc["massage", "allowed"] == 2400


def test_code_set_follows_the_fiscal_year():
    # M54.5 was deleted on 1 Oct 2021: a 2021-03 claim coded M54.5 counts, a 2022-03 one does not
    old = read_fhir_claims(bundle(dx="M54.5", day="2021-03-05").replace(b"2024-", b"2021-"))
    assert old.members_with_lbp == 15 and old.code_set_versions == ("FY2021",)
    new = read_fhir_claims(bundle(dx="M54.5", day="2022-03-05").replace(b"2024-", b"2022-"))
    assert new.members_with_lbp == 0 and any("outside the plausible" in w for w in new.warnings)
    assert read_fhir_claims(bundle(dx="M54.59", day="2022-03-05").replace(b"2024-", b"2022-")).members_with_lbp == 15


def test_small_cells_refused_after_aggregation():
    with pytest.raises(ClaimsError, match=r"row 2, column members_with_lbp: 5 is a small cell"):
        read_fhir_claims(bundle(with_lbp=5))
    with pytest.raises(ClaimsError, match=r"members without LBP \(5\) can be derived"):
        read_fhir_claims(bundle(members=20, with_lbp=15))


def test_bad_bundles():
    with pytest.raises(ClaimsError, match="not valid JSON"):
        read_fhir_claims(b'{"resourceType": "Bundle", ')
    # guarded JSON (review fix): one-line errors, never RecursionError / ValueError / a silent last key
    with pytest.raises(ClaimsError, match="nested more than 32 levels deep"):
        read_fhir_claims(b'{"resourceType": "Bundle", "entry": ' + b"[" * 10_000 + b"]" * 10_000 + b"}")
    with pytest.raises(ClaimsError, match="5,000 characters; at most 40"):
        read_fhir_claims(b'{"resourceType": "Bundle", "total": ' + b"1" * 5000 + b"}")
    with pytest.raises(ClaimsError, match="the key 'resourceType' appears twice"):
        read_fhir_claims(b'{"resourceType": "Patient", "resourceType": "Bundle"}')
    with pytest.raises(ClaimsError, match="not UTF-8"):
        read_fhir_claims(b'{"resourceType": "Bundle", "id": "\xff"}')
    with pytest.raises(ClaimsError, match="must be a Bundle"):
        read_fhir_claims(json.dumps({"resourceType": "Patient"}).encode())
    with pytest.raises(ClaimsError, match="does not validate as R4"):
        read_fhir_claims(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": "x"}).encode())
    no_cov = json.dumps({"resourceType": "Bundle", "type": "collection",
                         "entry": [{"resource": eob(0, 0, "2024-01-02", "M54.50", "97124", 1, 1)}]}).encode()
    with pytest.raises(ClaimsError, match="no Coverage resources"):
        read_fhir_claims(no_cov)
    with pytest.raises(ClaimsError, match="over the"):
        read_fhir_claims(bundle(), max_bytes=100)


def test_dispatch_and_partial_year_coverage(tmp_path):
    assert looks_like_fhir(bundle()) and not looks_like_fhir(b"group,period\n")
    entries = [coverage(i, "2024-07-01", "2024-12-31") for i in range(30)]
    data = json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"resource": r} for r in entries]}).encode()
    rows = fhir_to_template(data).decode().splitlines()
    assert rows[1].split(",")[4:7] == ["30", "180.0", "0"]  # 30 members x 6 months, nobody with LBP
    assert read_any_claims(bundle()).prevalence == pytest.approx(15 / 40)


def test_cli_reads_a_bundle_and_prints_the_template(tmp_path, capsys):
    f = tmp_path / "eob.json"
    f.write_bytes(bundle())
    assert main(["claims", str(f)]) == 0
    assert "prevalence 37.50%" in capsys.readouterr().out
    assert main(["claims", str(f), "--format", "template"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("group,period,months,code_set_version") and "FHIR bundle,2024,12,FY2024,40" in out
    assert main(["budget-impact", "--claims", str(f), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["claims"]["prevalence"] == pytest.approx(0.375)
