#!/usr/bin/env bash
# Boot test of the browser's http: fetcher: serves
# tests/boot/browser_http_server.py on a free port P of 127.0.0.1 (the guest
# reaches it as 10.0.2.2:P) and runs `anx test` on
# tests/boot/browser-http.yaml with its port 18734 replaced by P (a copy in
# build/test/), then checks what the server saw: the cookie came back and
# the User-Agent is NetSurf's.
#   tests/boot/browser-http.sh [PLATFORM [MODE]]    (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
out=$root/build/test/browser-http-$tag
mkdir -p "$out"
rm -f "$out/requests.log"
port=$(free_port)
python3 tests/boot/browser_http_server.py "$port" "$out/requests.log" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
manifest=$(port_manifest tests/boot/browser-http.yaml "$out" 18734="$port") || exit 1
wait_listening "$port"
gen/anx test "$manifest" -p "$platform" "${boot[@]}"
rc=$?
grep -q "^GET /style.css cookie=k=v ua=Mozilla/5.0 (.*) NetSurf/3.11" "$out/requests.log" ||
    { echo "FAIL browser-http: the stylesheet request lacked the cookie or NetSurf's User-Agent:"; cat "$out/requests.log"; rc=1; }
exit $rc
