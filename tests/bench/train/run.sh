#!/usr/bin/env bash
# Training throughput on the host: tokens/s of anx-train (forward, backward
# and AdamW) for the bundled model's shape (dim 128, hidden 384, 4 layers,
# 4 heads, vocab 1024, 16 x 128 tokens a step) on 1 and 2 threads, after a
# warm-up. Prints figures; never pass/fail. Needs the fortunes corpus.
# Usage: tests/bench/train/run.sh [STEPS]   (default 20)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/bench/train
mkdir -p "$out"
cd "$root"
steps=${1:-20}
corpus=${ANX_TRAIN_CORPUS:-/usr/share/games/fortunes}
[ -d "$corpus" ] || { echo "bench train: $corpus is absent (apt-get install fortunes)"; exit 0; }
make -s -C tools/train >"$out/build.log" 2>&1 || { cat "$out/build.log"; echo "bench train: build failed"; exit 0; }
shape=(--vocab 1024 --dim 128 --hidden 384 --layers 4 --heads 4 --kv-heads 4 --seq-len 128 --batch 16)
# the tokenizer once, on the first 3000 texts
build/host/anx-train --corpus "$corpus" --max-texts 3000 "${shape[@]}" --steps 1 --out "$out/tok" --quiet || exit 0
echo "bench train: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); shape ${shape[*]}"
printf '%-10s %8s %12s %12s\n' "threads" "steps" "tokens/s" "ms/step"
for threads in 1 2; do
  log=$out/threads$threads.log
  build/host/anx-train --corpus "$corpus" --max-texts 3000 --tokenizer "$out/tok/tokenizer.bin" "${shape[@]}" \
    --steps $((steps + 3)) --warmup 3 --log-every 3 --eval-every 0 --ckpt-every 0 --shards 2 \
    --threads $threads --out "$out/run$threads" >"$log" 2>&1 || { tail -n 5 "$log"; continue; }
  # tokens/s over the steps after the first 3 (warm-up): the progress lines' intervals
  awk -v th=$threads -v st=$steps '/^step /{e = $12; sub("s", "", e); n++; if (n == 1) e0 = e}
       END{tok = st * 16 * 128; printf "%-10s %8d %12.0f %12.1f\n", th, st, tok / (e - e0), 1000 * (e - e0) / st}' "$log"
done
grep -o "kernels [a-z0-9]*" "$out/threads1.log" | head -n1 | sed "s/^/bench train: /"
