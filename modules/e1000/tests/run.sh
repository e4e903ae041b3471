#!/usr/bin/env bash
# Host tests of the e1000 descriptor ring logic under ASan + UBSan.
# The module source is compiled freestanding as for an image (its memset
# etc. resolve to the host libc); ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/e1000
mkdir -p "$out"
cd "$root"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
inc=$(gcc -print-file-name=include)
gcc -std=c11 -g -O1 -Wall -Wextra -Werror $san -ffreestanding -nostdinc -isystem "$inc" -Icore/include -Imodules/e1000 \
    -c modules/e1000/e1000_ring.c -o "$out/ring.o" &&
gcc -std=c11 -g -O1 -Wall -Wextra -Werror $san -D_GNU_SOURCE -Icore/include -Imodules/e1000 \
    "$here/test_ring.c" "$out/ring.o" -o "$out/test_ring" || { echo "0 passed, 1 failed"; exit 1; }
"$out/test_ring"
