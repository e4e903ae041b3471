#!/usr/bin/env bash
# Boot test of the router's remote engine: serves examples/ from the host
# (python3 -m http.server on a free port P of 127.0.0.1; the guest reaches it
# as 10.0.2.2:P) and runs `anx test` on tests/boot/web-upstream.yaml with
# its upstream's port 18733 replaced by P (a copy in build/test/, its files:
# paths made absolute), so two runs side by side each have their own server.
#   tests/boot/web-upstream.sh [PLATFORM [MODE]]    (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
out=$root/build/test/web-upstream-$tag
mkdir -p "$out"
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory examples "$port" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
# The manifest's paths are relative to tests/boot/, two levels below the root.
manifest=$out/web-upstream.yaml
sed -e "s#10\.0\.2\.2:18733#10.0.2.2:$port#g" -e "s#\.\./\.\./#$root/#g" tests/boot/web-upstream.yaml >"$manifest"
grep -q "10.0.2.2:$port" "$manifest" || { echo "web-upstream: no 10.0.2.2:18733 upstream in tests/boot/web-upstream.yaml"; exit 1; }
for _ in $(seq 1 100); do   # the image probes it right after DHCP: have it up first
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/web/style.css" && break
  sleep 0.1
done
gen/anx test "$manifest" -p "$platform" "${boot[@]}"
