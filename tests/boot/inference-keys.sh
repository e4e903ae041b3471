#!/usr/bin/env bash
# The inference appliance with API keys on: tests/boot/inference-keys.yaml
# (its test: section says what is checked) booted with the two keys it
# expects, written here as test-only strings and given with --secret.
# Usage: tests/boot/inference-keys.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out inference-keys
printf 'sk-test-inference-client-0123456789' >"$out/client"
printf 'sk-test-inference-reader-0123456789' >"$out/reader"
gen/anx test tests/boot/inference-keys.yaml -p "$platform" "${boot[@]}" \
    --secret client="$out/client" --secret reader="$out/reader"
