"""Aggregate claims extracts: what they set, small and derivable cells refused, bad files, guards."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calculator import Scenario
from calculator.claims import (
    ClaimsError,
    apply_claims,
    code_groups,
    codes_for,
    read_claims,
    template_columns,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "assets" / "sample_claims.csv").read_bytes()
HEAD = "group,period,months,code_set_version,impact_proxy,members,member_months,members_with_lbp"


def csv(*rows: str, head: str = HEAD) -> bytes:
    return ("\n".join([head, *rows]) + "\n").encode()


def test_template_matches_the_reader():
    assert (ROOT / "assets" / "claims_template.csv").read_text().strip().split(",") == template_columns()


def test_sample_extract_by_hand():
    s = read_claims(SAMPLE, "sample_claims.csv")
    # 468 + 312 members with LBP over 12 months; member years = (61,800 + 46,500) / 12 = 9,025
    assert s.prevalence == pytest.approx(780 / 9_025)
    allowed = pd.read_csv(io.BytesIO(SAMPLE)).filter(like="allowed_").to_numpy().sum()
    paid = pd.read_csv(io.BytesIO(SAMPLE)).filter(like="paid_").to_numpy().sum()
    assert s.medical_per_lbp_member == pytest.approx(allowed / 780)
    assert s.paid_to_allowed == pytest.approx(paid / allowed)
    assert s.warnings == ()
    sets = dict(s.scenario_sets())
    assert sets["condition.prevalence"] == pytest.approx(780 / 9_025, abs=1e-6)
    assert sets["plan.members"] == 9_025


def test_apply_marks_from_your_claims():
    s = read_claims(SAMPLE, "sample_claims.csv")
    sc, changes = apply_claims(Scenario(), s)
    assert sc.condition.plan_paid_share == pytest.approx(s.paid_to_allowed, abs=1e-6)
    assert set(sc.plan.from_claims) == set(changes["path"])
    assert sc.plan.claims_file == "sample_claims.csv"
    assert (changes["source"] == "from your claims").all()


def test_small_cell_refused_naming_row_and_column():
    data = csv("A,2024,12,FY2024,all,5000,60000,7")
    with pytest.raises(ClaimsError) as e:
        read_claims(data, "x.csv")
    assert "row 2, column members_with_lbp: 7 is a small cell (1 to 10" in str(e.value)


def test_small_visit_cell_refused():
    data = csv("A,2024,12,FY2024,all,5000,60000,400,3", head=HEAD + ",visits_massage")
    with pytest.raises(ClaimsError, match="row 2, column visits_massage: 3 is a small cell"):
        read_claims(data)


def test_zero_is_not_a_small_cell():
    data = csv("A,2024,12,FY2024,all,5000,60000,400,0", head=HEAD + ",visits_surgery")
    assert read_claims(data).members_with_lbp == 400


def test_derivable_cell_members_without_lbp_refused():
    with pytest.raises(ClaimsError, match=r"row 2, columns members - members_with_lbp: the members without LBP "
                                          r"\(4\) can be derived"):
        read_claims(csv("A,2024,12,FY2024,all,404,4848,400"))


def test_derivable_cell_from_impact_proxy_rows_refused():
    rows = ["A,2024,12,FY2024,all,5000,60000,400", "A,2024,12,FY2024,low,5000,60000,100",
            "A,2024,12,FY2024,moderate,5000,60000,140", "A,2024,12,FY2024,high,5000,60000,155"]
    with pytest.raises(ClaimsError, match=r"rows 2 and 3, 4, 5, column members_with_lbp: the remainder \(5\)"):
        read_claims(csv(*rows))


def test_impact_proxy_rows_give_state_shares():
    rows = ["A,2024,12,FY2024,low,5000,60000,100", "A,2024,12,FY2024,moderate,5000,60000,140",
            "A,2024,12,FY2024,high,5000,60000,160"]
    s = read_claims(csv(*rows))
    shares = s.by_state.set_index("impact_proxy")["share"]
    assert shares.to_dict() == pytest.approx({"low": 0.25, "moderate": 0.35, "high": 0.40})


def test_prevalence_outside_3_to_30_percent_warns():
    s = read_claims(csv("A,2024,12,FY2024,all,5000,60000,100"))
    assert any("2.0%" in w and "3%-30%" in w for w in s.warnings)
    s = read_claims(csv("A,2024,12,FY2024,all,5000,60000,2000"))
    assert any("40.0%" in w for w in s.warnings)


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"%PDF-1.4 garbage", "PDF or an image"),
    (csv(head="group,period,members"), "missing column(s) months, code_set_version"),
    (csv("A,2024,12,FY2024,all,5000,60000,400", head=HEAD.replace("group", "member_id")),
     "looks like member-level data"),
    (csv("A,2024,12,FY1999,all,5000,60000,400"), "code-set version 'FY1999' is not one of"),
    (csv("A,2024,12,FY2024,severe,5000,60000,400"), "'severe' is not one of all, low, moderate, high"),
    (csv("A,2024,12,FY2024,all,five thousand,60000,400"), "column members: 'five thousand' is not a number"),
    (csv("A,2024,12,FY2024,all,-5000,60000,400"), "column members: '-5000' is not a number of 0 or more"),
    (csv("A,2024,12,FY2024,all,5000,60000,6000"), "members_with_lbp (6000) exceeds members (5000)"),
    (csv("A,2024,13,FY2024,all,5000,60000,400"), "13 months; allowed 1 to 12"),
    (csv("A,2024,12,FY2024,all,5000,90000,400"), "90000 member months is not possible"),
    (csv("A,2024,12,FY2024,all,5000,60000,400,100,120", head=HEAD + ",allowed_pt,paid_pt"),
     "paid_pt exceeds allowed_pt"),
    (csv("A,2024,12,FY2024,all,5000.5,60000,400"), "5000.5 is not a whole number"),
])
def test_bad_files_refused_with_a_clear_message(data, message):
    with pytest.raises(ClaimsError) as e:
        read_claims(data, "bad.csv")
    assert message in str(e.value)


def test_size_limit_checked_before_parsing():
    with pytest.raises(ClaimsError, match="over the 0.0 MB limit"):
        read_claims(SAMPLE, max_bytes=100)


def test_formula_and_markup_in_labels_made_safe():
    s = read_claims(csv('"=HYPERLINK(""http://x"")",2024,12,FY2024,all,5000,60000,400',
                        '<script>alert(1)</script>,2024,12,FY2024,all,5000,60000,400'))
    labels = s.groups["group"].tolist()
    assert labels[0].startswith("'=")
    assert labels[1] == "<script>alert(1)</script>"  # plain text; pages and exports render it as text


def test_xlsx_and_parquet_read_like_csv(tmp_path):
    df = pd.read_csv(io.BytesIO(SAMPLE))
    xbuf, pbuf = io.BytesIO(), io.BytesIO()
    df.to_excel(xbuf, index=False)
    df.to_parquet(pbuf, index=False)
    a, b, c = (read_claims(d, n) for d, n in ((SAMPLE, "a.csv"), (xbuf.getvalue(), "a.xlsx"),
                                              (pbuf.getvalue(), "a.parquet")))
    assert a.prevalence == pytest.approx(b.prevalence) == pytest.approx(c.prevalence)
    assert list(tmp_path.iterdir()) == []  # nothing written to disk


def test_code_groups_versioned_by_fiscal_year():
    cg = code_groups()
    assert {"sinnott2012"} <= {k for keys in cg["source_key"] for k in keys.split(";")}
    fy21 = set(codes_for("FY2021")["code"])
    fy22 = set(codes_for("FY2022")["code"])
    assert "M54.5" in fy21 and "M54.50" not in fy21
    assert {"M54.50", "M54.51", "M54.59"} <= fy22 and "M54.5" not in fy22
    assert {"97124", "97810", "97814", "98940", "98942", "97110", "97140"} <= fy22
    assert "M54.41" not in fy22  # sciatica is a separate group, off by default
    assert "M54.41" in set(codes_for("FY2022", groups=["sciatica"])["code"])
    with pytest.raises(ClaimsError, match="unknown code-set version 'FY1990'"):
        codes_for("FY1990")


def test_lumbar_disc_degeneration_splits_in_fy2025():
    # Issue 9d: M51.36 ends in FY2024; the FY2025 ICD-10-CM set (from 1 Oct 2024) adds M51.360, M51.361,
    # M51.362 and M51.369 (secondary sources quoted in docs/evidence-verification.md section 17).
    fy24 = set(codes_for("FY2024", groups=["disc"])["code"])
    fy25 = set(codes_for("FY2025", groups=["disc"])["code"])
    assert fy24 == {"M51.16", "M51.26", "M51.36"}
    assert fy25 == {"M51.16", "M51.26", "M51.360", "M51.361", "M51.362", "M51.369"}
    assert not fy25 & set(codes_for("FY2025")["code"])  # the disc group stays off by default


def test_impact_proxy_rows_set_the_mix_and_restate_medical_cost():
    from calculator.states import default_mix, mix_vector, state_values
    head = HEAD + ",allowed_pt"
    rows = ["A,2024,12,FY2024,low,5000,60000,100,50000", "A,2024,12,FY2024,moderate,5000,60000,100,80000",
            "A,2024,12,FY2024,high,5000,60000,200,300000"]
    s = read_claims(csv(*rows, head=head))
    sets = dict(s.scenario_sets())
    assert (sets["condition.impact_mix.low"], sets["condition.impact_mix.moderate"],
            sets["condition.impact_mix.high"]) == pytest.approx((0.25, 0.25, 0.5))
    med = state_values().medical
    own = float(np.dot(mix_vector(0.25, 0.25, 0.5), med))
    expect = 430_000 / 400 * float(np.dot(default_mix(), med)) / own
    assert sets["condition.medical_excess_cost"] == pytest.approx(expect, abs=0.01)
    sc, _ = apply_claims(Scenario(), s)
    assert sc.condition.impact_mix.high == pytest.approx(0.5)


def test_two_plan_years_do_not_double_the_members():
    """Review fix: 1,000 members in each of two 12-month periods are 1,000 members and 12,000 member
    months per plan year (the old code divided member years by one year: 2,000 members)."""
    s = read_claims(csv("A,2023,12,FY2023,all,1000,12000,80", "A,2024,12,FY2024,all,1000,12000,100"), "x.csv")
    assert s.members == pytest.approx(1000) and s.years == pytest.approx(2.0)
    assert s.members_with_lbp == pytest.approx(90)  # (80 + 100) member-years with LBP over 2 years
    assert s.prevalence == pytest.approx(180 / 2000)
    sets = dict(s.scenario_sets())
    assert sets["plan.members"] == 1000 and sets["plan.member_months"] == pytest.approx(12_000)
    assert s.groups.set_index("group").loc["A", "members"] == pytest.approx(1000)
    # two groups in one 6-month period: the span is half a year, member months a year are annualised
    h = read_claims(csv("A,2024H1,6,FY2024,all,600,3600,30", "B,2024H1,6,FY2024,all,400,2400,20"), "h.csv")
    assert h.members == pytest.approx(1000) and dict(h.scenario_sets())["plan.member_months"] == pytest.approx(12_000)


def test_a_blank_allowed_beside_a_filled_paid_is_refused_by_row_and_column():
    """Review fix: a blank allowed_<cat> was summed as 0, inflating paid-to-allowed."""
    head = HEAD + ",allowed_pt,paid_pt"
    with pytest.raises(ClaimsError) as e:
        read_claims(csv("A,2024,12,FY2024,all,1000,12000,80,,5000", head=head), "x.csv")
    assert "row 2, column allowed_pt: empty while paid_pt is filled" in str(e.value)
    with pytest.raises(ClaimsError, match="row 2, column paid_pt: empty while allowed_pt"):
        read_claims(csv("A,2024,12,FY2024,all,1000,12000,80,6000,", head=head), "x.csv")
    with pytest.raises(ClaimsError, match="column paid_pt: paid amounts need the allowed amounts"):
        read_claims(csv("A,2024,12,FY2024,all,1000,12000,80,5000", head=HEAD + ",paid_pt"), "x.csv")
    both_blank = read_claims(csv("A,2024,12,FY2024,all,1000,12000,80,,", head=head), "x.csv")
    assert both_blank.paid_to_allowed is None and both_blank.medical_per_lbp_member == 0
    ok = read_claims(csv("A,2024,12,FY2024,all,1000,12000,80,6000,4500", head=head), "x.csv")
    assert ok.paid_to_allowed == pytest.approx(0.75)
