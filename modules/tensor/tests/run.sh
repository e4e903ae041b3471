#!/usr/bin/env bash
# Host tests of the tensor module and of core/lib/math.c, under ASan + UBSan.
# Ends with "N passed, N failed"; exits non-zero on failure.
#   modules/tensor/tests/run.sh
# Also: the sources compile freestanding for the image on x86_64 and arm64,
# and (when qemu-aarch64 and the arm64 cross compiler are present) the NEON
# kernels are checked against scalar under user-mode QEMU.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/tensor
mkdir -p "$out"
cd "$root"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
host="-std=c11 -g -O1 -Wall -Wextra -Werror -DANX_HOST -D_GNU_SOURCE -Imodules/tensor -Icore/include"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
pass=0 fail=0
count() {   # count OUTPUT_FILE RC
  local p f
  p=$(grep -c '^ok ' "$1"); f=$(grep -c '^FAIL ' "$1")
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then echo "FAIL $3: exited with status $2"; fail=$((fail + 1)); fi
}

# math.c against glibc (the in-image names are renamed to anx_m_*)
if gcc -std=c11 -O2 -ffreestanding -fno-builtin -Icore/include -include "$here/math_rename.h" \
      -c core/lib/math.c -o "$out/math.o" &&
   gcc -O2 -fno-builtin "$here/test_math.c" "$out/math.o" -lm -o "$out/test_math"; then
  "$out/test_math" >"$out/math.out" 2>&1; rc=$?
  grep -v 'passed, .* failed' "$out/math.out"; count "$out/math.out" $rc math
else
  echo "FAIL math: build"; fail=$((fail + 1))
fi

srcs=(modules/tensor/*.c core/lib/math.c)
if gcc $host $san "$here/test_tensor.c" "${srcs[@]}" -lm -o "$out/test_tensor" 2>"$out/build.log"; then
  "$out/test_tensor" >"$out/tensor.out" 2>"$out/tensor.err"; rc=$?
  grep -v 'passed, .* failed' "$out/tensor.out"; count "$out/tensor.out" $rc tensor
  [ $rc -ne 0 ] && head -n 30 "$out/tensor.err"
else
  cat "$out/build.log"; echo "FAIL tensor: build"; fail=$((fail + 1))
fi

# freestanding builds, as for an image
for arch in x86_64 arm64; do
  case $arch in
    x86_64) cc=gcc; aflags="-m64 -march=x86-64 -mno-red-zone -mcmodel=small" ;;
    arm64) cc=aarch64-linux-gnu-gcc; aflags="-march=armv8-a -mstrict-align -mno-outline-atomics" ;;
  esac
  if ! command -v $cc >/dev/null; then echo "FAIL tensor: freestanding $arch build: $cc missing (make setup installs it)"; fail=$((fail + 1)); continue; fi
  inc=$($cc -print-file-name=include) ok=1
  for s in modules/tensor/*.c core/lib/math.c; do
    $cc -std=c11 -ffreestanding -nostdinc -isystem "$inc" -O2 -fno-omit-frame-pointer -fno-stack-protector \
      -fno-pic -ffunction-sections -fdata-sections -Wall -Wextra -Werror -Werror=implicit-function-declaration \
      -Icore/include -Imodules/tensor -include tests/unit/config.h $aflags -c "$s" -o "$out/k_$arch.o" \
      2>>"$out/kbuild.log" || ok=0
  done
  if [ $ok = 1 ]; then echo "ok   tensor: freestanding $arch build"; pass=$((pass + 1))
  else cat "$out/kbuild.log"; echo "FAIL tensor: freestanding $arch build"; fail=$((fail + 1)); fi
done

# NEON against scalar on arm64 user-mode QEMU
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
  if aarch64-linux-gnu-gcc -static -std=c11 -O1 -Wall -Wextra -DANX_HOST -D_GNU_SOURCE -Imodules/tensor \
       -Icore/include "$here/test_tensor.c" "${srcs[@]}" -lm -o "$out/test_tensor_arm64" 2>"$out/abuild.log"; then
    qemu-aarch64 "$out/test_tensor_arm64" >"$out/arm64.out" 2>&1; rc=$?
    sed 's/^\(ok \|FAIL\)\(  *\)tensor:/\1\2tensor (arm64):/' "$out/arm64.out" | grep -v 'passed, .* failed' | tee "$out/arm64.tagged" >/dev/null
    cat "$out/arm64.tagged"; count "$out/arm64.out" $rc "tensor (arm64)"
  else
    cat "$out/abuild.log"; echo "FAIL tensor (arm64): build"; fail=$((fail + 1))
  fi
else
  echo "FAIL tensor (arm64): qemu-aarch64 or aarch64-linux-gnu-gcc missing (make setup installs them)"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
