"""The Assumptions page says where each non-default value came from (you, a preset, your survey)."""

from calculator import Scenario, apply_sets, input_table
from calculator.dashboard.pages.assumptions import parameter_table


def test_origin_column_names_preset_survey_and_user():
    s = apply_sets(Scenario(), [("condition.presenteeism", "0.07"), ("workforce.hourly_wage", "25"),
                                ("condition.prevalence", "0.1")])
    origins = {
        "condition.presenteeism": {"kind": "survey", "value": 0.07, "keys": []},
        "workforce.hourly_wage": {"kind": "preset", "value": 25.0, "keys": ["bls_ecec_2024"]},
    }
    t = parameter_table(input_table(s), origins).set_index("Input")
    rows = {r["Comes from"] for _, r in t.iterrows()}
    assert {"Your survey", "Industry or job preset", "Changed by you", "Published default"} <= rows
    survey_row = t[t["Comes from"] == "Your survey"].iloc[0]
    assert survey_row["Sources"] == "your own data" and survey_row["Status"] == "your own data"
    assert survey_row["Value"].startswith("7")
    assert "BLS" in t[t["Comes from"] == "Industry or job preset"].iloc[0]["Sources"] or \
        "Bureau" in t[t["Comes from"] == "Industry or job preset"].iloc[0]["Sources"]


def test_a_value_edited_after_the_preset_counts_as_yours():
    s = apply_sets(Scenario(), [("workforce.hourly_wage", "27")])
    t = parameter_table(input_table(s), {"workforce.hourly_wage": {"kind": "preset", "value": 25.0, "keys": []}})
    assert "Changed by you" in set(t["Comes from"]) and "Industry or job preset" not in set(t["Comes from"])


def test_field_caption_names_the_survey_as_the_source():
    from calculator.dashboard.fields import default_caption

    s = apply_sets(Scenario(), [("condition.presenteeism", "0.07")])
    survey = {"condition.presenteeism": {"kind": "survey", "value": 0.07}}
    assert default_caption(s, "condition.presenteeism", survey).startswith("From your survey")
    assert default_caption(s, "condition.presenteeism").startswith("Changed by you")
    assert default_caption(Scenario(), "condition.presenteeism", survey).startswith("Default")
