#!/usr/bin/env bash
# Inference benchmarks on the host: f32 / q8_0 matmul GFLOP/s against
# OpenBLAS single-threaded (libopenblas-dev), and stories260K generation
# tokens/s against the engine on its plain scalar kernels. Prints ratios;
# never pass/fail. OPENBLAS_CORETYPE is left as the environment has it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/bench/infer
mkdir -p "$out"
cd "$root"
export OPENBLAS_NUM_THREADS=1
if [ ! -e /usr/include/x86_64-linux-gnu/cblas.h ] && [ ! -e /usr/include/cblas.h ] &&
   ! ls /usr/include/*/cblas.h >/dev/null 2>&1; then
  echo "bench infer: libopenblas-dev is not installed (apt-get install libopenblas-dev)"; exit 0
fi
gcc -std=gnu11 -O2 -g -DANX_HOST -D_GNU_SOURCE -fno-math-errno -Imodules/tensor -Imodules/infer -Icore/include \
  "$here/bench.c" modules/tensor/*.c modules/infer/*.c core/lib/math.c \
  -lopenblas -lm -o "$out/bench" || { echo "bench infer: build failed"; exit 0; }
models=$root/../shared/testdata/models
nice "$out/bench" "$models/stories260K.bin" "$models/tok512.bin"
