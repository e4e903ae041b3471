# anx sign, anx verify and anx run --verify (sourced by tests/gen/run.sh,
# which sets anx, out, here, root, ok and bad): the image of a manifest on
# the fake platform of tests/gen/tree signed and verified, round trips with
# Debian's minisign both ways (skipped when minisign is not installed: it
# is in scripts/packages.txt), a flipped byte in a file or a signature, the
# wrong key, missing and malformed signatures, an altered trusted comment,
# keys anx refuses, and anx run --verify refusing a tampered image before
# QEMU starts. The keys and the manifest are in tests/gen/sign/ (its README).
so=$out/sign
mkdir -p "$so"
# git keeps no file modes: anx sign warns about a secret key others can read
cp "$here/sign/test.key" "$here/sign/enc.key" "$here/sign/test.pub" "$here/sign/other.pub" "$so/" &&
    chmod 600 "$so/test.key" "$so/enc.key"
# Messages show paths relative to the current folder: in $so, the names
# below it, as the expected lines write them.
cd "$so"
key=$so/test.key
pub=$so/test.pub
other=$so/other.pub
id=421C0B9664A05F09
b=$so/build
m=$here/sign/image.yaml
have_minisign=false
if command -v minisign >/dev/null; then have_minisign=true; fi

# sign_err NAME EXIT EXPECTED-FIRST-STDERR-LINE COMMAND ARGS...: that exit and line, no sanitizer report
sign_err() {
    local name=$1 want_rc=$2 want=$3 rc
    shift 3
    "$anx" "$@" >"$so/stdout" 2>"$so/stderr" </dev/null
    rc=$?
    if [ $rc -eq "$want_rc" ] && [ "$(head -1 "$so/stderr")" = "$want" ] &&
        ! grep -q 'AddressSanitizer\|runtime error' "$so/stderr"; then
        ok "sign: $name"
    else
        bad "sign: $name" "exit $rc (expected $want_rc); got:      $(head -1 "$so/stderr")"$'\n'"expected: $want"$'\n'"$(cat "$so/stdout" "$so/stderr")"
    fi
}

"$anx" build "$m" -o "$b" >"$so/build.log" 2>&1 || bad "sign: build pass.yaml" "$(cat "$so/build.log")"

# An image: report.json's outputs and report.json, each FILE.minisig.
"$anx" sign -s "$key" -p "$pub" "$m" -o "$b" >"$so/stdout" 2>"$so/stderr"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$so/stderr" ] && [ "$(tail -1 "$so/stdout")" = "signed 3 files with key ID $id" ] &&
    [ -f "$b/anunix.elf.minisig" ] && [ -f "$b/image.elf.minisig" ] && [ -f "$b/report.json.minisig" ] &&
    [ "$(ls "$b"/*.minisig | wc -l)" -eq 3 ] &&
    head -1 "$b/image.elf.minisig" | grep -qx "untrusted comment: signature from anx secret key $id" &&
    sed -n 3p "$b/image.elf.minisig" | grep -qP '^trusted comment: timestamp:\d+\tfile:image\.elf\thashed$'; then
    ok "sign: a manifest's image: anunix.elf, image.elf and report.json get a .minisig each"
else
    bad "sign: a manifest's image" "exit $rc: $(cat "$so/stdout" "$so/stderr"; ls "$b")"
fi

if $have_minisign; then
    fails=""
    for f in anunix.elf image.elf report.json; do
        minisign -Vm "$b/$f" -p "$pub" >"$so/mv.log" 2>&1 || fails="$fails $f: $(cat "$so/mv.log")"
    done
    if [ -z "$fails" ]; then
        ok "sign: anx signs, minisign -V verifies each file"
    else
        bad "sign: anx signs, minisign -V verifies each file" "$fails"
    fi
else
    echo "skip  sign: minisign round trips: minisign is not installed (Debian package minisign)"
fi

# anx verify: a manifest, its build folder, -P with the base64 key.
"$anx" verify -p "$pub" "$m" -o "$b" >"$so/stdout" 2>"$so/stderr"
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c "^verified .* (key ID $id; trusted comment: timestamp:[0-9]* file:[a-z.]* hashed)$" "$so/stdout")" -eq 3 ]; then
    ok "sign: anx verify -p KEY MANIFEST checks the 3 files"
else
    bad "sign: anx verify -p KEY MANIFEST checks the 3 files" "exit $rc: $(cat "$so/stdout" "$so/stderr")"
fi
"$anx" verify -P "$(sed -n 2p "$pub")" "$b" >"$so/stdout" 2>"$so/stderr"
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '^verified ' "$so/stdout")" -eq 3 ]; then
    ok "sign: anx verify -P BASE64 DIR (a build folder)"
else
    bad "sign: anx verify -P BASE64 DIR (a build folder)" "exit $rc: $(cat "$so/stdout" "$so/stderr")"
fi

# minisign signs (prehashed, its default, and legacy -l), anx verifies.
printf 'an artifact\n' >"$so/plain"
cp "$so/plain" "$so/legacy"
if $have_minisign; then
    if minisign -S -s "$key" -m "$so/plain" -t "made by minisign" >"$so/ms.log" 2>&1 &&
        minisign -S -l -s "$key" -m "$so/legacy" >>"$so/ms.log" 2>&1 &&
        "$anx" verify -p "$pub" "$so/plain" "$so/legacy" >"$so/stdout" 2>"$so/stderr" &&
        grep -q "^verified .*plain (key ID $id; trusted comment: made by minisign)$" "$so/stdout" &&
        grep -q "^verified .*legacy (key ID $id; " "$so/stdout"; then
        ok "sign: minisign -S signs (and -S -l, legacy), anx verify checks"
    else
        bad "sign: minisign -S signs, anx verify checks" "$(cat "$so/ms.log" "$so/stdout" "$so/stderr")"
    fi
fi

# A flipped byte in a signed file: anx verify and minisign both refuse.
cp "$b/image.elf" "$so/image.elf.good"
printf '\x5a' | dd of="$b/image.elf" bs=1 seek=200 conv=notrunc 2>/dev/null
cmp -s "$b/image.elf" "$so/image.elf.good" && printf '\xa5' | dd of="$b/image.elf" bs=1 seek=200 conv=notrunc 2>/dev/null
sign_err "a flipped byte in image.elf: BAD SIGNATURE, exit 1" 1 \
    "anx: error: verify: build/image.elf: BAD SIGNATURE: the file is not what key ID $id signed (changed after signing, or build/image.elf.minisig altered)" \
    verify -p "$pub" "$b"
if grep -q "^verified .*anunix.elf" "stdout" && grep -qx "anx: error: verify: 1 of 3 files failed" "stderr"; then
    ok "sign: the other files still verify; the count of failures ends it"
else
    bad "sign: the other files still verify; the count of failures ends it" "$(cat "$so/stdout" "$so/stderr")"
fi
if $have_minisign; then
    if minisign -Vm "$b/image.elf" -p "$pub" >"$so/mv.log" 2>&1; then
        bad "sign: minisign refuses the flipped byte too" "$(cat "$so/mv.log")"
    else
        ok "sign: minisign refuses the flipped byte too"
    fi
fi

# anx run --verify: the tampered image never boots; QEMU is not started.
"$anx" run --verify "$pub" "$m" -o "$b" </dev/null >"$so/run.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -qx "anx: error: run --verify: refusing to boot build: 1 of 3 signatures do not match (QEMU was not started)" "run.log" &&
    ! grep -q 'anunix: ready\|anx: booting\|fake boot' "run.log"; then
    ok "sign: run --verify refuses a tampered image.elf before QEMU starts (exit 1)"
else
    bad "sign: run --verify refuses a tampered image.elf before QEMU starts" "exit $rc: $(cat "$so/run.log")"
fi
cp "$so/image.elf.good" "$b/image.elf"
cp "$b/report.json" "$so/report.before"
"$anx" run --verify "$(sed -n 2p "$pub")" "$m" -o "$b" </dev/null >"$so/run.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q 'anunix: ready' "run.log" && grep -q "^anx: booting build/image.elf: " "run.log" &&
    ! grep -q '^  compile\|^  link\|^built' "$so/run.log" && cmp -s "$b/report.json" "$so/report.before" &&
    "$anx" verify -p "$pub" "$b" >/dev/null 2>&1; then
    ok "sign: run --verify with the base64 key boots the signed image as it is (no build, files untouched)"
else
    bad "sign: run --verify boots the signed image" "exit $rc: $(cat "$so/run.log")"
fi
"$anx" build "$m" -o "$so/unsigned" >/dev/null 2>&1
sign_err "run --verify of an image never signed" 1 \
    "anx: error: run --verify: unsigned/anunix.elf has no signature: unsigned/anunix.elf.minisig is missing (sign it with 'anx sign -s KEY ...')" \
    run --verify "$pub" "$m" -o "$so/unsigned"
sign_err "run --verify of an image never built" 1 \
    "anx: error: run --verify: none has no report.json: build the image first (anx build MANIFEST)" \
    run --verify "$pub" "$m" -o "$so/none"
sign_err "run --verify with a key that is neither a file nor a key" 2 \
    "anx: error: run --verify: 'nokey.pub' is neither a public key file (No such file or directory) nor a public key string (RW..., as 'minisign -G' prints it)" \
    run --verify nokey.pub "$m" -o "$b"

# A flipped byte in a signature: refused by both.
cp "$so/plain" "$so/s2"
"$anx" sign -s "$key" "$so/s2" >/dev/null
python3 - "$so/s2.minisig" <<'EOF'
import base64, sys
p = sys.argv[1]
lines = open(p).read().split("\n")
raw = bytearray(base64.b64decode(lines[1]))
raw[40] ^= 0x01                      # a byte of the Ed25519 signature itself
lines[1] = base64.b64encode(bytes(raw)).decode()
open(p, "w").write("\n".join(lines))
EOF
sign_err "a flipped byte in FILE.minisig: BAD SIGNATURE" 1 \
    "anx: error: verify: s2: BAD SIGNATURE: the file is not what key ID $id signed (changed after signing, or s2.minisig altered)" \
    verify -p "$pub" "$so/s2"
if $have_minisign; then
    if minisign -Vm "$so/s2" -p "$pub" >"$so/mv.log" 2>&1; then
        bad "sign: minisign refuses the flipped signature byte too" "$(cat "$so/mv.log")"
    else
        ok "sign: minisign refuses the flipped signature byte too"
    fi
fi

# The wrong key, a missing and a malformed signature, an altered comment.
sign_err "another public key: the key IDs in the message" 1 \
    "anx: error: verify: build/anunix.elf: signed with key ID $id, not with this public key (key ID 3F488E1015A60B2A): another key made build/anunix.elf.minisig, or this is the wrong public key" \
    verify -p "$other" "$m" -o "$b"
printf 'x\n' >"$so/nosig"
sign_err "a file without FILE.minisig" 1 \
    "anx: error: verify: nosig has no signature: nosig.minisig is missing (sign it with 'anx sign -s KEY ...')" \
    verify -p "$pub" "$so/nosig"
sign_err "a file that is missing" 1 "anx: error: verify: gone is missing" verify -p "$pub" "gone"
printf 'untrusted comment: x\nnot base64\n' >"$so/nosig.minisig"
sign_err "a malformed signature: its line and why" 1 \
    "anx: error: verify: nosig.minisig:2: malformed signature: not the base64 of a minisign signature (74 bytes)" \
    verify -p "$pub" "$so/nosig"
"$anx" sign -s "$key" -t "release 1.0" "$so/s2" >/dev/null
sed -i 's/^trusted comment: release 1.0$/trusted comment: release 9.9/' "$so/s2.minisig"
sign_err "an altered trusted comment" 1 \
    "anx: error: verify: s2: the file matches, but the trusted comment of s2.minisig was altered (its signature does not match)" \
    verify -p "$pub" "$so/s2"

# What anx sign refuses: an encrypted key, a key of another pair, a file
# changed since the build, missing options.
sign_err "an encrypted secret key: use minisign -G -W" 2 \
    "anx: error: sign: -s enc.key:2: the key is encrypted with a password; anx signs with an unencrypted key: make one with 'minisign -G -W', or remove the password with 'minisign -C -W -s KEY'" \
    sign -s enc.key plain
sign_err "a public key that is not the secret key's: nothing signed" 2 \
    "anx: error: sign: -s $key (key ID $id) is not the secret key of -p $other (key ID 3F488E1015A60B2A); nothing signed" \
    sign -s "$key" -p "$other" "$so/plain"
sign_err "a public key given as the secret key" 2 \
    "anx: error: sign: -s $pub:2: not the base64 of a minisign secret key (158 bytes)" sign -s "$pub" "plain"
printf '\x01' | dd of="$b/anunix.elf" bs=1 seek=300 conv=notrunc 2>/dev/null
sign_err "an output changed since the build (report.json's sha256)" 1 \
    "anx: error: sign: build/anunix.elf changed since the build (its sha256 is not the one report.json lists): rebuild with 'anx build' before signing" \
    sign -s "$key" "$b"
sign_err "sign without -s" 2 \
    "anx: error: sign: -s SECRET_KEY is required (make a key pair with 'minisign -G -W -p KEY.pub -s KEY')" sign "plain"
sign_err "verify without a key" 2 \
    "anx: error: verify: give the public key once: -p FILE (minisign.pub) or -P BASE64 (RW...)" verify "plain"
sign_err "verify with -p and -P" 2 \
    "anx: error: verify: give the public key once: -p FILE (minisign.pub) or -P BASE64 (RW...)" \
    verify -p "$pub" -P "$(sed -n 2p "$pub")" "$so/plain"
sign_err "a bad -P string" 2 \
    "anx: error: verify: -P: expected the base64 of a minisign public key (56 characters starting with RW, as 'minisign -G' prints it), found 'RWQ'" \
    verify -P RWQ "$so/plain"
sign_err "-o with two manifests" 2 \
    "anx: error: sign: -o DIR is the build folder of one MANIFEST; give exactly one with it (or give the folder itself)" \
    sign -s "$key" -o "$b" "$m" "$m"
chmod 644 "$so/test.key"
"$anx" sign -s test.key plain >/dev/null 2>stderr
if grep -qx "anx: warning: sign: -s test.key: others can read the secret key (chmod 600 test.key)" "stderr"; then
    ok "sign: a secret key others can read is signed with, and warned about"
else
    bad "sign: a secret key others can read is warned about" "$(cat "$so/stderr")"
fi
if "$anx" sign --help | grep -q '^  -s FILE ' && "$anx" verify --help | grep -q '^  -P BASE64 ' &&
    "$anx" run --help | grep -q '^  --verify KEY ' && "$anx" --help | grep -q '^  sign -s KEY' &&
    "$anx" --help | grep -q '^  verify -p PUB'; then
    ok "sign: --help of sign, verify and run; anx --help lists sign and verify"
else
    bad "sign: --help of sign, verify and run; anx --help lists sign and verify" "$("$anx" --help 2>&1)"
fi
