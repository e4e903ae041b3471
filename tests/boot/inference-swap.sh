#!/usr/bin/env bash
# A model swapped while the appliance serves (tests/boot/inference-swap.yaml,
# docs/inference.md "New versions"): the store's disk starts with the
# project's own model (examples/model) as models/m and models/tok; a new
# version of both objects is PUT over HTTP (stories260K and tok512 from
# ../shared/testdata when there, else the same model again). infer loads
# the pair once, beside the old model, and swaps it in; the next completion
# comes from the new model (the reference story text with stories260K); the
# heap holds one model, not two. (Sessions that hold the old model across a
# swap: modules/infer/tests/test_slot.c.)
# Usage: tests/boot/inference-swap.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out inference-swap
models=$root/../shared/testdata/models
disk=$out/store.img
gen/anx store create "$disk" --size 32M >/dev/null &&
gen/anx store put "$disk" models/m examples/model/model.bin --type application/x-llama2c >/dev/null &&
gen/anx store put "$disk" models/tok examples/model/tokenizer.bin --type application/x-llama2c-tokenizer >/dev/null ||
  { echo "FAIL cannot make the store's disk"; exit 1; }
port=$(free_port)
log=$out/console.log
start_image "$log" "infer: models/m (objstore)" tests/boot/inference-swap.yaml -p "$platform" "${boot[@]}" \
    --port "$port:8080" --disk "$disk" ||
  { echo "FAIL the image did not start:"; tail -n 20 "$log"; exit 1; }
base=http://127.0.0.1:$port
complete() {  # PROMPT MAX_TOKENS: the text of a greedy completion
  curl -s --max-time 120 "$base/v1/completions" -H 'Content-Type: application/json' \
    -d "{\"prompt\": \"$1\", \"max_tokens\": $2, \"temperature\": 0}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["choices"][0]["text"])'
}
metric() { curl -s "$base/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
before=$(complete "Once upon a time" 24)
check "the first model answers" [ -n "$before" ]
heap1=$(metric anx_heap_in_use_bytes)

if [ -f "$models/stories260K.bin" ]; then
  new=$models/stories260K.bin tok=$models/tok512.bin story=1
else
  echo "  ($models/stories260K.bin absent: the same model again, as a new version)"
  new=examples/model/model.bin tok=examples/model/tokenizer.bin story=0
fi
curl -s -o /dev/null -w '%{http_code}\n' -X PUT --data-binary @"$tok" "$base/api/v1/objects/models/tok" >"$out/put.txt"
curl -s -o /dev/null -w '%{http_code}\n' -X PUT --data-binary @"$new" "$base/api/v1/objects/models/m" >>"$out/put.txt"
check "both new versions written (2xx)" [ "$(grep -c '^20[01]$' "$out/put.txt")" = 2 ]
for _ in $(seq 1 300); do grep -q "infer: swapped in the new model" "$log" && break; sleep 0.2; done
check "infer loads the pair once (2 s after the last write), beside the model in use, and swaps" \
  sh -c "grep -q 'infer: models/m version 2: loading the new model beside the one in use' '$log' &&
         [ \$(grep -c 'loading the new model beside' '$log') = 1 ] &&
         grep -q 'swapped in the new model; the previous one is freed' '$log'"
after=$(complete "Once upon a time" 24)
if [ "$story" = 1 ]; then
  check "the next completion comes from the new model (stories260K's story)" \
    sh -c "echo '$after' | grep -q 'there was a little girl named Lily'"
else
  check "the next completion comes from the new version (the same model: the same text)" [ "$after" = "$before" ]
fi
# the same greedy request as before the swap: the response cache (on by default) held the
# old model's answer, and the new model's version emptied it (docs/openai-api.md)
check "  the response cache did not answer with the old model's text (emptied by the swap)" \
  [ "$(metric anx_openai_cache_flushes_total)" = 1 ]
heap2=$(metric anx_heap_in_use_bytes)
echo "     heap in use: $heap1 with the first model, $heap2 after the swap"
check "  one model's memory in use after the swap, not two (within 1 MiB of the first's and the new model's size)" \
  python3 -c "import os, sys; sys.exit(0 if int('$heap2') < int('$heap1') - os.path.getsize('examples/model/model.bin') + os.path.getsize('$new') + (1 << 20) else 1)"

# a version that is no model: refused, the model in use stays
head -c 5000 /dev/urandom >"$out/junk.bin"
curl -s -o /dev/null -X PUT --data-binary @"$out/junk.bin" "$base/api/v1/objects/models/m"
for _ in $(seq 1 100); do grep -q "the new model did not load, the one in use stays" "$log" && break; sleep 0.1; done
again=$(complete "Once upon a time" 24)
check "a version that is no model is refused with the reason, and the model in use stays" \
  sh -c "grep -q 'infer: warning: the new model did not load, the one in use stays: ' '$log'"
check "  completions go on from it" [ "$again" = "$after" ]
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
