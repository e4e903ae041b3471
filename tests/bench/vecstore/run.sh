#!/usr/bin/env bash
# Vector-memory benchmark (modules/vecstore, docs/vecstore.md): exact query
# latency on the host at 1k/10k/100k vectors of dim 64 and 768, ingest rate
# and retrieval ranks with stories260K (../shared/testdata; skipped without
# it) and the bundled examples/model, then the search time in the image
# (tests/bench/vecstore/image-bench.yaml: `vmem bench N DIM` under TCG).
# VECSTORE_BENCH_HOST_ONLY=1 leaves the image out. Prints numbers and
# ratios; never pass/fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/bench/vecstore
mkdir -p "$out"
cd "$root"
engine=$(ls modules/tensor/*.c modules/infer/*.c | grep -v -e _module.c)
make -s -f host/host.mk ROOT="$root" OUT="$out" PROG=bench PROG_SRCS=tests/bench/vecstore/bench.c \
  PROG_LINK="$(echo $engine) modules/vecstore/index.c modules/vecstore/chunk.c modules/vecstore/lexical.c modules/vecstore/rank.c" \
  PROG_MODULES="tensor infer vecstore" program >"$out/build.log" 2>&1 ||
  { cat "$out/build.log"; echo "bench vecstore: build failed"; exit 0; }
models=$root/../shared/testdata/models
nice "$out/bench" "$root/examples/docs" stories260K "$models/stories260K.bin" "$models/tok512.bin" \
  examples/model "$root/examples/model/model.bin" "$root/examples/model/tokenizer.bin"

[ "${VECSTORE_BENCH_HOST_ONLY:-}" ] && exit 0
if ! gen/anx test tests/bench/vecstore/image-bench.yaml -p x86_64-pc -o "$out/image" >"$out/image.log" 2>&1; then
  echo "in-image query: failed, see $out/image.log"; exit 0
fi
grep -o 'vecstore-bench: .*' "$out/image/console.log" | sed 's/^vecstore-bench: /in-image (x86_64-pc, TCG): /'
