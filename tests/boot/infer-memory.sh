#!/usr/bin/env bash
# Memory pressure on the inference appliance (tests/boot/infer-memory.yaml:
# the bundled model loaded by object name from a disk store, which anx's
# build-time memory check cannot see):
#   boot 1, memory: 6M: the model does not fit. infer logs a clear error
#     (bytes wanted and free), the boot goes on, /api/v1/health answers 503
#     naming infer, a completion answers 503 with a JSON error saying why.
#   boot 2, memory: 8M: the model loads with little to spare. Completions
#     work; requests whose body, JSON or prompt the memory left cannot hold
#     (prompts of 100 KB to 900 KB, then four at once) answer 503, never
#     500 or a panic, and a small completion works again afterwards.
# Usage: tests/boot/infer-memory.sh [PLATFORM]   (default x86_64-pc; the
# memory sizes are measured on it)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
make -s anx
fresh_out infer-memory
disk=$out/disk.img
./gen/anx store create "$disk" --size 16M >/dev/null
./gen/anx store put "$disk" models/bundled examples/model/model.bin >/dev/null
./gen/anx store put "$disk" models/bundled-tokenizer examples/model/tokenizer.bin >/dev/null

# boot NAME MEMORY REGEX: the manifest with memory: MEMORY, until the console shows REGEX
boot() {
    local name=$1 port
    sed "s/^memory: .*/memory: $2/" tests/boot/infer-memory.yaml >"$out/$name.yaml"
    port=$(free_port)
    url=http://127.0.0.1:$port
    start_image "$out/$name.log" "$3" "$out/$name.yaml" -p "$platform" -o "$out/build-$name" \
        --port "$port:8080" --disk "$disk" || { cat "$out/$name.log"; fail "$name: did not get to '$3'"; exit 1; }
    wait_listening "$port"
}
stop() {
    kill -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}
# complete FILE: POST FILE to /v1/completions; prints the status, the answer in $out/answer
complete() {
    curl -s -o "$out/answer" -w '%{http_code}' --max-time 120 "$url/v1/completions" \
        -H 'Content-Type: application/json' --data-binary @"$1" || echo 000
}
# answered STATUS FILE PATTERN...: $code is STATUS and FILE holds every PATTERN
answered() {
    local want=$1 file=$2
    shift 2
    [ "$code" = "$want" ] || return 1
    for p in "$@"; do grep -q -- "$p" "$file" || return 1; done
}
# no panic or CPU fault report (core/panic.c, arch/*), and QEMU still runs
no_panic() { ! grep -qE "^panic: |FAULT: |^backtrace:" "$out/$1.log" && kill -0 "$pid" 2>/dev/null; }

echo "== boot 1: memory: 6M, too little for the model"
boot small 6M "module infer: error: failed"
grep "module infer: error" "$out/small.log"
check "small: the failure says out of memory, with bytes wanted and free" \
    grep -qE "heap: warning: out of memory: [0-9]+ bytes wanted, [0-9]+ bytes free" "$out/small.log"
check "small: infer's reason says out of memory" \
    grep -q "module infer: error: failed: model models/bundled: .*out of memory" "$out/small.log"
code=$(curl -s -o "$out/health" -w '%{http_code}' --max-time 30 "$url/api/v1/health" || echo 000)
check "small: health 503 names infer, out of memory" answered 503 "$out/health" \
    '"module": "infer", "error": -2, "error_text": "out of memory"'
echo '{"prompt": "Once upon a time", "max_tokens": 8}' >"$out/small.json"
code=$(complete "$out/small.json")
check "small: a completion is 503 with a JSON error saying why" answered 503 "$out/answer" \
    '"code": "model_not_loaded"' "out of memory"
check "small: no panic" no_panic small
stop

echo "== boot 2: memory: 8M, the model loads with little to spare"
boot tight 8M "infer: models/bundled (objstore): llama2c"
code=$(complete "$out/small.json")
check "tight: a small completion works" answered 200 "$out/answer" '"finish_reason"'
oom=0 bad=0
for kb in 100 300 500 700 900; do
    python3 -c "import json; print(json.dumps({'prompt': 'Once upon a time ' * ($kb * 1000 // 17), 'max_tokens': 8}))" \
        >"$out/p$kb.json"
    code=$(complete "$out/p$kb.json")
    echo "  prompt of $kb KB: $code $(head -c 160 "$out/answer")"
    case $code in
        503) grep -q "out of memory" "$out/answer" && oom=$((oom + 1)) ;;
        400) grep -q "context_length_exceeded" "$out/answer" || bad=$((bad + 1)) ;;
        *) bad=$((bad + 1)) ;;
    esac
done
# four at once: each answer is 400 or 503 (or a refused connection), never a 500
for kb in 300 500 700 900; do
    curl -s -o "$out/c$kb" -w '%{http_code}\n' --max-time 120 "$url/v1/completions" \
        --data-binary @"$out/p$kb.json" >"$out/c$kb.code" 2>/dev/null &
done
wait_all=0
for j in $(jobs -p); do [ "$j" = "$pid" ] || wait "$j" || wait_all=1; done
for kb in 300 500 700 900; do
    c=$(cat "$out/c$kb.code")
    echo "  at once, $kb KB: $c"
    case $c in 400 | 503 | 000) ;; *) bad=$((bad + 1)) ;; esac
    [ "$c" = 503 ] && oom=$((oom + 1))
done
check "tight: requests too large for the memory left answer 503 'out of memory'" [ "$oom" -ge 1 ]
check "tight: never 500 or another status" [ "$bad" = 0 ]
code=$(complete "$out/small.json")
check "tight: a small completion works again afterwards" answered 200 "$out/answer" '"finish_reason"'
check "tight: no panic" no_panic tight
stop
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
