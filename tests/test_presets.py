"""Industry and job-family presets and age/sex prevalence load with sources; published ratios are
reproduced; applying a preset fills inputs that stay overridable."""

import pytest

from calculator import Scenario, apply_sets, library
from calculator.evidence import PROVENANCE
from calculator.presets import (
    AGE_BANDS,
    PRESET_PARAMETERS,
    PresetError,
    age_sex_table,
    apply_preset,
    industries,
    job_families,
    match_preset,
    preset,
    presets,
    presets_frame,
    relative_prevalence,
)


def test_presets_load_with_sources_ranges_and_provenance():
    lib = library()
    assert len(presets()) >= 15
    for p in presets().values():
        assert p.label and p.kind in ("industry", "job_family") and p.values
        for v in p.values.values():
            assert v.parameter in PRESET_PARAMETERS and v.low <= v.value <= v.high
            assert v.provenance in PROVENANCE and v.note
            assert v.source_keys and all(k in lib.references for k in v.source_keys)
            assert all(r.citation() for r in lib.citations(v.source_keys))
    df = presets_frame()
    assert df["source"].str.len().min() > 20 and len(df) == sum(len(p.values) for p in presets().values())


def test_the_issues_industries_and_job_families_exist():
    ids = {p.id for p in industries()}
    assert {"office_professional", "health_care", "retail", "manufacturing", "transportation_warehousing",
            "construction", "education", "public_sector"} <= ids
    assert {"desk", "patient_care", "manual_handling", "driving"} <= {p.id for p in job_families()}


def test_niosh_industry_ratios_are_reproduced():
    # NIOSH Worker Health Charts, NHIS-OHS 2015 (evidence addenda section 6): work-attributed LBP
    # 5.68% of all employed; health care 7.51 (adj. 6.80); transportation 8.00 (5.00);
    # trade 5.58 (5.51); agriculture 8.28 (7.57).
    for pid, unadj, adj in (("health_care", 7.51, 6.80), ("transportation_warehousing", 8.00, 5.00),
                            ("retail", 5.58, 5.51), ("agriculture", 8.28, 7.57)):
        v = preset(pid).get("prevalence_multiplier")
        assert v.value == pytest.approx(unadj / 5.68, abs=0.005), pid
        assert v.low == pytest.approx(adj / 5.68, abs=0.005), pid
        assert v.provenance == "DERIVED" and "niosh_whc_lbp" in v.source_keys


def test_bls_wages_are_reproduced():
    # BLS ECEC Dec 2024: state and local government wages $39.22 of $63.46; leisure and hospitality
    # $16.25 of $19.90. CES Dec 2024 production workers: construction $36.51, total private $30.76.
    assert preset("public_sector").get("hourly_wage").value == 39.22
    assert preset("public_sector").get("benefits_load").value == pytest.approx(63.46 / 39.22, abs=1e-4)
    assert preset("hospitality").get("benefits_load").value == pytest.approx(19.90 / 16.25, abs=1e-4)
    assert preset("construction").get("hourly_wage").value == pytest.approx(31.47 * 36.51 / 30.76, abs=0.01)
    assert preset("all_industries").get("hourly_wage").value == library().value("workforce.hourly_wage")


def test_industry_wages_follow_the_published_ces_ratios():
    # Issue 9d: the five wages that rested on recalled CES 2024 ratios are DERIVED from the CES
    # all-employee average hourly earnings by sector, Feb 2019, seasonally adjusted (BLS figures as
    # reprinted by MNI Market News): total private $27.66, financial activities $35.54, professional and
    # business services $33.17, education and health services $27.48, retail trade $19.40,
    # manufacturing $27.38, transportation and warehousing $24.55; times ECEC Dec 2024 $31.47.
    wage = {k: preset(k).get("hourly_wage") for k in ("office_professional", "health_care", "retail",
                                                       "manufacturing", "transportation_warehousing")}
    expected = {"office_professional": 31.47 * (35.54 + 33.17) / 2 / 27.66, "health_care": 31.47 * 27.48 / 27.66,
                "retail": 31.47 * 19.40 / 27.66, "manufacturing": 31.47 * 27.38 / 27.66,
                "transportation_warehousing": 31.47 * 24.55 / 27.66}
    for k, pv in wage.items():
        assert pv.value == pytest.approx(expected[k], abs=0.005), k
        assert pv.provenance == "DERIVED" and "mni_ces_ahe_2019" in pv.source_keys, k
        assert pv.low <= pv.value <= pv.high, k
    assert [round(wage[k].value, 2) for k in wage] == [39.09, 31.27, 22.07, 31.15, 27.93]


def test_no_preset_changes_presenteeism_without_evidence():
    assert all(p.get("presenteeism_multiplier") is None for p in presets().values())


def test_apply_preset_sets_and_scales_the_library_base_and_stays_overridable():
    lib = library()
    s, applied = apply_preset(Scenario(), "construction")
    assert s.workforce.hourly_wage == preset("construction").get("hourly_wage").value
    assert s.condition.prevalence == pytest.approx(lib.value("condition.prevalence") * 1.3)
    assert s.condition.absence_days == pytest.approx(lib.value("condition.absence_days") * 1.25)
    assert {a.path for a in applied} == {"workforce.hourly_wage", "condition.prevalence", "condition.absence_days"}
    assert all(a.source.startswith("preset: Construction") for a in applied)
    again, _ = apply_preset(s, "construction")  # multipliers scale the library base: no stacking
    assert again == s
    mine = apply_sets(s, [("condition.prevalence", "0.05")])
    assert mine.condition.prevalence == 0.05 and mine.workforce.hourly_wage == s.workforce.hourly_wage


def test_apply_preset_clears_a_salary_when_it_sets_a_wage():
    s = apply_sets(Scenario(), [("workforce.annual_salary", "90000")])
    out, _ = apply_preset(s, "retail")
    assert out.workforce.annual_salary is None and out.workforce.effective_hourly_wage == 22.07


def test_unknown_preset_lists_valid_names():
    with pytest.raises(PresetError, match="unknown industry preset 'desk'; choose one of: all_industries"):
        apply_preset(Scenario(), "desk")
    with pytest.raises(PresetError, match="health_care"):
        preset("healthcare")


def test_aliases_match_common_labels():
    assert match_preset("Registered Nurses", "job_family") is None  # not an alias: mapped by the user
    assert match_preset("nurses", "job_family") == "patient_care"
    assert match_preset("Truck Drivers", "job_family") == "driving"
    assert match_preset("Hospital", "industry") == "health_care"
    assert match_preset("  WAREHOUSE ", "job_family") == "manual_handling"


def test_age_sex_table_matches_nhis_2007_and_averages_one_over_the_reference_mix():
    t = age_sex_table().set_index(["age_band", "sex"])
    # Health, United States trend table (NHIS 2007), LBP in the past 3 months, %
    assert t.loc[("under 45", "M"), "value"] == 20.8 and t.loc[("under 45", "F"), "value"] == 23.5
    assert t.loc[("45-64", "U"), "value"] == 28.7 and t.loc[("65 and over", "U"), "value"] == 29.5
    assert t.loc[("45-64", "F"), "value"] == pytest.approx(28.7 * 32.0 / 29.75, abs=0.01)
    fm = t[t.index.get_level_values("sex") != "U"]
    assert (fm["reference_share"] * fm["relative"]).sum() == pytest.approx(1.0)
    assert (t.loc[(list(AGE_BANDS), "F"), "value"].to_numpy() > t.loc[(list(AGE_BANDS), "M"), "value"].to_numpy()).all()
    assert set(t["provenance"]) <= {"VERIFIED", "DERIVED"}


def test_reference_sex_split_follows_the_cps_mens_share():
    # Issue 9d: the split by sex within each age band was recalled; it is now DERIVED from CPS Table A-9,
    # Sept 2024 (not seasonally adjusted): men 85,754 of 162,046 employed aged 16+ (0.5292), applied in
    # every band (ASSUMPTION). Band totals (U rows) are CPS 2024 annual averages (section 12b).
    t = age_sex_table().set_index(["age_band", "sex"])
    men = 85_754 / 162_046
    for band, total in (("under 45", 0.5679), ("45-64", 0.3622), ("65 and over", 0.0699)):
        assert t.loc[(band, "U"), "reference_share"] == total
        assert t.loc[(band, "M"), "reference_share"] == pytest.approx(total * men, abs=5e-5)
        assert t.loc[(band, "M"), "reference_share"] + t.loc[(band, "F"), "reference_share"] == pytest.approx(total)
    assert [t.loc[(b, s), "reference_share"] for b in AGE_BANDS for s in "MF"] == [
        0.3005, 0.2674, 0.1917, 0.1705, 0.0370, 0.0329]


def test_relative_prevalence_for_unknown_age_or_sex():
    assert relative_prevalence(["unknown"], ["U"])[0] == 1.0
    t = age_sex_table().set_index(["age_band", "sex"])
    f = [t.loc[(b, "F")] for b in AGE_BANDS]
    expected = sum(r["reference_share"] * r["relative"] for r in f) / sum(r["reference_share"] for r in f)
    assert relative_prevalence(["unknown"], ["F"])[0] == pytest.approx(expected)
    assert relative_prevalence(["45-64", "under 45"], ["M", "U"]).tolist() == pytest.approx(
        [t.loc[("45-64", "M"), "relative"], t.loc[("under 45", "U"), "relative"]])
