#!/usr/bin/env bash
# Persistence of virtio-blk writes across a power-off, on one platform:
#   boot 1: tests/boot/blk-virtio.yaml (blktest 7: write, flush, read back,
#           power off) on a fresh disk file;
#   boot 2: tests/boot/blk-readback.yaml on the same file reads sectors the
#           first boot wrote (the first single sector and the last sector
#           of the large split transfer) and checks their pattern.
# Usage: tests/boot/blk-persist.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$root/build/test"
disk=$root/build/test/blk-persist-$tag.img
rm -f "$disk"
echo "== boot 1: write (fresh disk $disk)"
./gen/anx test tests/boot/blk-virtio.yaml -p "$platform" --disk "$disk" "${boot[@]}"
echo "== boot 2: read back"
./gen/anx test tests/boot/blk-readback.yaml -p "$platform" --disk "$disk" "${boot[@]}"
rm -f "$disk"
