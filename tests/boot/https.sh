#!/usr/bin/env bash
# HTTPS (module https; tests/boot/https.yaml, docs/httpd.md "HTTPS") with curl
# and openssl s_client. Boot 1, the manifest as it is: a self-signed
# certificate made at boot answers /api/v1/health over TLS 1.2 (curl -k),
# s_client sees TLS 1.2 and an ECDHE-ECDSA cipher (ChaCha20-Poly1305 too
# when asked for), the fingerprint on the console is openssl's of the
# certificate s_client received, the plain port answers 308 to the https
# URL, plain HTTP sent to the TLS port is closed (not a hang) with a log
# line. Boot 2, a copy with cert: site and http: off: a P-256
# certificate made here with openssl, given with --secret, verifies with
# curl --cacert for localhost and 127.0.0.1, the plain port is closed, and
# the private key is nowhere on the console. Boot 3: the certificate with
# another key fails https with the reason. Boots 4-7, a copy with key:
# tls-seed (a secret credential): the same secret serves the same
# certificate at every boot, another secret another one, and no secret
# fails https with the reason.
# Usage: tests/boot/https.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out https
gen/anx build tests/boot/https.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
read -r http_port tls_port <<<"$(free_port 2)"
log=$out/console.log
start_image "$log" "https: listening for HTTPS" tests/boot/https.yaml -p "$platform" "${boot[@]}" \
    --port "$http_port:8080" --port "$tls_port:8443" ||
    { echo "FAIL the image did not start; console:"; tail -n 30 "$log"; exit 1; }
base=https://127.0.0.1:$tls_port

# (a) self-signed
check "GET /api/v1/health over HTTPS (curl -k): 200" \
    test "$(curl -sk -o "$out/body" -w '%{http_code}' --max-time 20 "$base/api/v1/health")" = 200
check "  the router's health answer" grep -q '"status"' "$out/body"
echo | timeout 20 openssl s_client -connect "127.0.0.1:$tls_port" -servername localhost >"$out/s_client.txt" 2>&1
check "s_client: TLSv1.2" grep -q "Protocol *: TLSv1.2" "$out/s_client.txt"
check "  an ECDHE-ECDSA AES-GCM cipher" grep -Eq "Cipher *: ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384)" "$out/s_client.txt"
check "  subject CN=https (the image's name)" grep -q "subject=CN *= *https" "$out/s_client.txt"
openssl x509 -in "$out/s_client.txt" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//' >"$out/fp.openssl"
sed -n 's/.*SHA-256 fingerprint \([0-9A-F:]*\).*/\1/p' "$log" | head -1 >"$out/fp.console"
check "the console's fingerprint is openssl's of what s_client received" \
    sh -c "test -s '$out/fp.console' && cmp -s '$out/fp.console' '$out/fp.openssl'"
echo | timeout 20 openssl s_client -connect "127.0.0.1:$tls_port" -cipher ECDHE-ECDSA-CHACHA20-POLY1305 \
    >"$out/s_client-chacha.txt" 2>&1
check "ChaCha20-Poly1305 when the client asks for it" grep -q "Cipher *: ECDHE-ECDSA-CHACHA20-POLY1305" "$out/s_client-chacha.txt"
echo | timeout 20 openssl s_client -connect "127.0.0.1:$tls_port" -tls1_3 >"$out/s_client-13.txt" 2>&1
# a TLS 1.3 ClientHello says 1.2 in its version field and offers only 1.3's suites: no common suite
check "a TLS 1.3-only client: refused with a handshake failure alert (BearSSL speaks 1.2)" \
    grep -q "alert handshake failure" "$out/s_client-13.txt"
check "  logged" grep -q "TLS handshake failed: handshake failure: this side sent alert handshake failure" "$log"
# (c) the plain port redirects
code=$(curl -s -o /dev/null -D "$out/redirect.head" -w '%{http_code}' --max-time 20 "http://127.0.0.1:$http_port/api/v1/health?x=1")
check "plain HTTP: 308" test "$code" = 308
check "  Location: https://127.0.0.1:8443/api/v1/health?x=1" \
    grep -q "^Location: https://127.0.0.1:8443/api/v1/health?x=1" "$out/redirect.head"
# (d) plain HTTP to the TLS port: closed at once, logged
t0=$(date +%s%N)
curl -s --max-time 15 -o /dev/null "http://127.0.0.1:$tls_port/api/v1/health"
rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
check "plain HTTP to the TLS port: closed, not a hang ($ms ms, curl $rc)" test "$rc" = 52 -o "$rc" = 56
for _ in $(seq 1 50); do grep -q "plain text, not a TLS handshake" "$log" && break; sleep 0.1; done
check "  with a log line saying so" grep -q "TLS handshake failed: the client sent plain text, not a TLS handshake (plain HTTP to the HTTPS port?)" "$log"
# a client that connects and says nothing: closed after header_timeout (2s in the manifest)
t0=$(date +%s%N)
python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.settimeout(15); print(len(s.recv(100)))' "$tls_port" >"$out/silent.txt" 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
check "a silent client: closed after the handshake timeout ($ms ms)" sh -c "test $ms -ge 1800 -a $ms -lt 10000 && grep -qx 0 '$out/silent.txt'"
check "  logged" grep -q "TLS handshake timed out after 2000 ms" "$log"
check "HTTPS still answers after that" \
    test "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 20 "$base/api/v1/health")" = 200
kill -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

# (b) a provisioned certificate, plain HTTP off
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$out/site.key" -out "$out/cert.pem" 2>/dev/null
cat "$out/cert.pem" "$out/site.key" >"$out/site.pem"
sed -e 's/^name: https$/name: https-cert/' -e 's/https: {port: 8443, http: redirect}/https: {port: 8443, cert: site, http: "off"}/' \
    tests/boot/https.yaml >"$out/https-cert.yaml"
printf 'credentials:\n  site: {type: tls-cert, modules: [https]}\n' >>"$out/https-cert.yaml"
gen/anx build "$out/https-cert.yaml" -p "$platform" >"$out/build2.log" 2>&1 || { cat "$out/build2.log"; exit 1; }
read -r http_port tls_port <<<"$(free_port 2)"
log=$out/console2.log
start_image "$log" "https: listening for HTTPS" "$out/https-cert.yaml" -p "$platform" "${boot[@]}" \
    --port "$http_port:8080" --port "$tls_port:8443" --secret site="$out/site.pem" ||
    { echo "FAIL the image with a provisioned certificate did not start; console:"; tail -n 30 "$log"; exit 1; }
check "provisioned: curl --cacert verifies localhost" \
    test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --cacert "$out/cert.pem" \
        --resolve "localhost:$tls_port:127.0.0.1" "https://localhost:$tls_port/api/v1/health")" = 200
check "  and 127.0.0.1 (IP SAN)" \
    test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --cacert "$out/cert.pem" "https://127.0.0.1:$tls_port/api/v1/health")" = 200
check "  the console names the credential" grep -q "TLS certificate from credential 'site' (EC P-256)" "$log"
check "  and its fingerprint" \
    grep -q "TLS certificate SHA-256 fingerprint $(openssl x509 -in "$out/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')" "$log"
check "  without --cacert curl refuses it (no CA it knows signed it)" \
    sh -c "! curl -s -o /dev/null --max-time 20 https://127.0.0.1:$tls_port/api/v1/health"
check "http: off: the plain port answers nothing" sh -c "! curl -s -o /dev/null --max-time 10 http://127.0.0.1:$http_port/api/v1/health"
grep -v -- ----- "$out/site.key" >"$out/site.key.lines"
check "the private key is not on the console" sh -c "! grep -qF -f '$out/site.key.lines' '$log'"
kill -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

# a certificate with another key: https (essential) fails with the reason and the image powers off
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/other.key" 2>/dev/null
cat "$out/cert.pem" "$out/other.key" >"$out/mismatch.pem"
read -r -a ports <<<"$(free_port 2)"
timeout 60 gen/anx run "$out/https-cert.yaml" -p "$platform" "${boot[@]}" --port "${ports[0]}:8080" --port "${ports[1]}:8443" \
    --secret site="$out/mismatch.pem" </dev/null >"$out/console3.log" 2>&1
check "a certificate with another key: https fails saying so" grep -q "module https: error: failed: cert: credential 'site': the private key does not belong to the first certificate (their public keys differ)" "$out/console3.log"
check "  and the image powers off (status 1)" grep -q "guest exited with status 1" "$out/console3.log"
# (e) key: a secret the self-signed certificate's key is derived from: the
# same certificate at every boot with the same secret, another with another
sed -e 's/^name: https$/name: https-key/' -e 's/https: {port: 8443, http: redirect}/https: {port: 8443, key: tls-seed}/' \
    tests/boot/https.yaml >"$out/https-key.yaml"
printf 'credentials:\n  tls-seed: {type: secret, modules: [https]}\n' >>"$out/https-key.yaml"
gen/anx build "$out/https-key.yaml" -p "$platform" >"$out/build4.log" 2>&1 || { cat "$out/build4.log"; exit 1; }
head -c 32 /dev/urandom >"$out/seed1"
head -c 32 /dev/urandom >"$out/seed2"
# boot_fp N SEED: boot with that secret; the console's fingerprint into $out/fp.N
boot_fp() {
  local n=$1 seed=$2 tls
  tls=$(free_port)
  start_image "$out/console-key$n.log" "https: listening for HTTPS" "$out/https-key.yaml" -p "$platform" "${boot[@]}" \
      --port "$(free_port):8080" --port "$tls:8443" --secret tls-seed="$seed" ||
      { echo "FAIL boot $n with key: did not start"; tail -n 20 "$out/console-key$n.log"; }
  sed -n 's/.*SHA-256 fingerprint \([0-9A-F:]*\).*/\1/p' "$out/console-key$n.log" | head -1 >"$out/fp.$n"
  echo | timeout 20 openssl s_client -connect "127.0.0.1:$tls" >"$out/s_client-key$n.txt" 2>&1
  openssl x509 -in "$out/s_client-key$n.txt" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//' >"$out/fp.$n.openssl"
  kill -- -"$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
}
boot_fp 1 "$out/seed1"
boot_fp 2 "$out/seed1"
boot_fp 3 "$out/seed2"
check "key: the console says the key is derived" \
    grep -q "key derived from secret 'tls-seed': the same at every boot" "$out/console-key1.log"
check "  the certificate served is the one logged" sh -c "test -s '$out/fp.1' && cmp -s '$out/fp.1' '$out/fp.1.openssl'"
check "  two boots with the same secret serve the same certificate" \
    sh -c "test -s '$out/fp.2.openssl' && cmp -s '$out/fp.1.openssl' '$out/fp.2.openssl'"
check "  another secret, another certificate" sh -c "test -s '$out/fp.3.openssl' && ! cmp -s '$out/fp.1.openssl' '$out/fp.3.openssl'"
check "  valid to 9999 whatever the clock (fixed dates keep it the same)" \
    sh -c "openssl x509 -in '$out/s_client-key1.txt' -noout -enddate | grep -q 'Dec 31 23:59:59 9999 GMT'"
timeout 60 gen/anx run "$out/https-key.yaml" -p "$platform" "${boot[@]}" --port "$(free_port):8080" \
    --port "$(free_port):8443" </dev/null >"$out/console-key4.log" 2>&1
check "key: without the secret, https fails saying what to give" \
    grep -q "key: no secret 'tls-seed' to derive the certificate's key from" "$out/console-key4.log"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
