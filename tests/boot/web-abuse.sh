#!/usr/bin/env bash
# Boot test of httpd under abuse: boots tests/boot/web-abuse.yaml with
# `anx run`, runs tests/boot/http_abuse.c against it (malformed, oversized,
# pipelined, slow, abruptly closed and 48 concurrent connections, then a
# normal request) and checks the image is still alive and fault-free.
#   tests/boot/web-abuse.sh [PLATFORM [MODE]]     (default x86_64-pc)
# Prints the client's lines and "N passed, N failed"; exit 0 when all pass.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
manifest=tests/boot/web-abuse.yaml
port=${ANX_ABUSE_PORT:-$(free_port)}
fresh_out web-abuse   # build/test/web-abuse-TAG: the client, the build and console logs
client=$out/http_abuse
gcc -O2 -Wall -o "$client" tests/boot/http_abuse.c || { echo "FAIL build http_abuse"; exit 1; }
gen/anx build "$manifest" -p "$platform" >"$out/web-abuse-build.log" 2>&1 ||
  { cat "$out/web-abuse-build.log"; echo "FAIL build $manifest"; exit 1; }
log=$out/web-abuse-console.log
start_image "$log" "httpd: listening" "$manifest" -p "$platform" "${boot[@]}" --port "$port:8080"
"$client" "$port" 2   # the manifest's header_timeout; its idle_timeout (30s) outlasts opening 48 connections
rc=$?
if ! kill -0 $pid 2>/dev/null; then
  echo "FAIL the image died; console:"; tail -n 30 "$log"; exit 1
fi
grep -q "panic\|fault" "$log" && { echo "FAIL the console reports a fault"; tail -n 30 "$log"; exit 1; }
exit $rc
