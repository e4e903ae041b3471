#!/usr/bin/env bash
# The engine against llama.cpp (llama-bench, CPU) on the same GGUF files: stories260K and a random
# model of a realistic shape (anx model random: dim 768, hidden 2048, 12 layers, 12 heads, 4 KV
# heads, vocabulary 32000: 110M parameters), as f32, q8_0 and q4_0 (and q4_k once `anx model
# convert --help` lists it). Prompt processing (pp: the prompt's tokens through the model) and
# generation (tg) in tok/s, each engine on one and on two threads (the engine's --threads: its
# host worker threads, as an image's CPUs), with the ratio ours / llama.cpp at each. Prints a
# table; never pass/fail. Called by tests/bench/infer/run.sh; alone: tests/bench/infer/llama.sh [--quick]
# (--quick: stories260K only).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/bench/infer/llama
mkdir -p "$out"
cd "$root"
quick=0
[ "${1:-}" = --quick ] && quick=1
if ! scripts/llama_cpp.sh --check; then
  echo "bench infer/llama: llama.cpp is not installed (scripts/llama_cpp.sh)"; exit 0
fi
make -s -C tools/model >"$out/build.log" 2>&1 ||
  { cat "$out/build.log"; echo "bench infer/llama: build failed"; exit 0; }
tool=build/host/anx-model
bench=build/third_party/llama.cpp/bin/llama-bench
types="f32 q8_0 q4_0"
"$tool" convert --help 2>&1 | grep -q 'q4_k' && types="$types q4_k"
models=$root/../shared/testdata/models
n_gen=32
prompt="Once upon a time, there was a little girl named Lily. She loved to play outside in the \
park with her friends, and every day she would run to the big tree to look for birds and"

files=()
if [ -f "$models/stories260K.bin" ]; then
  for t in $types; do
    [ -f "$out/stories260K_$t.gguf" ] ||
      "$tool" convert "$models/stories260K.bin" --tokenizer "$models/tok512.bin" \
        -o "$out/stories260K_$t.gguf" --type $t 2>>"$out/convert.log" || continue
    files+=("stories260K_$t")
  done
else
  echo "bench infer/llama: ../shared/testdata/models is absent: no stories260K rows"
fi
if [ $quick -eq 0 ]; then
  for t in $types; do
    [ -f "$out/random110M_$t.gguf" ] ||
      "$tool" random -o "$out/random110M_$t.gguf" --dim 768 --hidden 2048 --layers 12 --heads 12 \
        --kv-heads 4 --vocab 32000 --ctx 1024 --untied --seed 1 --type $t 2>>"$out/convert.log" ||
      continue
    files+=("random110M_$t")
  done
fi

printf '%-18s %-4s %6s %10s %10s %7s %10s %10s %7s\n' model test tokens "anx t1" "llama t1" ratio \
  "anx t2" "llama t2" ratio
for f in "${files[@]}"; do
  g=$out/$f.gguf
  # the engine: a run gives both (its --timings line); the best of 3, as a busy host's noise
  # only ever slows a run (llama-bench averages 2 repetitions of each)
  re='^timings: prompt \([0-9]*\) tokens \([0-9.]*\) tok/s, generation \([0-9]*\) tokens'
  re="$re"' \([0-9.]*\) tok/s$'
  for th in 1 2; do
    : >"$out/$f.anx$th"
    for _ in 1 2 3; do
      "$tool" generate "$g" --prompt "$prompt" --max-tokens $n_gen --temperature 0 --quiet --timings \
        --threads $th >/dev/null 2>>"$out/$f.anx$th" || break
    done
    read -r np pp ng tg < <(sed -n "s|$re|\1 \2 \3 \4|p" "$out/$f.anx$th" | sort -k2,2gr |
      awk 'NR == 1 { np = $1; pp = $2; ng = $3 } { if ($4 > tg) tg = $4 } END { print np, pp, ng, tg }')
    eval "pp$th=\$pp tg$th=\$tg"
  done
  [ -n "$np" ] || { echo "$f: anx model generate failed: $(tail -n 1 "$out/$f.anx1")"; continue; }
  # llama.cpp on the same prompt length and generation length, 1 and 2 threads, 2 repetitions
  nice "$bench" -m "$g" -t 1,2 -p "$np" -n "$ng" -r 2 -o csv >"$out/$f.csv" 2>"$out/$f.err" ||
    { echo "$f: llama-bench failed: $(tail -n 1 "$out/$f.err")"; continue; }
  python3 - "$out/$f.csv" "$f" "$np" "$pp1" "$pp2" "$ng" "$tg1" "$tg2" <<'EOF'
import csv, sys
path, name, np, pp1, pp2, ng, tg1, tg2 = sys.argv[1:]
ts = {}
for r in csv.DictReader(open(path)):
    test = "pp" if r["n_prompt"] != "0" else "tg"
    ts[(test, r["n_threads"])] = float(r["avg_ts"])
def cell(ours, l):
    return ["%.1f" % float(ours) if ours else "-", "%.1f" % l if l else "-",
            "%.3f" % (float(ours) / l) if l and ours else "-"]
for test, n, o1, o2 in (("pp", np, pp1, pp2), ("tg", ng, tg1, tg2)):
    row = cell(o1, ts.get((test, "1"))) + cell(o2, ts.get((test, "2")))
    print("%-18s %-4s %6s %10s %10s %7s %10s %10s %7s" % tuple([name, test, n] + row))
EOF
done
ver=$(head -n 1 build/third_party/llama.cpp/version | sed 's/^version: //')
echo "(tok/s; ratio = anx / llama.cpp at the same thread count; llama.cpp $ver," \
     "CPU backend: ggml's haswell variant, AVX2+FMA+F16C)"
