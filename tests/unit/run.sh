#!/usr/bin/env bash
# Host unit tests of the core, under ASan + UBSan: every tests/unit/test_*.c
# on the simulated platform of host_plat.c, core/lib/math.c against glibc's
# libm, and a short fuzz smoke of the files archive parser. Prints one line
# per test and ends with "N passed, N failed". (The modules' host tests are
# in their module.yaml tests: keys, run by tests/modules.sh.)
#
#   tests/unit/run.sh              build and run every test
#   tests/unit/run.sh --fuzz [S]   fuzz the archive parser for S seconds (60) instead of the smoke
#
# The core is compiled as in every host build (host/host.mk, docs/
# architecture.md "Host builds"): exactly as for an image (-ffreestanding
# -nostdinc, gcc's own stdint/stddef/stdarg) plus `-include host/rename.h`,
# which renames the core's libc-named functions (memcpy, snprintf, strtol
# ...) to anx_t_*, so they cannot collide with the host libc that the test
# programs and the sanitizers use. Tests include their host headers first
# and then unit.h, after which the standard names mean the core's functions.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/test/unit
mkdir -p "$out"
cd "$root"

fuzz_secs=""
if [ "${1:-}" = "--fuzz" ]; then fuzz_secs=${2:-60}; fi
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

pass=0 fail=0
failed() { echo "FAIL $1"; fail=$((fail + 1)); }
# hostprog NAME FLAVOUR PLATFORM SRCS...: a program of host/host.mk, into $built
hostprog() {
  local name=$1 flavour=$2 platform=$3; shift 3
  if ! make -s -f host/host.mk ROOT="$root" OUT="$out" LIBOUT="$root/build/host" FLAVOUR="$flavour" PROG="$name" PROG_SRCS="$*" \
      PROG_PLATFORM="$platform" program >"$out/$name.build" 2>&1; then
    sed 's/^/    | /' "$out/$name.build" | tail -n 40
    return 1
  fi
  built=$out/$flavour/$name
}

# ---- the core's tests: tests/unit/test_*.c on the simulated platform -----------
for src in tests/unit/test_*.c; do
  name=$(basename "$src" .c)
  name=${name#test_}
  [ "$name" = math ] && continue            # below: against glibc, not on the platform
  if ! hostprog "test_$name" asan unit "$src"; then
    failed "$name: build"
    continue
  fi
  "$built" >"$out/$name.out" 2>"$out/$name.err"
  rc=$?
  cat "$out/$name.out"
  p=$(grep -c '^ok ' "$out/$name.out"); f=$(grep -c '^FAIL ' "$out/$name.out")
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$f" -gt 0 ] || [ $rc -ne 0 ]; then
    sed 's/^/    | /' "$out/$name.err" | head -n 40
  fi
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
    failed "$name: exited with status $rc"
  fi
done

# ---- the core's names on the host ------------------------------------------------
# Every global the core defines is anx_* or a function of <anx/math.h>: a
# C-library name (memcpy, strtol ...) must be renamed by host/rename.h, or a
# host program linking the core would call the core's version in place of
# its libc's without a word from the linker.
math=$(sed -n 's/^[a-z ]*[ *]\([a-z0-9_]*\)(.*/\1/p' core/include/anx/math.h)
stray=$(nm -g --defined-only "$root/build/host/asan/libanx.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u |
        grep -v -e '^anx_' -e '^__' | grep -vxF "$math")
if [ ! -f "$root/build/host/asan/libanx.a" ]; then
  failed "core names: build/host/asan/libanx.a was not built"
elif [ -n "$stray" ]; then
  failed "core names: the core defines C-library names host/rename.h does not rename: $(echo $stray)"
else
  echo "ok   core names: every global of libanx.a is anx_* or <anx/math.h> ($(echo $math | wc -w) functions)"
  pass=$((pass + 1))
fi

# ---- core/lib/math.c against glibc ------------------------------------------------
# Both in one program: math.c under the names of math_rename.h (anx_m_*), so
# not from libanx.a, whose expf would stand in for glibc's too.
if gcc -std=c11 -O2 -ffreestanding -fno-builtin -Icore/include -include tests/unit/math_rename.h \
      -c core/lib/math.c -o "$out/math.o" 2>"$out/math.build" &&
   gcc -O2 -fno-builtin tests/unit/test_math.c "$out/math.o" -lm -o "$out/test_math" 2>>"$out/math.build"; then
  "$out/test_math" >"$out/math.out" 2>&1
  rc=$?
  grep -v 'passed, .* failed' "$out/math.out"
  p=$(grep -c '^ok ' "$out/math.out"); f=$(grep -c '^FAIL ' "$out/math.out")
  pass=$((pass + p)); fail=$((fail + f))
  [ $rc -ne 0 ] && [ "$f" -eq 0 ] && failed "math: exited with status $rc"
else
  cat "$out/math.build"; failed "math: build"
fi

# ---- fuzzing the files archive parser -------------------------------------------
if command -v clang >/dev/null; then
  fz=$out/fuzz
  mkdir -p "$fz/corpus"
  printf 'ANXFILES\x01\x00\x00\x00\x00\x00\x00\x00' >"$fz/corpus/empty"
  # platform none: files.c with the core's library, anx_log and the archive stubbed
  if hostprog fuzz_files fuzz none tests/unit/fuzz_files.c tests/unit/fuzz_stub.c; then
    if [ -n "$fuzz_secs" ]; then
      "$built" -max_total_time="$fuzz_secs" -max_len=4096 "$fz/corpus" \
        && { echo "ok   fuzz: files archive (${fuzz_secs}s)"; pass=$((pass + 1)); } \
        || failed "fuzz: files archive"
    elif "$built" -runs=20000 -max_len=1024 "$fz/corpus" >"$fz/run.log" 2>&1; then
      echo "ok   fuzz: files archive smoke (20000 runs)"; pass=$((pass + 1))
    else
      tail -n 30 "$fz/run.log"; failed "fuzz: files archive smoke"
    fi
  else
    failed "fuzz: build"
  fi
else
  failed "fuzz: clang is not installed (make setup installs it)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
