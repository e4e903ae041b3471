#!/usr/bin/env bash
# The object store's time_ns is Unix time: boots tests/boot/store-time.yaml
# (a PUT over HTTP, then `store log` on the console) and checks that the
# version's time lies within a minute of the host's `date +%s` taken around
# the boot. An http: or shell: check cannot see the host's clock; this can.
# Usage: tests/boot/store-time.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$root/build/test/store-time-$tag
before=$(date +%s)
./gen/anx test tests/boot/store-time.yaml -p "$platform" -o "$out" "${boot[@]}"
after=$(date +%s)
t=$(grep -aoE 'size 15 time [0-9]+\.' "$out/console.log" | head -n 1 | grep -oE '[0-9]+\.$' | tr -d .)
if [ -z "$t" ]; then
  echo "store-time: no 'store log' line with a time in $out/console.log"; exit 1
fi
if [ "$t" -lt $((before - 60)) ] || [ "$t" -gt $((after + 60)) ]; then
  echo "store-time: the guest wrote time $t ($(date -u -d "@$t" 2>/dev/null || echo '?')), the host's clock read $before..$after: more than a minute apart"
  exit 1
fi
echo "store-time: ok: the guest's time $t is within a minute of the host's $before..$after"
