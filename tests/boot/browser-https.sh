#!/usr/bin/env bash
# Boot test of the browser's https: fetches (the tls module): makes a test
# CA and certificates for 10.0.2.2 with openssl into build/test/ (never
# committed), serves tests/boot/browser_https_server.py on three free
# ports and runs `anx test` on tests/boot/browser-https.yaml with its ports
# 18741-18743 replaced (a copy beside the certificates, so its files: ca.pem
# is the fresh CA). Then checks that the server saw the guest refuse the
# two bad certificates (the handshake failed on the guest's side) and got
# the stylesheet with the cookie. In the no-cpu-rng boot mode (no hardware
# random source) it runs tests/boot/browser-https-norng.yaml instead: the
# fetch is refused before any TLS byte is sent, so the server sees no request.
#   tests/boot/browser-https.sh [PLATFORM [MODE]]    (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
out=$root/build/test/browser-https-$tag
rm -rf "$out"
mkdir -p "$out"
modules/tls/tests/make_certs.sh "$out" 10.0.2.2 || { echo "FAIL browser-https: openssl could not make the test certificates"; exit 1; }
read -r good unknown wrong <<<"$(free_port 3)"
python3 tests/boot/browser_https_server.py "$out" "$good" "$unknown" "$wrong" "$out/requests.log" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
yaml=tests/boot/browser-https.yaml
[ "${2:-}" = no-cpu-rng ] && yaml=tests/boot/browser-https-norng.yaml
pairs=(18741="$good")
[ "${2:-}" = no-cpu-rng ] || pairs+=(18742="$unknown" 18743="$wrong")
manifest=$(port_manifest "$yaml" "$out" "${pairs[@]}") || exit 1
wait_listening "$good" "$unknown" "$wrong"
gen/anx test "$manifest" -p "$platform" "${boot[@]}"
rc=$?
if [ "${2:-}" = no-cpu-rng ]; then
    ! grep -q "^GET " "$out/requests.log" 2>/dev/null ||
        { echo "FAIL browser-https: a request got through without a random source:"; cat "$out/requests.log"; rc=1; }
    exit $rc
fi
grep -q "^GET /style.css cookie=k=v ua=Mozilla/5.0 (.*) NetSurf/3.11" "$out/requests.log" ||
    { echo "FAIL browser-https: the stylesheet request lacked the cookie or NetSurf's User-Agent:"; cat "$out/requests.log"; rc=1; }
for p in "$unknown" "$wrong"; do
    grep -q "^tls $p: " "$out/requests.log" ||
        { echo "FAIL browser-https: the server on port $p saw no refused handshake:"; cat "$out/requests.log" "$out/server.log"; rc=1; }
done
exit $rc
