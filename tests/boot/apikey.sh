#!/usr/bin/env bash
# API keys end to end (tests/boot/apikey.yaml) with curl: random keys made
# now and given with --secret; each scope allowed and refused, 401 with
# WWW-Authenticate for a missing or wrong key, 403 for a key without the
# scope, 429 over a rate limit, health open, a route no rule opens admin only, the counts in
# /metrics, and no key anywhere on the console.
# Usage: tests/boot/apikey.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out apikey
for k in reader writer ops bursty; do
    printf 'sk-%s-%s' "$k" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >"$out/$k"
done
gen/anx build tests/boot/apikey.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening" tests/boot/apikey.yaml -p "$platform" "${boot[@]}" --port "$port:8080" \
    --secret reader="$out/reader" --secret writer="$out/writer" --secret ops="$out/ops" --secret bursty="$out/bursty" ||
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
check "the image logs its rules and keys" grep -q "apikey: 3 rules, 4 API keys declared" "$log"
leak=0
for k in reader writer ops bursty; do grep -qF -- "$(cat "$out/$k")" "$log" "$out/trail" && leak=1; done
check "no key appears on the console" test $leak = 0
echo "$passes passed, $fails failed"
[ $fails = 0 ]
