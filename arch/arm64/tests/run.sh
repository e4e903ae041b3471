#!/usr/bin/env bash
# Host tests of the arm64 code: the device tree reader under ASan + UBSan on
# the DTBs QEMU's virt machine passes (GICv2 and GICv3, 4 CPUs), on hand-made trees
# and on thousands of corrupted copies; then a short libFuzzer run when
# clang has it. Prints `N passed, N failed`.
# Usage: arch/arm64/tests/run.sh [FUZZ_SECONDS]   (default 10; 0 = skip)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test-arm64
mkdir -p "$out"
fuzz_secs=${1:-10}
pass=0 fail=0
note() { printf '%-4s %s\n' "$1" "$2"; if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi; }

: >"$out/empty.img"
for v in 2 3; do
  if ! timeout 20 qemu-system-aarch64 -M "virt,secure=off,gic-version=$v,dumpdtb=$out/virt$v.dtb" \
      -cpu max -m 64M -smp 4 -nographic -kernel "$out/empty.img" -append "anx.semihosting=1 hello" \
      >/dev/null 2>&1 || [ ! -s "$out/virt$v.dtb" ]; then
    note FAIL "dump virt DTB (gic-version=$v)"; echo "$pass passed, $fail failed"; exit 1
  fi
done

gcc -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all -I"$root/arch/arm64" \
    -o "$out/test_fdt" "$here/test_fdt.c" "$root/arch/arm64/fdt.c" "$root/arch/arm64/fdt_pci.c" || { note FAIL "build test_fdt"; echo "$pass passed, $fail failed"; exit 1; }
if "$out/test_fdt" "$out/virt2.dtb" "$out/virt3.dtb" 20000 >"$out/test_fdt.log" 2>&1; then
  note ok "fdt unit + corruption tests ($(tail -n 1 "$out/test_fdt.log"))"
else
  note FAIL "fdt unit + corruption tests"; sed 's/^/    | /' "$out/test_fdt.log" | tail -n 30
fi

if [ "$fuzz_secs" != 0 ] && command -v clang >/dev/null &&
   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I"$root/arch/arm64" \
     -o "$out/fuzz_fdt" "$here/fuzz_fdt.c" "$root/arch/arm64/fdt.c" "$root/arch/arm64/fdt_pci.c" 2>"$out/fuzz_build.log"; then
  mkdir -p "$out/corpus"
  for v in 2 3; do   # seeds: the DTBs cut to their used size (QEMU pads them to 1 MiB)
    python3 -c 'import sys,struct
b=open(sys.argv[1],"rb").read(); n=struct.unpack(">I",b[12:16])[0]+struct.unpack(">I",b[32:36])[0]
open(sys.argv[2],"wb").write(b[:4]+struct.pack(">I",n)+b[8:n])' "$out/virt$v.dtb" "$out/corpus/virt$v.dtb"
  done
  if "$out/fuzz_fdt" -max_total_time="$fuzz_secs" -max_len=16384 -print_final_stats=1 \
       "$out/corpus" >"$out/fuzz.log" 2>&1; then
    note ok "libFuzzer ${fuzz_secs}s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/fuzz.log" | grep -o '[0-9]*$') runs)"
  else
    note FAIL "libFuzzer found a crash"; tail -n 30 "$out/fuzz.log" | sed 's/^/    | /'
  fi
else
  echo "skip  fdt/libfuzzer: clang with -fsanitize=fuzzer unavailable, or FUZZ_SECONDS=0"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
