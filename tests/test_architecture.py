"""Architecture is tested too: the core stays UI-free, lint passes, data ships in the wheel."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_calculator_does_not_import_streamlit():
    code = "import sys, calculator, calculator.cli; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True)
    assert out.stdout.strip() == "False"


def test_only_app_imports_the_dashboard():
    offenders = []
    for path in (ROOT / "calculator").rglob("*.py"):
        if "dashboard" in path.parts:
            continue
        imports = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
                   if ln.strip().startswith(("import ", "from "))]
        if any("streamlit" in ln or "dashboard" in ln for ln in imports):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_ruff_passes():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is a test dependency: pip install -e '.[test]'")
    p = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-3000:]


@pytest.mark.slow
def test_wheel_ships_the_data_files(tmp_path):
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
                        "-q", "-w", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    wheel = next(tmp_path.glob("backpain_roi-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for f in ("parameters.csv", "references.csv", "therapies.csv", "therapy_evidence.csv"):
        assert f"calculator/data/{f}" in names
    assert "calculator/cli.py" in names


# --------------------------------------------------------------------------------------------------
# Issue 10: no long functions, and one home per concept

import ast  # noqa: E402
import re  # noqa: E402

#: Longest function allowed in calculator/ [lines, decorators excluded].
MAX_FUNCTION_LINES = 80

#: Functions known to be too long, each with the branch that owns (and is splitting) it. This list
#: may only shrink: a function not listed here that grows past the limit fails the test, and so does
#: an entry that is no longer too long (remove it).
KNOWN_LONG = {
}


def _function_lengths() -> dict[tuple[str, str], int]:
    out = {}
    for path in sorted((ROOT / "calculator").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                key = (rel, node.name)
                out[key] = max(out.get(key, 0), node.end_lineno - node.lineno + 1)
    return out


def test_no_function_in_calculator_is_over_80_lines():
    lengths = _function_lengths()
    too_long = {k: n for k, n in lengths.items() if n > MAX_FUNCTION_LINES}
    new = {f"{p}:{f} ({n} lines)" for (p, f), n in too_long.items() if (p, f) not in KNOWN_LONG}
    assert not new, f"functions over {MAX_FUNCTION_LINES} lines: {sorted(new)}"
    fixed = [f"{p}:{f} (owner {o})" for (p, f), o in KNOWN_LONG.items() if (p, f) not in too_long]
    assert not fixed, f"no longer too long, remove from KNOWN_LONG: {fixed}"


def test_the_census_reader_is_split_into_named_steps():
    lengths = _function_lengths()
    assert lengths[("calculator/census/validate.py", "read_census")] <= 60
    assert max(n for (p, _), n in lengths.items() if p.startswith("calculator/census/")) <= MAX_FUNCTION_LINES


def _grep(pattern: str, where: str = "calculator") -> list[str]:
    """``rg -l PATTERN calculator`` in Python: the files whose code matches."""
    rx = re.compile(pattern, re.M)
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / where).rglob("*.py")
                  if rx.search(p.read_text(encoding="utf-8")))


#: concept -> (pattern that only its home matches, the one home). The perspective rule
#: (calculator/perspective.py) and the price year (data/metadata.csv) are checked below.
CONCEPTS = {
    "direction rule": (r"value\s*<=?\s*current|value\s*>=?\s*current", "calculator/presets.py"),
    "stacking order": (r"^ORDER = \(", "calculator/assemble.py"),
    "mean/SD conversion": (r"mean \* \(1 - mean\) / sd\s*\*\*\s*2", "calculator/distributions.py"),
    "therapy-switch reset": (r"\{f: None for f in THERAPY_FIELDS\}|for name in THERAPY_FIELDS\]",
                             "calculator/scenario.py"),
    "census read/guards": (r"XLSX_EXPANSION \*", None),
}


@pytest.mark.parametrize("concept", [c for c in CONCEPTS if CONCEPTS[c][1]])
def test_each_concept_has_one_home(concept):
    pattern, home = CONCEPTS[concept]
    assert _grep(pattern) == [home]


def test_user_files_are_read_only_through_the_capped_reader():
    # the CLI, the scenario loader and the census never open a user's file themselves: they call
    # guards.read_limited, which stops at a byte limit before it allocates (/dev/zero is refused)
    readers = r"open\([^)]*[\"']rb[\"']\)|\.read_bytes\(\)|fh\.read\(\)"
    doors = [p for p in _grep(readers) if p in ("calculator/cli.py", "calculator/scenario.py")
             or p.startswith("calculator/census/")]
    assert doors == []
    assert "calculator/guards.py" in _grep(r"def read_limited")


@pytest.mark.parametrize("pattern", [r"(?<![A-Za-z] )\b2024\b", r"perspective\s*==\s*\"(?:self_insured|fully_insured|health_plan)\""])
def test_perspective_rule_and_price_year_have_one_home(pattern):
    assert len(_grep(pattern)) <= 1
