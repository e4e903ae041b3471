#!/usr/bin/env bash
# Persistence of the object store on a disk, and the host tool reading and
# writing the same format:
#   host:   anx-store create + put host/note
#   boot 1: tests/boot/store-disk.yaml puts boot/one twice, powers off
#   host:   anx-store check, get, log (provenance from the image)
#   boot 2: tests/boot/store-readback.yaml reads everything back, puts more
#   host:   anx-store check sees boot 2's write
# Usage: tests/boot/store-persist.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
make -s -C tools/store
store=$root/build/host/anx-store
mkdir -p "$root/build/test"
disk=$root/build/test/store-persist-$tag.img
note=$root/build/test/store-persist-$tag.txt
rm -f "$disk"
echo "written on the host" >"$note"
echo "== host: create and put"
"$store" create "$disk" --size 16M
"$store" put "$disk" host/note "$note" --type text/plain
echo "== boot 1: put"
./gen/anx test tests/boot/store-disk.yaml -p "$platform" --disk "$disk" "${boot[@]}"
echo "== host: check and read"
"$store" check "$disk"
[ "$("$store" get "$disk" boot/one)" = "second" ] || { echo "boot/one: wrong content"; exit 1; }
"$store" log "$disk" boot/one | grep -q "writer shell parents v1" || { echo "boot/one: wrong provenance"; exit 1; }
echo "== boot 2: read back"
./gen/anx test tests/boot/store-readback.yaml -p "$platform" --disk "$disk" "${boot[@]}"
echo "== host: check"
"$store" check "$disk"
[ "$("$store" get "$disk" boot/two)" = "third" ] || { echo "boot/two: wrong content"; exit 1; }
rm -f "$disk" "$note"
echo "store-persist: ok"
