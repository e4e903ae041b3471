#!/usr/bin/env bash
# Host unit tests of the core and of the console and shell modules, under
# ASan + UBSan. Prints one line per test and ends with "N passed, N failed".
#
#   tests/unit/run.sh              build and run every test (plus a short
#                                  fuzz smoke of the files archive parser)
#   tests/unit/run.sh --fuzz [S]   run the archive fuzzer for S seconds (60)
#
# How the core is compiled for the host: exactly as for an image
# (-ffreestanding -nostdinc, gcc's own stdint/stddef/stdarg), but with
# `-include rename.h`, which renames the core's libc-named functions
# (memcpy, snprintf, strtol ...) to anx_t_*, so they cannot collide with the
# host libc that the test programs and the sanitizers use. Tests include
# their host headers first and then unit.h, after which the standard names
# mean the core's functions. See rename.h and unit.h.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/bin
mkdir -p "$out"
cd "$root"

fuzz_secs=""
if [ "${1:-}" = "--fuzz" ]; then fuzz_secs=${2:-60}; fi

cc=${CC:-gcc}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
common="-std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror $san"
inc=$($cc -print-file-name=include)
core_flags="$common -ffreestanding -nostdinc -isystem $inc -Icore/include -include $here/rename.h -include $here/config.h"
test_flags="$common -D_GNU_SOURCE -Icore/include -I$here"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

pass=0 fail=0
failed() { echo "FAIL $1"; fail=$((fail + 1)); }

# ---- build the core for the host ------------------------------------------
core_srcs=()
for s in core/*.c core/lib/*.c; do
  case $s in core/kmain.c|core/panic.c) continue ;; esac   # boot-only / stubbed
  core_srcs+=("$s")
done
objs=()
build_ok=1
for s in "${core_srcs[@]}"; do
  o=$out/$(echo "$s" | tr / _).o
  if ! $cc $core_flags -c "$s" -o "$o" 2>"$out/build.log"; then
    cat "$out/build.log"; build_ok=0; failed "build $s"; continue
  fi
  objs+=("$o")
done
rm -f "$out/libanx.a"
ar rcs "$out/libanx.a" "${objs[@]}"
for s in host_plat stubs; do
  $cc $test_flags -c "$here/$s.c" -o "$out/$s.o" || { build_ok=0; failed "build $s.c"; }
done

# module sources are core-like code: same flags as the core
modobj() {   # modobj SRC -> object path
  local o=$out/$(echo "$1" | tr / _).o
  $cc $core_flags -I"$(dirname "$1")" $incflags -c "$1" -o "$o" && echo "$o"
}

# ---- the tests ----------------------------------------------------------------
# name | test source | extra module sources | extra include dir
tests=(
  "string|tests/unit/test_string.c||"
  "printf|tests/unit/test_printf.c||"
  "sha256|tests/unit/test_sha256.c||"
  "mem|tests/unit/test_mem.c||"
  "files|tests/unit/test_files.c||"
  "core|tests/unit/test_core.c||"
  "module|tests/unit/test_module.c||"
  "blockdev|tests/unit/test_blockdev.c||"
  "data|tests/unit/test_data.c||"
  "pci|tests/unit/test_pci.c||"
  "lineedit|modules/shell/tests/test_lineedit.c|modules/shell/lineedit.c|modules/shell"
  "serial|modules/console/tests/test_serial.c|modules/console/serial.c|modules/console"
  "router|modules/router/tests/test_router.c|modules/router/router.c modules/router/builtins.c modules/router/upstream_parse.c|modules/router"
  "http_conn|modules/httpd/tests/test_conn.c|modules/httpd/http_parser.c modules/httpd/http_conn.c modules/router/router.c modules/router/builtins.c modules/router/upstream_parse.c|modules/httpd modules/router"
)
for t in "${tests[@]}"; do
  IFS='|' read -r name src mods incdir <<<"$t"
  incflags=""   # several include folders may be given, space-separated
  for d in $incdir; do incflags="$incflags -I$d"; done
  bin=$out/test_$name
  extra=()
  ok=1
  for m in $mods; do
    o=$(modobj "$m") || { ok=0; break; }
    extra+=("$o")
  done
  if [ $ok = 0 ] || ! $cc $test_flags $incflags "$src" "${extra[@]}" \
        "$out/host_plat.o" "$out/stubs.o" "$out/libanx.a" -o "$bin"; then
    failed "$name: build"
    continue
  fi
  "$bin" >"$out/$name.out" 2>"$out/$name.err"
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

# ---- fuzzing the files archive parser -------------------------------------------
if command -v clang >/dev/null; then
  fz=$out/fuzz
  mkdir -p "$fz/corpus"
  cinc=$(clang -print-file-name=include)
  fflags="-std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
    -ffreestanding -nostdinc -isystem $cinc -Icore/include -include $here/rename.h -include $here/config.h"
  fobjs=()
  for s in core/files.c core/lib/sha256.c core/lib/string.c core/lib/ctype.c; do
    o=$fz/$(basename "$s" .c).o
    clang $fflags -c "$s" -o "$o" && fobjs+=("$o")
  done
  # anx_log (files.c's boot path) and the image archive are not fuzzed: stub them
  cat >"$fz/stub.c" <<'C'
#include <stdint.h>
void anx_log(int l, const char *t, const char *f, ...) { (void)l; (void)t; (void)f; }
const uint8_t anx_files_start[16] = "ANXFILES\1";
const uint8_t anx_files_end[1];
C
  printf 'ANXFILES\x01\x00\x00\x00\x00\x00\x00\x00' >"$fz/corpus/empty"
  if clang -g -fsanitize=fuzzer,address,undefined -I"$here" -Icore/include \
       "$here/fuzz_files.c" "$fz/stub.c" "${fobjs[@]}" -o "$fz/fuzz_files" 2>"$fz/build.log"; then
    if [ -n "$fuzz_secs" ]; then
      "$fz/fuzz_files" -max_total_time="$fuzz_secs" -max_len=4096 "$fz/corpus" \
        && { echo "ok   fuzz: files archive (${fuzz_secs}s)"; pass=$((pass + 1)); } \
        || failed "fuzz: files archive"
    elif "$fz/fuzz_files" -runs=20000 -max_len=1024 "$fz/corpus" >"$fz/run.log" 2>&1; then
      echo "ok   fuzz: files archive smoke (20000 runs)"; pass=$((pass + 1))
    else
      tail -n 30 "$fz/run.log"; failed "fuzz: files archive smoke"
    fi
  else
    cat "$fz/build.log"; failed "fuzz: build"
  fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
