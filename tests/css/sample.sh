#!/usr/bin/env bash
# make test's share of the CSS 2.1 reftests (tests/run.sh): the tests named in
# tests/css/sample.txt, which pass today, so a regression in the browser (or
# in browse-digest) fails the suite. The list holds match tests (equal
# digests) and mismatch tests (digests that must differ): a runner that
# printed one digest for every screen, or digested a screen before it was
# painted, fails the latter. Without ../shared/testdata: one skip line.
# The whole corpus, with Acid1, is `make css-reftests` (tests/css/run.sh --all --acid1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/run.sh" --list "$here/sample.txt" --strict "$@"
