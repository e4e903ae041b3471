#!/usr/bin/env bash
# Host tests of the virtio module's virtqueue logic under ASan + UBSan.
# The module source is compiled freestanding as for an image (its memset
# etc. resolve to the host libc); ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/virtio
mkdir -p "$out"
cd "$root"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
inc=$(gcc -print-file-name=include)
gcc -std=c11 -g -O1 -Wall -Wextra -Werror $san -ffreestanding -nostdinc -isystem "$inc" -Icore/include \
    -c modules/virtio/virtq.c -o "$out/virtq.o" &&
gcc -std=c11 -g -O1 -Wall -Wextra -Werror $san -D_GNU_SOURCE -Icore/include \
    "$here/test_virtq.c" "$out/virtq.o" -o "$out/test_virtq" || { echo "0 passed, 1 failed"; exit 1; }
"$out/test_virtq"
