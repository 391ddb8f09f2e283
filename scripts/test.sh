#!/usr/bin/env bash
# Install everything the tests need -- Debian's Chromium and poppler included -- and run every test
# (unit, property, CLI, AppTest, real-browser, export read-back, benchmarks). Extra arguments go to
# pytest, e.g. `bash scripts/test.sh -k burden`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium poppler-utils fonts-dejavu-core >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
python3 -m pytest -p no:cacheprovider "$@"
