#!/usr/bin/env bash
# Host tests of the net module (ASan + UBSan): the IPv4 configuration parser
# and lwIP's OS layer on the core's threads. The core is compiled as
# tests/unit/run.sh does (freestanding, libc names renamed); sys_arch.c needs
# lwIP's headers from the third-party cache (scripts/third_party.sh).
# Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
unit=$root/tests/unit
out=$root/build/test-net
mkdir -p "$out"
cd "$root"
lwip=${ANX_THIRD_PARTY:-${XDG_CACHE_HOME:-$HOME/.cache}/anunix}/lwip
if [ ! -d "$lwip/src/include" ]; then
  echo "FAIL net: lwip not fetched: run scripts/setup.sh"
  echo "0 passed, 1 failed"
  exit 1
fi
cc=${CC:-gcc}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
common="-std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror $san"
inc=$($cc -print-file-name=include)
core_flags="$common -ffreestanding -nostdinc -isystem $inc -Icore/include -include $unit/rename.h -include $unit/config.h"
test_flags="$common -D_GNU_SOURCE -Icore/include -I$unit"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
objs=()
for s in core/*.c core/lib/*.c; do
  case $s in core/kmain.c|core/panic.c) continue ;; esac
  o=$out/$(echo "$s" | tr / _).o
  $cc $core_flags -c "$s" -o "$o" 2>>"$out/build.log" || { cat "$out/build.log"; echo "0 passed, 1 failed"; exit 1; }
  objs+=("$o")
done
rm -f "$out/libanx.a"
ar rcs "$out/libanx.a" "${objs[@]}"
objs=()
for s in modules/net/ipconfig.c modules/net/sys_arch.c; do
  o=$out/$(basename "$s" .c).o
  $cc $core_flags -Imodules/net -I"$lwip/src/include" -c "$s" -o "$o" 2>>"$out/build.log" \
    || { cat "$out/build.log"; echo "0 passed, 1 failed"; exit 1; }
  objs+=("$o")
done
for s in host_plat stubs; do
  $cc $test_flags -c "$unit/$s.c" -o "$out/$s.o" || { echo "0 passed, 1 failed"; exit 1; }
  objs+=("$out/$s.o")
done
# -iquote: the port headers (lwipopts.h, arch/) but not the folder's
# <string.h>/<stdlib.h> shims, so the test gets the host's.
if ! $cc $test_flags -iquote modules/net -I"$lwip/src/include" "$here/test_net.c" "${objs[@]}" "$out/libanx.a" -o "$out/test_net" \
     2>"$out/build.log"; then
  cat "$out/build.log"; echo "0 passed, 1 failed"; exit 1
fi
"$out/test_net" >"$out/net.out" 2>"$out/net.err"
rc=$?
cat "$out/net.out"
pass=$(grep -c '^ok ' "$out/net.out"); fail=$(grep -c '^FAIL ' "$out/net.out")
[ "$fail" -gt 0 ] && sed 's/^/    | /' "$out/net.err" | head -40
[ $rc -ne 0 ] && [ "$fail" -eq 0 ] && fail=1 && sed 's/^/    | /' "$out/net.err" | head -40
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
