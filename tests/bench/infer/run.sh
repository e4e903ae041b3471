#!/usr/bin/env bash
# Inference benchmarks on the host: f32 / q8_0 matmul GFLOP/s against
# OpenBLAS single-threaded (libopenblas-dev), a 2048x2048 matvec of each
# quantized weight type (q8_0, q4_0, q4_K, q6_K) against f32, stories260K generation
# tokens/s against the engine on its plain scalar kernels, then the engine
# against llama.cpp (llama.sh). Prints ratios; never pass/fail.
# OPENBLAS_CORETYPE is left as the environment has it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/bench/infer
mkdir -p "$out"
cd "$root"
export OPENBLAS_NUM_THREADS=1
if [ ! -e /usr/include/x86_64-linux-gnu/cblas.h ] && [ ! -e /usr/include/cblas.h ] &&
   ! ls /usr/include/*/cblas.h >/dev/null 2>&1; then
  echo "bench infer: libopenblas-dev is not installed (apt-get install libopenblas-dev)"
  "$here/llama.sh"; exit 0
fi
# the engine in the host build mode (host/host.mk), as anx-model has it
engine=$(ls modules/tensor/*.c modules/infer/*.c | grep -v -e _module.c)
make -s -f host/host.mk ROOT="$root" OUT="$out" PROG=bench PROG_SRCS=tests/bench/infer/bench.c \
  PROG_LINK="$(echo $engine)" PROG_MODULES="tensor infer" PROG_LIBS=-lopenblas program >"$out/build.log" 2>&1 ||
  { cat "$out/build.log"; echo "bench infer: build failed"; exit 0; }
models=$root/../shared/testdata/models
nice "$out/bench" "$models/stories260K.bin" "$models/tok512.bin"

# The same model in the image, same run: host tok/s (AVX2 kernels, as the
# image chooses) against the image's, under this machine's accelerator.
make -s -C tools/model >/dev/null
host_tps=$(nice build/host/anx-model generate "$models/stories260K.bin" --tokenizer "$models/tok512.bin" \
             --steps 200 --temperature 0 --quiet 2>&1 | sed -n 's/.*achieved tok\/s: \([0-9.]*\).*/\1/p')
for plat in x86_64-pc arm64-virt; do
  if ! gen/anx test tests/bench/infer/image-bench.yaml -p "$plat" -o "$out/image-$plat" >"$out/image-$plat.log" 2>&1; then
    echo "in-image generation ($plat): failed, see $out/image-$plat.log"; continue
  fi
  img_tps=$(grep -o '[0-9]* tok/s' "$out/image-$plat/console.log" | tail -n 1 | cut -d' ' -f1)
  printf 'generation, stories260K, 200 tokens: host %s tok/s, image on %s (TCG) %s tok/s, ratio %s\n' \
    "$host_tps" "$plat" "$img_tps" "$(awk -v a="$img_tps" -v b="$host_tps" 'BEGIN { printf "%.3f", a / b }')"
done

# the engine against llama.cpp's llama-bench on the same GGUF files
"$here/llama.sh"
