#!/usr/bin/env bash
# A model loaded by object name: the host puts the real llama2.c checkpoint
# stories260K and its tokenizer into an object-store disk with the host tool
# (gen/anx store), then tests/boot/inference-object.yaml boots with that disk
# and must decode the reference text greedily from the objects.
# Usage: tests/boot/inference-object.sh [PLATFORM [MODE]]   (default x86_64-pc)
# Exits 77 (skipped) when ../shared/testdata is not beside the repository.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
models=$root/../shared/testdata/models
if [ ! -f "$models/stories260K.bin" ]; then
  echo "skip  inference-object $platform: $models/stories260K.bin is absent (../shared/testdata beside the repository)"
  exit 77
fi
mkdir -p "$root/build/test"
disk=$root/build/test/inference-object-$tag.img
rm -f "$disk"
./gen/anx store create "$disk" --size 32M
./gen/anx store put "$disk" models/stories260K "$models/stories260K.bin" --type application/x-llama2c
./gen/anx store put "$disk" models/tok512 "$models/tok512.bin" --type application/x-llama2c-tokenizer
./gen/anx test tests/boot/inference-object.yaml -p "$platform" --disk "$disk" "${boot[@]}"
./gen/anx store check "$disk"
rm -f "$disk"
echo "inference-object: ok"
