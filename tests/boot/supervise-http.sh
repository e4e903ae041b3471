#!/usr/bin/env bash
# Supervision under HTTP load (tests/boot/supervise-http.yaml,
# docs/supervision.md): 15 requests that fault in their connection's
# thread (page faults, invalid instructions, failed assertions) while a
# client keeps fetching a page. Each faulting request's connection closes
# without an answer; every other request is answered; the connection
# slots come back (anx_http_connections_active 0); /metrics counts 15 jobs
# failed and contained; their buffers are freed (the heap in use does not
# grow by 1 KiB per failure). Then a
# panic, which no supervisor contains, powers the image off with status 3.
# Usage: tests/boot/supervise-http.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out supervise-http
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening" tests/boot/supervise-http.yaml -p "$platform" "${boot[@]}" \
    --port "$port:8080" ||
    { echo "FAIL the image did not start:"; tail -n 20 "$log"; exit 1; }
base=http://127.0.0.1:$port

metric() { curl -s "$base/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
check "the page is served before any fault" sh -c "curl -sf '$base/' | grep -q 'Welcome to Anunix'"
heap0=$(metric anx_heap_in_use_bytes)

# a steady client beside the faults
( ok=0 bad=0
  for _ in $(seq 1 60); do
    if curl -sf --max-time 10 "$base/" | grep -q 'Welcome to Anunix'; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  done
  echo "$ok $bad" >"$out/steady.txt" ) &
steady=$!

kinds=(pagefault ud assert)
empty=0 other=""
for i in $(seq 0 14); do
  kind=${kinds[$((i % 3))]}
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$base/api/v1/fault/$kind")
  rc=$?
  # 52: empty reply, 56: reset: the connection ended without an answer
  if [ "$code" = 000 ] && { [ $rc = 52 ] || [ $rc = 56 ]; }; then empty=$((empty + 1)); else other+=" $kind:$rc:$code"; fi
done
wait "$steady"
read -r ok bad <"$out/steady.txt"
check "15 faulting requests: each connection closed without an answer (got $empty;$other)" [ "$empty" = 15 ]
check "  a client fetching beside them: 60 of 60 answered ($ok ok, $bad failed)" [ "$ok" = 60 ]
check "  the page is still served" sh -c "curl -sf '$base/' | grep -q 'Welcome to Anunix'"
check "  15 contained failures in the log" [ "$(grep -c "contained: only thread 'http' ends" "$log")" = 15 ]
jobs=$(metric anx_jobs_failed_total) contained=$(metric anx_failures_contained_total)
check "  /metrics: anx_jobs_failed_total 15, anx_failures_contained_total 15 ($jobs, $contained)" \
    [ "$jobs" = 15 ] && [ "$contained" = 15 ]
sleep 0.5
active=$(metric anx_http_connections_active)
# the /metrics request itself is the one active connection
check "  every failed connection's slot came back (active $active)" [ "$active" = 1 ]
heap1=$(metric anx_heap_in_use_bytes)
kept=$(( (heap1 - heap0) / 15 ))
check "  the failed connections' memory was freed: heap $heap0 before, $heap1 after ($kept bytes per failure)" \
    [ "$kept" -lt 1024 ]
check "  the listener survives: 16 more requests answered" \
    sh -c "for i in \$(seq 1 16); do curl -sf --max-time 10 '$base/' >/dev/null || exit 1; done"

curl -s -o /dev/null --max-time 10 -X POST "$base/api/v1/fault/panic"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "a panic is not contained: the image powers off with status 3" \
    grep -q "powering off (status 3)" "$log"
grep -q "contained: only thread 'http' ends" "$log" || tail -n 30 "$log"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
