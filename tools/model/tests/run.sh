#!/usr/bin/env bash
# Tests of the `anx model` host tool (tools/model): its usage and --help,
# and the name `convert` writes into a GGUF (general.name: --name, else
# the output's file name), on the bundled model of examples/model; the
# k-quant types on a random checkpoint (tests/random_ckpt.py). Ends
# with "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/model-tool
mkdir -p "$out"
cd "$root"
pass=0 fail=0
ok() { echo "ok   model-tool: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL model-tool: $1"; fail=$((fail + 1)); }

if ! make -s -C tools/model >"$out/build.log" 2>&1; then
  cat "$out/build.log"; bad "build"; echo "$pass passed, $fail failed"; exit 1
fi
tool=$root/build/host/anx-model
model=examples/model/model.bin tok=examples/model/tokenizer.bin

# --help: the usage on stdout, exit 0, under the name people type
"$tool" --help >"$out/help.out" 2>"$out/help.err"; rc=$?
if [ $rc -eq 0 ] && head -n 1 "$out/help.out" | grep -q '^usage: anx model generate' &&
   ! grep -q 'anx-model' "$out/help.out" && [ ! -s "$out/help.err" ]; then
  ok "--help prints the usage (anx model ...) on stdout and exits 0"
else
  bad "--help: exit $rc, $(head -n 1 "$out/help.out")"
fi
"$tool" convert --help >"$out/help2.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'anx model convert IN.bin' "$out/help2.out" &&
  ok "convert --help exits 0 too" || bad "convert --help: exit $rc"
# a usage mistake: stderr, exit 2
"$tool" frobnicate >"$out/bad.out" 2>"$out/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q '^usage: anx model' "$out/bad.err" && [ ! -s "$out/bad.out" ] &&
  ok "an unknown command prints the usage on stderr and exits 2" || bad "unknown command: exit $rc"
"$tool" info /nonexistent.bin >/dev/null 2>"$out/missing.err"; rc=$?
[ $rc -eq 1 ] && grep -q '^anx model: /nonexistent.bin: No such file or directory' "$out/missing.err" &&
  ok "a missing file: 'anx model: PATH: reason', exit 1" || bad "missing file: exit $rc: $(cat "$out/missing.err")"

# convert: general.name from the output's file name, or --name
if "$tool" convert "$model" --tokenizer "$tok" -o "$out/tiny-fortunes.gguf" 2>"$out/conv1.err" &&
   "$tool" info "$out/tiny-fortunes.gguf" >"$out/info1.out" 2>&1 &&
   grep -qx 'name: tiny-fortunes' "$out/info1.out"; then
  ok "convert names the model after the output file (tiny-fortunes.gguf -> tiny-fortunes)"
else
  bad "convert without --name: $(cat "$out/conv1.err"; grep '^name' "$out/info1.out" 2>/dev/null)"
fi
if "$tool" convert "$model" --tokenizer "$tok" -o "$out/x.gguf" --name "Fortunes 1.0" --type q8_0 2>"$out/conv2.err" &&
   "$tool" info "$out/x.gguf" >"$out/info2.out" 2>&1 && grep -qx 'name: Fortunes 1.0' "$out/info2.out" &&
   grep -q 'general.name Fortunes 1.0' "$out/conv2.err"; then
  ok "convert --name NAME writes NAME as general.name"
else
  bad "convert --name: $(cat "$out/conv2.err"; grep '^name' "$out/info2.out" 2>/dev/null)"
fi
"$tool" convert "$model" --tokenizer "$tok" -o "$out/y.gguf" --name "" >/dev/null 2>"$out/conv3.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--name must be 1 to 63 bytes' "$out/conv3.err" &&
  ok "an empty --name is a usage error" || bad "empty --name: exit $rc"

# k-quants: a llama2.c checkpoint of random weights at shapes they take
# (tests/random_ckpt.py: dim 256, hidden 512, its own output matrix)
ck=$out/kq-random.bin
python3 "$here/random_ckpt.py" "$ck"
for t in q4_k q6_k q4_k_m; do
  if "$tool" convert "$ck" --tokenizer "$tok" -o "$out/kq-$t.gguf" --type "$t" 2>"$out/kq-$t.err" &&
     "$tool" info "$out/kq-$t.gguf" >"$out/kq-$t.info" 2>&1 &&
     "$tool" generate "$out/kq-$t.gguf" --steps 24 --prompt "Once" >"$out/kq-$t.gen" 2>&1 &&
     grep -q 'finish length' "$out/kq-$t.gen"; then
    case $t in
      q4_k) want_emb=q4_K want_q=q4_K ;;
      q6_k) want_emb=q6_K want_q=q6_K ;;
      q4_k_m) want_emb=q6_K want_q=q4_K ;;
    esac
    if grep -q "^token_embd: $want_emb \[256 x 1024\]" "$out/kq-$t.info" &&
       grep -q "^blk.0.attn_q: $want_q \[256 x 256\]" "$out/kq-$t.info" &&
       grep -q "^blk.0.ffn_down: $want_q \[512 x 256\]" "$out/kq-$t.info" &&
       ! grep -q 'stored as q8_0' "$out/kq-$t.err"; then
      ok "convert --type $t: token_embd $want_emb, matrices $want_q; it loads and generates"
    else
      bad "convert --type $t: $(grep -e '^token_embd' -e '^blk.0.attn_q' -e '^blk.0.ffn_down' "$out/kq-$t.info" | tr '\n' ' ')"
    fi
  else
    bad "convert --type $t: $(cat "$out/kq-$t.err"; tail -n 2 "$out/kq-$t.gen" 2>/dev/null)"
  fi
done
# rows that are not a multiple of 256 (the bundled model's 128) fall back to q8_0, and it says so
if "$tool" convert "$model" --tokenizer "$tok" -o "$out/fallback.gguf" --type Q4_K_M 2>"$out/fallback.err" &&
   grep -q 'rows that are not a multiple of 256, which q4_k_m needs: stored as q8_0' "$out/fallback.err" &&
   "$tool" info "$out/fallback.gguf" >"$out/fallback.info" 2>&1 &&
   grep -q '^token_embd: q8_0 \[128 x 1024\]' "$out/fallback.info" &&
   grep -q '^blk.0.attn_q: q8_0 \[128 x 128\]' "$out/fallback.info"; then
  ok "convert --type Q4_K_M on rows of 128: q8_0, and a note saying so"
else
  bad "k-quant fallback: $(cat "$out/fallback.err"; grep -e '^token_embd' "$out/fallback.info" 2>/dev/null)"
fi
"$tool" convert "$model" --tokenizer "$tok" -o "$out/z.gguf" --type q5_k >/dev/null 2>"$out/conv4.err"; rc=$?
[ $rc -eq 2 ] && grep -q 'unknown type q5_k (f32, f16, q8_0, q4_0, q4_k, q6_k, q4_k_m)' "$out/conv4.err" &&
  ok "an unknown --type is a usage error that lists the types" || bad "unknown --type: exit $rc"
# random: a GGUF of the asked shape that the engine loads, the same bytes for the same seed
r="--dim 64 --hidden 96 --layers 2 --heads 4 --kv-heads 2 --vocab 400 --ctx 64"
if "$tool" random -o "$out/r1.gguf" $r --seed 5 --untied --name r 2>"$out/r1.err" &&
   "$tool" random -o "$out/r2.gguf" $r --seed 5 --untied --name r 2>/dev/null &&
   "$tool" random -o "$out/r3.gguf" $r --seed 6 --untied --name r 2>/dev/null &&
   "$tool" info "$out/r1.gguf" >"$out/r1.info" 2>&1 &&
   grep -q 'dim=64 hidden=96 layers=2 heads=4/2 vocab=400 ctx=64 weights=f32' "$out/r1.info" &&
   grep -q 'tokenizer: llama (SentencePiece), 400 tokens, bos 1, eos 2' "$out/r1.info" &&
   cmp -s "$out/r1.gguf" "$out/r2.gguf" && ! cmp -s "$out/r1.gguf" "$out/r3.gguf"; then
  ok "random writes the asked shape with a 400-token vocabulary; a seed gives the same bytes"
else
  bad "random: $(cat "$out/r1.err" "$out/r1.info" 2>/dev/null | tail -n 3)"
fi
# tied (no output.weight) is one tensor fewer than untied; q4_0 is smaller than f32
"$tool" random -o "$out/r4.gguf" $r --type q4_0 2>"$out/r4.err" &&
  grep -q '20 tensors (q4_0)' "$out/r4.err" && grep -q '21 tensors (f32)' "$out/r1.err" &&
  [ "$(stat -c %s "$out/r4.gguf")" -lt "$(stat -c %s "$out/r1.gguf")" ] &&
  ok "random --type q4_0 without --untied: the output tied to the embedding, quantized" ||
  bad "random --type q4_0: $(cat "$out/r4.err")"
"$tool" random -o "$out/r5.gguf" --dim 64 --hidden 96 --layers 2 --heads 4 --kv-heads 3 \
  --vocab 400 --ctx 64 >/dev/null 2>"$out/r5.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--heads must be a multiple of --kv-heads' "$out/r5.err" &&
  ok "random: a shape the loader would refuse is a usage error that says why" ||
  bad "random --kv-heads 3: exit $rc: $(cat "$out/r5.err")"
"$tool" random -o "$out/r6.gguf" $r --dim x >/dev/null 2>"$out/r6.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--dim x: a number' "$out/r6.err" &&
  ok "random: a bad number is a usage error" || bad "random --dim x: exit $rc"
# generate --ids: the prompt's ids (BOS first) on one line, the completion's on the next
"$tool" generate "$out/r1.gguf" --prompt "ab" --temperature 0 --max-tokens 5 --ids >"$out/ids.out" 2>/dev/null
if [ "$(sed -n 1p "$out/ids.out" | cut -d' ' -f1)" = 1 ] && [ "$(wc -l <"$out/ids.out")" -eq 2 ] &&
   [ "$(sed -n 2p "$out/ids.out" | wc -w)" -le 5 ] && [ "$(sed -n 2p "$out/ids.out" | wc -w)" -ge 1 ]; then
  ok "generate --ids prints the prompt's and the completion's token ids"
else
  bad "generate --ids: $(cat "$out/ids.out")"
fi

# through the generator, as people call it
if [ -x gen/anx ]; then
  gen/anx model --help >"$out/anx-help.out" 2>&1; rc=$?
  [ $rc -eq 0 ] && grep -q '^usage: anx model' "$out/anx-help.out" &&
    ok "gen/anx model --help exits 0" || bad "gen/anx model --help: exit $rc"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
