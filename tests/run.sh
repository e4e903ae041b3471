#!/usr/bin/env bash
# Runs every test suite and sums their results. Each suite is a script that
# prints its own closing "N passed, N failed" line; a suite that dies without
# one counts as one failure. A test that cannot run here (it needs
# ../shared/testdata, which a clone does not have) prints one line
# "skip  NAME: REASON"; those lines are counted as skipped, never as passed
# or failed. A suite is a script, or modules/NAME: the host tests of that
# module's module.yaml tests: key and its image compiles (tests/modules.sh
# NAME; docs/modules.md, "Tests"). Usage: tests/run.sh [SUITE...]
#
# The host suites run ANX_TEST_JOBS at a time (default: the number of
# cores), each into its own log, printed whole when it ends, in order; the
# suites that boot images (the CSS sample, then the boot matrix, which
# runs its own boots side by side, then the soak) come after them, one at
# a time.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# Host suites first (fast), boot tests last. Every module, architecture and
# tool is picked up without being listed here.
suites=(tests/unit/run.sh tests/gen/run.sh tests/install/run.sh)
for s in arch/*/tests/run.sh modules/*/module.yaml tools/*/tests/run.sh; do
  [ -e "$s" ] && suites+=("${s%/module.yaml}")
done
# CSS 2.1 reftests that pass today; the boot matrix; a 1-minute soak (make soak: 10 minutes)
booting=(tests/css/sample.sh tests/boot/run.sh tests/soak/run.sh)
if [ $# -gt 0 ]; then
  suites=() booting=()
  for s in "$@"; do
    case $s in tests/boot/*|tests/css/*|tests/soak/*) booting+=("$s") ;; *) suites+=("$s") ;; esac
  done
fi
jobs=${ANX_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
# the generator once, before suites that each `make -C gen` run side by side
make -s -C gen anx || { echo "make -C gen anx failed"; echo "0 passed, 1 failed"; exit 1; }
logdir=$root/build/test-logs
mkdir -p "$logdir"
total_pass=0 total_fail=0 total_skip=0 summary=()

name_of() { local n=${1%/run.sh}; echo "${n%/}"; }
log_of() { echo "$logdir/$(name_of "$1" | tr / _).log"; }

# start SUITE: runs it in the background into its log; LOG.rc and LOG.secs
# hold its exit status and duration when it ends.
start() {
  local s=$1 name log cmd
  name=$(name_of "$s"); log=$(log_of "$s")
  rm -f "$log" "$log.rc" "$log.secs"
  cmd=("$s")
  [[ $name == modules/* && -f $name/module.yaml ]] && cmd=(tests/modules.sh "${name#modules/}")
  if [ ! -x "${cmd[0]}" ]; then
    echo "missing suite $s" >"$log"; echo 127 >"$log.rc"; echo 0 >"$log.secs"; return
  fi
  ( t0=$(date +%s); "${cmd[@]}" >"$log" 2>&1 </dev/null; echo $? >"$log.rc.tmp"
    echo $(( $(date +%s) - t0 )) >"$log.secs"; mv "$log.rc.tmp" "$log.rc" ) &
}

# account SUITE: its counts into the totals and the summary.
account() {
  local s=$1 name log rc line p f k
  name=$(name_of "$s"); log=$(log_of "$s")
  rc=$(cat "$log.rc")
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
  summary+=("$(printf '%-24s %4d passed, %d failed, %d skipped (%ds)' "$name" "$p" "$f" "$k" "$(cat "$log.secs")")")
}

# The host suites, `jobs` at a time; each printed (in order) once it and
# the ones before it have ended.
next_start=0 next_print=0 n=${#suites[@]}
while [ $next_print -lt "$n" ]; do
  running=$(( next_start - next_print ))
  while [ $next_start -lt "$n" ] && [ $running -lt "$jobs" ]; do
    start "${suites[$next_start]}"
    next_start=$((next_start + 1)); running=$((running + 1))
  done
  s=${suites[$next_print]}
  if [ -f "$(log_of "$s").rc" ]; then
    echo "=== $(name_of "$s")"
    cat "$(log_of "$s")"
    account "$s"
    next_print=$((next_print + 1))
  else
    sleep 0.2
  fi
done
wait

# The suites that boot images: one at a time, their output as it comes.
for s in "${booting[@]}"; do
  name=$(name_of "$s"); log=$(log_of "$s")
  echo "=== $name"
  t0=$(date +%s)
  "$s" 2>&1 </dev/null | tee "$log"
  echo "${PIPESTATUS[0]}" >"$log.rc"
  echo $(( $(date +%s) - t0 )) >"$log.secs"
  account "$s"
done
echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
