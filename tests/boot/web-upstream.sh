#!/usr/bin/env bash
# Boot test of the router's remote engine: serves examples/ from the host on
# 127.0.0.1:18733 (python3 -m http.server; the guest reaches it as
# 10.0.2.2:18733) and runs `anx test tests/boot/web-upstream.yaml`.
#   tests/boot/web-upstream.sh [PLATFORM [MODE]]    (default x86_64-pc)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
args=(-p "${1:-x86_64-pc}")
[ -n "${2:-}" ] && args+=(--boot "$2")
mkdir -p build/test-logs
python3 -m http.server --bind 127.0.0.1 --directory examples 18733 >build/test-logs/web-upstream-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do   # the image probes it right after DHCP: have it up first
  curl -s -o /dev/null --max-time 1 http://127.0.0.1:18733/web/style.css && break
  sleep 0.1
done
gen/anx test tests/boot/web-upstream.yaml "${args[@]}"
