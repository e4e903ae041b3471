#!/usr/bin/env bash
# Host tests of the x86_64 code: the multiboot2 framebuffer tag decoder
# (mb2fb.c) under ASan + UBSan, on good and malformed tags. Prints
# `N passed, N failed`.
# Usage: arch/x86_64/tests/run.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test-x86_64
mkdir -p "$out"
if ! gcc -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I"$root/arch/x86_64" -I"$root/core/include" -o "$out/test_mb2fb" "$here/test_mb2fb.c" \
    "$root/arch/x86_64/mb2fb.c" 2>"$out/build.log"; then
  sed 's/^/    | /' "$out/build.log" | tail -n 30; echo "FAIL build test_mb2fb"; echo "0 passed, 1 failed"; exit 1
fi
"$out/test_mb2fb"
