"""The one stacking order (calculator/assemble.py), used by the CLI, the dashboard and the reports."""

from pathlib import Path

import pytest

from calculator import Scenario, apply_sets, library
from calculator.assemble import ORDER, AssemblyError, assemble
from calculator.census import evaluate_census, read_census
from calculator.cli import main
from calculator.presets import (
    apply_named_preset,
    apply_preset,
    apply_survey,
    moves_in_direction,
    parse_survey,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_census.csv"


def test_order_is_preset_industry_survey_set_census():
    assert ORDER == ("base", "preset", "industry", "survey", "claims", "set", "census")


def test_each_source_in_turn_equals_applying_them_by_hand():
    survey = parse_survey("presenteeism=30%,respondents=85")
    got = assemble(Scenario(), "conservative", "construction", survey, None, [("workforce.turnover", "0.3")])
    s = apply_named_preset(Scenario(), "conservative")[0]
    s = apply_preset(s, "construction")[0]
    s = apply_survey(s, survey)[0]
    s = apply_sets(s, [("workforce.turnover", "0.3")])
    assert got.scenario == s
    # the conservative preset's turnover (0.40) was replaced by the user's value: not listed as applied
    assert "workforce.turnover" not in {a.path for a in got.applied}
    # presenteeism 30% - 21.5% (Montgomery 2017 controls) = 8.5%
    assert got.scenario.condition.presenteeism == pytest.approx(0.30 - library().value("survey.comparison_presenteeism"))


def test_the_census_comes_last_and_equals_evaluate_census():
    census = read_census(SAMPLE.read_bytes())
    got = assemble(Scenario(), industry="health_care", census=census)
    base = apply_preset(Scenario(), "health_care")[0]
    expected = evaluate_census(base, census, industry="health_care")
    assert got.scenario == expected.scenario and got.census.total == expected.total
    assert got.scenario.workforce.employees == 1200  # the sample's headcount


def test_a_set_the_census_would_ignore_is_refused_by_name():
    census = read_census(SAMPLE.read_bytes())
    with pytest.raises(AssemblyError, match=r"workforce.employees=3000 conflicts with the census, which counts 1,200"):
        assemble(Scenario(), census=census, sets=[("workforce.employees", "3000")])
    # a value the census uses as a fallback is yours: the prevalence it scales by age, sex and job family
    lo = assemble(Scenario(), census=census, sets=[("condition.prevalence", "0.05")]).scenario.condition.prevalence
    hi = assemble(Scenario(), census=census, sets=[("condition.prevalence", "0.10")]).scenario.condition.prevalence
    assert hi == pytest.approx(2 * lo)


def test_wage_set_is_used_when_rows_lack_pay_and_refused_when_every_row_has_it():
    no_pay = read_census(b"job_family,headcount\nOffice,40\nNurses,60\n")
    s = assemble(Scenario(), census=no_pay, sets=[("workforce.hourly_wage", "40")]).scenario
    assert s.workforce.hourly_wage == pytest.approx(40.0)
    paid = read_census(b"job_family,headcount,hourly_wage\nOffice,40,30\nNurses,60,45\n")
    with pytest.raises(AssemblyError, match="every row has its own pay"):
        assemble(Scenario(), census=paid, sets=[("workforce.hourly_wage", "40")])


def test_cli_refuses_the_conflict_in_one_line(capsys):
    code = main(["evaluate", "--census", str(SAMPLE), "--set", "workforce.employees=3000"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "conflicts with the census" in err


@pytest.mark.parametrize("command", ["evaluate", "compare", "psa", "tornado"])
def test_every_scenario_command_takes_the_same_options(capsys, command):
    args = [command, "--preset", "conservative", "--industry", "retail", "--survey",
            "presenteeism=30%,respondents=85", "--set", "workforce.employees=400", "--format", "json"]
    if command == "psa":
        args += ["--draws", "200"]
    assert main(args) == 0, capsys.readouterr().err


def test_report_takes_the_preset_too(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert main(["report", "--preset", "optimistic", "--out", str(out), "--draws", "0"]) == 0
    assert out.stat().st_size > 1000


def test_direction_rule():
    # conservative effect multiplier 0.5 (default 1.0): applied on 0.8, not on 0.3 (already worse)
    assert moves_in_direction(0.5, 1.0, 0.8) and not moves_in_direction(0.5, 1.0, 0.3)
    # optimistic completion 0.9 (default 0.55): applied on 0.6, not on 0.95
    assert moves_in_direction(0.9, 0.55, 0.6) and not moves_in_direction(0.9, 0.55, 0.95)
    s = apply_sets(Scenario(), [("programs.0.effect_multiplier", "0.3")])
    out, applied = apply_named_preset(s, "conservative")
    assert out.programs[0].effect_multiplier == 0.3
    assert "programs.0.effect_multiplier" not in {a.path for a in applied}
    assert all(a.source == "preset: conservative" and a.note for a in applied)
