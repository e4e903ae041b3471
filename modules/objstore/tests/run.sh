#!/usr/bin/env bash
# Host tests of the object store's shared disk-format code, under ASan +
# UBSan: API semantics, a crash at every write and flush of a scripted
# workload (twice: once crashing again during recovery), damaged and
# foreign disks, and a short run of the disk-parser fuzzer (clang
# libFuzzer). Ends with "N passed, N failed".
#
#   modules/objstore/tests/run.sh             everything (fuzz for 10 s)
#   modules/objstore/tests/run.sh --fuzz S    fuzz for S seconds
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mod=$(cd "$here/.." && pwd)
root=$(cd "$mod/../.." && pwd)
out=$here/bin
mkdir -p "$out"
fuzz_secs=10
if [ "${1:-}" = "--fuzz" ]; then fuzz_secs=${2:-60}; fi

shared="$mod/crc32c.c $mod/codec.c $mod/superblock.c $mod/index.c $mod/journal.c $mod/checkpoint.c $mod/store.c $root/core/lib/sha256.c"
flags="-std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -DANX_HOST -D_GNU_SOURCE -I$root/core/include -I$mod"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

pass=0 fail=0
if gcc $flags $san $shared "$here/test_store.c" -o "$out/test_store"; then
  "$out/test_store" | tee "$out/test_store.log"
  line=$(tail -n 1 "$out/test_store.log")
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    pass=$((pass + BASH_REMATCH[1])); fail=$((fail + BASH_REMATCH[2]))
  else
    echo "FAIL test_store (crashed)"; fail=$((fail + 1))
  fi
else
  echo "FAIL build test_store"; fail=$((fail + 1))
fi

# the disk-parser fuzzer, seeded with a few patch inputs
if command -v clang >/dev/null && clang $flags -fsanitize=fuzzer,address,undefined $shared \
     "$here/fuzz_disk.c" -o "$out/fuzz_disk" 2>"$out/fuzz_build.log"; then
  corpus=$out/fuzz-corpus
  mkdir -p "$corpus"
  printf '\x07' >"$corpus/crcs"
  printf '\x07\x00\x00\x20\x00\x08\xff\xff\xff\xff\xff\xff\xff\xff' >"$corpus/sb-journal"
  printf '\x03\x08\x00\x00\x00\x04\x00\x00\x10\x00' >"$corpus/journal"
  if "$out/fuzz_disk" -max_total_time="$fuzz_secs" -max_len=512 "$corpus" >"$out/fuzz.log" 2>&1; then
    echo "ok   fuzz_disk ($(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | head -1) in ${fuzz_secs}s)"
    pass=$((pass + 1))
  else
    echo "FAIL fuzz_disk (see $out/fuzz.log)"; tail -30 "$out/fuzz.log"; fail=$((fail + 1))
  fi
else
  echo "FAIL build fuzz_disk (clang with libFuzzer)"; cat "$out/fuzz_build.log"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
