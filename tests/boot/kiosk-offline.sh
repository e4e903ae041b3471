#!/usr/bin/env bash
# Boot test of the kiosk module through a server outage: serves
# tests/boot/kiosk_server.py on a free port P of 127.0.0.1 (the guest
# reaches it as 10.0.2.2:P) and runs `anx test` on
# tests/boot/kiosk-offline.yaml with its port 18735 replaced by P (a copy in
# build/test/), then checks the server really went away and came back.
#   tests/boot/kiosk-offline.sh [PLATFORM [MODE]]    (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
out=$root/build/test/kiosk-offline-$tag
mkdir -p "$out"
rm -f "$out/requests.log"
port=$(free_port)
python3 tests/boot/kiosk_server.py "$port" "$out/requests.log" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
manifest=$(port_manifest tests/boot/kiosk-offline.yaml "$out" 18735="$port") || exit 1
wait_listening "$port"
gen/anx test "$manifest" -p "$platform" "${boot[@]}"
rc=$?
grep -q "^outage end" "$out/requests.log" && grep -q "^GET / 503" "$out/requests.log" ||
    { echo "FAIL kiosk-offline: the server's outage did not happen as planned:"; cat "$out/requests.log"; rc=1; }
exit $rc
