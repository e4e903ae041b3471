#!/usr/bin/env bash
# Object store benchmark: put and get throughput and latency for 4 KiB and
# 1 MiB objects, against a Linux VM writing files with fsync on the same
# disk setup, in the same run:
#   - anunix over HTTP: tests/bench/store/store-bench.yaml (manifests/store.yaml
#     without the access log), http_client.c on one keep-alive connection:
#     N PUTs of distinct contents to one name (each answered once durable),
#     then N GETs of those versions (?version=K);
#   - anunix C API in the guest: the shell's `store bench N SIZE`
#     (os_write N versions, then os_read each; modules/objstore/commands.c);
#   - linux: Debian's kernel + busybox in an initramfs, the disk formatted
#     ext2 on the host (mke2fs; STORE_BENCH_FS=ext4 for a journalled one),
#     linux_fsync.c (static): open/write/fsync/close + fsync of the directory
#     per file, then drop_caches and read every file back.
# Same QEMU machine (q35), TCG (-cpu max, 1 CPU, 256M), raw 256M disk file on
# virtio-blk-pci with QEMU's default cache mode (a guest flush is a host
# fdatasync). Prints a table and the ratios; never pass/fail.
# Usage: tests/bench/store/run.sh [N_4K [N_1M]]   (default 300 and 32 objects)
# Needs: curl, qemu-system-x86_64, e2fsprogs, busybox-static, linux-image-amd64.
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
n4k=${1:-300}
n1m=${2:-32}
fs=${STORE_BENCH_FS:-ext2}
out=$root/build/bench/store
mkdir -p "$out"
port=${ANX_BENCH_PORT:-$((20000 + RANDOM % 20000))}
for t in curl qemu-system-x86_64 cc; do
  command -v $t >/dev/null || { echo "missing $t (scripts/setup.sh installs it)"; exit 2; }
done
cc -O2 -Wall -o "$out/http_client" tests/bench/store/http_client.c || exit 1

qemu_common=(qemu-system-x86_64 -M q35 -accel tcg -cpu max -smp 1 -m 256M -no-reboot -display none
             -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04
             -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:8080" -device virtio-net-pci,netdev=net0
             -drive "file=$out/disk.img,if=none,id=disk0,format=raw" -device virtio-blk-pci,drive=disk0)
qemu_pid=""
stop() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null; qemu_pid=""; }
trap stop EXIT

# wait_for FILE REGEX SECONDS
wait_for() {
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$qemu_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# field LINE-PREFIX FIELD FILE...: ops | mib | p50 | p99 from a result line
field() {
  grep -h -- "^$1" "${@:3}" 2>/dev/null | tail -1 | awk -v f="$2" '{
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) == "ops/s,") ops = $i; if ($(i + 1) == "MiB/s,") mib = $i
      if ($i == "p50") p50 = $(i + 1); if ($i == "p99") p99 = $(i + 1) }
    v = (f == "ops") ? ops : (f == "mib") ? mib : (f == "p50") ? p50 : p99
    print (v == "") ? "-" : v }'
}

# ---- anunix: HTTP, then the C API through the shell ---------------------------
gen/anx build tests/bench/store/store-bench.yaml >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
img=build/store-bench-x86_64-pc/image.elf
rm -f "$out/disk.img" "$out/serial.in"
truncate -s 256M "$out/disk.img"            # blank: the store formats it at boot
mkfifo "$out/serial.in"
"${qemu_common[@]}" -serial stdio -bios /usr/share/qemu/qboot.rom -kernel "$img" -append "" \
  <"$out/serial.in" >"$out/anunix-console.log" 2>&1 &
qemu_pid=$!
exec 3>"$out/serial.in"
: >"$out/anunix-http.txt"
if wait_for "$out/anunix-console.log" "objstore: disk0" 60 &&
   until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/api/v1/objects")" = 200 ]; do
     kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done; then
  "$out/http_client" "$port" bench-http/4k 4096 "$n4k" >>"$out/anunix-http.txt"
  "$out/http_client" "$port" bench-http/1m 1048576 "$n1m" >>"$out/anunix-http.txt"
  printf 'store bench %s 4096\n' "$n4k" >&3
  wait_for "$out/anunix-console.log" "bench get 4096 " 600
  printf 'store bench %s 1048576\n' "$n1m" >&3
  wait_for "$out/anunix-console.log" "bench get 1048576 " 600
  printf 'store df\n' >&3
  sleep 0.5
else
  echo "anunix: the store did not come up (see $out/anunix-console.log)"
fi
exec 3>&-
stop
rm -f "$out/serial.in"

# ---- the Linux baseline ----------------------------------------------------------
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
linux_note=""
: >"$out/linux-console.log"
if [ -z "$kernel" ] || [ ! -x /bin/busybox ] || ! command -v mke2fs >/dev/null; then
  linux_note="TODO: Linux baseline skipped: needs linux-image-amd64, busybox-static and e2fsprogs"
else
  kver=${kernel#/boot/vmlinuz-}
  ird=$out/initramfs
  rm -rf "$ird"
  mkdir -p "$ird"/{bin,proc,sys,dev,mnt,lib/modules}
  cp /bin/busybox "$ird/bin/"
  cc -O2 -static -Wall -o "$ird/bin/linux_fsync" tests/bench/store/linux_fsync.c || exit 1
  mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net virtio_blk crc16 mbcache jbd2 crc32c_generic crc32c-intel libcrc32c ext4"
  for m in $mods; do
    f=$(find "/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$f" ] && cp "$f" "$ird/lib/modules/"
  done
  cat >"$ird/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $mods; do
  insmod /lib/modules/\$m.ko* 2>/dev/null
done
sleep 0.5
mount -t $fs /dev/vda /mnt || echo "linux: mount failed"
echo "linux: $fs on virtio-blk mounted"
/bin/linux_fsync /mnt 4096 $n4k
/bin/linux_fsync /mnt 1048576 $n1m
umount /mnt
echo BENCH-DONE
poweroff -f
INIT
  chmod +x "$ird/init"
  (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"
  rm -f "$out/disk.img"
  truncate -s 256M "$out/disk.img"
  mke2fs -F -q -t "$fs" "$out/disk.img"
  "${qemu_common[@]}" -serial "file:$out/linux-console.log" -kernel "$kernel" -initrd "$out/initramfs.gz" \
    -append "console=ttyS0 quiet" 2>"$out/linux-qemu-stderr.log" &
  qemu_pid=$!
  wait_for "$out/linux-console.log" BENCH-DONE 900 || linux_note="linux: no result (see $out/linux-console.log)"
  stop
fi
rm -f "$out/disk.img"

# ---- report ---------------------------------------------------------------------
ac=$out/anunix-console.log ah=$out/anunix-http.txt lc=$out/linux-console.log
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }
echo "Object store benchmark: TCG, q35, 1 CPU, 256M, raw 256M disk on virtio-blk-pci; $n4k x 4 KiB and $n1m x 1 MiB objects"
echo "(anunix: versions of one name, acknowledged once durable; linux: $fs, a file each, fsync file + directory)"
printf '%-26s %12s %10s %10s %10s\n' "" "ops/s" "MiB/s" "p50 us" "p99 us"
for sz in 4096 1048576; do
  for op in put get; do
    for who in "anunix http|http $op $sz |$ah" "anunix C API|bench $op $sz |$ac" "linux fsync files|linux $op $sz |$lc"; do
      IFS='|' read -r label pre file <<<"$who"
      [ "$sz" = 4096 ] && s=4K || s=1M
      printf '%-26s %12s %10s %10s %10s\n' "$op $s $label" "$(field "$pre" ops "$file")" "$(field "$pre" mib "$file")" \
        "$(field "$pre" p50 "$file")" "$(field "$pre" p99 "$file")"
    done
  done
done
echo "ratios (ops/s, anunix vs linux; >1 = anunix faster):"
for sz in 4096 1048576; do
  for op in put get; do
    l=$(field "linux $op $sz " ops "$lc")
    printf '  %s %-8s C API %s, HTTP %s\n' "$op" "$([ $sz = 4096 ] && echo 4K || echo 1M)" \
      "$(ratio "$(field "bench $op $sz " ops "$ac")" "$l")" "$(ratio "$(field "http $op $sz " ops "$ah")" "$l")"
  done
done
[ -n "$linux_note" ] && echo "$linux_note"
echo "logs: $out/anunix-console.log $out/anunix-http.txt $out/linux-console.log"
