#!/usr/bin/env bash
# The long SMP stress (make soak-smp): the smp-test module's stress command on
# four CPUs with the lock-order checks on (tests/boot/smp.yaml's image), for
# MINUTES minutes on each platform. make test runs the same for 25 s.
# Usage: tests/soak/smp.sh [MINUTES [PLATFORM...]]   (default 10, x86_64-pc arm64-virt)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
min=${1:-10}
shift || true
plats=("$@")
[ ${#plats[@]} -gt 0 ] || plats=(x86_64-pc arm64-virt)
out=$root/build/soak/smp
mkdir -p "$out"
secs=$((min * 60))
fails=0 passes=0
for p in "${plats[@]}"; do
  sed -e "s/smp-stress 25/smp-stress $secs/" -e "s/timeout: 90s/timeout: $((secs + 120))s/" \
    -e "s/^name: smp$/name: smp-soak/" tests/boot/smp.yaml >"$out/smp-soak.yaml"
  if gen/anx test "$out/smp-soak.yaml" -p "$p" -o "$out/$p" >"$out/$p.log" 2>&1; then
    echo "ok   smp soak on $p: $(grep -o 'smp-stress: [0-9]* handoffs.*' "$out/$p/console.log" | tail -n 1)"
    passes=$((passes + 1))
  else
    echo "FAIL smp soak on $p (see $out/$p.log)"; tail -n 5 "$out/$p.log"
    fails=$((fails + 1))
  fi
done
echo "$passes passed, $fails failed"
[ $fails = 0 ]
