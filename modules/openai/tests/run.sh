#!/usr/bin/env bash
# Host tests of the openai module under ASan + UBSan: the JSON parser and
# writer, request parsing and validation, the chat template, the answers'
# JSON and SSE, and the generation driver on stories260K (when
# ../shared/testdata/models is there); examples/clients/openai_client.py
# against a stand-in server; freestanding builds as for an image;
# a libFuzzer smoke of the JSON and request parsers. Ends with
# "N passed, N failed"; exits non-zero on failure.
#   modules/openai/tests/run.sh             tests + a 20000-run fuzz smoke
#   modules/openai/tests/run.sh --fuzz S    fuzz for S seconds instead
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/openai
mkdir -p "$out"
cd "$root"
fuzz_secs=""
[ "${1:-}" = "--fuzz" ] && fuzz_secs=${2:-60}
models=$root/../shared/testdata/models
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
host="-std=c11 -g -O1 -Wall -Wextra -Werror -DANX_HOST -D_GNU_SOURCE -Imodules/openai -Imodules/tensor -Imodules/infer -Icore/include"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
pass=0 fail=0
mods=(modules/openai/json.c modules/openai/api.c modules/openai/openai_module.c "$here/rt_buf_host.c")
engine=(modules/tensor/*.c modules/infer/*.c core/lib/math.c)

if [ -d "$models" ]; then
  export STORIES_BIN=$models/stories260K.bin STORIES_TOK=$models/tok512.bin
fi   # without the models, test_openai prints its own skip line

if gcc $host $san "$here/test_openai.c" "${mods[@]}" "${engine[@]}" -lm -o "$out/test_openai" 2>"$out/build.log"; then
  "$out/test_openai" >"$out/openai.out" 2>"$out/openai.err"; rc=$?
  grep -av 'passed, .* failed' "$out/openai.out"
  p=$(grep -ac '^ok ' "$out/openai.out"); f=$(grep -ac '^FAIL ' "$out/openai.out")
  pass=$((pass + p)); fail=$((fail + f))
  if [ $rc -ne 0 ]; then head -n 40 "$out/openai.err"; [ "$f" -eq 0 ] && { echo "FAIL openai: exited with status $rc"; fail=$((fail + 1)); }; fi
else
  cat "$out/build.log"; echo "FAIL openai: build"; fail=$((fail + 1))
fi

# examples/clients/openai_client.py against a stand-in server (python3)
if command -v python3 >/dev/null; then
  PYTHONDONTWRITEBYTECODE=1 python3 -B "$here/test_client.py" >"$out/client.out" 2>&1; rc=$?
  cat "$out/client.out"
  p=$(grep -c '^ok ' "$out/client.out"); f=$(grep -c '^FAIL ' "$out/client.out")
  pass=$((pass + p)); fail=$((fail + f))
  [ $rc -ne 0 ] && [ "$f" -eq 0 ] && { echo "FAIL openai: client test exited with status $rc"; fail=$((fail + 1)); }
else
  echo "FAIL openai: client test: python3 missing (make setup installs it)"; fail=$((fail + 1))
fi

# freestanding builds of the module's sources, as for an image
for arch in x86_64 arm64; do
  case $arch in
    x86_64) cc=gcc; aflags="-m64 -march=x86-64 -mno-red-zone -mcmodel=small" ;;
    arm64) cc=aarch64-linux-gnu-gcc; aflags="-march=armv8-a -mstrict-align -mno-outline-atomics" ;;
  esac
  command -v $cc >/dev/null || { echo "FAIL openai: freestanding $arch build: $cc missing (make setup installs it)"; fail=$((fail + 1)); continue; }
  inc=$($cc -print-file-name=include) ok=1
  for s in modules/openai/*.c; do
    $cc -std=c11 -ffreestanding -nostdinc -isystem "$inc" -O2 -fno-pic -Wall -Wextra -Werror \
      -Werror=implicit-function-declaration -Icore/include -Imodules/openai -include tests/unit/config.h \
      $aflags -c "$s" -o "$out/$(basename "$s" .c).$arch.o" 2>>"$out/freestanding.log" || ok=0
  done
  if [ $ok = 1 ]; then echo "ok   openai: freestanding $arch build of the module"; pass=$((pass + 1))
  else cat "$out/freestanding.log"; echo "FAIL openai: freestanding $arch build"; fail=$((fail + 1)); fi
done

# libFuzzer smoke of the JSON and request parsers
if command -v clang >/dev/null; then
  if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DANX_HOST -D_GNU_SOURCE \
       -Imodules/openai -Imodules/tensor -Imodules/infer -Icore/include "$here/fuzz_json.c" modules/openai/json.c \
       modules/openai/api.c "$here/rt_buf_host.c" "${engine[@]}" -lm -o "$out/fuzz_json" 2>"$out/fuzz_build.log"; then
    mkdir -p "$out/corpus"
    cp "$here"/corpus/* "$out/corpus/"
    if [ -n "$fuzz_secs" ]; then args=(-max_total_time="$fuzz_secs"); else args=(-runs=20000); fi
    if "$out/fuzz_json" "${args[@]}" -max_len=4096 "$out/corpus" >"$out/fuzz.log" 2>&1; then
      echo "ok   openai: JSON/request fuzz ($(grep -o 'Done [0-9]* runs' "$out/fuzz.log" || echo "${args[*]}"))"; pass=$((pass + 1))
    else
      tail -n 30 "$out/fuzz.log"; echo "FAIL openai: JSON/request fuzz"; fail=$((fail + 1))
    fi
  else
    cat "$out/fuzz_build.log"; echo "FAIL openai: fuzz build"; fail=$((fail + 1))
  fi
else
  echo "FAIL openai: fuzz: clang missing (make setup installs it)"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
