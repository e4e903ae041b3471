#!/usr/bin/env bash
# The disk of a running appliance is locked: manifests/store.yaml runs
# (anx run) on a disk and stores an object over HTTP; meanwhile `anx store
# put` and a second `anx test` on that disk must refuse with "disk in use by
# anx (pid N) and qemu-system-... (pid N)" and leave it alone. After
# anx run is stopped (SIGTERM), the host tool gets in, finds the disk clean
# and reads the object the guest acknowledged.
# Usage: tests/boot/store-lock.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out store-lock
gen/anx build manifests/store.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
make -s -C tools/store || exit 1
store=$root/build/host/anx-store
disk=$out/disk.img
port=$(free_port)
mkfifo "$out/stdin"
gen/anx run manifests/store.yaml -p "$platform" "${boot[@]}" --port "$port:8080" --disk "$disk" --disk-size 16M \
    <"$out/stdin" >"$out/run.log" 2>&1 &
anx_pid=$!
exec 9>"$out/stdin"
code=""
for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X PUT -H 'Content-Type: text/plain' \
        --data-binary 'written by the guest' "http://127.0.0.1:$port/api/v1/objects/notes/locked")
    case $code in 200|201) break ;; esac
    kill -0 "$anx_pid" 2>/dev/null || break
    sleep 0.1
done
case $code in 200|201) echo "guest PUT notes/locked: $code" ;; *) fail "the appliance did not store the object (HTTP '$code')"; tail -20 "$out/run.log" ;; esac
echo "== anx store put while the appliance runs"
echo "written by the host" >"$out/note"
before=$(sha256sum "$disk")
"$store" put "$disk" notes/host "$out/note" 2>&1 | tee "$out/put.log"
rc=${PIPESTATUS[0]}
[ $rc -eq 1 ] || fail "anx store put: exit $rc, expected 1"
grep -q "disk in use by anx (pid $anx_pid) and qemu-system-[a-z0-9_]* (pid [0-9]*)" "$out/put.log" ||
    fail "anx store put does not name anx and QEMU"
echo "== a second anx test on the same disk"
gen/anx test manifests/store.yaml -p "$platform" "${boot[@]}" --disk "$disk" >"$out/test.log" 2>&1
rc=$?
grep 'disk in use' "$out/test.log"
[ $rc -eq 1 ] && grep -q "disk in use by anx (pid $anx_pid) and qemu-system" "$out/test.log" && ! grep -q '  boot ' "$out/test.log" ||
    fail "the second anx test: exit $rc: $(cat "$out/test.log")"
[ "$(sha256sum "$disk")" = "$before" ] || echo "(the guest wrote meanwhile; that is its right)"
kill -TERM "$anx_pid"
wait "$anx_pid"
exec 9>&-
echo "== after anx run stopped"
"$store" check "$disk" || fail "anx store check after the stop"
[ "$("$store" get "$disk" notes/locked)" = "written by the guest" ] || fail "the guest's object is not on the disk"
"$store" put "$disk" notes/host "$out/note" || fail "anx store put after the stop"
[ $fails = 0 ] && echo "store-lock: ok" || echo "store-lock: $fails failures"
[ $fails = 0 ]
