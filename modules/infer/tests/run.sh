#!/usr/bin/env bash
# Host tests of the infer module under ASan + UBSan, plus a fuzz smoke of
# the GGUF and llama2.c parsers (clang libFuzzer). Ends with
# "N passed, N failed"; exits non-zero on failure.
#   modules/infer/tests/run.sh             tests + 20000-run fuzz smoke each
#   modules/infer/tests/run.sh --fuzz S    fuzz each parser for S seconds
# Models come from ../shared/testdata/models next to the repository; tests
# that need them are skipped with a message when it is absent.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/infer
mkdir -p "$out"
cd "$root"
fuzz_secs=""
[ "${1:-}" = "--fuzz" ] && fuzz_secs=${2:-60}
models=$root/../shared/testdata/models
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
host="-std=c11 -g -O1 -Wall -Wextra -Werror -DANX_HOST -D_GNU_SOURCE -Imodules/tensor -Imodules/infer -Icore/include"
# allocator_may_return_null: an impossible allocation returns NULL, as the
# image's heap does (the out-of-memory messages are tested)
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1
pass=0 fail=0
lib=(modules/tensor/*.c modules/infer/*.c core/lib/math.c)

if [ -d "$models" ]; then
  export STORIES_BIN=$models/stories260K.bin STORIES_TOK=$models/tok512.bin TINY_GGUF=$models/llama-2-tiny-random.gguf
  # the converted GGUFs come from the host tool, built without sanitizers
  if make -s -C tools/model >"$out/tool.log" 2>&1; then
    for t in f32 q8_0 q4_0; do
      build/host/anx-model convert "$STORIES_BIN" --tokenizer "$STORIES_TOK" -o "$out/stories_$t.gguf" --type $t 2>>"$out/tool.log"
    done
    export STORIES_GGUF_F32=$out/stories_f32.gguf STORIES_GGUF_Q8=$out/stories_q8_0.gguf STORIES_GGUF_Q4=$out/stories_q4_0.gguf
    echo "ok   infer: anx-model builds and converts stories260K to f32, q8_0 and q4_0 GGUF"; pass=$((pass + 1))
  else
    cat "$out/tool.log"; echo "FAIL infer: anx-model build"; fail=$((fail + 1))
  fi
else
  echo "skip  infer/anx-model-convert: $models is absent (../shared/testdata beside the repository)"
fi

if gcc $host $san "$here/test_infer.c" "${lib[@]}" -lm -o "$out/test_infer" 2>"$out/build.log"; then
  "$out/test_infer" >"$out/infer.out" 2>"$out/infer.err"; rc=$?
  grep -v 'passed, .* failed' "$out/infer.out"
  p=$(grep -c '^ok ' "$out/infer.out"); f=$(grep -c '^FAIL ' "$out/infer.out")
  pass=$((pass + p)); fail=$((fail + f))
  if [ $rc -ne 0 ]; then head -n 40 "$out/infer.err"; [ "$f" -eq 0 ] && { echo "FAIL infer: exited with status $rc"; fail=$((fail + 1)); }; fi
else
  cat "$out/build.log"; echo "FAIL infer: build"; fail=$((fail + 1))
fi

# freestanding builds of the engine sources, as for an image
for arch in x86_64 arm64; do
  case $arch in
    x86_64) cc=gcc; aflags="-m64 -march=x86-64 -mno-red-zone -mcmodel=small" ;;
    arm64) cc=aarch64-linux-gnu-gcc; aflags="-march=armv8-a -mstrict-align -mno-outline-atomics" ;;
  esac
  command -v $cc >/dev/null || { echo "FAIL infer: freestanding $arch build: $cc missing (make setup installs it)"; fail=$((fail + 1)); continue; }
  inc=$($cc -print-file-name=include) ok=1
  for s in modules/infer/*.c; do
    $cc -std=c11 -ffreestanding -nostdinc -isystem "$inc" -O2 -fno-pic -Wall -Wextra -Werror \
      -Werror=implicit-function-declaration -Icore/include -Imodules/infer -include tests/unit/config.h \
      $aflags -c "$s" -o "$out/k_$arch.o" 2>>"$out/kbuild.log" || ok=0
  done
  if [ $ok = 1 ]; then echo "ok   infer: freestanding $arch build"; pass=$((pass + 1))
  else cat "$out/kbuild.log"; echo "FAIL infer: freestanding $arch build"; fail=$((fail + 1)); fi
done

# fuzzing
if command -v clang >/dev/null; then
  for fz in gguf llama2c; do
    d=$out/fuzz_$fz; mkdir -p "$d/corpus"
    case $fz in
      gguf) cp "$here/corpus/tiny.gguf" "$d/corpus/" ;;
      llama2c) cp "$here/corpus/tiny_ckpt.fuzz" "$here/corpus/tiny_tok.fuzz" "$d/corpus/" ;;
    esac
    if clang -std=c11 -g -O1 -DANX_HOST -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
         -Imodules/tensor -Imodules/infer -Icore/include "$here/fuzz_$fz.c" "${lib[@]}" -lm -o "$d/fuzz" 2>"$d/build.log"; then
      if [ -n "$fuzz_secs" ]; then args="-max_total_time=$fuzz_secs"; what="${fuzz_secs}s"
      else args="-runs=20000"; what="20000 runs"; fi
      if ASAN_OPTIONS=detect_leaks=1 "$d/fuzz" $args -max_len=8192 "$d/corpus" >"$d/run.log" 2>&1; then
        echo "ok   infer: fuzz $fz parser ($what)"; pass=$((pass + 1))
      else
        tail -n 30 "$d/run.log"; echo "FAIL infer: fuzz $fz parser"; fail=$((fail + 1))
      fi
    else
      cat "$d/build.log"; echo "FAIL infer: fuzz $fz build"; fail=$((fail + 1))
    fi
  done
else
  echo "FAIL infer: fuzz: clang missing (make setup installs it)"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
