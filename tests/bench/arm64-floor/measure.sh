#!/usr/bin/env bash
# arm64 boot benchmark: the arm64-virt hello image against the floor kernel
# (floor.S), on the same QEMU line (TCG), in the same run. Prints medians of
# QEMU launch -> "ready" and -> exit over RUNS boots, the guest's own
# entry -> ready time, the ratio to the floor and the image size. Not a
# pass/fail test. Usage: tests/bench/arm64-floor/measure.sh [RUNS] [IMAGE]
# IMAGE defaults to the generator's build of manifests/hello.yaml.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
runs=${1:-7}
img=${2:-}
out=$root/build/bench
mkdir -p "$out"
gcc -O2 -Wall -o "$out/boottime" "$root/tests/bench/boottime.c"
make -s -C "$here" floor.img >/dev/null
if [ -z "$img" ]; then
  if [ -x "$root/gen/anx" ] && "$root/gen/anx" build "$root/manifests/hello.yaml" -p arm64-virt >/dev/null 2>&1; then
    for f in image.arm64 image.elf; do
      [ -z "$img" ] && [ -f "$root/build/hello-arm64-virt/$f" ] && img=$root/build/hello-arm64-virt/$f
    done
  fi
  if [ -z "$img" ]; then
    echo "measure.sh: gen/anx build manifests/hello.yaml -p arm64-virt failed; run it to see why" >&2
    exit 1
  fi
fi
qemu=(qemu-system-aarch64 -M virt,secure=off,gic-version=3 -accel tcg -cpu max -m 64M -nographic -no-reboot
      -semihosting-config enable=on,target=native)
median() { sort -n | awk '{ a[NR] = $1 } END { if (!NR) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
measure() {   # NAME SEND CMD...
  local name=$1 send=$2; shift 2
  local log=$out/arm64-$name.txt
  : >"$log"
  for _ in $(seq "$runs"); do
    "$out/boottime" --timeout 30 ${send:+--send "$send"} "ready" -- "$@" >>"$log" || true
  done
  echo "$(sed -n 's/.*ready_ms=\([0-9.]*\).*/\1/p' "$log" | median)" \
       "$(sed -n 's/.*exit_ms=\([0-9.]*\).*/\1/p' "$log" | median)" \
       "$(sed -n 's/.*guest_us=\([0-9]*\).*/\1/p' "$log" | median)" \
       "$(grep -c 'status=0' "$log" || true)"
}
read -r f_ready f_exit _ f_ok < <(measure floor "" "${qemu[@]}" -kernel "$here/floor.img")
read -r h_ready h_exit h_guest h_ok < <(measure hello $'poweroff\n' "${qemu[@]}" -kernel "$img" -append "anx.semihosting=1")
kib() { awk -v s="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", s / 1024 }'; }
printf '%-28s %10s %10s %10s %12s %8s %9s\n' image "ready ms" "exit ms" "guest us" ready/floor "status 0" "size KiB"
printf '%-28s %10s %10s %10s %12s %8s %9s\n' "floor (arm64-virt)" "$f_ready" "$f_exit" - 1.00 "$f_ok/$runs" \
  "$(kib "$here/floor.img")"
printf '%-28s %10s %10s %10s %12s %8s %9s\n' "hello (arm64-virt)" "$h_ready" "$h_exit" "$h_guest" \
  "$(awk -v a="$h_ready" -v b="$f_ready" 'BEGIN { printf "%.2f", a / b }')" "$h_ok/$runs" "$(kib "$img")"
size=$(stat -c %s "$img")
printf 'hello image size (arm64-virt, %s): %d bytes = %.1f KiB (goal <= 32 KiB: %s)\n' \
  "$(case $img in *.arm64) echo raw Image ;; *) echo stripped ELF ;; esac)" "$size" \
  "$(awk -v s="$size" 'BEGIN { print s / 1024 }')" "$([ "$size" -le 32768 ] && echo met || echo 'not yet')"
echo "runs per figure: $runs (medians); accelerator: TCG; image: ${img#$root/}"
