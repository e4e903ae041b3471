#!/usr/bin/env bash
# Boot tests: `anx test` for every line of tests/boot/matrix.txt. Each run is
# one test here (it passes when every check of that manifest passes). A line
# naming a *.sh script runs it with the platform (and mode) as arguments; it
# passes when the script exits 0 (for tests of several boots).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
anx=$root/gen/anx
pass=0 fail=0
while read -r manifest platform mode; do
  case $manifest in ''|'#'*) continue ;; esac
  # a *.sh line is a script (several boots), run as SCRIPT PLATFORM [MODE]
  if [[ $manifest == *.sh ]]; then
    cmd=(bash "$manifest" "$platform")
    [ "$mode" != "-" ] && cmd+=("$mode")
  else
    cmd=("$anx" test "$manifest" -p "$platform")
    [ "$mode" != "-" ] && cmd+=(--boot "$mode")
  fi
  label="$manifest $platform${mode/#-/}"
  [ "$mode" != "-" ] && label="$manifest $platform --boot $mode"
  log=$root/build/test-logs/boot-$(echo "$label" | tr ' /' '__').log
  mkdir -p "$(dirname "$log")"
  start=$(date +%s.%N)
  if "${cmd[@]}" >"$log" 2>&1 </dev/null; then
    pass=$((pass + 1)); verdict=ok
  else
    fail=$((fail + 1)); verdict=FAIL
  fi
  printf '%-4s %-60s %5.1fs\n' "$verdict" "$label" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')"
  [ $verdict = FAIL ] && sed 's/^/    | /' "$log" | tail -n 40
done <tests/boot/matrix.txt
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
