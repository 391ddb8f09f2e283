"""Render Office files through LibreOffice and PDFs through poppler, for tests that look at pages.

``soffice --headless --convert-to pdf`` (Debian: libreoffice-impress/-calc/-writer and
fonts-crosextra-carlito, a Calibri-metric font; installed by scripts/test.sh). Each call uses its
own LibreOffice profile so that pytest-xdist workers never share one. Pages are saved as PNG under
``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) missing: scripts/test.sh installs it")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")


def to_pdf(data: bytes, suffix: str, out_dir: Path, stem: str) -> Path:
    """The Office file ``data`` converted to PDF by LibreOffice, saved as ``out_dir/stem.pdf``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{stem}.{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, timeout=240, capture_output=True, env={**os.environ, "HOME": tmp})
        pdf = out_dir / f"{stem}.pdf"
        shutil.copyfile(Path(tmp) / f"{stem}.pdf", pdf)
    return pdf


def pages_png(pdf: Path, prefix: str, dpi: int = 60) -> list[Path]:
    """Every page of ``pdf`` as ``prefix-N.png`` beside it."""
    for old in pdf.parent.glob(f"{prefix}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(pdf.parent / prefix)], check=True, timeout=120)
    return sorted(pdf.parent.glob(f"{prefix}-*.png"))


def pdf_text_boxes(pdf: Path) -> str:
    """``pdftotext -bbox-layout`` XHTML: every word with its box (for overlap and wrap checks)."""
    return subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
