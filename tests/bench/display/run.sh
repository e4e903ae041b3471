#!/usr/bin/env bash
# Display benchmark, 1280x800x32 under TCG, for each display device on each
# architecture (the image of manifests/display.yaml with that device):
#   - full-screen frame: the core's `displays bench 20` (fill the framebuffer
#     from the CPU, then anx_display_flush of the whole screen), us per frame;
#   - time from QEMU launch to the first frame on screen (fbcon's "first frame"
#     line, with the boot log drawn in DejaVu Sans Mono) against the time to
#     the serial "anunix: ready" line of the same image, medians of RUNS boots,
#     and their ratio.
# Prints a table; never pass/fail.
# Usage: tests/bench/display/run.sh [RUNS]   (default 5)
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
runs=${1:-5}
out=$root/build/bench/display
mkdir -p "$out"
gcc -O2 -Wall -o "$out/boottime" tests/bench/boottime.c || exit 2
make -s -C gen anx || exit 2

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# manifest NAME PLATFORM DEVICE INPUT: the bench image, written into $out
manifest() {
  cat >"$out/$1.yaml" <<YAML
name: $1
platform: $2
memory: 64M
display: {device: $3, width: 1280, height: 800, depth: 32}
modules: {console: {}, shell: {}, $4: {}, fbcon: {}}
test:
  - serial: "fbcon: first frame on fb0"
    timeout: 60s
  - shell: "displays bench 20"
    expect: "fb0: $3 1280x800 XRGB8888: 20 frames, fill [0-9]+ us/frame, flush [0-9]+ us/frame"
    timeout: 120s
  - shell: "poweroff 0"
    expect: "powering off"
  - exit: 0
YAML
}

# boots NAME PLATFORM MARKER: medians of RUNS launches, ms to MARKER
boots() {
  local log=$out/$1.$3.txt
  : >"$log"
  for _ in $(seq "$runs"); do
    "$out/boottime" --timeout 90 --send $'poweroff\n' "$3" -- gen/anx run "$out/$1.yaml" -p "$2" --display none \
      >>"$log" 2>/dev/null </dev/null || true
  done
  sed -n 's/.*ready_ms=\([0-9.]*\).*/\1/p' "$log" | median
}

printf '%-12s %-14s %10s %10s %12s %12s %8s\n' platform device "fill us" "flush us" "ready ms" "1st frame ms" "ratio"
while read -r plat dev input; do
  name=bench-display-$dev-${plat//_/-}
  manifest "$name" "$plat" "$dev" "$input"
  if ! gen/anx test "$out/$name.yaml" -p "$plat" >"$out/$name.test.txt" 2>&1; then
    printf '%-12s %-14s %s\n' "$plat" "$dev" "(failed: $out/$name.test.txt)"
    continue
  fi
  line=$(grep -ao 'fill [0-9]* us/frame, flush [0-9]* us/frame' "build/$name-$plat/console.log" | tail -n 1)
  fill=$(echo "$line" | awk '{ print $2 }')
  flush=$(echo "$line" | awk '{ print $5 }')
  ready=$(boots "$name" "$plat" "anunix: ready")
  frame=$(boots "$name" "$plat" "fbcon: first frame")
  printf '%-12s %-14s %10s %10s %12s %12s %8s\n' "$plat" "$dev" "$fill" "$flush" "$ready" "$frame" \
    "$(awk -v a="$frame" -v b="$ready" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
done <<'LIST'
x86_64-pc bochs-display ps2
x86_64-pc virtio-gpu virtio-input
arm64-virt bochs-display virtio-input
arm64-virt virtio-gpu virtio-input
arm64-virt ramfb virtio-input
LIST
echo "runs per boot figure: $runs (medians); accelerator: TCG; ratio = first frame / serial ready of the same image"
