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
