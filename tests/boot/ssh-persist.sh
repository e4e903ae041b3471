#!/usr/bin/env bash
# The host key an operator's ssh remembers survives a reboot
# (tests/boot/ssh-persist.yaml): boot 1 on a fresh disk generates the key
# and ssh records it (accept-new); boot 2 on the same disk must present the
# same key (StrictHostKeyChecking=yes with that known_hosts) and the log
# must say it was restored.
# Usage: tests/boot/ssh-persist.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
command -v ssh >/dev/null || { echo "skip  ssh-persist.sh: no ssh client (apt-get install openssh-client)"; exit 77; }
fresh_out ssh-persist
ssh-keygen -q -t ed25519 -N '' -C ssh-persist-user -f "$out/user"
head -c 32 /dev/urandom | base64 | tr -d '\n' >"$out/store-key"
gen/anx build tests/boot/ssh-persist.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
# boot N CHECKING: start the image on the disk, log in once, stop it
boot() {
    local n=$1 checking=$2 port log rc
    port=$(free_port)
    log=$out/console-$n.log
    start_image "$log" "ssh: listening on port 22" tests/boot/ssh-persist.yaml -p "$platform" "${boot[@]}" \
        --port "$port:22" --disk "$out/disk.img" --secret ssh-authorized-keys="$out/user.pub" \
        --secret store-key="$out/store-key"
    timeout 60 ssh -p "$port" -o LogLevel=ERROR -o BatchMode=yes -o IdentitiesOnly=yes -i "$out/user" \
        -o UserKnownHostsFile="$out/known_hosts" -o StrictHostKeyChecking="$checking" \
        -o HostKeyAlias=ssh-persist anx@127.0.0.1 -- echo boot "$n" >"$out/ssh-$n.log" 2>&1
    rc=$?
    kill -TERM $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=""
    return $rc
}

boot 1 accept-new || fail "boot 1: ssh could not log in: $(cat "$out/ssh-1.log")"
grep -q "stored sealed in object cred/ssh-host-key" "$out/console-1.log" || fail "boot 1 did not store the host key"
[ "$(cat "$out/ssh-1.log")" = "boot 1" ] || fail "boot 1: $(cat "$out/ssh-1.log")"
boot 2 yes || fail "boot 2: ssh refused the host key or could not log in: $(cat "$out/ssh-2.log")"
grep -q "restored from object cred/ssh-host-key" "$out/console-2.log" || fail "boot 2 did not restore the host key"
fp1=$(grep -o "host key ED25519 SHA256:[A-Za-z0-9+/]*" "$out/console-1.log")
fp2=$(grep -o "host key ED25519 SHA256:[A-Za-z0-9+/]*" "$out/console-2.log")
echo "boot 1: $fp1"
echo "boot 2: $fp2"
[ -n "$fp1" ] && [ "$fp1" = "$fp2" ] || fail "the two boots' host keys differ"
[ $fails = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
[ $fails = 0 ]
