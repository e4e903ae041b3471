#!/usr/bin/env bash
# The credential store end to end (docs/credentials.md): secrets made now
# in build/ (never committed), given with --secret, listed by `cred ls`
# without values; then every output of the run - anx test's own output,
# the console log, report.json and every file of the image's build folder -
# is searched for the planted values, which must appear nowhere. Also a
# required credential left out (tests/boot/cred-missing.yaml).
# Usage: tests/boot/cred.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out cred-secrets
# planted values: random, so no earlier run or source file holds them
pw="pw-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
token="tok-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$pw" >"$out/admin-password"
printf '%s' "$token" >"$out/ci-token"
ssh-keygen -q -t ed25519 -N '' -C cred-test-host -f "$out/host" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C cred-test-user -f "$out/user" >/dev/null
{ echo "# operators"; cat "$out/user.pub"; } >"$out/operators"
echo "stray value" >"$out/stray"
echo "not a key" >"$out/bad-host"
# the host key's secret half, as the private key file's base64 lines carry it
keyline=$(sed -n 3p "$out/host")

log=$out/anx-test.log
echo "== boot: provisioned"
./gen/anx test tests/boot/cred.yaml -p "$platform" "${boot[@]}" \
    --secret admin-password="$out/admin-password" --secret ssh-host-key="$out/host" \
    --secret operators="$out/operators" --secret ci-token="$out/ci-token" \
    --secret stray="$out/stray" 2>&1 | tee "$log" || true
grep -q "^0 failed\|, 0 failed" "$log" || fail "the provisioned boot's checks failed"
grep -q "warning: --secret stray: the manifest declares no credential 'stray'" "$log" ||
    fail "anx did not warn about the undeclared --secret stray"

build=$root/build/cred-$platform
console=$build/console.log
[ -s "$console" ] || fail "no console log at $console"
# the fingerprint the image shows is the one of the key given
want=$(ssh-keygen -l -f "$out/host.pub" | awk '{print $2}')
grep -q "ssh-host-key: ED25519 key fingerprint $want" "$console" ||
    fail "the image's host key fingerprint is not $want (ssh-keygen's)"

echo "== every output searched for the planted values"
for v in "$pw" "$token" "$keyline"; do
    what=${v:0:3}
    if grep -rqF -- "$v" "$log" "$build"; then
        fail "a planted value ($what...) appears in: $(grep -rlF -- "$v" "$log" "$build" | tr '\n' ' ')"
    fi
done
[ -f "$build/report.json" ] || fail "no report.json in $build"
# the secret files are read by QEMU only: the image was built without them
for f in "$build"/*.elf "$build"/*.iso; do
    [ -f "$f" ] || continue
    for v in "$pw" "$token"; do grep -qaF -- "$v" "$f" && fail "$f holds a planted value"; done
done

echo "== boot: a required credential missing, a host key file that is none"
log2=$out/anx-test-missing.log
./gen/anx test tests/boot/cred-missing.yaml -p "$platform" "${boot[@]}" \
    --secret ssh-host-key="$out/bad-host" 2>&1 | tee "$log2" || true
grep -q ", 0 failed" "$log2" || fail "the missing-credential boot's checks failed"
grep -rqF "not a key" "$root/build/cred-missing-$platform" "$log2" && fail "the bad host key file's text was echoed"

rm -rf "$out"
[ "$fails" = 0 ] || exit 1
echo "cred: ok"
