"""The parameter library validates, every default is sourced, and a broken file fails loudly."""

import csv
import math
import shutil
from pathlib import Path

import pytest

from calculator.evidence import DISTRIBUTIONS, PROVENANCE, UNITS, EvidenceError, library, load_library

DATA = Path(__file__).resolve().parents[1] / "calculator" / "data"


def test_shipped_library_loads_and_is_complete():
    lib = library()
    assert len(lib.parameters) >= 60
    assert len(lib.therapies) >= 10
    for needed in ("relaxation_massage", "structural_massage", "yoga", "tai_chi", "acupuncture",
                   "mbsr", "cbt", "spinal_manipulation", "physical_therapy", "usual_care"):
        assert needed in lib.therapies
    for pid in ("condition.prevalence", "condition.absence_days", "condition.presenteeism",
                "condition.medical_excess_cost", "workforce.hourly_wage", "workforce.annual_hours",
                "workforce.benefits_load", "workforce.productivity_multiplier",
                "analysis.discount_rate", "workforce.turnover"):
        assert pid in lib.parameters


def test_every_parameter_is_sourced_and_consistent():
    lib = library()
    for p in lib.parameters.values():
        assert p.low <= p.value <= p.high, p.id
        assert p.unit in UNITS and p.distribution in DISTRIBUTIONS and p.provenance in PROVENANCE
        assert p.source_keys and all(k in lib.references for k in p.source_keys), p.id
        assert p.evidence_note.strip(), p.id
        refs = lib.citations(p.source_keys)
        assert all(r.citation() for r in refs)


def test_references_have_a_working_address_unless_assumption():
    lib = library()
    for r in lib.references.values():
        if r.key != "assumption":
            assert r.link.startswith("https://"), r.key


def test_productivity_multiplier_default_is_conservative():
    # Nicholson 2006 median is 1.28, but the issue asks for 1.0 (pure wage) by default.
    assert library().value("workforce.productivity_multiplier") == 1.0


def test_money_parameters_state_their_price_year():
    for p in library().parameters.values():
        if p.unit.startswith("USD") and p.value:
            assert p.price_year == 2024, p.id


def test_beta_parameters_match_mean_and_sd():
    p = library().parameter("condition.prevalence")
    d = p.distribution_parameters()
    a, b = d["alpha"], d["beta"]
    assert a / (a + b) == pytest.approx(p.value)
    assert (a * b / ((a + b) ** 2 * (a + b + 1))) ** 0.5 == pytest.approx(p.sd)


def test_gamma_and_lognormal_match_mean_and_sd():
    p = library().parameter("condition.absence_days")
    d = p.distribution_parameters()
    assert d["shape"] * d["scale"] == pytest.approx(4.45)
    assert (d["shape"] * d["scale"] ** 2) ** 0.5 == pytest.approx((9.31 - 0.92) / 3.919927969)


def _broken_copy(tmp_path: Path, name: str, edit) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    path = target / name
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    fields = list(rows[0])
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return target


@pytest.mark.parametrize("edit, message", [
    (lambda rows: rows[6].update(low="0.5"), "need low <= value <= high"),
    (lambda rows: rows[6].update(unit="furlongs"), "unknown unit"),
    (lambda rows: rows[6].update(source_keys="nobody2099"), "not in references.csv"),
    (lambda rows: rows[6].update(distribution="cauchy"), "unknown distribution"),
    (lambda rows: rows[6].update(value="abc"), "is not a number"),
    (lambda rows: rows[6].update(provenance="HEARSAY"), "unknown provenance"),
    (lambda rows: rows[6].update(value="0.01", low="0.0", high="1.0"), "too wide for a beta"),
    (lambda rows: rows[1].update(price_year=""), "price year"),
    (lambda rows: rows.append(dict(rows[0])), "duplicate id"),
])
def test_broken_parameter_file_fails_loudly(tmp_path, edit, message):
    with pytest.raises(EvidenceError, match=message):
        load_library(_broken_copy(tmp_path, "parameters.csv", edit))


def test_therapy_without_its_parameters_fails(tmp_path):
    def edit(rows):
        rows.append(dict(rows[0], id="crystal_healing"))
    with pytest.raises(EvidenceError, match="crystal_healing"):
        load_library(_broken_copy(tmp_path, "therapies.csv", edit))


def test_evidence_points_exist_for_massage_at_10_26_52_weeks():
    weeks = [p.week for p in library().points("relaxation_massage")]
    assert weeks == [10, 26, 52]


def test_version_is_a_stable_fingerprint():
    assert library().version == load_library().version
    assert len(library().version) == 12


def test_spinal_manipulation_note_is_its_own():
    lib = library()
    assert lib.therapy("spinal_manipulation").notes != lib.therapy("physical_therapy").notes
    assert "Rubinstein 2019" in lib.therapy("spinal_manipulation").notes


def test_no_recalled_value_among_the_model_inputs():
    """Issue 9 item 7: every RECALLED input is verified or replaced. The parameter library and the
    effect-evidence points feed the model; a RECALLED row there fails this test (issue 9c replaced the
    last ones, Cherkin 2011's 26/52-week RDQ points)."""
    lib = library()
    recalled = [p.id for p in lib.parameters.values() if p.provenance == "RECALLED"]
    recalled += [f"{e.therapy}@{e.week:g}wk" for e in lib.evidence_points if e.provenance == "RECALLED"]
    assert recalled == []
    with (DATA / "therapy_evidence.csv").open(encoding="utf-8") as fh:
        assert "RECALLED" not in {r["provenance"] for r in csv.DictReader(fh)}


def _data_csvs() -> list[Path]:
    root = DATA.parents[1]
    return sorted(DATA.glob("*.csv")) + sorted((root / "assets").glob("*.csv"))


def _recalled_cells(files: list[Path]) -> list[str]:
    found = []
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            for line, row in enumerate(csv.reader(fh), start=1):
                found += [f"{f.name}:{line}" for cell in row if "RECALLED" in cell]
    return found


def test_no_row_in_any_shipped_csv_is_recalled():
    """Issue 9 point 7 (9d): every RECALLED row was verified or replaced, including the inputs a user can
    select outside the default model: industry wage presets, claims code groups, the census sex split and
    the reference list. Any cell of any row of calculator/data/*.csv or assets/*.csv that says RECALLED
    (a provenance tag or a '(RECALLED)' remark) fails this test."""
    files = _data_csvs()
    assert {"code_groups.csv", "industry_presets.csv", "prevalence_by_age_sex.csv",
            "references.csv", "parameters.csv"} <= {f.name for f in files}
    assert _recalled_cells(files) == []
    # ... and the provenance columns hold only the known tags (a typo such as 'RECALED' fails here).
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and "provenance" in rows[0]:
            assert {r["provenance"] for r in rows} <= set(PROVENANCE) - {"RECALLED"}, f.name


def test_the_scan_for_recalled_rows_catches_one(tmp_path):
    # The check above must be able to fail: a copied code-group file with one RECALLED row is caught.
    text = (DATA / "code_groups.csv").read_text(encoding="utf-8").replace(",VERIFIED,", ",RECALLED,", 1)
    (tmp_path / "code_groups.csv").write_text(text, encoding="utf-8")
    assert _recalled_cells([tmp_path / "code_groups.csv"]) == ["code_groups.csv:2"]


def test_turnover_denominator_is_the_verified_payroll_count():
    # Issue 9d: the nonfarm employment behind the 25% turnover was recalled ('about 159 million'); CES
    # Table B-1, Oct 2024, not seasonally adjusted: 160,007 thousand. JOLTS Oct 2024 quits 3,326,000/month.
    p = library().parameters["workforce.turnover"]
    assert 3.326 * 12 / 160.007 == pytest.approx(0.2494, abs=1e-4)
    assert p.value == pytest.approx(3.326 * 12 / 160.007, abs=0.001)
    assert "bls_ces_b1_2024" in p.source_keys and "160,007" in p.evidence_note


def test_cassidy_reference_is_the_verified_citation():
    # Herman 2019 Table 1 (VERIFIED): "Utilities (SF-6D scores) from the Cassidy et al, 2005, study". The
    # 2005 Cassidy et al. Spine paper on severity-graded low back pain is 30(24):2817-2823, doi
    # 10.1097/01.brs.0000190448.69091.53 (journals.lww.com; iwh.on.ca). Issue 9d had swapped in a 2007
    # whiplash paper (32(1):126-131), the recalled title's; review 2 caught it (evidence-verification 17d).
    ref = library().references["cassidy2005"]
    assert (ref.year, ref.volume_pages, ref.doi) == (2005, "30(24):2817-2823", "10.1097/01.brs.0000190448.69091.53")
    assert "whiplash" not in ref.title.lower()


def _massage_effect(therapy: str, week: float) -> float:
    lib = library()
    e10 = lib.therapy_parameter(therapy, "effect_size").value
    k = lib.therapy_parameter(therapy, "decay_per_week").value
    return e10 * math.exp(-k * (week - 10))


def test_massage_decay_is_the_verified_yoga_retention():
    # Sherman 2011 (VERIFIED): function 2.5 points better at 12 weeks, 1.8 at 26 -> k = -ln(0.72)/14.
    k = -math.log(1.8 / 2.5) / 14
    assert k == pytest.approx(0.0235, abs=5e-5)
    for tid in ("yoga", "relaxation_massage", "structural_massage"):
        assert library().therapy_parameter(tid, "decay_per_week").value == pytest.approx(k, abs=5e-5)


def test_massage_decay_reproduces_the_verified_follow_up_pattern():
    """Cherkin 2011 (VERIFIED): benefits lasting at least 6 months for both types; relaxation's function
    benefit persisted at 52 weeks but was small (< 2 points, the trial's clinically meaningful difference);
    structural massage not significant at 52 weeks. Significant = above 1.96 x SE of the 10-week CIs."""
    sig = 1.96 * (3.5 - 1.4) / 3.92                             # 1.05 (structural CI; relaxation's is 1.05-1.10)
    assert sig == pytest.approx(1.05)
    r26, r52 = _massage_effect("relaxation_massage", 26), _massage_effect("relaxation_massage", 52)
    s26, s52 = _massage_effect("structural_massage", 26), _massage_effect("structural_massage", 52)
    assert (r26, r52, s26, s52) == pytest.approx((1.99, 1.08, 1.72, 0.93), abs=0.01)
    assert r26 > sig and sig < r52 < 2.0            # relaxation: lasting, persisted at 52 weeks but small
    assert s26 > sig and s52 < sig                  # structural: present at 26 weeks, not significant at 52
    # The modelled curve passes through every derived follow-up range of the evidence file.
    for tid in ("relaxation_massage", "structural_massage"):
        for e in library().points(tid):
            if e.provenance == "DERIVED":
                assert e.low <= _massage_effect(tid, e.week) <= e.high, (tid, e.week)


def test_massage_decay_ranges_come_from_the_pattern_and_cover_the_old_recalled_points():
    lib = library()
    rel = lib.parameter("therapy.relaxation_massage.decay_per_week")
    st = lib.parameter("therapy.structural_massage.decay_per_week")
    assert rel.low == pytest.approx(math.log(2.9 / 2.0) / 42, abs=1e-4)       # 52 wk still below 2 points
    assert rel.high == pytest.approx(math.log(2.9 / 1.05) / 42, abs=1e-4)     # 52 wk still significant
    assert st.low == pytest.approx(math.log(2.5 / 1.05) / 42, abs=1e-4)       # 52 wk not significant
    assert st.high == pytest.approx(math.log(2.5 / 1.05) / 16, abs=1e-4)      # 26 wk still significant
    assert rel.provenance == st.provenance == "DERIVED"
    # The recalled Table 2 values (evidence-addenda section 1, no longer used) lie inside the ranges.
    assert rel.low < math.log(2.9 / 1.3) / 42 < rel.high and rel.low < math.log(2.9 / 2.0) / 16 < rel.high
    assert st.low < math.log(2.5 / 0.4) / 42 < st.high and st.low < math.log(2.5 / 1.6) / 16 < st.high
