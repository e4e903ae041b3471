#!/usr/bin/env bash
# HTTP benchmark: the web appliance (tests/bench/http/web-bench.yaml, i.e.
# manifests/web.yaml without the access log) against a minimal Linux VM
# (Debian's kernel + busybox httpd in an initramfs), same QEMU machine
# (q35), accelerator (TCG, -cpu max), virtio-net and user network
# with a host forward, in the same run:
# Memory differs: the image gets its manifest's 64M; Debian's kernel does
# not boot its initramfs in 64M, so Linux gets 256M.
#   - time from QEMU launch to the first successful HTTP answer (median of
#     BOOTS launches; curl polls every 20 ms);
#   - wrk, keep-alive, 4 and 32 connections, DURATION seconds each, on the
#     612-byte page: requests/s and p99 latency.
# Prints a table and the ratios; never pass/fail.
# Usage: tests/bench/http/run.sh [DURATION_S [BOOTS]]   (default 10 s, 3 boots)
# Needs: wrk, curl, busybox-static, linux-image-amd64 (scripts/packages.txt).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
dur=${1:-10}
boots=${2:-3}
out=$root/build/bench/http
mkdir -p "$out"
port=${ANX_BENCH_PORT:-$((20000 + RANDOM % 20000))}
for t in wrk curl qemu-system-x86_64; do
  command -v $t >/dev/null || { echo "missing $t (scripts/setup.sh installs it)"; exit 2; }
done

qemu_common=(qemu-system-x86_64 -M q35 -accel tcg -cpu max -smp 1 -no-reboot -display none
             -serial "file:$out/console.log" -monitor none
             -device isa-debug-exit,iobase=0xf4,iosize=0x04
             -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:8080" -device virtio-net-pci,netdev=net0)

qemu_pid=""
stop() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null; qemu_pid=""; }
trap stop EXIT

# launch QEMU-ARGS...: starts QEMU (qemu_pid); first_ms = ms until GET / answers 200
launch() {
  local t0 t
  first_ms="-"
  t0=$(date +%s%N)
  "${qemu_common[@]}" "$@" &
  qemu_pid=$!
  for _ in $(seq 1 3000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 0.2 "http://127.0.0.1:$port/")" = 200 ]; then
      t=$(date +%s%N)
      first_ms=$(((t - t0) / 1000000))
      return 0
    fi
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.02
  done
  return 1
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# bench NAME QEMU-ARGS...: result="first_ms rps4 p99_4 rps32 p99_32"
bench() {
  local name=$1; shift
  local firsts=()
  for i in $(seq 1 "$boots"); do
    launch "$@"
    firsts+=("$first_ms")
    if [ "$i" -lt "$boots" ]; then stop; fi
  done
  local first
  first=$(printf '%s\n' "${firsts[@]}" | grep -v -- - | median)
  local res=("$first")
  for c in 4 32; do
    wrk -t2 -c"$c" -d"${dur}s" --latency "http://127.0.0.1:$port/" >"$out/$name-c$c.txt" 2>&1
    local rps p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out/$name-c$c.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$out/$name-c$c.txt")
    res+=("${rps:--}" "${p99:--}")
  done
  stop
  result="${res[*]}"
}

# ---- the image --------------------------------------------------------------
gen/anx build tests/bench/http/web-bench.yaml >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
img=build/web-bench-x86_64-pc/image.elf
bench anunix -m 64M -bios /usr/share/qemu/qboot.rom -kernel "$img" -append ""
anx=$result

# ---- the Linux baseline -----------------------------------------------------
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
linux="- - - - -"
linux_note=""
if [ -z "$kernel" ] || [ ! -x /bin/busybox ]; then
  linux_note="TODO: Linux baseline skipped: needs linux-image-amd64 and busybox-static (scripts/packages.txt)"
else
  kver=${kernel#/boot/vmlinuz-}
  ird=$out/initramfs
  rm -rf "$ird"
  mkdir -p "$ird"/{bin,proc,sys,dev,www,lib/modules}
  cp /bin/busybox "$ird/bin/"
  for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
    f=$(find "/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$f" ] && cp "$f" "$ird/lib/modules/"
  done
  cp examples/web/index.html "$ird/www/index.html"
  cat >"$ird/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
  insmod /lib/modules/$m.ko* 2>/dev/null
done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
httpd -p 8080 -h /www
echo READY
while true; do sleep 3600; done
INIT
  chmod +x "$ird/init"
  (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"
  bench linux -m 256M -kernel "$kernel" -initrd "$out/initramfs.gz" -append "console=ttyS0 quiet"
  linux=$result
fi

read -r a_first a_r4 a_p4 a_r32 a_p32 <<<"$anx"
read -r l_first l_r4 l_p4 l_r32 l_p32 <<<"$linux"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }
echo "HTTP benchmark: TCG, q35, virtio-net, user network (anunix 64M, linux 256M); GET / (612-byte page), keep-alive; ${dur}s per wrk run"
printf '%-10s %14s %14s %10s %14s %10s\n' "" "first answer" "req/s c=4" "p99 c=4" "req/s c=32" "p99 c=32"
printf '%-10s %12s ms %14s %10s %14s %10s\n' "anunix" "$a_first" "$a_r4" "$a_p4" "$a_r32" "$a_p32"
printf '%-10s %12s ms %14s %10s %14s %10s\n' "linux" "$l_first" "$l_r4" "$l_p4" "$l_r32" "$l_p32"
echo "ratios (anunix vs linux): req/s c=4 $(ratio "$a_r4" "$l_r4"), req/s c=32 $(ratio "$a_r32" "$l_r32"), time to first answer $(ratio "$l_first" "$a_first") faster"
[ -n "$linux_note" ] && echo "$linux_note"
echo "wrk output: $out/*-c4.txt, $out/*-c32.txt"
