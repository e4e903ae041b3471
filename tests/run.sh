#!/usr/bin/env bash
# Runs every test suite and sums their results. Each suite is a script that
# prints its own closing "N passed, N failed" line; a suite that dies without
# one counts as one failure. A test that cannot run here (it needs
# ../shared/testdata, which a clone does not have) prints one line
# "skip  NAME: REASON"; those lines are counted as skipped, never as passed
# or failed. A suite is a script, or modules/NAME: the host tests of that
# module's module.yaml tests: key and its image compiles (tests/modules.sh
# NAME; docs/modules.md, "Tests"). Usage: tests/run.sh [SUITE...]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# Host suites first (fast), boot tests last. Every module, architecture and
# tool is picked up without being listed here.
suites=(tests/unit/run.sh tests/gen/run.sh tests/install/run.sh)
for s in arch/*/tests/run.sh modules/*/module.yaml tools/*/tests/run.sh; do
  [ -e "$s" ] && suites+=("${s%/module.yaml}")
done
suites+=(tests/css/sample.sh)      # CSS 2.1 reftests that pass today (tests/css/run.sh)
suites+=(tests/boot/run.sh)
[ $# -gt 0 ] && suites=("$@")
logdir=$root/build/test-logs
mkdir -p "$logdir"
total_pass=0 total_fail=0 total_skip=0 summary=()
for s in "${suites[@]}"; do
  name=${s%/run.sh}; name=${name%/}; log=$logdir/$(echo "$name" | tr / _).log
  echo "=== $name"
  cmd=("$s")
  [[ $name == modules/* && -f $name/module.yaml ]] && cmd=(tests/modules.sh "${name#modules/}")
  if [ ! -x "${cmd[0]}" ]; then
    echo "missing suite $s"; total_fail=$((total_fail + 1)); summary+=("$name: missing"); continue
  fi
  start=$(date +%s)
  "${cmd[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    p=0 f=1
  else
    p=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  fi
  k=$(grep -c '^skip  ' "$log")
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + k))
  summary+=("$(printf '%-24s %4d passed, %d failed, %d skipped (%ds)' "$name" "$p" "$f" "$k" $(( $(date +%s) - start )))")
done
echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
