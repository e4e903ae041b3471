#!/usr/bin/env bash
# Vector memory survives a reboot on a disk store: boot 1
# (tests/boot/vecstore-disk.yaml) embeds examples/docs and adds a passage
# over HTTP on a fresh disk file; boot 2 (tests/boot/vecstore-readback.yaml)
# rebuilds the index from the mem/ objects, embeds nothing again and
# answers queries from it; then the host tool checks the disk.
# Usage: tests/boot/vecstore-persist.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [ ! -e "$root/../shared/testdata/models/stories260K.bin" ]; then
  echo "skip  vecstore-persist: ../shared/testdata/models/stories260K.bin is absent"
  exit 77
fi
make -s -C tools/store
mkdir -p "$root/build/test"
disk=$root/build/test/vecstore-persist-$tag.img
rm -f "$disk"
echo "== boot 1: embed examples/docs on a fresh disk"
./gen/anx test tests/boot/vecstore-disk.yaml -p "$platform" --disk "$disk" --disk-size 32M "${boot[@]}"
echo "== boot 2: the vectors back from the disk"
./gen/anx test tests/boot/vecstore-readback.yaml -p "$platform" --disk "$disk" "${boot[@]}"
echo "== host: check"
"$root/build/host/anx-store" check "$disk"
rm -f "$disk"
echo "vecstore-persist: ok"
