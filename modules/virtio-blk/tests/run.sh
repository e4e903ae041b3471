#!/usr/bin/env bash
# Host tests of virtio-blk request building and splitting under ASan +
# UBSan, with the virtio module's virtqueue and a simulated device. The
# module sources are compiled freestanding as for an image; ends with
# "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/virtio-blk
mkdir -p "$out"
cd "$root"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
inc=$(gcc -print-file-name=include)
free="-std=c11 -g -O1 -Wall -Wextra -Werror $san -ffreestanding -nostdinc -isystem $inc -Icore/include"
gcc $free -c modules/virtio/virtq.c -o "$out/virtq.o" &&
gcc $free -c modules/virtio-blk/blk_req.c -o "$out/blk_req.o" &&
gcc -std=c11 -g -O1 -Wall -Wextra -Werror $san -D_GNU_SOURCE -Icore/include -Imodules/virtio-blk \
    "$here/test_blk_req.c" "$out/blk_req.o" "$out/virtq.o" -o "$out/test_blk_req" || { echo "0 passed, 1 failed"; exit 1; }
"$out/test_blk_req"
