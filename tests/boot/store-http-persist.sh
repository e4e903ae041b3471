#!/usr/bin/env bash
# Objects PUT over HTTP survive a reboot: boot 1 runs manifests/store.yaml's
# checks (PUTs, GETs, DELETEs) on a fresh disk file; boot 2
# (tests/boot/store-http-readback.yaml) GETs them back over HTTP; then the
# host tool checks the disk.
# Usage: tests/boot/store-http-persist.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
make -s -C tools/store
mkdir -p "$root/build/test"
disk=$root/build/test/store-http-persist-$tag.img
rm -f "$disk"
echo "== boot 1: manifests/store.yaml on a fresh disk"
./gen/anx test manifests/store.yaml -p "$platform" --disk "$disk" --disk-size 32M "${boot[@]}"
echo "== boot 2: read back over HTTP"
./gen/anx test tests/boot/store-http-readback.yaml -p "$platform" --disk "$disk" "${boot[@]}"
echo "== host: check"
"$root/build/host/anx-store" check "$disk"
rm -f "$disk"
echo "store-http-persist: ok"
