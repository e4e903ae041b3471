#!/usr/bin/env bash
# Crash test of the object store: the storage appliance
# (tests/boot/store-crash.yaml: objstore on a virtio-blk disk + httpd) on one
# disk file; a host client (tests/boot/store_crash_client.c) streams PUTs of
# versioned objects (3 names, 0..256 KiB, content a function of name+seq)
# over a keep-alive connection and logs every version the server
# acknowledged (2xx answer received in full); at a random moment (seeded,
# printed) QEMU gets SIGKILL. Then QEMU restarts on the same disk and the
# client verifies over HTTP: every acknowledged version (of every iteration
# on this disk) is listed with the id of its content, the contents written
# this iteration and the current versions read back byte for byte, every
# unacknowledged version visible is one the client sent (never torn or
# invented) and stays from then on, histories have no holes; QEMU is killed
# again (another crash, after the restart's checkpoint) and
# `anx-store check DISK` must report clean. The disk is kept across
# iterations and recreated when the store answers 507 (full); disks
# alternate between 8 MiB with mixed sizes (0..256 KiB, mostly small) and
# 2 MiB with tiny objects (0..600 bytes), whose 128 KiB journal fills under
# load, so kills also land around checkpoints and superblock switches.
# Usage: tests/boot/store-crash.sh [PLATFORM [COUNT [SEED]]]
#        (default x86_64-pc, 20 iterations - the boot matrix's share; `make
#        crash-test` runs 200 on each platform - seed from the clock)
# PLATFORM: x86_64-pc or x86_64-microvm. Exit 1 on any violation.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
count=${2:-20}
# tests/boot/run.sh passes a boot mode as $2 on some lines: direct boot only
case $count in ''|*[!0-9]*) [ "$count" = direct ] || { echo "store-crash: direct boot only"; exit 2; }; count=20 ;; esac
seed=${3:-$(( $(date +%s) % 100000 ))}
RANDOM=$seed
out=$root/build/test/store-crash-$tag
mkdir -p "$out"
disk=$out/crash-disk.img
log=$out/crash-acks.log
client=$out/store_crash_client
store=$root/build/host/anx-store
port=${ANX_CRASH_PORT:-$(free_port)}

make -s -C tools/store || exit 1
cc -O2 -Wall -Icore/include -o "$client" tests/boot/store_crash_client.c core/lib/sha256.c || exit 1
gen/anx build tests/boot/store-crash.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
img=$root/build/store-crash-$platform/image.elf

case $platform in
  x86_64-pc)
    qemu=(qemu-system-x86_64 -M q35 -accel tcg -cpu max -m 128M -smp 1
          -device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios /usr/share/qemu/qboot.rom
          -kernel "$img" -append '' -no-reboot -display none -monitor none
          -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:8080" -device virtio-net-pci,netdev=net0
          -drive "file=$disk,if=none,id=disk0,format=raw" -device virtio-blk-pci,drive=disk0) ;;
  x86_64-microvm)
    qemu=(qemu-system-x86_64 -M microvm,acpi=off,x-option-roms=off,rtc=on -accel tcg -cpu max -m 128M -smp 1
          -device isa-debug-exit,iobase=0xf4,iosize=0x04
          -kernel "$img" -append '' -no-reboot -display none -monitor none
          -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:8080" -device virtio-net-device,netdev=net0
          -drive "file=$disk,if=none,id=disk0,format=raw" -device virtio-blk-device,drive=disk0) ;;
  *) echo "store-crash: unsupported platform $platform"; exit 2 ;;
esac

qemu_pid=""
kill_qemu() { [ -n "$qemu_pid" ] && kill -KILL "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null; qemu_pid=""; }
trap kill_qemu EXIT

# boot CONSOLE: start QEMU on the disk, wait until the store answers (a name's
# history: 200 or 404; 503 while the disk store is still opening)
boot() {
  "${qemu[@]}" -serial "file:$1" 2>>"$out/qemu-stderr.log" &
  qemu_pid=$!
  for _ in $(seq 1 500); do
    case $(curl -s -o /dev/null -w '%{http_code}' --max-time 0.5 "http://127.0.0.1:$port/api/v1/objects/crash/a/versions") in
      200|404) return 0 ;;
    esac
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.02
  done
  return 1
}

fail() {
  echo "FAIL iteration $i (seed $seed): $*"
  echo "--- console, last boot:"; tail -n 30 "$out/console-verify.log" 2>/dev/null
  echo "--- console, killed boot:"; tail -n 15 "$out/console-put.log" 2>/dev/null
  violations=$((violations + 1))
}

echo "store-crash: platform $platform, $count iterations, seed $seed, port $port"
start=$(date +%s.%N)
violations=0 fresh=1 acked_total=0 disks=0
for i in $(seq 1 "$count"); do
  if [ $fresh = 1 ]; then
    rm -f "$disk" "$log"
    profile=$((disks % 2))
    truncate -s "$([ $profile = 1 ] && echo 2M || echo 8M)" "$disk"   # blank: formatted at the first boot
    : >"$log"
    fresh=0 disks=$((disks + 1))
  fi
  delay=$((200 + RANDOM % 1800))    # ms of writing before SIGKILL
  pseed=$RANDOM$RANDOM
  seq0=$((i * 1000000))
  t0=$(date +%s.%N)
  if ! boot "$out/console-put.log"; then fail "boot before the writes: store not answering"; kill_qemu; break; fi
  "$client" put "$port" "$log" "$seq0" "$pseed" "$profile" >"$out/put.out" 2>&1 &
  cpid=$!
  sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
  kill_qemu                          # SIGKILL
  wait "$cpid"; prc=$?
  [ $prc = 3 ] && fresh=1            # 507: the next iteration starts on a new disk
  if [ $prc != 0 ] && [ $prc != 3 ]; then fail "client: $(cat "$out/put.out")"; fi
  acked=$(awk -v s="$seq0" '$1 == "A" && $3 >= s' "$log" | wc -l)
  if ! boot "$out/console-verify.log"; then fail "restart: store not answering"; kill_qemu; break; fi
  if ! "$client" verify "$port" "$log" "$seq0" "$profile" >"$out/verify.out" 2>&1; then
    fail "$(grep -h VIOLATION "$out/verify.out" | head -5; grep -v VIOLATION "$out/verify.out" | tail -2)"
  fi
  kill_qemu                          # a second crash, after recovery
  if ! "$store" check "$disk" >"$out/check.out" 2>&1; then fail "anx-store check: $(tail -5 "$out/check.out")"; fi
  acked_total=$((acked_total + acked))
  printf 'iter %3d disk %d (%s) kill after %4d ms: %4d acked; %s; check: %s%s (%.1fs)\n' "$i" "$disks" \
    "$([ $profile = 1 ] && echo 2M/tiny || echo 8M/mixed)" "$delay" "$acked" \
    "$(sed -n 's/^verify: //p' "$out/verify.out")" "$(tail -1 "$out/check.out" | sed 's/^.*: //')" \
    "$([ $prc = 3 ] && echo ', store full: new disk next')" \
    "$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')"
done
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
echo "store-crash: $i iterations, $acked_total versions acknowledged, $disks disks, $violations violations, ${elapsed}s, seed $seed"
[ $violations = 0 ] && [ "$i" = "$count" ]
