#!/usr/bin/env bash
# The host key across reboots (tests/boot/cred-persist.yaml) on one disk:
#   boot 1: generated, stored sealed in object cred/ssh-host-key
#   boot 2: restored: the same fingerprint
#   boot 3: another --secret store-key: the object does not open, a new key
#           for that boot, the stored one untouched
#   boot 4: the first store-key again: the first key again
# The store-key is made at test time in build/; the disk never holds the
# host key in plain (the fingerprint's key is not searchable, but the
# store-key is: it must appear nowhere).
# Usage: tests/boot/cred-persist.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out cred-persist-files
disk=$out/disk.img
head -c 32 /dev/urandom | base64 | tr -d '\n' >"$out/store-key"
head -c 32 /dev/urandom | base64 | tr -d '\n' >"$out/other-key"
console=$root/build/cred-persist-$platform/console.log

boot() {   # boot KEYFILE LOG: one anx test run; the fingerprint it showed on stdout
    ./gen/anx test tests/boot/cred-persist.yaml -p "$platform" "${boot[@]}" --disk "$disk" \
        --secret store-key="$1" >"$2" 2>&1 || true
    grep -q ", 0 failed" "$2" || fail "boot with $(basename "$1") ($2): checks failed"
    grep -o 'ssh-host-key: ED25519 key fingerprint SHA256:[A-Za-z0-9+/]*' "$console" | tail -1
}

echo "== boot 1: generate and store"
fp1=$(boot "$out/store-key" "$out/boot1.log")
grep -q "stored sealed in object cred/ssh-host-key" "$console" || fail "boot 1 did not store the key"
echo "$fp1"
echo "== boot 2: restore"
fp2=$(boot "$out/store-key" "$out/boot2.log")
grep -q "restored from object cred/ssh-host-key" "$console" || fail "boot 2 did not restore the key"
[ -n "$fp1" ] && [ "$fp1" = "$fp2" ] || fail "boot 2's key differs: '$fp1' then '$fp2'"
echo "== boot 3: another store-key"
fp3=$(boot "$out/other-key" "$out/boot3.log")
grep -q "host key 'ssh-host-key': object cred/ssh-host-key does not open with this 'store-key'" "$console" ||
    fail "boot 3 did not refuse the object"
[ "$fp3" != "$fp1" ] || fail "boot 3 used the stored key without its store-key"
echo "== boot 4: the first store-key again"
fp4=$(boot "$out/store-key" "$out/boot4.log")
[ "$fp4" = "$fp1" ] || fail "boot 4's key differs: '$fp1' then '$fp4' (boot 3 overwrote the stored key?)"
for k in "$out/store-key" "$out/other-key"; do
    grep -rqF -- "$(cat "$k")" "$disk" "$root/build/cred-persist-$platform" "$out"/boot*.log &&
        fail "the store-key $(basename "$k") appears in the disk, the build or anx's output"
done
rm -rf "$out"
[ "$fails" = 0 ] || exit 1
echo "cred-persist: ok"
