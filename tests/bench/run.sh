#!/usr/bin/env bash
# Benchmarks: first boot figures of the hello image against a trivial kernel that only
# prints one line (the floor), on the same QEMU line and accelerator, in the
# same run. Prints medians over RUNS boots and the ratios, and each image's size (the file
# QEMU boots: hello's stripped ELF, issue 18's goal <= 32 KiB); never pass/fail.
# Usage: tests/bench/run.sh [RUNS]   (default 7)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
runs=${1:-7}
out=$root/build/bench
mkdir -p "$out"
gcc -O2 -Wall -o "$out/boottime" tests/bench/boottime.c
make -s -C tests/bench/x86-floor
floor_x86=tests/bench/x86-floor/floor.elf

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure NAME SEND -- CMD...: boots RUNS times, prints medians of ready, exit, guest time
measure() {
  local name=$1 send=$2; shift 3
  local log=$out/$name.txt
  : >"$log"
  for _ in $(seq "$runs"); do
    "$out/boottime" --timeout 30 ${send:+--send "$send"} "ready" -- "$@" >>"$log" || true
  done
  local ready exit guest
  ready=$(sed -n 's/.*ready_ms=\([0-9.]*\).*/\1/p' "$log" | median)
  exit=$(sed -n 's/.*exit_ms=\([0-9.]*\).*/\1/p' "$log" | median)
  guest=$(sed -n 's/.*guest_us=\([0-9]*\).*/\1/p' "$log" | median)
  echo "$ready $exit ${guest:--}"
}

qemu_x86=(qemu-system-x86_64 -accel tcg -cpu max -m 64M -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
kib() { awk -v s="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", s / 1024 }'; }
printf '%-34s %10s %10s %10s %12s %9s\n' "image" "ready ms" "exit ms" "guest us" "ready/floor" "size KiB"
for plat in x86_64-pc x86_64-microvm; do
  gen/anx build manifests/hello.yaml -p "$plat" >/dev/null
  img=build/hello-$plat/image.elf
  case $plat in
    x86_64-pc) machine=(-M q35 -bios /usr/share/qemu/qboot.rom) ;;
    x86_64-microvm) machine=(-M microvm) ;;
  esac
  read -r f_ready f_exit _ < <(measure "floor-$plat" "" -- "${qemu_x86[@]}" "${machine[@]}" -kernel "$floor_x86")
  read -r h_ready h_exit h_guest < <(measure "hello-$plat" $'poweroff\n' -- "${qemu_x86[@]}" "${machine[@]}" -kernel "$img")
  printf '%-34s %10s %10s %10s %12s %9s\n' "floor ($plat)" "$f_ready" "$f_exit" "-" "1.00" "$(kib "$floor_x86")"
  printf '%-34s %10s %10s %10s %12s %9s\n' "hello ($plat)" "$h_ready" "$h_exit" "$h_guest" \
    "$(awk -v a="$h_ready" -v b="$f_ready" 'BEGIN { printf "%.2f", a / b }')" "$(kib "$img")"
done
echo
size=$(stat -c %s build/hello-x86_64-pc/image.elf)
printf 'hello image size (x86_64-pc, stripped ELF): %d bytes = %.1f KiB (goal <= 32 KiB: %s)\n' \
  "$size" "$(awk -v s="$size" 'BEGIN { print s / 1024 }')" "$([ "$size" -le 32768 ] && echo met || echo 'not yet')"
echo "where the bytes are: build/hello-x86_64-pc/report.json (modules, base: size and sections)"
echo "runs per figure: $runs (medians); accelerator: TCG"

echo
echo "arm64-virt (same method, its own floor kernel):"
tests/bench/arm64-floor/measure.sh "$runs"

# The other benchmark families, each printing its own ratios.
for b in tests/bench/infer/run.sh tests/bench/http/run.sh tests/bench/store/run.sh tests/bench/train/run.sh tests/bench/auth/run.sh \
         tests/bench/display/run.sh tests/bench/vecstore/run.sh tests/bench/smp/run.sh; do
  [ -x "$b" ] || continue
  echo
  echo "=== ${b%/run.sh}"
  "$b" || echo "($b failed)"
done
