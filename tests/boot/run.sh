#!/usr/bin/env bash
# Boot tests: `anx test` for every line of tests/boot/matrix.txt. Each run is
# one test here (it passes when every check of that manifest passes). A line
# naming a *.sh script runs it with the platform (and mode) as arguments; it
# passes when the script exits 0 (for tests of several boots).
#
# External material: a manifest whose files: name something under
# shared/testdata that is absent, or a script that exits 77, is skipped with
# one line "skip  NAME: REASON" (a clone has no ../shared beside it).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
anx=$root/gen/anx
pass=0 fail=0 skipped=0

# The first absent shared/testdata file a manifest's files: entries name
# (relative to the manifest's folder), or nothing.
absent_shared() {
  local dir path
  dir=$(dirname "$1")
  grep -oE '[^ :"]*shared/testdata/[^ "]*' "$1" | while read -r path; do
    [ -e "$dir/$path" ] || { echo "$path"; break; }
  done
}
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
  if [[ $manifest != *.sh ]] && missing=$(absent_shared "$manifest") && [ -n "$missing" ]; then
    echo "skip  $label: $missing is absent (../shared/testdata beside the repository)"
    skipped=$((skipped + 1)); continue
  fi
  start=$(date +%s.%N)
  "${cmd[@]}" >"$log" 2>&1 </dev/null
  rc=$?
  if [ $rc -eq 77 ] && grep -q '^skip  ' "$log"; then
    grep -m1 '^skip  ' "$log"; skipped=$((skipped + 1)); continue
  elif [ $rc -eq 0 ]; then
    pass=$((pass + 1)); verdict=ok
  else
    fail=$((fail + 1)); verdict=FAIL
  fi
  printf '%-4s %-60s %5.1fs\n' "$verdict" "$label" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')"
  [ $verdict = FAIL ] && sed 's/^/    | /' "$log" | tail -n 40
done <tests/boot/matrix.txt
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
