#!/usr/bin/env bash
# API keys end to end (tests/boot/apikey.yaml) with curl: random keys made
# now and given with --secret; each scope allowed and refused, 401 with
# WWW-Authenticate for a missing or wrong key, 403 for a key without the
# scope, 429 over a rate limit, health open, a route no rule opens admin only, the counts in
# /metrics, and no key anywhere on the console. Capability tokens minted on the host with
# anx token under the secret tokkey: a read token reads and cannot write (403), an attenuated
# one is narrower, an expired or forged one is 401, revoking (admin only) refuses the token and
# its children (401) and writes the id to sys/revoked-tokens.
# Usage: tests/boot/apikey.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out apikey
for k in reader writer ops bursty; do
    printf 'sk-%s-%s' "$k" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >"$out/$k"
done
head -c 48 /dev/urandom | base64 -w0 >"$out/tokkey"
# mint NAME ARGS...: a token made on the host into $out/NAME
mint() { local n=$1; shift; gen/anx token mint --key "$out/tokkey" "$@" >"$out/$n" 2>>"$out/tokens.log"; }
mint t-read --resource '/api/v1/objects/notes/*' --rights read
mint t-rw --resource '/api/v1/objects/notes/*' --rights read,write --expires 1h
mint t-old --expires "$(($(date +%s) - 60))"
gen/anx token attenuate "$(cat "$out/t-rw")" --rights read >"$out/t-child" 2>>"$out/tokens.log"
gen/anx token mint --key "$out/reader" --rights read >"$out/t-forged" 2>>"$out/tokens.log"   # another key: none of the image's
gen/anx build tests/boot/apikey.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening" tests/boot/apikey.yaml -p "$platform" "${boot[@]}" --port "$port:8080" \
    --secret reader="$out/reader" --secret writer="$out/writer" --secret ops="$out/ops" --secret bursty="$out/bursty" --secret tokkey="$out/tokkey" ||
    { echo "FAIL the image did not start; console:"; tail -n 30 "$log"; exit 1; }
base=http://127.0.0.1:$port
# req METHOD PATH KEYFILE|- [DATA]: the status; the body in $out/body, headers in $out/head
req() {
    local auth=()
    [ "$3" != - ] && auth=(-H "Authorization: Bearer $(cat "$out/$3")")
    curl -s -o "$out/body" -D "$out/head" -w '%{http_code}' --max-time 20 -X "$1" "${auth[@]}" \
        ${4:+--data-binary "$4" -H 'Content-Type: text/plain'} "$base$2"
}
check "health is open" test "$(req GET /api/v1/health -)" = 200
check "a read without a key: 401" test "$(req GET /api/v1/objects/notes/a -)" = 401
check "  with WWW-Authenticate: Bearer" grep -q '^WWW-Authenticate: Bearer realm="anunix"' "$out/head"
check "  and a JSON body naming the scope" grep -q '"error": "unauthorized".*"scope": "objects:read"' "$out/body"
check "a write with the writer key: 201" test "$(req PUT /api/v1/objects/notes/a writer 'hello')" = 201
check "a write with the reader key: 403" test "$(req PUT /api/v1/objects/notes/a reader 'no')" = 403
check "  saying which scope is missing" grep -q "does not have the scope 'objects:write'" "$out/body"
read_ok() { [ "$(req GET /api/v1/objects/notes/a reader)" = 200 ] && [ "$(cat "$out/body")" = hello ]; }
check "a read with the reader key: 200 and the content" read_ok
echo "sk-not-a-key" >"$out/wrong"
check "a wrong key: 401 with error=invalid_token" \
    sh -c "test $(req GET /api/v1/objects/notes/a wrong) = 401 && grep -q 'error=\"invalid_token\"' '$out/head'"
# capability tokens
check "a read token reads notes/a: 200" test "$(req GET /api/v1/objects/notes/a t-read)" = 200
check "  a read token cannot write: 403" test "$(req PUT /api/v1/objects/notes/a t-read 'no')" = 403
check "  saying the rights do not cover PUT" grep -q "rights 'read' do not cover PUT" "$out/body"
check "  nor read outside its resource: 403" test "$(req GET /api/v1/objects/audit/events t-read)" = 403
check "a read,write token writes notes/b: 201" test "$(req PUT /api/v1/objects/notes/b t-rw 'tok')" = 201
check "  its child attenuated to read reads: 200" test "$(req GET /api/v1/objects/notes/b t-child)" = 200
check "  and cannot write: 403" test "$(req PUT /api/v1/objects/notes/b t-child 'no')" = 403
check "an expired token: 401" test "$(req GET /api/v1/objects/notes/a t-old)" = 401
check "  saying it expired" grep -q "the token expired" "$out/body"
check "a token made with another key: 401 with error=invalid_token" \
    sh -c "test $(req GET /api/v1/objects/notes/a t-forged) = 401 && grep -q 'error=\"invalid_token\"' '$out/head'"
rw_id=$(gen/anx token inspect "$(cat "$out/t-rw")" | sed -n 's/^id  *//p')
check "revoking needs admin: the read,write token is refused (403)" \
    test "$(req POST /api/v1/tokens/revoke t-rw "$rw_id")" = 403
check "the admin key revokes the read,write token by id: 200" \
    sh -c "test $(req POST /api/v1/tokens/revoke ops "$rw_id") = 200 && grep -q '\"revoked\": \"$rw_id\", \"persisted\": true' '$out/body'"
check "  the revoked token is refused: 401" test "$(req GET /api/v1/objects/notes/b t-rw)" = 401
check "  saying it was revoked" grep -q "was revoked" "$out/body"
check "  and so is its attenuated child: 401" test "$(req GET /api/v1/objects/notes/b t-child)" = 401
check "  the read token still reads: 200" test "$(req GET /api/v1/objects/notes/b t-read)" = 200
check "  the id is a version of sys/revoked-tokens" \
    sh -c "test $(req GET /api/v1/objects/sys/revoked-tokens ops) = 200 && grep -qx '$rw_id' '$out/body'"
code=$(req DELETE /api/v1/objects/notes/a writer)
check "a delete with the writer key ($code)" test "$code" = 200 -o "$code" = 204
check "routes (no rule): the writer key is refused" test "$(req GET /api/v1/routes writer)" = 403
check "routes (no rule): the admin key is let in" test "$(req GET /api/v1/routes ops)" = 200
check "metrics (no rule): refused without a key" test "$(req GET /metrics -)" = 401
req GET /metrics ops >/dev/null
check "/metrics counts the outcomes" grep -q 'anx_apikey_requests_total{outcome="401"} [1-9]' "$out/body"
c1=$(req GET /api/v1/objects/notes/none bursty); c2=$(req GET /api/v1/objects/notes/none bursty); c3=$(req GET /api/v1/objects/notes/none bursty)
check "a key with 'bursty 1/h burst 2': two requests pass ($c1 $c2), the third is 429" test "$c3" = 429
check "  with Retry-After in seconds" grep -qE '^Retry-After: [0-9]+' "$out/head"
req GET /api/v1/objects/audit/events/versions ops >/dev/null
nv=$(grep -o '"version"' "$out/body" | wc -l)
check "audit: the events are versions of audit/events ($nv), written by the audit module" \
    sh -c "test $nv -ge 4 && grep -q '\"writer\": \"audit\"' '$out/body'"
: >"$out/trail"
for v in $(seq 1 "$nv"); do req GET "/api/v1/objects/audit/events?version=$v" ops >/dev/null; cat "$out/body" >>"$out/trail"; done
check "audit: the writer key's PUT with its status" \
    grep -q '"who": "writer", "action": "PUT", "target": "/api/v1/objects/notes/a", "result": "201"' "$out/trail"
check "audit: the reader key's refused PUT" \
    grep -q '"who": "reader", "action": "PUT", "target": "/api/v1/objects/notes/a", "result": "403 missing scope"' "$out/trail"
check "audit: a request with a key that is none of the image's" \
    grep -q '"who": "unknown key", "action": "GET", "target": "/api/v1/objects/notes/a", "result": "401 invalid API key", "peer": "10.0.2.2"' "$out/trail"
check "audit: the DELETE" grep -q '"who": "writer", "action": "DELETE", "target": "/api/v1/objects/notes/a", "result": "204"' "$out/trail"
check "audit: the token's write, under its id" \
    grep -q "\"who\": \"token:$rw_id\", \"action\": \"PUT\", \"target\": \"/api/v1/objects/notes/b\", \"result\": \"201\"" "$out/trail"
check "audit: the revocation" grep -q "\"who\": \"ops\", \"action\": \"token revoke\", \"target\": \"$rw_id\", \"result\": \"ok\"" "$out/trail"
check "audit: the revoked token refused" grep -q "\"who\": \"token:$rw_id\", .*\"result\": \"401 revoked token\"" "$out/trail"
check "the image logs its rules and keys" grep -q "apikey: 3 rules, 4 API keys declared" "$log"
leak=0
for k in reader writer ops bursty tokkey; do grep -qF -- "$(cat "$out/$k")" "$log" "$out/trail" && leak=1; done
check "no key or token secret appears on the console" test $leak = 0
echo "$passes passed, $fails failed"
[ $fails = 0 ]
