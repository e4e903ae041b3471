#!/usr/bin/env bash
# Too little RAM for the image: the inference appliance (a ~4 MiB image)
# booted with -m 4M (x86; arm64 virt: 5M, as QEMU refuses a kernel larger
# than the RAM) must say so on the console and exit with status 1:
#   anunix: only 4096 KiB of RAM; this image needs at least N KiB (memory: NM or more)
# where it used to triple-fault (x86) or hang (arm64) without a word. QEMU
# is run here directly: `anx build`/`anx test` refuse such a manifest before
# it boots (the generator's memory check); this is the guest's own check,
# for images booted some other way.
# Usage: tests/boot/memory-small.sh [PLATFORM]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
out=$root/build/test/memory-small-$tag
mkdir -p "$root/build/test"
./gen/anx build manifests/inference.yaml -p "$platform" -o "$out" >"$out.build.log" 2>&1 ||
  { cat "$out.build.log"; echo "memory-small: build failed"; exit 1; }
img=$out/image.elf
common=(-accel tcg -cpu max -smp 1 -no-reboot -display none -serial stdio -monitor none)
case $platform in
  x86_64-pc)      mem=4M; want=4096; cmd=(qemu-system-x86_64 -M q35 -m $mem "${common[@]}"
                    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios /usr/share/qemu/qboot.rom
                    -kernel "$img" -append "") ;;
  x86_64-microvm) mem=4M; want=4096; cmd=(qemu-system-x86_64 -M microvm,acpi=off,x-option-roms=off,rtc=on
                    -m $mem "${common[@]}" -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$img" -append "") ;;
  arm64-virt)     mem=5M; want=5120; cmd=(qemu-system-aarch64 -M virt,secure=off,gic-version=3 -m $mem
                    "${common[@]}" -semihosting-config enable=on,target=native -kernel "$img"
                    -append "anx.semihosting=1") ;;
  *) echo "memory-small: no QEMU line for $platform"; exit 2 ;;
esac
console=$(timeout 30 "${cmd[@]}" </dev/null 2>&1)
rc=$?
echo "$console" | tail -n 5
# the guest's status 1: isa-debug-exit makes QEMU exit with (1 << 1) | 1
expect_rc=1
[[ $platform == x86_64-* ]] && expect_rc=3
if ! echo "$console" | grep -qE "^anunix: only $want KiB of RAM; this image needs at least [0-9]+ KiB \(memory: [0-9]+M or more\)"; then
  echo "memory-small: $platform with -m $mem: the message is missing"; exit 1
fi
if [ $rc -ne $expect_rc ]; then
  echo "memory-small: $platform with -m $mem: QEMU exited with $rc, expected $expect_rc (guest status 1)"; exit 1
fi
echo "memory-small: ok: $platform with -m $mem says how much it needs and exits with status 1"
