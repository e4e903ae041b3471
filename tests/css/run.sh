#!/usr/bin/env bash
# The CSS 2.1 reftests of ../shared/testdata/html/csswg-css21 on the browser
# image (docs/browser.md, "Conformance"): builds tests/css/reftest.yaml with
# the corpus in its files archive, boots it once and loads each test and its
# references, comparing the digests of the painted screens
# (tests/css/reftest.py). Prints ok/FAIL per test, a table per category, the
# pass rate and "N passed, N failed, N skipped". Failing tests are the
# corpus's measure of conformance, not an error of the run: the exit status
# is 0 unless --strict is given (or the image does not build or boot). The
# screens of a failed test and its references are saved as PNG under
# build/css-reftest/failed/CATEGORY/.
#   tests/css/run.sh [--all | --sample N | --category NAME | --list FILE] [--acid1] [--strict] [--no-dumps]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
[ -x gen/anx ] || make -s anx || exit 1
exec python3 tests/css/reftest.py "$@"
