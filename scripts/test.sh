#!/usr/bin/env bash
# Install everything the tests need -- Debian's Chromium and poppler included -- and run every test
# (unit, property, CLI, AppTest, real-browser, export read-back, benchmarks). Extra arguments go to
# pytest, e.g. `bash scripts/test.sh -k burden`.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_install() {
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1; then
  # LibreOffice renders the deck, workbook and Word summary in the tests; Carlito has Calibri's metrics
  apt_install chromium poppler-utils fonts-dejavu-core libreoffice-impress libreoffice-calc libreoffice-writer \
    fonts-crosextra-carlito
fi

# The scenario-library tests start a throw-away PostgreSQL cluster (tests/pg.py): Debian's server package.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  apt_install postgresql
fi

PY=python3
# A Debian system Python refuses system-wide pip installs (PEP 668): use a virtual environment there.
if [ -f "$($PY -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')/EXTERNALLY-MANAGED" ]; then
  $PY -m venv --help >/dev/null 2>&1 || apt_install python3-venv
  [ -x .venv/bin/python ] || $PY -m venv .venv
  PY=.venv/bin/python
  export PATH="$PWD/.venv/bin:$PATH"
fi

"$PY" -m pip install -q --disable-pip-version-check -e '.[test]'
# Two workers (pytest-xdist); --dist loadfile keeps each file's module fixtures on one worker, and
# session fixtures (the Streamlit server, a database) start at most once per worker.
# PYTEST_WORKERS=0 runs serially (pytest-benchmark then times the benchmarks).
"$PY" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
