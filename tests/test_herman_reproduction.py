"""Published worked example: Herman et al. 2019, one year, per participant, both patient mixes.

Herman PM, Lavelle TA, Sorbero ME, Hurwitz EL, Coulter ID. Are nonpharmacologic interventions for
chronic low back pain more cost effective than usual care? Spine 2019;44(20):1456-1464,
doi:10.1097/BRS.0000000000003097. Rows read at chiro.org (docs/evidence-verification.md):

* Table 2, typical mix (25% low-, 35% moderate-, 40% high-impact): treatment / other health-care /
  productivity per participant (2015$): relaxation massage $459 / -$592 / -$359; individualized
  acupuncture $480 / -$717 / -$355; physical therapy $406 / -$439 / -$190; chiropractic care
  $199 / -$252 / -$88.
* Table 3, high-impact only: relaxation massage $459 / -$722 / -$480; individualized acupuncture
  $480 / -$1,100 / -$651; physical therapy $406 / -$979 / -$466.

One set of library inputs configured like Herman (2015 dollars via the CPI-U table, one year,
societal view: the plan pays 100% of allowed cost, absenteeism only at $33.19/h, trial effect,
everyone completes, no turnover) must give each row within 10%. One parameter,
``translation.response_per_point`` (0.216 since issue 9c's massage decay), was calibrated to ONE row
(massage, Table 2, productivity); every other row below is a prediction. Rows the state model does not reproduce are marked xfail
with the figure it gives and why (docs/METHODS.md, "Herman 2019 reproduction").
"""

import pytest

from calculator import Scenario, apply_sets, evaluate, library
from calculator.evidence import cpi_factor

TYPICAL = (0.25, 0.35, 0.40)
HIGH = (0.0, 0.0, 1.0)
#: (therapy, mix) -> (treatment, medical saving, productivity saving) per participant, 2015$.
ROWS = {
    ("relaxation_massage", TYPICAL): (459, 592, 359),
    ("acupuncture", TYPICAL): (480, 717, 355),
    ("physical_therapy", TYPICAL): (406, 439, 190),
    ("relaxation_massage", HIGH): (459, 722, 480),
    ("acupuncture", HIGH): (480, 1100, 651),
    ("physical_therapy", HIGH): (406, 979, 466),
    ("spinal_manipulation", TYPICAL): (199, 252, 88),    # Herman's "chiropractic care", Table 2 only
}


def herman_like(therapy: str, mix: tuple[float, float, float]) -> dict[str, float]:
    """Per-participant treatment cost, medical and productivity savings with Herman's settings."""
    lib = library()
    to_2015 = 1 / cpi_factor(2015)
    course_2015 = ROWS[(therapy, TYPICAL)][0]          # Herman's treatment cost is his price input
    sessions = lib.therapy_parameter(therapy, "sessions").value
    s = apply_sets(Scenario(), [
        ("workforce.employees", "1000"), ("workforce.hourly_wage", "33.19"),
        ("workforce.benefits_load", "1"), ("workforce.turnover", "0"),
        ("condition.prevalence", "1"), ("condition.presenteeism", "0"),
        ("condition.medical_excess_cost", str(lib.value("condition.medical_excess_cost") * to_2015)),
        ("condition.plan_paid_share", "1"),
        ("condition.impact_mix.low", str(mix[0])), ("condition.impact_mix.moderate", str(mix[1])),
        ("condition.impact_mix.high", str(mix[2])),
        ("programs.0.therapy", therapy), ("programs.0.uptake", "0.1"),
        ("programs.0.completion", "1"), ("programs.0.effect_multiplier", "1"),
        ("programs.0.uptake_unaffected", "0"), ("programs.0.employer_share", "1"),
        ("programs.0.price_per_session", str(course_2015 / sessions)),
        ("programs.0.admin_pepm", "0"), ("programs.0.setup_cost", "0"),
        ("analysis.horizon_months", "12"), ("analysis.discount_rate", "0"),
    ])
    return evaluate(s).program.per_participant


def _xfail(reason: str):
    return pytest.mark.xfail(reason=reason, strict=True)


MASSAGE_HIGH = ("Herman's massage gain in high-impact patients is only 1.34x its typical-mix gain "
                "(acupuncture 1.83x, PT 2.45x): a therapy-specific pattern from the Cherkin 2011 trial "
                "that one shared state structure cannot give without per-row tuning")
MEDICAL_HIGH = ("high-impact medical offsets depend on where Herman's trial-based transitions take "
                "high-impact patients; the shared destination (high -> low) gives a medical/productivity "
                "ratio of 1.65 for every therapy, Herman's ranges from 1.50 to 2.10")


@pytest.mark.parametrize("therapy,mix", list(ROWS))
def test_treatment_cost_row(therapy, mix):
    # Herman's course prices (2015$) are the library's low price bound brought back with CPI-U:
    # massage $60.7 (2024$) x 10 / 1.3235 = $459; the row checks the session/completion machinery.
    assert herman_like(therapy, mix)["treatment_cost"] == pytest.approx(ROWS[(therapy, mix)][0], rel=0.10)


def test_massage_price_bound_is_hermans_price():
    low = library().parameter("therapy.relaxation_massage.price_per_session").low
    assert low * 10 / cpi_factor(2015) == pytest.approx(459, rel=0.01)


def test_calibration_row_massage_typical_productivity():
    """The one calibrated row: response_per_point was set so that this comes out at $359."""
    assert herman_like("relaxation_massage", TYPICAL)["productivity_savings"] == pytest.approx(359, rel=0.01)


@pytest.mark.parametrize("therapy,mix,kind", [
    ("acupuncture", TYPICAL, "productivity_savings"),      # predicted $340 vs $355 (-4.3%)
    ("physical_therapy", TYPICAL, "productivity_savings"),  # predicted $208 vs $190 (+9.6%)
    ("acupuncture", TYPICAL, "medical_savings"),            # predicted $787 vs $717 (+9.8%, near the edge)
    ("physical_therapy", HIGH, "productivity_savings"),     # predicted $494 vs $466 (+6.1%)
    ("physical_therapy", TYPICAL, "medical_savings"),       # predicted $482 vs $439 (+9.9%, at the edge)
])
def test_predicted_rows_within_ten_percent(therapy, mix, kind):
    i = 1 if kind == "medical_savings" else 2
    assert herman_like(therapy, mix)[kind] == pytest.approx(ROWS[(therapy, mix)][i], rel=0.10)


@pytest.mark.parametrize("therapy,mix,kind", [
    pytest.param("relaxation_massage", TYPICAL, "medical_savings", marks=_xfail(
        "predicted $832 vs $592 (+41%): massage's Table 2 medical/productivity ratio (1.65) is the "
        "lowest of the three; the state costs give 2.3")),
    pytest.param("relaxation_massage", HIGH, "productivity_savings", marks=_xfail(
        "predicted $852 vs $480 (+78%): " + MASSAGE_HIGH)),
    pytest.param("relaxation_massage", HIGH, "medical_savings", marks=_xfail(
        "predicted $1,409 vs $722 (+95%): " + MASSAGE_HIGH)),
    pytest.param("acupuncture", HIGH, "productivity_savings", marks=_xfail(
        "predicted $806 vs $651 (+24%): Herman's high-impact gain for acupuncture is 1.83x its "
        "typical gain, the shared structure gives 2.4x")),
    pytest.param("acupuncture", HIGH, "medical_savings", marks=_xfail(
        "predicted $1,333 vs $1,100 (+21%): " + MEDICAL_HIGH)),
    pytest.param("physical_therapy", HIGH, "medical_savings", marks=_xfail(
        "predicted $817 vs $979 (-17%): " + MEDICAL_HIGH)),
    pytest.param("spinal_manipulation", TYPICAL, "medical_savings", marks=_xfail(
        "predicted $194 vs $252 (-23%): the library's 0.7 RDQ-equivalent effect was scaled from Herman's "
        "chiropractic productivity row, so only the medical row is a prediction, and it comes out low")),
])
def test_rows_the_state_model_does_not_reproduce(therapy, mix, kind):
    i = 1 if kind == "medical_savings" else 2
    assert herman_like(therapy, mix)[kind] == pytest.approx(ROWS[(therapy, mix)][i], rel=0.10)


def test_high_impact_gains_exceed_typical_gains_for_every_therapy():
    # Herman's qualitative finding: "Gains are larger when the programme targets high-impact pain".
    for therapy in ("relaxation_massage", "acupuncture", "physical_therapy"):
        typ, high = herman_like(therapy, TYPICAL), herman_like(therapy, HIGH)
        assert high["productivity_savings"] > typ["productivity_savings"]
        assert high["medical_savings"] > typ["medical_savings"]


def test_one_shared_structure_gives_one_share():
    """docs/METHODS.md, "Why no shared structure can pass every row": the share of the typical-mix gain
    that comes from patients starting in low- or moderate-impact pain, (Table 2 - 0.4 x Table 3) / Table 2,
    is one number for every therapy in this model (5% of productivity, 32% of medical), while Herman's
    published rows give 47% / 27% / 2% (productivity) for massage / acupuncture / PT. Herman 2019, Figure 1
    caption: "each therapy has its own set of transition probabilities" (trial patient-level data)."""
    shares = {}
    for therapy in ("relaxation_massage", "acupuncture", "physical_therapy"):
        typ, high = herman_like(therapy, TYPICAL), herman_like(therapy, HIGH)
        shares[therapy] = tuple((typ[k] - 0.4 * high[k]) / typ[k] for k in ("productivity_savings", "medical_savings"))
    prod = [s[0] for s in shares.values()]
    med = [s[1] for s in shares.values()]
    assert max(prod) - min(prod) < 1e-9 and max(med) - min(med) < 1e-9
    assert prod[0] == pytest.approx(0.051, abs=0.002) and med[0] == pytest.approx(0.323, abs=0.002)
    published = {t: (ROWS[(t, TYPICAL)][2] - 0.4 * ROWS[(t, HIGH)][2]) / ROWS[(t, TYPICAL)][2]
                 for t in shares}
    assert published["relaxation_massage"] == pytest.approx(0.465, abs=0.001)
    assert published["physical_therapy"] == pytest.approx(0.019, abs=0.001)
