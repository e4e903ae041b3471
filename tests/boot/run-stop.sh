#!/usr/bin/env bash
# anx run against a real QEMU, as a supervisor or a closed terminal would
# end it: manifests/web.yaml boots with its port forwarded, answers HTTP,
# then `kill -TERM` (and, a second boot, `kill -HUP`) of anx run must take
# QEMU down with it ("anx: stopping QEMU (pid N): received SIGTERM"), leave
# no QEMU process and free the port. Then a port already in use stops anx
# run before boot with "port N is already in use by PROCESS (pid N)".
# Usage: tests/boot/run-stop.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out run-stop
gen/anx build manifests/web.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
mkfifo "$out/stdin"
port=$(free_port)
for sig in TERM HUP; do
    log=$out/run-$sig.log
    gen/anx run manifests/web.yaml -p "$platform" "${boot[@]}" --port "$port:8080" <"$out/stdin" >"$log" 2>&1 &
    anx_pid=$!
    exec 9>"$out/stdin"   # the console's input stays open, as a terminal's would
    up=0
    for _ in $(seq 1 600); do
        curl -s --max-time 1 "http://127.0.0.1:$port/api/v1/health" | grep -q '"status"' && { up=1; break; }
        kill -0 "$anx_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ $up = 1 ] || { fail "SIG$sig: web.yaml did not answer on port $port"; tail -20 "$log"; }
    echo "== kill -$sig anx run (pid $anx_pid)"
    kill -"$sig" "$anx_pid"
    wait "$anx_pid"
    rc=$?
    exec 9>&-
    qpid=$(sed -n "s/.*anx: stopping QEMU (pid \([0-9]*\)): received SIG$sig.*/\1/p" "$log")
    grep "anx: stopping QEMU" "$log"
    if [ -z "$qpid" ]; then
        fail "SIG$sig: no 'anx: stopping QEMU (pid N): received SIG$sig' (exit $rc)"
        tail -20 "$log"
    elif kill -0 "$qpid" 2>/dev/null; then
        fail "SIG$sig: QEMU (pid $qpid) still runs after anx run ended"
        kill -KILL "$qpid"
    fi
    [ $rc -ne 0 ] || fail "SIG$sig: anx run exited 0"
    if listening "$port"; then fail "SIG$sig: port $port still listening"; else echo "port $port free, anx run exit $rc"; fi
done
# a port in use: python3 holds it; anx run must not boot
python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do listening "$port" && break; sleep 0.05; done
gen/anx run manifests/web.yaml -p "$platform" "${boot[@]}" --port "$port:8080" </dev/null >"$out/busy.log" 2>&1
rc=$?
kill "$holder"
wait "$holder" 2>/dev/null
grep 'already in use' "$out/busy.log"
if [ $rc -ne 1 ] || ! grep -q "error: port $port is already in use by python3 (pid $holder); choose another with --port HOST:GUEST" "$out/busy.log" ||
    grep -q 'anx: booting' "$out/busy.log"; then
    fail "a port in use: exit $rc"
    cat "$out/busy.log"
fi
[ $fails = 0 ] && echo "run-stop: ok" || echo "run-stop: $fails failures"
[ $fails = 0 ]
