#!/usr/bin/env bash
# Token agreement with llama.cpp: the engine (anx model generate --temperature 0 --ids) must
# tokenize as llama.cpp does and generate the same greedy token ids on the same GGUF files:
#   stories   ../shared/testdata/models/stories260K.bin, converted to f32, q8_0 and q4_0
#   fortunes  examples/model (bundled), converted likewise
#   gqa       anx model random: 4 of 8 heads' K/V shared (kv-heads 2), untied output, f32 and q8_0
# llama.cpp's ids are recorded in agreement.expected, so the test also runs where llama.cpp is
# not installed; where it is (build/third_party/llama.cpp, scripts/llama_cpp.sh), its live ids
# are compared too (with the engine, and with the record). Regenerate the record with
#   modules/infer/tests/agreement.sh --record
# (needs llama.cpp). A test of modules/infer/module.yaml (tests:, docs/modules.md "Tests").
# Usage: agreement.sh OUT | --record   (env MODELS: ../shared/testdata/models, else skipped)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
expected=$here/agreement.expected
record=0
if [ "${1:-}" = --record ]; then
  record=1 out=$root/build/test/agreement-record
else
  out=${1:?usage: agreement.sh OUT | --record}
fi
mkdir -p "$out"
cd "$root"
pass=0 fail=0
ok() { echo "ok   infer/agreement: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL infer/agreement: $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }

if ! make -s -C tools/model >"$out/tool.log" 2>&1; then
  cat "$out/tool.log"; bad "anx-model build"; finish
fi
tool=$root/build/host/anx-model
llama=$root/build/third_party/llama.cpp/bin
live=0
if scripts/llama_cpp.sh --check; then
  live=1
elif [ $record -eq 1 ]; then
  echo "agreement: --record needs llama.cpp (scripts/llama_cpp.sh)" >&2; exit 1
else
  echo "skip  infer/agreement-live: llama.cpp is not installed (scripts/llama_cpp.sh);" \
       "comparing with $(basename "$expected")"
fi

# The prompts whose tokenization is compared; the first two are also generated from.
prompts=("Once upon a time" "Lily and Tom went to the"
         "Hello world" "  two leading spaces" "numbers 12345, (parens) and dots..."
         $'a tab\tand a newline\nend' $'caf\xc3\xa9 na\xc3\xafve \xc3\xbc')
gen_n=48

models=()
add_model() { models+=("$1"); }
MODELS=${MODELS:-}
if [ $record -eq 1 ] && [ ! -f "$MODELS/stories260K.bin" ]; then
  echo "agreement: --record needs MODELS=../shared/testdata/models" >&2; exit 1
fi
if [ -n "$MODELS" ] && [ -f "$MODELS/stories260K.bin" ]; then
  for t in f32 q8_0 q4_0; do
    "$tool" convert "$MODELS/stories260K.bin" --tokenizer "$MODELS/tok512.bin" \
      -o "$out/stories_$t.gguf" --type $t 2>>"$out/tool.log" && add_model "stories_$t" ||
      bad "anx-model convert stories260K --type $t"
  done
else
  echo "skip  infer/agreement-stories: ../shared/testdata/models is absent"
fi
for t in f32 q8_0 q4_0; do
  "$tool" convert examples/model/model.bin --tokenizer examples/model/tokenizer.bin \
    -o "$out/fortunes_$t.gguf" --type $t 2>>"$out/tool.log" && add_model "fortunes_$t" ||
    bad "anx-model convert examples/model --type $t"
done
for t in f32 q8_0; do
  "$tool" random -o "$out/gqa_$t.gguf" --dim 128 --hidden 352 --layers 3 --heads 8 --kv-heads 2 \
    --vocab 1024 --ctx 256 --untied --seed 18 --type $t 2>>"$out/tool.log" && add_model "gqa_$t" ||
    bad "anx-model random --type $t"
done

# llama-server on the loopback: /tokenize and greedy /completion give token ids.
port=$((20000 + $$ % 20000))
server_pid=
stop_server() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  server_pid=
}
trap stop_server EXIT
start_server() {
  local gguf=$1 i
  for _ in 1 2 3; do
    port=$((port + 1))
    "$llama/llama-server" -m "$gguf" --host 127.0.0.1 --port $port -t 1 -c 512 -np 1 \
      --no-webui >"$out/server.log" 2>&1 &
    server_pid=$!
    for i in $(seq 100); do
      curl -sf -m 2 "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    stop_server
  done
  return 1
}
# a JSON string (UTF-8 passes as it is); bash, as a python3 start costs a second on a busy host
json() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}
# /tokenize's {"tokens":[...]} as space-separated ids
llama_tokenize() {
  curl -s -m 60 "http://127.0.0.1:$port/tokenize" \
    -d "{\"content\": $(json "$1"), \"add_special\": false}" |
    sed -n 's/^{"tokens":\[\([0-9,]*\)\]}$/\1/p' | tr ',' ' '
}
# greedy: temperature 0, from BOS + the prompt's ids, no prompt cache. Prints the ids, a tab,
# and at each position the log-probability margin of the chosen token over the runner-up.
llama_generate() {
  curl -s -m 60 "http://127.0.0.1:$port/completion" -d "{\"prompt\": [1, $(echo "$1" | tr ' ' ',')],
    \"n_predict\": $gen_n, \"temperature\": 0, \"n_probs\": 2, \"cache_prompt\": false,
    \"return_tokens\": true}" | python3 -c '
import json, sys
d = json.load(sys.stdin)
gaps = []
for p in d["completion_probabilities"]:
    t = p["top_logprobs"]
    gaps.append("%.5f" % (t[0]["logprob"] - t[1]["logprob"]) if len(t) > 1 else "9")
print(" ".join(map(str, d["tokens"])) + "\t" + " ".join(gaps))'
}
# Two correct engines may break a near tie differently (their float sums differ in the last
# bits, and quantized activations differ more): a greedy sequence is compared up to the first
# position where llama.cpp's top two log-probabilities are closer than this.
tie=0.01
# Generation ends at EOS in llama.cpp, at EOS or BOS in the engine (as llama2.c's run: its
# models emit BOS between texts, as examples/model does between fortunes): compare the ids
# before the first BOS or EOS.
strip_end() {
  awk '{ s = ""; for (i = 1; i <= NF && $i != 1 && $i != 2; i++) s = s (s == "" ? "" : " ") $i
         print s }'
}

# the record's line for KEY, or nothing
recorded() { [ -f "$expected" ] && grep -F -- "$1	" "$expected" | head -n 1 | cut -f2-; }
has_record() { [ -f "$expected" ] && grep -qF -- "$1	" "$expected"; }
new_record=()

for m in "${models[@]}"; do
  gguf=$out/$m.gguf
  if [ $live -eq 1 ] && ! start_server "$gguf"; then
    tail -n 5 "$out/server.log"; bad "$m: llama-server does not start"; continue
  fi
  for i in "${!prompts[@]}"; do
    p=${prompts[$i]}
    ours=$("$tool" generate "$gguf" --prompt "$p" --temperature 0 --ids \
             --max-tokens $([ $i -lt 2 ] && echo $gen_n || echo 1) 2>"$out/gen.err")
    [ $? -eq 0 ] || { bad "$m: anx-model generate failed: $(cat "$out/gen.err")"; continue; }
    our_tok=$(echo "$ours" | sed -n 1p | sed 's/^1 //;s/^1$//')
    our_gen=$(echo "$ours" | sed -n 2p | strip_end)
    key_t="$m tokenize $i" key_g="$m generate $i"
    ref_t=$(recorded "$key_t") ref_g=$(recorded "$key_g")
    if [ $live -eq 1 ]; then
      lt=$(llama_tokenize "$p")
      new_record+=("$key_t	$lt")
      [ $record -eq 0 ] && [ -n "$ref_t" ] && [ "$lt" != "$ref_t" ] &&
        bad "$key_t: llama.cpp now gives [$lt], the record [$ref_t] (re-record?)"
      ref_t=$lt
    fi
    if [ -z "$ref_t" ] && [ $record -eq 0 ]; then
      bad "$key_t: not in $(basename "$expected") (agreement.sh --record)"
    elif [ $record -eq 0 ]; then
      [ "$our_tok" = "$ref_t" ] && ok "$m: prompt $i tokenizes as llama.cpp's (${our_tok// /,})" ||
        bad "$m: prompt $i: engine [$our_tok], llama.cpp [$ref_t]"
    fi
    [ $i -lt 2 ] || continue
    if [ $live -eq 1 ]; then
      lg=$(llama_generate "$ref_t")
      new_record+=("$key_g	$lg")
      [ $record -eq 0 ] && [ -n "$ref_g" ] && [ "$lg" != "$ref_g" ] &&
        bad "$key_g: llama.cpp now gives [$lg], the record [$ref_g] (re-record?)"
      ref_g=$lg
    fi
    [ $record -eq 1 ] && continue
    if [ -z "$ref_g" ] && ! has_record "$key_g"; then
      bad "$key_g: not in $(basename "$expected") (agreement.sh --record)"
      continue
    fi
    ref_ids=$(echo "$ref_g" | cut -f1 | strip_end)
    read -ra gaps <<<"$(echo "$ref_g" | cut -sf2)"
    read -ra a <<<"$our_gen"; read -ra b <<<"$ref_ids"; k=0
    while [ $k -lt ${#a[@]} ] && [ $k -lt ${#b[@]} ] && [ "${a[$k]}" = "${b[$k]}" ]; do
      k=$((k + 1))
    done
    if [ "$our_gen" = "$ref_ids" ]; then
      ok "$m: prompt $i: the same ${#b[@]} greedy tokens as llama.cpp${b[0]:+ (${b[0]},${b[1]:-},...)}"
    elif [ $k -lt ${#b[@]} ] && awk -v g="${gaps[$k]:-9}" -v t=$tie 'BEGIN { exit !(g < t) }'; then
      ok "$m: prompt $i: the same $k greedy tokens as llama.cpp, then a near tie" \
         "(margin ${gaps[$k]}) broken the other way"
    else
      bad "$m: prompt $i: greedy tokens part at position $k of ${#b[@]}: engine ${a[$k]:-end}," \
          "llama.cpp ${b[$k]:-end} (margin ${gaps[$k]:-?})"
    fi
  done
  stop_server
done

if [ $record -eq 1 ]; then
  { echo "# llama.cpp's token ids for modules/infer/tests/agreement.sh (KEY<tab>ids): $(head -n 1 \
      build/third_party/llama.cpp/version | sed 's/^version: //'), Debian sid"
    echo "# tokenize: the prompt's ids without BOS; generate: $gen_n greedy tokens from BOS + the"
    echo "# prompt, a tab, the log-probability margin of each over the runner-up."
    echo "# Regenerate: modules/infer/tests/agreement.sh --record"
    printf '%s\n' "${new_record[@]}"; } >"$expected"
  echo "agreement: recorded ${#new_record[@]} lines in $expected"
  exit 0
fi
finish
