#!/usr/bin/env bash
# Boot tests: `anx test` for every line of tests/boot/matrix.txt. Each run is
# one test here (it passes when every check of that manifest passes).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
anx=$root/gen/anx
pass=0 fail=0
while read -r manifest platform mode; do
  case $manifest in ''|'#'*) continue ;; esac
  args=(test "$manifest" -p "$platform")
  [ "$mode" != "-" ] && args+=(--boot "$mode")
  label="$manifest $platform${mode/#-/}"
  [ "$mode" != "-" ] && label="$manifest $platform --boot $mode"
  log=$root/build/test-logs/boot-$(echo "$label" | tr ' /' '__').log
  mkdir -p "$(dirname "$log")"
  start=$(date +%s.%N)
  if "$anx" "${args[@]}" >"$log" 2>&1; then
    pass=$((pass + 1)); verdict=ok
  else
    fail=$((fail + 1)); verdict=FAIL
  fi
  printf '%-4s %-60s %5.1fs\n' "$verdict" "$label" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')"
  [ $verdict = FAIL ] && sed 's/^/    | /' "$log" | tail -n 40
done <tests/boot/matrix.txt
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
