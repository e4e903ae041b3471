#!/usr/bin/env bash
# A pipeline runs with its caller's rights (tests/boot/pipeline-keys.yaml):
# without a key the run is refused (401); with a key that may run pipelines
# but not write objects, the run goes and its writing step is refused (403,
# its dependent skipped, nothing stored); with a key that may write, every
# step succeeds and the result is stored.
# Usage: tests/boot/pipeline-keys.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out pipeline-keys
for k in runner writer; do
    printf 'sk-%s-%s' "$k" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >"$out/$k"
done
gen/anx build tests/boot/pipeline-keys.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening" tests/boot/pipeline-keys.yaml -p "$platform" "${boot[@]}" --port "$port:8080" \
    --secret runner="$out/runner" --secret writer="$out/writer" ||
    { echo "FAIL the image did not start; console:"; tail -n 30 "$log"; exit 1; }
base=http://127.0.0.1:$port
# req METHOD PATH KEYFILE|- [DATA]: the status; the body in $out/body
req() {
    local auth=()
    [ "$3" != - ] && auth=(-H "Authorization: Bearer $(cat "$out/$3")")
    curl -s -o "$out/body" -w '%{http_code}' --max-time 30 -X "$1" "${auth[@]}" \
        ${4:+--data-binary "$4"} "$base$2"
}
check "a run without a key: 401" test "$(req POST /api/v1/pipelines/note - 'hello')" = 401
check "a run with the runner key: 502" test "$(req POST /api/v1/pipelines/note runner 'hello')" = 502
check "  its write refused with the runner's rights (403)" \
    grep -q '{"name": "put", "status": "failed", "http_status": 403, "attempts": 1, "time_ms": [0-9]*, "error": "answered 403: ' "$out/body"
check "  its dependent skipped, nothing stored" \
    grep -q '{"name": "read", "status": "skipped", .*"object": null' "$out/body"
check "  the note was not written" test "$(req GET /api/v1/objects/notes/n writer)" = 404
check "a run with the writer key: 200" test "$(req POST /api/v1/pipelines/note writer 'hello')" = 200
check "  every step ok, the result stored" \
    grep -q '"steps": \[{"name": "put", "status": "ok", "http_status": 201, .*{"name": "read", "status": "ok", "http_status": 200, .*"object": {"name": "pipelines/note/result", "version": 1,' "$out/body"
check "the runner key reads the result" test "$(req GET /api/v1/objects/pipelines/note/result runner)" = 200
check "  which holds what both steps answered" grep -qx '{"stored": "notes/n", "text": "hello"}' "$out/body"
check "its provenance: the version the first step wrote and the second read" \
    sh -c "test $(req GET /api/v1/objects/pipelines/note/result/versions runner) = 200 &&
           grep -q '\"read\": \"notes/n@1\", \"wrote\": \"notes/n@1\"' '$out/body'"
leak=0
for k in runner writer; do grep -qF -- "$(cat "$out/$k")" "$log" && leak=1; done
check "no key appears on the console" test $leak = 0
echo "$passes passed, $fails failed"
[ $fails = 0 ]
