"""Scenario validation at the boundary: defaults, dotted paths, JSON round trip, every error path."""

import json
import re

import pytest

from calculator import Scenario, ScenarioError, apply_sets, from_json, get_path, library, set_path, to_json
from calculator.scenario import build, field_paths, load, parameter_id_for_path, save

CONTRACT_PATHS = ["workforce.employees", "workforce.hourly_wage", "condition.prevalence",
                  "condition.absence_days", "condition.presenteeism", "condition.medical_excess_cost",
                  "analysis.horizon_months", "analysis.discount_rate", "programs.0.therapy",
                  "programs.0.uptake", "programs.0.price_per_session", "programs.0.effect_multiplier"]


def test_contract_paths_exist():
    paths = field_paths(Scenario())
    for p in CONTRACT_PATHS:
        assert p in paths


def test_every_default_comes_from_the_library():
    s = Scenario()
    lib = library()
    for path in field_paths(s):
        pid = parameter_id_for_path(s, path)
        if pid is None:
            continue
        value = get_path(s, path)
        if value is not None:
            assert value == pytest.approx(lib.value(pid)), path


def test_therapy_fields_follow_the_therapy():
    s = set_path(Scenario(), "programs.0.therapy", "yoga")
    assert s.programs[0].resolved("price_per_session") == library().value("therapy.yoga.price_per_session")
    assert parameter_id_for_path(s, "programs.0.price_per_session") == "therapy.yoga.price_per_session"


def test_missing_fields_take_defaults():
    s = build({"workforce": {"employees": 250}})
    assert s.workforce.employees == 250
    assert s.condition.prevalence == library().value("condition.prevalence")


def test_round_trip_is_byte_identical(tmp_path):
    s = apply_sets(Scenario(), [("workforce.employees", "4321"), ("programs.1.therapy", "yoga"),
                                ("name", "Plant <A> & \"B\""), ("condition.presenteeism", "0.123456789")])
    text = to_json(s)
    assert to_json(from_json(text)) == text
    path = tmp_path / "s.json"
    save(s, str(path))
    save(load(str(path)), str(tmp_path / "t.json"))
    assert path.read_bytes() == (tmp_path / "t.json").read_bytes()
    assert json.loads(text)["schema_version"] == 2


def v1_document() -> dict:
    """A scenario as backpain-roi wrote it before issue 9 (schema version 1, with the per-point fields)."""
    d = json.loads(to_json(apply_sets(Scenario(), [("workforce.employees", "4321")])))
    d["schema_version"] = 1
    d["translation"].update(absence_per_point=0.02, presenteeism_per_point=0.01, medical_per_point=0.015)
    return d


def test_a_version_1_scenario_is_upgraded_with_a_notice(tmp_path, capsys):
    from calculator.cli import main
    from calculator.scenario import SchemaUpgradeWarning
    text = json.dumps(v1_document(), indent=2)
    with pytest.warns(SchemaUpgradeWarning, match=r"schema version 1 upgraded to 2: translation.absence_per_point, "
                      r"translation.presenteeism_per_point, translation.medical_per_point dropped"):
        s = from_json(text)
    assert s.schema_version == 2 and s.workforce.employees == 4321
    new = to_json(s)
    assert json.loads(new)["schema_version"] == 2 and "medical_per_point" not in new
    assert to_json(from_json(new)) == new  # v2: save -> load -> save byte-identical, no notice
    path = tmp_path / "old.json"
    path.write_text(text, encoding="utf-8")
    assert main(["evaluate", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("backpain-roi: note: scenario schema version 1 upgraded to 2"), err
    assert json.loads(out)
    # a version-2 document with a removed field is an error, and version 1 with none is silent
    with pytest.raises(ScenarioError, match="unknown field 'translation.medical_per_point'"):
        from_json(json.dumps({"schema_version": 2, "translation": {"medical_per_point": 0.01}}))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert from_json('{"schema_version": 1}').schema_version == 2


@pytest.mark.parametrize("path, value, message", [
    ("workforce.employees", "-5", "workforce.employees = -5 is out of range: allowed 1 to 10000000"),
    ("workforce.employees", "abc", "workforce.employees must be a whole number from 1 to 10000000, got 'abc'"),
    ("workforce.employees", "12.5", "workforce.employees must be a whole number"),
    ("condition.prevalence", "1.5", "condition.prevalence = 1.5 is out of range: allowed 0 to 1"),
    ("condition.prevalence", "NaN", "condition.prevalence must be a finite number"),
    ("no.such.path", "1", "unknown path 'no.such.path'"),
    ("workforce.nope", "1", "unknown path 'workforce.nope' (allowed here: employees"),
    ("programs.0.therapy", "snake_oil", "unknown therapy 'snake_oil'; choose one of: relaxation_massage"),
    ("programs.5.uptake", "0.1", "program index 5 out of range"),
    ("programs.x.uptake", "0.1", "should be a program index"),
    ("programs.0.on_site", "maybe", "programs.0.on_site must be true or false"),
    ("analysis.perspective", "societal", "analysis.perspective = 'societal' is not allowed: use"),
    ("analysis.horizon_months", "0", "analysis.horizon_months = 0 is out of range: allowed 1 to 120"),
    ("workforce", "1", "'workforce' is a section"),
    ("", "1", "bad path"),
])
def test_validation_messages(path, value, message):
    with pytest.raises(ScenarioError) as e:
        set_path(Scenario(), path, value)
    assert message in str(e.value)


@pytest.mark.parametrize("text, message", [
    ('{"workforce": {"employees": 10', "not valid JSON"),
    ('{"hello": "world"}', "unknown field 'hello'"),
    ('[1, 2]', "must be a JSON object"),
    ('{"schema_version": 7}', "schema_version 7 is not supported"),
    ('{"schema_version": 0}', "schema_version 0 is not supported .this version reads 1 and 2"),
    ('{"programs": []}', "programs"),
    ('{"workforce": 5}', "workforce must be an object"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_bad_files(text, message):
    with pytest.raises(ScenarioError, match=message):
        from_json(text)


def test_inconsistent_values_are_rejected():
    with pytest.raises(ScenarioError, match="exceeds workforce.annual_hours = 100 h"):
        apply_sets(Scenario(), [("workforce.annual_hours", "100"), ("condition.absence_days", "13")])


def test_salary_must_give_a_plausible_hourly_wage():
    with pytest.raises(ScenarioError, match="outside the allowed hourly wage range 0.01 to 1000"):
        set_path(Scenario(), "workforce.annual_salary", "1")


def test_name_rejects_control_characters():
    with pytest.raises(ScenarioError, match=r"control characters \(U\+000B\)"):
        from_json('{"name": "Q3\\u000bplan"}')
    assert from_json('{"name": "Plant <A> & =SUM(1)"}').name == "Plant <A> & =SUM(1)"


def test_several_errors_are_reported_together():
    with pytest.raises(ScenarioError) as e:
        build({"workforce": {"employees": -1, "turnover": 2}})
    assert len(e.value.messages) == 2


def test_bom_is_accepted():
    assert from_json("\ufeff{}".encode()).workforce.employees == 1000


def test_new_program_appended_by_path():
    s = set_path(Scenario(), "programs.1.therapy", "acupuncture")
    assert [p.therapy for p in s.programs] == ["relaxation_massage", "acupuncture"]


def test_scenario_is_frozen():
    from pydantic import ValidationError
    with pytest.raises(ValidationError, match="frozen"):
        Scenario().workforce.employees = 5


def test_uptake_by_year_text_is_read_item_by_item():
    """Review fix: empty items were dropped and Arabic-Indic digits read as numbers."""
    assert apply_sets(Scenario(), [("plan.uptake_by_year", "0.1, 0.2;0.25")]).plan.uptake_by_year == [0.1, 0.2, 0.25]
    for text, msg in (("0.1,,0.2", "item 2 is empty"), (",0.1", "item 1 is empty"),
                      ("0.1,\u0663", "item 2 ('\u0663') is not a number written with the digits 0-9"),
                      ("0.1,0.2e5000", "item 2")):
        with pytest.raises(ScenarioError, match=re.escape(msg)):
            apply_sets(Scenario(), [("plan.uptake_by_year", text)])
