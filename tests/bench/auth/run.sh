#!/usr/bin/env bash
# What authentication costs (docs/security.md): one image
# (tests/bench/auth/auth-bench.yaml: the object store over HTTP behind
# apikey) serves the same 612-byte object read three ways, wrk with 4
# keep-alive connections for DURATION seconds each, in the same run:
#   - open:   objects/open/page, a prefix the rules open (the guard matches
#             a rule and lets it through: the baseline);
#   - apikey: objects/keyed/page with `Authorization: Bearer KEY` (the
#             credential store's lookup of a hashed key);
#   - token:  the same with a capability token of three caveats (resource,
#             rights, expires: an HMAC-SHA256 chain of four links, then the
#             caveats checked against the request);
#   - https, https-token: open and token over HTTPS (module https, TLS 1.2
#             with a self-signed certificate; wrk keeps its connections, so
#             this is the record layer's cost, not the handshake's).
# Prints requests/s, p99 latency and the ratio to open; never pass/fail.
# Usage: tests/bench/auth/run.sh [DURATION_S]   (default 10 s)
# Needs: wrk, curl (scripts/packages-bench.txt; make bench installs them).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
dur=${1:-10}
out=$root/build/bench/auth
rm -rf "$out"
mkdir -p "$out"
for t in wrk curl; do
  command -v $t >/dev/null || { echo "missing $t (scripts/setup.sh --bench installs it)"; exit 2; }
done
source tests/boot/lib.sh
read -r port tls_port <<<"$(free_port 2)"

printf 'sk-bench-%s' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >"$out/key"
head -c 32 /dev/urandom >"$out/tokkey"
gen/anx token mint --key "$out/tokkey" --resource '/api/v1/objects/keyed/*' --rights read \
    --expires 1h >"$out/token" 2>"$out/token.log" || { cat "$out/token.log"; exit 1; }
gen/anx build tests/bench/auth/auth-bench.yaml >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
start_image "$out/console.log" "https: listening" tests/bench/auth/auth-bench.yaml --port "$port:8080" \
    --port "$tls_port:8443" \
    --secret reader="$out/key" --secret tokkey="$out/tokkey" ||
    { echo "the image did not start:"; tail -n 20 "$out/console.log"; exit 1; }
base=http://127.0.0.1:$port/api/v1/objects
head -c 612 /dev/urandom | base64 -w 76 | head -c 612 >"$out/page"
for p in open/page keyed/page; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $(cat "$out/key")" \
         --data-binary @"$out/page" "$base/$p")
  case $code in 200|201) ;; *) echo "PUT $p answered $code"; exit 1 ;; esac
done

# run NAME URL [HEADER]: one wrk run after a check that it answers 200
run() {
  local name=$1 url=$2 hdr=${3:-} code
  code=$(curl -sk -o /dev/null -w '%{http_code}' ${hdr:+-H "$hdr"} "$url")
  [ "$code" = 200 ] || { echo "GET $url ($name) answered $code"; exit 1; }
  wrk -t 2 -c 4 -d "${dur}s" --latency ${hdr:+-H "$hdr"} "$url" >"$out/$name.txt" 2>&1
  local rps p99
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$out/$name.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$out/$name.txt")
  echo "$name ${rps:-0} ${p99:--}"
}
tls=https://127.0.0.1:$tls_port/api/v1/objects
results=$(run open "$base/open/page"
          run apikey "$base/keyed/page" "Authorization: Bearer $(cat "$out/key")"
          run token "$base/keyed/page" "Authorization: Bearer $(cat "$out/token")"
          run https "$tls/open/page"
          run https-token "$tls/keyed/page" "Authorization: Bearer $(cat "$out/token")")
echo "$results" | grep -v '^[a-z-]* [0-9.]* ' && exit 1
base_rps=$(echo "$results" | awk '$1 == "open" { print $2 }')
printf '%-12s %12s %10s %10s\n' "request" "req/s" "p99" "ratio"
echo "$results" | while read -r name rps p99; do
  printf '%-12s %12s %10s %10s\n' "$name" "$rps" "$p99" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
done
echo "(wrk -c 4, ${dur} s each, TCG; ratio = req/s / open's; logs in build/bench/auth)"
