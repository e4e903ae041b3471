#!/usr/bin/env bash
# Boot test of `anx export libvirt`: the web appliance (manifests/web.yaml)
# exported as a libvirt domain, checked with virt-xml-validate, defined and
# started with `virsh -c qemu:///session` (domain type qemu: TCG), asked over
# HTTP through its forwarded port, then destroyed and undefined (also when
# the script fails or is stopped: a trap).
#   tests/boot/libvirt.sh [PLATFORM [MODE]]     (default x86_64-pc)
# Skips (exit 77) when libvirt is not installed (Debian: libvirt-daemon,
# libvirt-daemon-driver-qemu, libvirt-clients; scripts/packages.txt).
#
# The session daemon is this test's own: libvirt starts one for the user on
# the first virsh call, keeping its socket, state and logs under
# XDG_RUNTIME_DIR, XDG_CONFIG_HOME and XDG_CACHE_HOME, which point into a
# fresh folder; the trap stops it. As root, qemu:///session is the system
# daemon's socket (libvirt gives root no session daemon), which a test must
# neither need nor touch: so as root the virsh calls run as the unprivileged
# user nobody (setpriv), and everything the domain reads is world-readable.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
manifest=manifests/web.yaml
me="libvirt.sh $tag"

for tool in virsh libvirtd virt-xml-validate xmllint; do
  if ! command -v "$tool" >/dev/null; then
    echo "skip  $me: $tool is not installed (Debian: libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients, libxml2-utils)"
    exit 77
  fi
done
if ! ls /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so >/dev/null 2>&1; then
  echo "skip  $me: libvirt's QEMU driver is not installed (Debian: libvirt-daemon-driver-qemu)"
  exit 77
fi

fresh_out libvirt   # build/test/libvirt-TAG: the build, the XML, the logs
chmod 755 "$out"
port=$(free_port)
# a short path: the daemon's sockets live under it (108 bytes at most)
sess=$(mktemp -d /tmp/anx-libvirt.XXXXXX)
user=()
if [ "$(id -u)" = 0 ]; then
  user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  chown 65534:65534 "$sess"
fi
chmod 700 "$sess"
mkdir -p "$sess/run"
[ ${#user[@]} = 0 ] || chown -R 65534:65534 "$sess"
virsh_bin=$(command -v virsh)
# only virsh (and the daemon it starts) sees the session's folders: anx
# keeps reading its third-party trees from the usual cache
virsh() {
  "${user[@]}" env HOME="$sess" XDG_RUNTIME_DIR="$sess/run" XDG_CONFIG_HOME="$sess/config" \
    XDG_CACHE_HOME="$sess/cache" "$virsh_bin" -q -c qemu:///session "$@"
}

cleanup() {
  virsh destroy web >/dev/null 2>&1
  virsh undefine web >/dev/null 2>&1
  # the session daemon and its log daemon, by the pids they wrote
  local f
  for f in "$sess/run/libvirt/libvirtd.pid" "$sess/run/libvirt/virtlogd.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  rm -rf "$sess"
}
trap cleanup EXIT
# a signal (anx matrix's timeout, Ctrl-C) ends the script through exit, so
# the EXIT trap runs: the domain's QEMU belongs to the daemon, not to this
# process group, and would otherwise outlive the test
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 130' INT

xml=$out/web.xml
console=$sess/console.log
if ! gen/anx export libvirt "$manifest" -p "$platform" "${boot[@]}" --port "$port:8080" --out-dir "$out/build" \
    --console-log "$console" -o "$xml" >"$out/export.log" 2>&1; then
  cat "$out/export.log"; echo "FAIL anx export libvirt $manifest"; exit 1
fi
chmod -R a+rX "$out"
validate() { virt-xml-validate "$xml" domain >"$out/validate.log" 2>&1 || { cat "$out/validate.log"; false; }; }
check "the XML is a valid libvirt domain (virt-xml-validate)" validate
has() { grep -q "$1" "$xml"; }
check "domain type qemu (TCG), memory and vcpus from the manifest" \
  eval 'has "<domain type=.qemu." && has "<memory unit=.MiB.>64</memory>" && has "<vcpu>1</vcpu>"'
check "the port forward is on the QEMU command line" grep -q "hostfwd=tcp:127.0.0.1:$port-:8080" "$xml"

if ! virsh define "$xml" >"$out/virsh.log" 2>&1; then
  cat "$out/virsh.log"; echo "FAIL virsh define"; echo "$passes passed, $((fails + 1)) failed"; exit 1
fi
echo "ok   virsh define"
passes=$((passes + 1))
if ! virsh start web >>"$out/virsh.log" 2>&1; then
  cat "$out/virsh.log" "$sess/cache/libvirt/qemu/log/web.log" 2>/dev/null | tail -n 30
  echo "FAIL virsh start"; echo "$passes passed, $((fails + 1)) failed"; exit 1
fi
echo "ok   virsh start"
passes=$((passes + 1))

# TCG boots in well under a second on x86; give a loaded machine a minute
answer=""
for _ in $(seq 1 600); do
  answer=$(curl -s -m 2 "http://127.0.0.1:$port/" 2>/dev/null) && [ -n "$answer" ] && break
  [ "$(virsh domstate web 2>/dev/null)" = running ] || break
  sleep 0.1
done
check "GET / through the domain's forwarded port answers the site" grep -q "Welcome to Anunix!" <<<"$answer"
check "GET /api/v1/health answers ok" \
  grep -q '"status": "ok"' <<<"$(curl -s -m 5 "http://127.0.0.1:$port/api/v1/health")"
check "the serial console is logged (anunix: ready)" grep -q "anunix: ready" "$console"
check "virsh domstate: running" test "$(virsh domstate web)" = running
cp "$console" "$out/console.log" 2>/dev/null

virsh destroy web >>"$out/virsh.log" 2>&1
check "virsh destroy stops QEMU (domstate: shut off)" test "$(virsh domstate web)" = "shut off"
virsh undefine web >>"$out/virsh.log" 2>&1
check "virsh undefine removes the domain" test -z "$(virsh list --all --name | tr -d '[:space:]')"
if [ $fails != 0 ]; then
  echo "--- console:"; tail -n 20 "$out/console.log" 2>/dev/null
  echo "--- libvirt's QEMU log:"; tail -n 20 "$sess/cache/libvirt/qemu/log/web.log" 2>/dev/null
fi
echo "$passes passed, $fails failed"
[ $fails = 0 ]
