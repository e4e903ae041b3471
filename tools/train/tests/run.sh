#!/usr/bin/env bash
# Tests of the trainer (tools/train) under ASan + UBSan: gradient checks of
# every backward op against finite differences, the tokenizer against
# infer's encoder, a short training run whose loss falls, determinism (two
# runs, different thread counts, identical files), and the checkpoint in
# modules/infer. Ends with "N passed, N failed"; exits non-zero on failure.
# Needs the fortunes package (make setup); the corpus tests are skipped
# with a message when it is absent.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/train
mkdir -p "$out"
cd "$root"
corpus=${ANX_TRAIN_CORPUS:-/usr/share/games/fortunes}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
pass=0 fail=0
ok() { echo "ok   train: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL train: $1"; fail=$((fail + 1)); }

# run the C test program; count its ok/FAIL lines
run_c() {
  local log=$1; shift
  "$out/asan/test_train" "$@" >"$log.out" 2>"$log.err"; local rc=$?
  cat "$log.out"
  local p f
  p=$(grep -c '^ok ' "$log.out"); f=$(grep -c '^FAIL ' "$log.out")
  pass=$((pass + p)); fail=$((fail + f))
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then head -n 30 "$log.err"; bad "test_train $1 exited with status $rc"; fi
}

# both in the host build mode (host/host.mk), flavour asan
if make -s -C tools/train FLAVOUR=asan OUT="$out" LIBOUT="$root/build/host" tests >"$out/build.log" 2>&1; then
  ok "test program and anx-train build with -fsanitize=address,undefined"
else
  cat "$out/build.log"; bad "build"
  echo "$pass passed, $fail failed"; exit 1
fi

run_c "$out/grad" grad

if [ -d "$corpus" ]; then
  # a tiny model on the first 400 texts: 60 steps
  args=(--corpus "$corpus" --max-texts 400 --vocab 320 --dim 32 --hidden 64 --layers 2 --heads 4
        --kv-heads 2 --seq-len 32 --batch 8 --shards 2 --steps 60 --warmup 10 --lr 1e-2 --min-lr 1e-3
        --log-every 10 --eval-every 0 --ckpt-every 25 --seed 3)
  if "$out/asan/anx-train" "${args[@]}" --out "$out/run1" --threads 2 >"$out/run1.log" 2>&1; then
    ok "a short training run completes ($(grep -c '^step' "$out/run1.log") progress lines)"
  else
    tail -n 20 "$out/run1.log"; bad "short training run"
  fi
  first=$(awk '/^step /{print $4; exit}' "$out/run1.log")
  last=$(awk '/^step /{l=$4} END{print l}' "$out/run1.log")
  if [ -n "$first" ] && awk -v a="$first" -v b="$last" 'BEGIN{exit !(b < a - 1.0)}'; then
    ok "loss falls: $first over the first 10 steps -> $last over the last 10"
  else
    bad "loss does not fall by 1 nat: ${first:-?} -> ${last:-?}"
  fi
  if grep -qE '^step [0-9]+/[0-9]+ loss [0-9.]+ lr .* tok/s [0-9]+ elapsed [0-9.]+s$' "$out/run1.log"; then
    ok "progress lines give step, loss, tok/s and elapsed"
  else
    bad "progress line format"
  fi
  "$out/asan/anx-train" "${args[@]}" --out "$out/run2" --threads 1 >"$out/run2.log" 2>&1
  h1=$(cat "$out/run1/model.bin" "$out/run1/tokenizer.bin" | sha256sum | cut -c1-16)
  h2=$(cat "$out/run2/model.bin" "$out/run2/tokenizer.bin" 2>/dev/null | sha256sum | cut -c1-16)
  if [ "$h1" = "$h2" ]; then
    ok "deterministic: two runs (2 threads, 1 thread) give identical model.bin and tokenizer.bin ($h1)"
  else
    bad "two runs differ: $h1 vs $h2"
  fi
  run_c "$out/infer" infer "$out/run1/model.bin" "$out/run1/tokenizer.bin"
  run_c "$out/encode" encode "$corpus" "$out/run1/tokenizer.bin" 400
  # an untied classifier round-trips too
  if "$out/asan/anx-train" "${args[@]}" --steps 5 --untied --tokenizer "$out/run1/tokenizer.bin" --out "$out/untied" --quiet >"$out/untied.log" 2>&1; then
    run_c "$out/untied" infer "$out/untied/model.bin" "$out/untied/tokenizer.bin"
  else
    cat "$out/untied.log"; bad "untied run"
  fi
  # the bundled model, when present, matches the tokenizer it ships with
  if [ -f examples/model/model.bin ] && [ -f examples/model/tokenizer.bin ]; then
    run_c "$out/bundled" infer examples/model/model.bin examples/model/tokenizer.bin
    run_c "$out/bundled_enc" encode "$corpus" examples/model/tokenizer.bin 2000
  fi
else
  echo "FAIL train: $corpus is absent (the fortunes package: make setup installs it)"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
