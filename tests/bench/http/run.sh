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
conns=(4 32 128)

# The network: "user" (QEMU's user network, a host forward to port 8080)
# or "tap" (a tap device in the namespace $ns, holding 10.0.2.2 as QEMU's
# user network does; QEMU, curl and wrk run in the namespace). Both guests
# have the static address 10.0.2.15.
net=user ns=anx-bench-$$ tap=anxbench0
netdev() {
  if [ "$net" = user ]; then
    echo -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:8080" -device virtio-net-pci,netdev=net0
  else
    echo -netdev "tap,id=net0,ifname=$tap,script=no,downscript=no" -device virtio-net-pci,netdev=net0
  fi
}
url() { if [ "$net" = user ]; then echo "http://127.0.0.1:$port/"; else echo "http://10.0.2.15:8080/"; fi; }
in_net() { if [ "$net" = user ]; then "$@"; else ip netns exec "$ns" "$@"; fi; }

qemu_pid=""
stop() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null; qemu_pid=""; }
trap 'stop; ip netns del "$ns" 2>/dev/null' EXIT

# launch QEMU-ARGS...: starts QEMU (qemu_pid); first_ms = ms until GET / answers 200
launch() {
  local t0 t
  first_ms="-"
  t0=$(date +%s%N)
  local q=(qemu-system-x86_64 -M q35 -accel tcg -cpu max -smp 1 -no-reboot -display none
           -serial "file:$out/console.log" -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04)
  # shellcheck disable=SC2046
  q+=($(netdev) "$@")
  # a plain command in the background (not a function: that would be a
  # subshell, and stop would kill the subshell and leave QEMU running)
  if [ "$net" = user ]; then "${q[@]}" & else ip netns exec "$ns" "${q[@]}" & fi
  qemu_pid=$!
  for _ in $(seq 1 3000); do
    if [ "$(in_net curl -s -o /dev/null -w '%{http_code}' --max-time 0.2 "$(url)")" = 200 ]; then
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

# bench NAME QEMU-ARGS...: result="first_ms" then "req/s p99 max" per conns
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
  for c in "${conns[@]}"; do
    local f=$out/$name-$net-c$c.txt
    in_net wrk -t2 -c"$c" -d"${dur}s" --latency "$(url)" >"$f" 2>&1
    res+=("$(awk '/^Requests\/sec:/ { r = $2 } $1 == "99%" { p = $2 } $1 == "Latency" && $2 != "Distribution" { m = $4 }
                  END { printf "%s %s %s", r ? r : "-", p ? p : "-", m ? m : "-" }' "$f")")
  done
  stop
  result="${res[*]}"
}

# ---- the guests ---------------------------------------------------------------
gen/anx build tests/bench/http/web-bench.yaml >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
img=build/web-bench-x86_64-pc/image.elf
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
linux_note=""
if [ -z "$kernel" ] || [ ! -x /bin/busybox ]; then
  linux_note="TODO: Linux baseline skipped: needs linux-image-amd64 and busybox-static (scripts/packages-bench.txt)"
  kernel=""
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
fi

# run_both: the table of one network
run_both() {
  bench anunix -m 64M -bios /usr/share/qemu/qboot.rom -kernel "$img" -append ""
  local anx=$result linux
  linux="- $(printf -- '- - - %.0s' "${conns[@]}")"
  if [ -n "$kernel" ]; then
    bench linux -m 256M -kernel "$kernel" -initrd "$out/initramfs.gz" -append "console=ttyS0 quiet"
    linux=$result
  fi
  local label="QEMU's user network (127.0.0.1 forward)"
  [ "$net" = tap ] && label="a tap device in a network namespace (wrk beside it)"
  echo "HTTP over $label: TCG, q35, virtio-net (anunix 64M, linux 256M); GET / (612-byte page), keep-alive; ${dur}s per wrk run"
  printf '%-8s %12s' "" "first answer"
  for c in "${conns[@]}"; do printf ' %10s %9s %9s' "req/s c=$c" "p99" "max"; done
  echo
  for row in "anunix $anx" "linux $linux"; do
    set -- $row
    printf '%-8s %9s ms' "$1" "$2"
    shift 2
    for _ in "${conns[@]}"; do printf ' %10s %9s %9s' "$1" "$2" "$3"; shift 3; done
    echo
  done
  local a=($anx) l=($linux) r="" k=1
  for c in "${conns[@]}"; do
    r+=" req/s c=$c $(ratio "${a[$k]}" "${l[$k]}"),"
    k=$((k + 3))
  done
  echo "ratios (anunix vs linux):$r time to first answer $(ratio "${l[0]}" "${a[0]}") faster"
  echo
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }

net=user
run_both
if [ "$(id -u)" = 0 ] && ip netns add "$ns" 2>/dev/null &&
   ip -n "$ns" tuntap add dev "$tap" mode tap 2>/dev/null; then
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add 10.0.2.2/24 dev "$tap"
  ip -n "$ns" link set "$tap" up
  net=tap
  run_both
else
  echo "tap: skipped (needs root, network namespaces and /dev/net/tun)"
fi
[ -n "$linux_note" ] && echo "$linux_note"
echo "wrk output: $out/{anunix,linux}-{user,tap}-c{4,32,128}.txt"
