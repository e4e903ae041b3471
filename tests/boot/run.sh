#!/usr/bin/env bash
# Boot tests: every run of tests/boot/matrix.yaml (manifests and scripts x
# platforms x boot modes; the file says what each is), by `anx matrix`, two
# at a time: one line per run, a summary and "N passed, N failed, N skipped".
# With --long: the runs of tests/boot/matrix-long.yaml instead (make
# boot-test-long: scenarios make test runs on one platform, on the others).
# A run whose needs: (../shared/testdata, absent from a clone) is missing, or
# a script that exits 77 after a "skip  NAME: REASON" line, is skipped.
# Logs: build/test-logs/boot/ (one per run); JUnit: build/test-logs/boot.junit.xml.
#   tests/boot/run.sh [--long] [anx matrix options: -p PLATFORM, --boot MODE, -j N]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
matrix=matrix logs=boot
if [ "${1:-}" = --long ]; then matrix=matrix-long logs=boot-long; shift; fi
exec gen/anx matrix "tests/boot/$matrix.yaml" -j 2 --logs "build/test-logs/$logs" \
    --junit "build/test-logs/$logs.junit.xml" "$@"
