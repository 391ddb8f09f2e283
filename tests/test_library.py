"""The scenario library on a real SQLite file (WAL) and a real PostgreSQL server: the same tests on both.

PostgreSQL is a throw-away cluster started once per test session (tests/pg.py); each test gets its
own empty database. Nothing is mocked: locks, read-only databases and unreachable servers are real.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import shutil
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from calculator import Scenario, evaluate, psa, set_path, to_json
from calculator.evidence import _data_dir, library, load_library
from calculator.scenario_library import (
    ImportProblems,
    LibraryError,
    LibraryLocked,
    LibraryReadOnly,
    LibraryUnavailable,
    NameExists,
    NotFound,
    compare_scenarios,
    drift,
    export_bytes,
    import_bytes,
    open_library,
)
from calculator.scenario_library import db as libdb
from calculator.scenario_library.models import HEAD_REVISION, metadata
from calculator.scenario_library.summary import SUMMARY_DRAWS, SUMMARY_SEED

YOGA = set_path(Scenario(), "programs.0.therapy", "yoga")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- save, load, versions, filters -----------------------------------------------------------------


def test_save_load_keeps_everything(library_url):
    lib = open_library(library_url)
    s = set_path(Scenario(), "workforce.employees", "250")
    rec = lib.save("Massage, 250 staff", s, tags=["massage", "2026", "massage"], note="for finance")
    assert (rec.name, rec.version, rec.versions, rec.tags, rec.note) == (
        "Massage, 250 staff", 1, 1, ("2026", "massage"), "for finance")
    back = lib.get("Massage, 250 staff")
    assert back.scenario.workforce.employees == 250
    assert back.scenario.name == "Massage, 250 staff"  # the name is in the scenario JSON too
    assert back.sha256 == _sha(back.scenario_json) == _sha(to_json(back.scenario))
    assert back.parameter_set == back.scenario.parameter_set == library().version
    assert back.created_at.tzinfo is not None and back.created_at <= back.saved_at
    # The stored summary is the model's own numbers and the PSA with the fixed seed.
    r = evaluate(s).program
    u = psa(s, SUMMARY_DRAWS, SUMMARY_SEED)
    assert back.summary["roi"] == pytest.approx(r.roi, rel=1e-12)
    assert back.summary["net_benefit"] == pytest.approx(r.net_benefit, rel=1e-12)
    assert back.summary["p_roi_positive"] == pytest.approx(u.probability("roi_positive"))
    assert back.summary["roi_p5"] < back.summary["roi"] < back.summary["roi_p95"]
    assert back.parameters["workforce.employees"]["value"] == 1000  # the row's value, not the user's
    assert back.parameters["therapy.relaxation_massage.price_per_session"]["value"] == 75


def test_default_scenario_summary_matches_published_doctest(library_url):
    # The stored summary is the model's own result (calculator/model.py's doctest states it in figures).
    rec = open_library(library_url).save("defaults", Scenario())
    r = evaluate(Scenario())
    assert rec.summary["burden_total"] == pytest.approx(r.burden.total, rel=1e-12)
    assert rec.summary["roi"] == pytest.approx(r.program.roi, rel=1e-12)
    assert rec.summary["payback_month"] == r.program.payback_month
    assert rec.summary["breakeven_price_per_session"] == pytest.approx(r.program.breakeven_price_per_session)
    assert rec.summary["cost_pmpm"] == pytest.approx(r.program.cost / (1000 * 12), rel=1e-12)  # PMPM by hand


def test_existing_name_asks_or_makes_a_new_version(library_url):
    lib = open_library(library_url)
    lib.save("Plan", Scenario(), tags=["a"])
    with pytest.raises(NameExists, match="already saved .version 1.*new version"):
        lib.save("Plan", YOGA)
    v2 = lib.save("Plan", YOGA, tags=["b"], if_exists="new_version")
    assert (v2.version, v2.versions, v2.therapy, v2.tags) == (2, 2, "yoga", ("b",))
    hist = lib.history("Plan")
    assert [(h.version, h.therapy, h.tags) for h in hist] == [(1, "relaxation_massage", ("a",)), (2, "yoga", ("b",))]
    assert lib.load("Plan", version=1).programs[0].therapy == "relaxation_massage"
    assert lib.get("Plan").version == 2 and len(lib.list()) == 1
    assert hist[0].created_at == hist[1].created_at


def test_list_filters_by_name_tag_and_therapy(library_url):
    lib = open_library(library_url)
    lib.save("Massage 10 visits", Scenario(), tags=["Massage", "2026"])
    lib.save("Yoga 12 classes", YOGA, tags=["yoga", "2026"], note="next year's headcount")
    lib.save("100% uptake", set_path(Scenario(), "programs.0.uptake", "1"))
    assert lib.names() == ["100% uptake", "Massage 10 visits", "Yoga 12 classes"]
    assert [s.name for s in lib.list(tag="2026")] == ["Massage 10 visits", "Yoga 12 classes"]
    assert [s.name for s in lib.list(tag="massage")] == ["Massage 10 visits"]  # tags match in any case
    assert [s.name for s in lib.list(therapy="yoga")] == ["Yoga 12 classes"]
    assert [s.name for s in lib.list(text="VISITS")] == ["Massage 10 visits"]
    assert [s.name for s in lib.list(text="headcount")] == ["Yoga 12 classes"]  # the note counts too
    assert [s.name for s in lib.list(text="%")] == ["100% uptake"]  # LIKE wildcards are literal
    assert [s.name for s in lib.list(text="0_")] == []
    assert lib.list(tag="2026", therapy="yoga")[0].name == "Yoga 12 classes"
    assert lib.tags() == ["2026", "Massage", "yoga"]


def test_names_tags_and_notes_are_validated(library_url):
    lib = open_library(library_url)
    for bad, msg in (("", "name is required"), ("x" * 201, "at most 200"), ("a\x07b", "control characters")):
        with pytest.raises(LibraryError, match=msg):
            lib.save(bad, Scenario())
    with pytest.raises(LibraryError, match="a tag is 1 to 40 characters"):
        lib.save("ok", Scenario(), tags=["t" * 41])
    with pytest.raises(LibraryError, match="21 tags given; at most 20 are allowed"):
        lib.save("ok", Scenario(), tags=[f"t{i}" for i in range(21)])
    with pytest.raises(LibraryError, match="at most 5,000"):
        lib.save("ok", Scenario(), note="n" * 5001)
    lib.save("Plan B", Scenario())
    with pytest.raises(NotFound, match="no saved scenario is called 'Plan C'; did you mean 'Plan B'"):
        lib.get("Plan C")
    assert lib.names() == ["Plan B"]


def test_delete_then_undo_restores_every_version(library_url):
    lib = open_library(library_url)
    lib.save("Plan", Scenario(), tags=["x"], note="first")
    lib.save("Plan", YOGA, if_exists="new_version")
    before = [v.to_dict() for v in lib.history("Plan")]
    entry = lib.delete("Plan")
    assert lib.names() == []
    with pytest.raises(NotFound, match="library is empty"):
        lib.get("Plan")
    lib.restore(entry)
    assert [v.to_dict() for v in lib.history("Plan")] == before  # times, tags, notes, hashes: identical
    lib.delete("Plan")
    lib.save("Plan", Scenario())
    with pytest.raises(NameExists, match="saved since"):
        lib.restore(entry)


# --- export and import -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_export_import_roundtrip(library_url, tmp_path, fmt):
    lib = open_library(library_url)
    lib.save("Massage", Scenario(), tags=["m"], note="n1")
    lib.save("Massage", set_path(Scenario(), "programs.0.uptake", "0.3"), if_exists="new_version")
    lib.save("Yoga", YOGA)
    data = export_bytes(lib, fmt)
    if fmt == "zip":
        z = zipfile.ZipFile(io.BytesIO(data))
        assert sorted(z.namelist()) == ["library.json", "scenarios/Massage.json", "scenarios/Yoga.json"]
        assert json.loads(z.read("scenarios/Massage.json"))["programs"][0]["uptake"] == 0.3
    other = open_library(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    report = import_bytes(other, data, f"lib.{fmt}")
    assert report.imported == ["Massage", "Yoga"] and report.skipped == []
    for name in ("Massage", "Yoga"):
        a, b = lib.history(name), other.history(name)
        assert [(v.version, v.sha256, v.tags, v.note, v.saved_at, v.parameters) for v in a] == \
               [(v.version, v.sha256, v.tags, v.note, v.saved_at, v.parameters) for v in b]
    # importing again: names clash -> refused as a whole, or skipped / appended by choice
    with pytest.raises(ImportProblems, match="2 problem.*already in the library"):
        import_bytes(other, data)
    assert import_bytes(other, data, if_exists="skip").imported == []
    assert import_bytes(other, data, if_exists="new_version").imported == ["Massage", "Yoga"]
    assert other.get("Massage").versions == 4


def _library_doc(lib) -> dict:
    return json.loads(export_bytes(lib, "json"))


def test_import_reports_bad_rows_and_skips_them_only_by_choice(library_url, tmp_path):
    src = open_library(f"sqlite:///{tmp_path / 'src.sqlite3'}")
    src.save("Good", Scenario())
    src.save("Bad value", Scenario())
    src.save("Tampered", Scenario())
    doc = _library_doc(src)
    bad = next(e for e in doc["scenarios"] if e["name"] == "Bad value")
    bad["versions"][0]["scenario"]["condition"]["prevalence"] = 1.5
    tam = next(e for e in doc["scenarios"] if e["name"] == "Tampered")
    tam["versions"][0]["scenario"]["workforce"]["employees"] = 999
    doc["scenarios"].append({"name": "=HYPERLINK(1)\x07", "versions": []})
    data = json.dumps(doc).encode()
    lib = open_library(library_url)
    with pytest.raises(ImportProblems) as err:
        import_bytes(lib, data)
    probs = err.value.problems
    assert len(probs) == 3
    assert "entry 1 'Bad value': version 1: scenario: condition.prevalence = 1.5 is out of range: allowed 0 to 1" in probs
    assert any("'Tampered'" in p and "SHA-256" in p for p in probs)
    assert any(p.startswith("entry 4") and "control characters" in p for p in probs)
    assert lib.names() == []  # nothing imported
    report = import_bytes(lib, data, skip_invalid=True)
    assert report.imported == ["Good"] and len(report.skipped) == 3
    assert lib.names() == ["Good"]


def test_an_export_written_before_a_schema_change_keeps_its_sha256(tmp_path):
    """The hash covers the scenario as exported: fields a later version adds, or a version-1 upgrade,
    are not a change (the old check hashed the rebuilt scenario and refused these exports)."""
    src = open_library(f"sqlite:///{tmp_path / 'src.sqlite3'}")
    src.save("Older", YOGA)
    src.save("Schema 1", Scenario())
    doc = _library_doc(src)
    for e in doc["scenarios"]:
        v = e["versions"][0]
        if e["name"] == "Older":  # written before analysis.premium_lag_months existed
            del v["scenario"]["analysis"]["premium_lag_months"]
        else:  # written by schema version 1
            v["scenario"]["schema_version"] = 1
            v["scenario"]["translation"]["absence_per_point"] = 0.02
        v["sha256"] = _sha(json.dumps(v["scenario"], indent=2, ensure_ascii=False) + "\n")
    lib = open_library(f"sqlite:///{tmp_path / 'dst.sqlite3'}")
    from calculator.scenario import SchemaUpgradeWarning
    with pytest.warns(SchemaUpgradeWarning, match="absence_per_point dropped"):
        assert sorted(import_bytes(lib, json.dumps(doc).encode()).imported) == ["Older", "Schema 1"]
    assert lib.get("Older").scenario.analysis.premium_lag_months == Scenario().analysis.premium_lag_months
    assert lib.get("Schema 1").scenario.schema_version == 2
    doc["scenarios"][0]["versions"][0]["scenario"]["workforce"]["employees"] = 777  # a real change is still caught
    with pytest.raises(ImportProblems, match="SHA-256"):
        import_bytes(open_library(f"sqlite:///{tmp_path / 'x.sqlite3'}"), json.dumps(doc).encode())


def test_import_refuses_loose_fields_instead_of_guessing(tmp_path):
    """Review fix: format_version true, tags as a string, a bad version number, a version's name that
    is not the entry's, a summary that is not the scenario's results: each refused by name."""
    src = open_library(f"sqlite:///{tmp_path / 'src.sqlite3'}")
    src.save("Plan", YOGA)
    src.save("Plan", set_path(YOGA, "workforce.employees", "900"), if_exists="new_version")
    good = _library_doc(src)

    def refused(edit, msg: str) -> None:
        doc = json.loads(json.dumps(good))
        edit(doc)
        with pytest.raises(LibraryError, match=msg):
            import_bytes(open_library(f"sqlite:///{tmp_path / 'dst.sqlite3'}"), json.dumps(doc).encode(), "f")

    refused(lambda d: d.update(format_version=True), "format_version True is not supported")
    refused(lambda d: d["scenarios"][0]["versions"][0].update(tags="abc"), '"tags" must be a list of words, got str')
    refused(lambda d: d["scenarios"][0]["versions"][1].update(version=1), r'version 2: "version" 1 must be a whole '
            r"number above the previous version \(1\)")
    refused(lambda d: d["scenarios"][0]["versions"][0].update(version="1"), '"version" 1 must be a whole number')
    refused(lambda d: d["scenarios"][0]["versions"][0].update(name="Other"), "\"name\" 'Other' differs from the "
            "entry's name 'Plan'")
    refused(lambda d: d["scenarios"][0]["versions"][0]["summary"].update(roi=99.0), '"summary" does not match the '
            "scenario's results \\(roi: file 99.0")
    refused(lambda d: d["scenarios"][0]["versions"][0].update(summary=[1]), '"summary" must be an object')

    def old_set(d):  # saved under another parameter set: the file's results are kept, but must be numbers
        d["scenarios"][0]["versions"][0]["summary"].update(parameter_set="1999.1", roi="lots")
    refused(old_set, '"summary" roi must be a number or null')
    doc = json.loads(json.dumps(good))
    doc["scenarios"][0]["versions"][0]["summary"].update(parameter_set="1999.1", roi=0.123)
    lib = open_library(f"sqlite:///{tmp_path / 'kept.sqlite3'}")
    import_bytes(lib, json.dumps(doc).encode())
    assert lib.get("Plan", 1).summary["roi"] == 0.123  # the results when saved, not recomputed silently
    lib2 = open_library(f"sqlite:///{tmp_path / 'twice.sqlite3'}")
    import_bytes(lib2, json.dumps(good).encode())
    with pytest.raises(LibraryError, match="already in the library.*if-exists: skip keeps the library's"):
        import_bytes(lib2, json.dumps(good).encode())


def test_import_rejects_wrong_files_with_reasons(library_url, monkeypatch):
    lib = open_library(library_url)
    cases = [
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not valid JSON: Expecting property name"),
        (to_json(Scenario()).encode(), "not a backpain-roi scenario library"),
        (json.dumps({"format": "backpain-roi-scenario-library", "format_version": 9}).encode(), "format_version 9"),
        (b"PK\x03\x04garbage", "damaged ZIP"),
        # guarded JSON (review fix): deep nesting, a 5,000-digit number, a repeated key
        (b'{"format": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "f: nested more than 32 levels deep"),
        (b'{"format_version": ' + b"1" * 5000 + b"}", "5,000 characters; at most 40"),
        (b'{"format": "a", "format": "b"}', "the key 'format' appears twice"),
        (b'{"format_version": NaN}', "NaN is not a number JSON allows"),
    ]
    for data, msg in cases:
        with pytest.raises(LibraryError, match=msg):
            import_bytes(lib, data, "f")
    from calculator.scenario_library import transfer
    monkeypatch.setattr(transfer, "MAX_IMPORT_BYTES", 1000)  # the limit is checked before parsing
    with pytest.raises(LibraryError, match="1,001 bytes; a library file is at most 1,000"):
        import_bytes(lib, b" " * 1001, "big.json")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:  # a small zip that unpacks to 5 MB
        z.writestr("library.json", b" " * 5_000_000)
    monkeypatch.setattr(transfer, "MAX_IMPORT_BYTES", 10_000)  # the ZIP itself is ~5 kB
    with pytest.raises(LibraryError, match="library.json unpacks to 5,000,000 bytes; at most 10,000"):
        import_bytes(lib, buf.getvalue(), "bomb.zip")


# --- compare -------------------------------------------------------------------------------------


def test_compare_highlights_input_differences_and_key_results(library_url):
    lib = open_library(library_url)
    lib.save("Massage", Scenario())
    lib.save("Massage 6 visits", set_path(Scenario(), "programs.0.visit_cap", "6"))
    lib.save("Yoga", YOGA)
    c = compare_scenarios([(n, lib.load(n)) for n in ("Massage", "Massage 6 visits", "Yoga")])
    diff = c.differences.set_index("path")
    assert "programs.0.visit_cap" in diff.index and "programs.0.therapy" in diff.index
    assert diff.loc["programs.0.visit_cap", "Massage 6 visits"] == 6 and diff.loc["programs.0.visit_cap", "Massage"] is None
    # an empty therapy field shows the catalogue value in use (75 USD massage, yoga's own price)
    assert diff.loc["programs.0.price_per_session", "Massage"] == 75
    assert "workforce.employees" not in diff.index
    res = c.results.set_index("result")
    for name in c.names:
        r = evaluate(lib.load(name)).program
        assert res.loc["roi", name] == pytest.approx(r.roi)
        assert res.loc["npv", name] == pytest.approx(r.npv)
        assert 0 <= res.loc["p_roi_positive", name] <= 1
    with pytest.raises(LibraryError, match="compare 2 to 4 scenarios, got 1"):
        compare_scenarios([("a", Scenario())])
    with pytest.raises(LibraryError, match="repeats a name"):
        compare_scenarios([("a", Scenario()), ("a", YOGA)])


# --- drift ---------------------------------------------------------------------------------------


def _changed_library(tmp_path: Path, changes: dict[str, dict[str, str]]):
    """A copy of the shipped parameter library with some cells of parameters.csv changed."""
    dst = tmp_path / "data"
    shutil.copytree(Path(str(_data_dir())), dst)
    rows = list(csv.DictReader(io.StringIO((dst / "parameters.csv").read_text(encoding="utf-8"))))
    for r in rows:
        r.update(changes.get(r["id"], {}))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (dst / "parameters.csv").write_text(buf.getvalue(), encoding="utf-8")
    return load_library(dst)


def test_drift_is_attributed_row_by_row(library_url, tmp_path):
    lib = open_library(library_url)
    s = set_path(Scenario(), "programs.0.uptake", "0.2")  # the user's own uptake
    rec = lib.save("Plan", s)
    new = _changed_library(tmp_path, {
        "condition.prevalence": {"value": "0.1"},                        # followed: default left alone
        "therapy.relaxation_massage.price_per_session": {"value": "70"},  # followed: empty therapy field
        "program.uptake": {"value": "0.25"},                             # not used: the user set 0.2
        "condition.absence_days": {"low": "2.5"},                        # range only
    })
    d = drift(rec, new, uncertainty=False)
    rows = d.rows.set_index("parameter")
    assert rows.loc["condition.prevalence", "applies"] == "value used"
    assert rows.loc["condition.prevalence", "change"] == "value 0.081 -> 0.1"
    assert rows.loc["program.uptake", "applies"] == "you set your own value"
    assert rows.loc["condition.absence_days", "applies"] == "range/distribution only"
    assert rows.loc["therapy.relaxation_massage.price_per_session", "used_by"] == "programs.0.price_per_session"
    res = d.results.set_index("result")
    # The burden is linear in prevalence: hand-computed expectation.
    assert res.loc["burden_total", "now"] == pytest.approx(rec.summary["burden_total"] * 0.1 / 0.081, rel=1e-9)
    # The re-run equals evaluating the scenario with today's values set by hand.
    by_hand = set_path(set_path(s, "condition.prevalence", "0.1"), "programs.0.price_per_session", "70")
    assert res.loc["net_benefit", "now"] == pytest.approx(evaluate(by_hand).program.net_benefit, rel=1e-12)
    att = d.attribution.set_index("parameter")
    assert list(att.index) == ["calculation changes", "condition.prevalence",
                               "therapy.relaxation_massage.price_per_session"]
    assert att.loc["calculation changes"].abs().max() == pytest.approx(0, abs=1e-9)
    for k in ("net_benefit", "roi", "npv", "cost", "burden_total"):
        assert att[k].sum() == pytest.approx(res.loc[k, "change"], rel=1e-9, abs=1e-9)
    # price drop of 5 USD saves 5 x sessions bought x employer share (and nothing else): hand check
    assert att.loc["therapy.relaxation_massage.price_per_session", "savings"] == 0
    assert att.loc["therapy.relaxation_massage.price_per_session", "cost"] < 0
    assert d.changed and d.current_parameter_set == new.version != rec.parameter_set


def test_drift_under_the_same_library_is_nothing(library_url):
    rec = open_library(library_url).save("Plan", YOGA)
    d = drift(rec)
    assert not d.changed and d.rows.empty
    assert not d.results["changed"].any()  # P(ROI > 0) re-estimated with the stored seed too
    assert (d.results["change"].dropna().abs() < 1e-12).all()


# --- schema migrations ---------------------------------------------------------------------------


V1_ROW = ("INSERT INTO scenario_versions (scenario_id, version, saved_at, tags, note, schema_version, "
          "parameter_set, scenario_json, summary_json, sha256) VALUES (1, 1, :t, '[\"old\"]', 'v1 note', 1, "
          "'oldset', :j, :s, :h)")


def test_a_version_1_library_is_migrated(library_url):
    eng = libdb.make_engine(library_url)
    libdb.migrate(eng, "0001")  # an older backpain-roi wrote this library
    old_doc = json.loads(to_json(set_path(YOGA, "name", '"Old yoga"')))  # as written by schema version 1
    old_doc["schema_version"] = 1
    old_doc["translation"]["medical_per_point"] = 0.015
    j = json.dumps(old_doc, indent=2) + "\n"
    with eng.begin() as c:
        c.execute(sa.text("INSERT INTO scenarios (id, name, latest_version, created_at, updated_at) "
                          "VALUES (1, 'Old yoga', 1, :t, :t)"), {"t": "2025-01-02 03:04:05"})
        c.execute(sa.text(V1_ROW), {"t": "2025-01-02 03:04:05", "j": j, "s": json.dumps({"roi": 0.5}), "h": _sha(j)})
        assert libdb.current_revision(c) == "0001"
        assert "therapy" not in {col["name"] for col in sa.inspect(c).get_columns("scenario_versions")}
    eng.dispose()
    lib = open_library(library_url)
    with lib.engine.connect() as c:
        assert libdb.current_revision(c) == HEAD_REVISION == "0002"
        insp = sa.inspect(c)
        for table in metadata.sorted_tables:  # the migrated schema is what the code expects
            assert {col["name"] for col in insp.get_columns(table.name)} == set(table.columns.keys())
    old = lib.get("Old yoga")
    assert (old.therapy, old.tags, old.note, old.parameters) == ("yoga", ("old",), "v1 note", None)
    from calculator.scenario import SchemaUpgradeWarning
    with pytest.warns(SchemaUpgradeWarning, match="translation.medical_per_point dropped"):
        assert old.scenario.schema_version == 2 and old.scenario.programs[0].therapy == "yoga"
    assert [s.name for s in lib.list(therapy="yoga")] == ["Old yoga"]  # back-filled by revision 0002
    d = drift(old, uncertainty=False)
    assert any("saved before the library kept parameter rows" in n for n in d.notes)
    lib.save("Old yoga", YOGA, if_exists="new_version")
    assert lib.get("Old yoga").parameters is not None


def test_a_library_from_a_newer_version_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    open_library(url).close()
    with sqlite3.connect(tmp_path / "new.sqlite3") as c:
        c.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(LibraryError, match="newer version of backpain-roi .schema revision 0099"):
        open_library(url)


# --- concurrent writers --------------------------------------------------------------------------


def _writer(url: str, i: int, barrier) -> None:
    lib = open_library(url)  # all 20 open (and migrate) a brand-new library at once
    barrier.wait(timeout=120)
    s = set_path(Scenario(), "workforce.employees", str(100 + i))
    lib.save(f"own {i:02d}", s, tags=[f"w{i}"])
    lib.save("shared", s, note=str(i), if_exists="new_version")
    lib.close()


@pytest.mark.slow
def test_twenty_processes_saving_at_once_lose_nothing(library_url):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(20)
    procs = [ctx.Process(target=_writer, args=(library_url, i, barrier)) for i in range(20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * 20
    lib = open_library(library_url)
    assert lib.names() == [f"own {i:02d}" for i in range(20)] + ["shared"]
    for i in range(20):
        rec = lib.get(f"own {i:02d}")  # reading checks each SHA-256
        assert rec.scenario.workforce.employees == 100 + i and rec.tags == (f"w{i}",)
    hist = lib.history("shared")
    assert [h.version for h in hist] == list(range(1, 21))  # no version lost or doubled
    assert sorted(int(h.note) for h in hist) == list(range(20))
    assert all(h.scenario.workforce.employees == 100 + int(h.note) for h in hist)
    if library_url.startswith("sqlite"):
        with sqlite3.connect(library_url.removeprefix("sqlite:///")) as c:
            assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert c.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# --- a database that cannot be reached, is locked, or is read-only -----------------------------------


def test_unreachable_databases_say_so(tmp_path):
    port = libdb_free_port()
    with pytest.raises(LibraryUnavailable) as err:
        open_library(f"postgresql://analyst:s3cret@127.0.0.1:{port}/scenarios")
    msg = str(err.value)
    assert f"The scenario library at postgresql://analyst:***@127.0.0.1:{port}/scenarios cannot be reached" in msg
    assert "s3cret" not in msg and "current scenario is unchanged" in msg
    with pytest.raises(LibraryUnavailable, match="cannot be reached.*unable to open database file"):
        open_library(f"sqlite:///{tmp_path}/no/such/folder/lib.sqlite3")
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(LibraryUnavailable, match="not a scenario library"):
        open_library(f"sqlite:///{tmp_path}/junk.sqlite3")
    for url, msg in (("nonsense", "not a database URL"), ("mysql://u@h/db", "'mysql' databases are not supported")):
        with pytest.raises(LibraryError, match=msg):
            open_library(url)


def libdb_free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_locked_sqlite_library_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'lib.sqlite3'}"
    open_library(url).save("Plan", Scenario())
    holder = sqlite3.connect(tmp_path / "lib.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program is writing
    try:
        lib = open_library(url, busy_timeout=0.2)
        with pytest.raises(LibraryLocked, match="is locked by another program, so saving 'Other'.*database is locked"):
            lib.save("Other", Scenario())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    lib.save("Other", Scenario())  # fine once the lock is gone
    assert lib.names() == ["Other", "Plan"]


def test_locked_postgres_library_says_so(pg_url):
    open_library(pg_url).save("Plan", Scenario())
    holder = libdb.make_engine(pg_url).connect()
    holder.exec_driver_sql("LOCK TABLE scenarios IN ACCESS EXCLUSIVE MODE")
    try:
        lib = open_library(pg_url, busy_timeout=0.3)
        with pytest.raises(LibraryLocked, match="locked by another program.*lock timeout"):
            lib.save("Other", Scenario())
    finally:
        holder.rollback()
        holder.close()
    assert open_library(pg_url).save("Other", Scenario()).version == 1


def test_read_only_sqlite_library_reads_but_refuses_writes(tmp_path):
    path = tmp_path / "lib.sqlite3"
    open_library(f"sqlite:///{path}").save("Plan", Scenario())
    ro = open_library(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert ro.names() == ["Plan"] and ro.load("Plan").workforce.employees == 1000
    with pytest.raises(LibraryReadOnly, match="is read-only, so saving 'New' is not possible"):
        ro.save("New", Scenario())
    with pytest.raises(LibraryReadOnly, match="read-only"):
        ro.delete("Plan")


def test_read_only_postgres_library_reads_but_refuses_writes(pg_url):
    open_library(pg_url).save("Plan", Scenario())
    eng = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(f'ALTER DATABASE "{pg_url.rsplit("/", 1)[1]}" SET default_transaction_read_only = on')
    eng.dispose()
    ro = open_library(pg_url)
    assert ro.names() == ["Plan"]
    with pytest.raises(LibraryReadOnly, match="is read-only, so saving .New. is not possible .cannot execute .* in a read-only transaction"):
        ro.save("New", Scenario())


def test_default_location_is_the_user_data_directory(monkeypatch, tmp_path):
    import platformdirs
    monkeypatch.delenv("BACKPAIN_ROI_DB")
    assert libdb.resolve_url() == libdb.default_url() == (
        f"sqlite:///{Path(platformdirs.user_data_dir('backpain-roi', appauthor=False)) / 'scenarios.sqlite3'}")
    monkeypatch.setenv("BACKPAIN_ROI_DB", f"sqlite:///{tmp_path}/env.sqlite3")
    assert open_library().where == f"sqlite:///{tmp_path}/env.sqlite3"
    assert libdb.resolve_url("postgresql://x@h/db") == "postgresql://x@h/db"  # --db wins


# --- the dashboard when the library misbehaves (AppTest, real databases) ------------------------------


def _app(page: str):
    from streamlit.testing.v1 import AppTest

    def frame(page: str) -> None:
        import streamlit as st

        from calculator.dashboard import shell
        from calculator.dashboard.registry import PAGES
        shell.frame(st.navigation(shell.pages(PAGES, default=page), position="top"))
    return AppTest.from_function(frame, args=(page,), default_timeout=60)


def _save_in_header(at, name: str):
    at.text_input(key="bp_w:name").set_value(name).run()
    at.button(key="lib-save").click().run()
    return at


def test_dashboard_saves_names_and_lists(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'dash.sqlite3'}"
    monkeypatch.setenv("BACKPAIN_ROI_DB", url)
    at = _app("roi").run()
    at = _save_in_header(at, "From the ROI page")
    assert any("Saved “From the ROI page” as version 1" in s.value for s in at.success)
    at.button(key="lib-save").click().run()  # again: the dashboard asks before making a new version
    assert any("already in the library" in w.value for w in at.warning)
    at.button(key="lib-save-version").click().run()
    assert any("as version 2" in s.value for s in at.success)
    assert open_library(url).get("From the ROI page").versions == 2
    lib_page = _app("library").run()
    assert not lib_page.exception
    assert "From the ROI page" in lib_page.selectbox(key="lib-pick").options


def test_dashboard_keeps_working_when_the_library_is_unreachable(monkeypatch):
    monkeypatch.setenv("BACKPAIN_ROI_DB", f"postgresql://nobody@127.0.0.1:{libdb_free_port()}/nothing")
    at = _app("roi").run()
    at.number_input(key="bp_w:workforce.employees").set_value(321).run()
    at = _save_in_header(at, "My plan")
    assert any("cannot be reached" in e.value and "current scenario is unchanged" in e.value for e in at.error)
    from calculator.dashboard import state
    s = at.session_state[state.SCENARIO_KEY]
    assert (s.workforce.employees, s.name) == (321, "My plan")  # nothing lost
    assert not at.exception and at.metric  # the results are still there
    lib_page = _app("library").run()
    assert not lib_page.exception
    assert any("cannot be reached" in e.value for e in lib_page.error)


def test_dashboard_says_when_the_library_is_read_only(monkeypatch, tmp_path):
    path = tmp_path / "ro.sqlite3"
    open_library(f"sqlite:///{path}").save("Existing", Scenario())
    monkeypatch.setenv("BACKPAIN_ROI_DB", f"sqlite:///file:{path}?mode=ro&uri=true")
    at = _save_in_header(_app("cost").run(), "New plan")
    assert any("is read-only" in e.value for e in at.error)
    lib_page = _app("library").run()
    assert "Existing" in lib_page.selectbox(key="lib-pick").options  # reading still works


def test_the_name_travels_in_the_share_link_and_report_file_names():
    from calculator.dashboard import state
    from calculator.dashboard.pages.report import _download_name
    from calculator.export import build_report
    s = set_path(Scenario(), "name", '"Yoga: warehouse 2026"')
    q = state.query_from_scenario(s)
    assert q["name"] == '"Yoga: warehouse 2026"'
    back, notices = state.scenario_from_query(q)
    assert back.name == "Yoga: warehouse 2026" and notices[-1][0] == "success"
    assert state.scenario_from_query({"name": "Plain words"})[0].name == "Plain words"
    d = build_report(s)
    assert _download_name(d, "pdf", "results") == "Yoga-warehouse-2026_backpain-roi_relaxation_massage_12m.pdf"
    assert _download_name(build_report(Scenario()), "pdf", "results") == "backpain-roi_relaxation_massage_12m.pdf"
    from calculator.dashboard.library_ui import json_file_name
    assert json_file_name(s) == "Yoga-warehouse-2026_backpain-roi-scenario.json"
    assert json_file_name(Scenario()) == "backpain-roi-scenario.json"


def test_the_migrations_are_packaged():
    from setuptools import find_packages
    pkgs = find_packages(str(Path(__file__).resolve().parents[1]), include=["calculator*"])
    assert {"calculator.scenario_library", "calculator.scenario_library.migrations",
            "calculator.scenario_library.migrations.versions"} <= set(pkgs)
    assert sorted(libdb._known_revisions()) == ["0001", "0002"]


def test_library_page_loads_checks_drift_deletes_and_undoes(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'page.sqlite3'}"
    monkeypatch.setenv("BACKPAIN_ROI_DB", url)
    lib = open_library(url)
    lib.save("Yoga 500", set_path(YOGA, "workforce.employees", "400"), tags=["yoga"])
    lib.save("Yoga 500", set_path(YOGA, "workforce.employees", "500"), tags=["yoga"], if_exists="new_version")
    lib.save("Massage", Scenario(), tags=["massage"])
    at = _app("library").run()
    from calculator.dashboard import state
    at.selectbox(key="lib-tag").set_value("yoga").run()
    assert at.selectbox(key="lib-pick").options == ["Yoga 500"]
    at.button(key="lib-load").click().run()
    s = at.session_state[state.SCENARIO_KEY]
    assert (s.name, s.workforce.employees, s.programs[0].therapy) == ("Yoga 500", 500, "yoga")
    assert at.text_input(key="bp_w:name").value == "Yoga 500"  # the header follows the loaded scenario
    at.selectbox(key="lib-history-version").set_value(1).run()
    at.button(key="lib-history-load").click().run()
    assert at.session_state[state.SCENARIO_KEY].workforce.employees == 400  # an earlier version
    at.button(key="lib-drift").click().run()
    assert any("No parameter row this scenario uses has changed" in x.value for x in at.success)
    at.button(key="lib-delete").click().run()
    assert lib.names() == ["Massage"]
    at.button(key="lib-undo").click().run()
    assert lib.names() == ["Massage", "Yoga 500"] and lib.get("Yoga 500").tags == ("yoga",)
    at.selectbox(key="lib-tag").set_value("(all)").run()
    at.multiselect(key="lib-compare").set_value(["Massage", "Yoga 500"]).run()
    assert not at.exception
    assert any("Computed now with parameter set" in c.value for c in at.caption)


def test_public_api_is_exported_lazily():
    import subprocess
    import sys
    code = ("import sys, calculator; light = 'sqlalchemy' not in sys.modules; "
            "from calculator import open_library, compare_scenarios, drift, LibraryError; "
            "from calculator.scenario_library import open_library as o; print(light, open_library is o)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    assert out == ["True", "True"]


# --- properties ----------------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PLAIN = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f")


@given(st.text(_PLAIN, min_size=1, max_size=120).filter(lambda t: t.strip()))
def test_name_slug_is_always_a_safe_file_name_part(name):
    from calculator.scenario_library import name_slug
    slug = name_slug(name)
    assert slug == "" or (0 < len(slug) <= 60 and all(c.isascii() and (c.isalnum() or c in "-_") for c in slug))


_ROUNDTRIP_LIB: dict = {}


@given(st.text(_PLAIN, min_size=1, max_size=200).filter(  # a name needs a visible character (Scenario rule)
           lambda t: t.strip() and any(unicodedata.category(c)[0] not in "CZ" for c in t)),
       st.lists(st.text(_PLAIN, min_size=1, max_size=40).filter(lambda t: t.strip()), max_size=5))
def test_any_plain_name_and_tags_round_trip(tmp_path_factory, name, tags):
    # quotes, %, _, backslashes, SQL keywords, emoji, right-to-left text: stored and found verbatim
    if "lib" not in _ROUNDTRIP_LIB:
        _ROUNDTRIP_LIB["lib"] = open_library(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.sqlite3'}")
    lib = _ROUNDTRIP_LIB["lib"]
    rec = lib.save(name, Scenario(), tags=tags, if_exists="new_version")
    back = lib.get(name)
    assert back.name == name.strip() == back.scenario.name and back.version == rec.version
    assert set(back.tags) == {t.strip() for t in tags}
    assert name.strip() in [r.name for r in lib.list(text=name.strip())]


def test_the_per_employee_cost_is_labelled_pepm(capsys, tmp_path):
    """Review fix: the stored cost per *employee* per month was labelled PMPM (per member)."""
    from calculator.cli import main
    from calculator.scenario_library.summary import METRICS, deterministic
    label = {k: lab for k, lab, _ in METRICS}["cost_pmpm"]
    assert label == "Program cost per employee per month (PEPM)"
    s = set_path(Scenario(), "workforce.employees", "2000")
    assert deterministic(s)["cost_pmpm"] == pytest.approx(evaluate(s).program.cost / 2000 / s.analysis.horizon_months)
    db = ["--db", f"sqlite:///{tmp_path / 'l.sqlite3'}"]
    assert main(["scenarios", "save", "P", *db]) == 0
    assert main(["scenarios", "show", "P", *db]) == 0
    out = capsys.readouterr().out
    assert "Program cost per employee per month (PEPM)" in out and "(PMPM)" not in out
