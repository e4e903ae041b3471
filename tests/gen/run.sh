#!/usr/bin/env bash
# Generator tests: builds gen/anx-asan (ASan + UBSan) and runs
#   1. unit tests of gen internals (tests/gen/unit_*.c)
#   2. bad manifests: the first stderr line must equal bad/NAME.expect, exit 2
#   3. good manifests: `anx check` output must equal good/NAME.expect (and
#      its warnings good/NAME.warn); manifests of tests/gen/real checked
#      against the real repository: drivers, model files, memory
#   4. builds with the fake platform of tests/gen/tree: bit-identical
#      rebuilds, cache hits, unchanged rebuild under 1 s, report.json
#   5. anx test / anx run against the QEMU double (tree/platforms/fake):
#      checks, ports, signals, disks and disk locks (with anx store and,
#      when installed, a bare qemu-system-x86_64); screen and input checks
#      against the QMP double fakeqmp.py
#   6. CLI basics and a fuzz smoke (corpus replay, libFuzzer if clang works)
#   anx matrix: tests/gen/matrix.sh (its files in tests/gen/matrix/)
#   anx export libvirt: tests/gen/export.sh (its files in tests/gen/export/)
#   anx sign, verify and run --verify: tests/gen/sign.sh (keys in tests/gen/sign/)
#   SBOM: tests/gen/sbom.sh; anx schema: tests/gen/schema.sh
# Prints one line per test and ends with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/out
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
ok() { printf 'ok    %s\n' "$1"; pass=$((pass + 1)); }
bad() {
    printf 'FAIL  %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -30 | sed 's/^/      /'
    fail=$((fail + 1))
}

if ! make -C "$root/gen" -s asan units fuzz/replay >"$out/make.log" 2>&1; then
    bad "make -C gen asan units" "$(cat "$out/make.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
anx=$root/gen/anx-asan
export ANX_ROOT=$here/tree ANX_BUILD=$out/build
unset ANX_CACHE SOURCE_DATE_EPOCH
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# 1. unit tests
for t in "$root"/gen/asan/unit_*; do
    name=unit/$(basename "$t")
    if res=$("$t" 2>&1); then ok "$name"; else bad "$name" "$res"; fi
done

# A manifest that must fail: exit 2, no sanitizer report, and the first
# stderr line equal to its .expect. Usage: expect_bad NAME FILE [CHECK ARGS...]
expect_bad() {
    local name=$1 f=$2 rc got want
    shift 2
    "$anx" check "$f" "$@" >/dev/null 2>"$out/stderr"
    rc=$?
    got=$(head -1 "$out/stderr")
    want=$(cat "${f%.yaml}.expect" 2>/dev/null)
    if [ $rc -ne 2 ]; then
        bad "$name" "exit $rc, expected 2; stderr: $(cat "$out/stderr")"
    elif grep -q 'AddressSanitizer\|runtime error' "$out/stderr"; then
        bad "$name" "$(cat "$out/stderr")"
    elif [ "$got" != "$want" ]; then
        bad "$name" "got:      $got"$'\n'"expected: $want"
    else
        ok "$name"
    fi
}

# 2. bad manifests
cd "$here/bad"
for f in *.yaml; do
    name=bad/$f
    [ -f "${f%.yaml}.expect" ] || { bad "$name" "missing ${f%.yaml}.expect"; continue; }
    expect_bad "$name" "$f"
done

# 3. good manifests
cd "$here/good"
for f in *.yaml; do
    name=good/$f
    args=$(cat "${f%.yaml}.args" 2>/dev/null)
    # shellcheck disable=SC2086
    "$anx" check "$f" $args >"$out/stdout" 2>"$out/stderr"
    rc=$?
    if [ $rc -ne 0 ]; then
        bad "$name" "exit $rc: $(cat "$out/stderr")"
    elif ! d=$(diff "${f%.yaml}.expect" "$out/stdout"); then
        bad "$name" "$d"
    else
        ok "$name"
    fi
done

# Warnings of good manifests: stderr must equal good/NAME.warn when there is one
# (checks that cannot pass: a shell check without a shell, http checks
# without a forward).
cd "$here/good"
for f in *.warn; do
    name=good/${f%.warn}.yaml/warnings
    "$anx" check "${f%.warn}.yaml" >/dev/null 2>"$out/stderr"
    rc=$?
    if [ $rc -ne 0 ]; then
        bad "$name" "exit $rc: $(cat "$out/stderr")"
    elif ! d=$(diff "$f" "$out/stderr"); then
        bad "$name" "$d"
    else
        ok "$name"
    fi
done

# The image as a whole, against the real repository (tests/gen/real/README):
# driver modules, infer's model and tokenizer files, memory. The first line of
# stderr must equal real/NAME.expect (exit 2). The model-*, tokenizer-* and
# shared-* manifests name copies made here: truncated, corrupted, lengthened.
models=$out/models
ex=$root/examples/model
testdata=${ANX_TESTDATA:-$root/../shared/testdata}/models
mkdir -p "$models"
put_bytes() { printf "$2" | dd of="$1" bs=1 seek="$3" conv=notrunc status=none; }   # FILE BYTES OFFSET
head -c 2000000 "$ex/model.bin" >"$models/truncated.bin"
cp "$ex/model.bin" "$models/nan.bin" && put_bytes "$models/nan.bin" '\377\377\377\377' 1000000
cp "$ex/model.bin" "$models/huge.bin" && put_bytes "$models/huge.bin" '\177\177\177\177' 1000000
cp "$ex/model.bin" "$models/long.bin" && printf 'xxxx' >>"$models/long.bin"
cp "$ex/tokenizer.bin" "$models/tokenizer-extra.bin" && printf '\0\0\0\0\1\0\0\0x' >>"$models/tokenizer-extra.bin"
# k-quant GGUFs (a random model at shapes they take: tools/model/tests/random_ckpt.py)
# with a NaN block scale: q6_K's d is a block's last 2 bytes, q4_K's dmin its bytes 2..3
make -s -C "$root/tools/model" && python3 "$root/tools/model/tests/random_ckpt.py" "$models/kq.bin" || exit 1
for t in q4_k q6_k; do
    "$root/build/host/anx-model" convert "$models/kq.bin" --tokenizer "$ex/tokenizer.bin" -o "$models/$t.gguf" \
        --type $t 2>/dev/null || exit 1
done
put_bytes "$models/q6_k.gguf" '\377\377' $(($(stat -c %s "$models/q6_k.gguf") - 2))
put_bytes "$models/q4_k.gguf" '\377\377' $(($(stat -c %s "$models/q4_k.gguf") - 144 + 2))
have_shared=false
if [ -f "$testdata/stories260K.bin" ] && [ -f "$testdata/llama-2-tiny-random.gguf" ]; then
    have_shared=true
    cp "$testdata/stories260K.bin" "$models/"
    g=$testdata/llama-2-tiny-random.gguf
    cp "$g" "$models/nan.gguf" && put_bytes "$models/nan.gguf" '\377\377' $(($(stat -c %s "$g") - 2))
    head -c 1700000 "$g" >"$models/truncated.gguf"
fi
cd "$here/real"
for f in *.yaml; do
    name=real/$f
    if [ "${f#shared-}" != "$f" ] && ! $have_shared; then
        echo "skip  $name: no stories260K.bin and llama-2-tiny-random.gguf in $testdata"
        continue
    fi
    args=$(cat "${f%.yaml}.args" 2>/dev/null)
    # shellcheck disable=SC2086
    ANX_ROOT=$root expect_bad "$name" "$f" $args
done
# Warnings (and the errors after them) against the real repository: the
# whole stderr must equal real-warn/NAME.warn, the exit status NAME.rc or 0.
cd "$here/real-warn"
for f in *.yaml; do
    name=real-warn/$f
    want_rc=$(cat "${f%.yaml}.rc" 2>/dev/null || echo 0)
    "$anx" --root "$root" check "$f" --print-config >"$out/stdout" 2>"$out/stderr"
    rc=$?
    if [ $rc -ne "$want_rc" ]; then
        bad "$name" "exit $rc, expected $want_rc: $(cat "$out/stderr")"
    elif ! d=$(diff "${f%.yaml}.warn" "$out/stderr"); then
        bad "$name" "$d"
    else
        ok "$name"
    fi
    grep '^#define CONFIG_ROUTER_' "$out/stdout" >"$out/${f%.yaml}.router.h"
    grep '^#define CONFIG_PIPELINES' "$out/stdout" >"$out/${f%.yaml}.pipelines.h"
done
# the pipelines table anx writes into config.h (rows of modules/pipelines'
# struct pl_def: dependency masks from after: and {{references}}, defaults)
if d=$(diff "$here/real-warn/pipelines-good.config" "$out/pipelines-good.pipelines.h"); then
    ok "real-warn/pipelines-good.yaml: config.h's CONFIG_PIPELINES"
else
    bad "real-warn/pipelines-good.yaml: config.h's CONFIG_PIPELINES" "$d"
fi
if [ -s "$out/router-strings.router.h" ] && d=$(diff "$out/router-strings.router.h" "$out/router-lists.router.h"); then
    ok "real-warn/the deprecated string form gives the list form's config.h"
else
    bad "real-warn/the deprecated string form gives the list form's config.h" "$d"
fi
# ... while every ready manifest passes (the bundled model included),
# warning only that the example appliances without keys (store, inference)
# let anyone write or compute.
for f in "$root"/manifests/*.yaml; do
    name=real/manifests/$(basename "$f")
    if "$anx" --root "$root" check "$f" >/dev/null 2>"$out/stderr" &&
        ! grep -v "warning: anyone who reaches httpd's port may, with no key" "$out/stderr"; then
        ok "$name passes check"
    else
        bad "$name passes check" "$(cat "$out/stderr")"
    fi
done
if "$anx" --root "$root" check "$root/manifests/store.yaml" 2>&1 >/dev/null | grep -q 'with no key: PUT /api/v1/objects/\*' &&
    "$anx" --root "$root" check "$root/manifests/inference.yaml" 2>&1 >/dev/null | grep -q 'POST /v1/completions (openai)' &&
    ! "$anx" --root "$root" check "$root/manifests/appliance.yaml" 2>&1 >/dev/null | grep -q warning; then
    ok "real/manifests: store and inference warn of their open routes, appliance (keys) does not"
else
    bad "real/manifests: store and inference warn of their open routes, appliance (keys) does not"
fi

# 4. builds: determinism, cache, speed, report
cd "$here/runner"
b1=$out/b1
if "$anx" build build.yaml -o "$b1" >"$out/build1.log" 2>&1 && [ -f "$b1/image.elf" ]; then
    ok "build/fake platform builds"
else
    bad "build/fake platform builds" "$(cat "$out/build1.log")"
fi
cp "$b1/anunix.elf" "$out/first.elf" 2>/dev/null
cp "$b1/image.elf" "$out/first.img" 2>/dev/null
start=$(date +%s%N)
"$anx" build build.yaml -o "$b1" >"$out/build2.log" 2>&1
ms=$((($(date +%s%N) - start) / 1000000))
if grep -q '(10 cached, 0 compiled)' "$out/build2.log" && grep -q 'up to date' "$out/build2.log"; then
    ok "build/unchanged rebuild hits the cache and skips the link"
else
    bad "build/unchanged rebuild hits the cache and skips the link" "$(cat "$out/build2.log")"
fi
# The ASan binary is slower than gen/anx; the limit is for the plain binary.
make -C "$root/gen" -s anx >/dev/null 2>&1
start=$(date +%s%N)
"$root/gen/anx" build build.yaml -o "$b1" >/dev/null 2>&1
ms=$((($(date +%s%N) - start) / 1000000))
if [ $ms -lt 1000 ]; then ok "build/unchanged rebuild takes ${ms} ms (< 1000)"; else bad "build/unchanged rebuild takes ${ms} ms (< 1000)"; fi
rm -rf "$b1" "$out/build/.cache"
"$anx" build build.yaml -o "$b1" >"$out/build3.log" 2>&1
if cmp -s "$out/first.elf" "$b1/anunix.elf" && cmp -s "$out/first.img" "$b1/image.elf"; then
    ok "build/clean rebuild is bit-identical"
else
    bad "build/clean rebuild is bit-identical" "$(cat "$out/build3.log")"
fi
"$anx" build build.yaml -o "$out/b2" -j 1 >/dev/null 2>&1
if cmp -s "$out/first.img" "$out/b2/image.elf"; then
    ok "build/another folder, one job: same image"
else
    bad "build/another folder, one job: same image"
fi
if "$anx" build build.yaml -o "$b1" --json >"$out/report.json" 2>"$out/stderr" &&
    python3 - "$out/report.json" "$b1" >"$out/py.log" 2>&1 <<'EOF'; then
import json, sys, hashlib, os
r = json.load(open(sys.argv[1]))
assert r["name"] == "build" and r["platform"] == "fake", r
assert [m["name"] for m in r["modules"]] == ["cfg", "gamma", "beta", "alpha"], r["modules"]
assert all(m["size"] > 0 for m in r["modules"]), r["modules"]
# sizes by section kind add up to each part's size, and the parts to the total
kinds = ("text", "rodata", "data", "bss")
parts = r["modules"] + r["base"]
for m in parts + [r["total"]]:
    assert sum(m["sections"][k] for k in kinds) == m["size"], m
for k in kinds + ("size",):
    get = (lambda m: m["sections"][k]) if k != "size" else (lambda m: m["size"])
    assert sum(get(m) for m in parts) == get(r["total"]), (k, r["total"])
assert all(m["sections"]["text"] > 0 for m in r["modules"]), r["modules"]
assert {m["name"]: m["optimize"] for m in r["modules"]} == \
    {"cfg": "size", "gamma": "size", "beta": "size", "alpha": "speed"}, r["modules"]
paths = [i["path"] for i in r["inputs"]]
for p in ["core/kmain.c", "core/include/anx/module.h", "modules/alpha/alpha.c", "arch/x86_64/fake.ld",
          "arch/x86_64/arch.yaml", "arch/x86_64/fake_arch.h", "platforms/fake/board.c",
          "modules/alpha/module.yaml", "platforms/fake/platform.yaml"]:
    assert p in paths, (p, paths)
assert any(p.endswith("runner/motd.txt") for p in paths), paths
assert any(p.endswith("runner/build.yaml") for p in paths), paths
for o in r["outputs"]:
    p = o["path"] if o["path"].startswith("/") else os.path.join(os.environ["ANX_ROOT"], o["path"])
    assert hashlib.sha256(open(p, "rb").read()).hexdigest() == o["sha256"], o
    assert os.path.getsize(p) == o["bytes"], o
assert {"parse", "resolve", "generate", "compile", "link", "total"} <= set(r["timings_s"]), r["timings_s"]
EOF
    ok "build/--json report: modules, sizes by section, optimize, inputs, outputs with sha256, timings"
else
    bad "build/--json report: modules, sizes by section, optimize, inputs, outputs with sha256, timings" "$(cat "$out/stderr" "$out/py.log")"
fi
# A header edit must invalidate the objects that can see it; a config edit too.
cp -r "$here/tree" "$out/tree2"
echo "/* edited */" >>"$out/tree2/core/include/anx/module.h"
ANX_ROOT=$out/tree2 "$anx" build build.yaml -o "$out/b3" >"$out/build4.log" 2>&1
if grep -q '(0 cached, 10 compiled)' "$out/build4.log"; then
    ok "build/a header edit recompiles"
else
    bad "build/a header edit recompiles" "$(cat "$out/build4.log")"
fi
# arch/ARCH/arch.yaml: its cflags reach every object, so an edit there
# recompiles everything (built once first: another root alone recompiles).
cp -r "$here/tree" "$out/tree-arch"
ANX_ROOT=$out/tree-arch "$anx" build build.yaml -o "$out/b3a" >/dev/null 2>&1
sed -i 's/^cflags: \[/cflags: [-DARCH_EDITED, /' "$out/tree-arch/arch/x86_64/arch.yaml"
ANX_ROOT=$out/tree-arch "$anx" build build.yaml -o "$out/b3a" >"$out/build4a.log" 2>&1
if grep -q '(0 cached, 10 compiled)' "$out/build4a.log" && grep -q 'ARCH_EDITED' "$out/tree-arch/arch/x86_64/arch.yaml"; then
    ok "build/an arch.yaml edit recompiles every object"
else
    bad "build/an arch.yaml edit recompiles every object" "$(cat "$out/build4a.log")"
fi
# Platform sources include their arch's headers by name (-Iarch/ARCH, as
# platforms/fake/board.c does); a module cannot (modules/archpeek).
printf 'name: archpeek\nplatform: fake\nmodules:\n  archpeek: {}\n' >"$out/archpeek.yaml"
"$anx" build "$out/archpeek.yaml" -o "$out/ap" >"$out/stdout" 2>"$out/stderr"
rc=$?
if nm "$b1/anunix.elf" | grep -q ' fake_board_init$' && [ $rc -eq 1 ] &&
    grep -q 'archpeek.c:.*fake_arch.h: No such file' "$out/stderr" &&
    grep -q 'anx: error: compiling modules/archpeek/archpeek.c failed' "$out/stderr"; then
    ok "build/platform sources see arch/ARCH headers by name, modules do not"
else
    bad "build/platform sources see arch/ARCH headers by name, modules do not" "exit $rc: $(cat "$out/stderr")"
fi
sed 's/must: 2/must: 3/' build.yaml >"$out/build-cfg.yaml"
cp motd.txt "$out/"
"$anx" build "$out/build-cfg.yaml" -o "$out/b4" >"$out/build5.log" 2>&1
# An object depends on the CONFIG_ macros it names, not on all of config.h:
# 'must' is read by cfg.c alone, 'count' by no file, the image's name by
# kmain.c; the generated modules.c and files.S (the manifest is in the files archive) always.
if grep -q 'CONFIG_CFG_MUST 3' "$out/b4/gen/config.h" && grep -q '(7 cached, 3 compiled)' "$out/build5.log"; then
    ok "build/a config change regenerates config.h and recompiles the file that reads it"
else
    bad "build/a config change regenerates config.h and recompiles the file that reads it" "$(cat "$out/build5.log")"
fi
sed 's/must: 3/must: 3, count: 5/' "$out/build-cfg.yaml" >"$out/build-cfg2.yaml"
"$anx" build "$out/build-cfg2.yaml" -o "$out/b4" >"$out/build5b.log" 2>&1
sed 's/^name: build/name: renamed/' "$out/build-cfg2.yaml" >"$out/build-cfg3.yaml"
"$anx" build "$out/build-cfg3.yaml" -o "$out/b4" >"$out/build5c.log" 2>&1
if grep -q 'CONFIG_CFG_COUNT 5' "$out/b4/gen/config.h" && grep -q '(8 cached, 2 compiled)' "$out/build5b.log" &&
    grep -q '(7 cached, 3 compiled)' "$out/build5c.log"; then
    ok "build/a key no file reads recompiles only the generated files; a new name kmain.c too"
else
    bad "build/a key no file reads recompiles only the generated files; a new name kmain.c too" \
        "$(cat "$out/build5b.log" "$out/build5c.log")"
fi
# which is safe while no CONFIG_ name is pasted together with ##
if pasted=$(grep -rnE 'CONFIG_[A-Za-z0-9_]*[[:space:]]*##|##[[:space:]]*CONFIG_' "$root/core" "$root/arch" \
        "$root/platforms" "$root/modules" --include='*.[chS]' --include='*.inc'); then
    bad "build/no CONFIG_ name is pasted with ## (the object cache keys on names as written)" "$pasted"
else
    ok "build/no CONFIG_ name is pasted with ## (the object cache keys on names as written)"
fi
# --gc-sections dropped the unused function.
if ! nm "$b1/anunix.elf" | grep -q fake_unused && nm "$b1/anunix.elf" | grep -q anx_files_start; then
    ok "build/--gc-sections drops unused code, keeps the files archive"
else
    bad "build/--gc-sections drops unused code, keeps the files archive"
fi
"$anx" build build.yaml -o "$out/b5" -p fake-arm >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q "module 'cfg'\|does not support\|not found" "$out/stderr"; then
    ok "build/unresolvable platform is a manifest error (exit 2)"
else
    # fake-arm supports every module but has no linker script: a build error (exit 1) is fine too.
    if [ $rc -eq 1 ] && grep -q "linker script" "$out/stderr"; then
        ok "build/missing linker script is a build error (exit 1)"
    else
        bad "build/fake-arm" "exit $rc: $(cat "$out/stderr")"
    fi
fi

# Third-party sources: compiled from ANX_THIRD_PARTY/NAME, include folders
# exported to dependents; a missing tree names the fix.
if ANX_THIRD_PARTY=$here/tree/third_party "$anx" build third-party.yaml -o "$out/tp" >"$out/tp.log" 2>&1 &&
    nm "$out/tp/anunix.elf" | grep -q fake_lib_value && ! grep -q 'warning' "$out/tp.log" &&
    grep -q 'third_party/fake/src/fakelib.c' "$out/tp/report.json" &&
    grep -q 'third_party/fake/src/fakeextra.c' "$out/tp/report.json" &&
    ! grep -q 'fakeskip' "$out/tp/report.json" &&
    grep -q "license  this image combines GPL code: tp's fake-again (GPL-2.0-only)" "$out/tp.log" &&
    python3 -c 'import json, sys; m = [x for x in json.load(open(sys.argv[1]))["modules"] if x["name"] == "tp"][0]
sys.exit(not (m["license"] == "MIT" and m["third_party"][1]["tree"] == "fake"))' "$out/tp/report.json"; then
    ok "build/third_party sources (globs, exclude, private includes, cflags), licences, the GPL line"
else
    bad "build/third_party sources (globs, exclude, private includes, cflags), licences, the GPL line" "$(cat "$out/tp.log")"
fi
ANX_THIRD_PARTY=$out/no-such-cache "$anx" build third-party.yaml -o "$out/tp2" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 1 ] && grep -q "modules/tp/module.yaml:4:3: error: fake not fetched: run scripts/setup.sh" "$out/stderr"; then
    ok "build/a missing third-party tree says how to fetch it"
else
    bad "build/a missing third-party tree says how to fetch it" "exit $rc: $(cat "$out/stderr")"
fi

if command -v grub-mkrescue >/dev/null && command -v xorriso >/dev/null && command -v mformat >/dev/null; then
    "$anx" build build.yaml -p fake-iso -o "$out/iso1" >"$out/iso1.log" 2>&1
    sleep 1   # a different wall-clock second must not matter
    "$anx" build build.yaml -p fake-iso -o "$out/iso2" >"$out/iso2.log" 2>&1
    if [ -s "$out/iso1/anunix.iso" ] && cmp -s "$out/iso1/anunix.iso" "$out/iso2/anunix.iso"; then
        ok "build/two ISO builds are bit-identical"
    else
        bad "build/two ISO builds are bit-identical" "$(cat "$out/iso1.log" "$out/iso2.log")"
    fi
else
    echo "skip  build/ISO determinism (grub-mkrescue, xorriso or mtools missing)"
fi

# Disk images (gen/image_disk.c): raw and qcow2 only when asked, bit-identical
# across builds, a valid GPT (sgdisk -v, from gdisk, when installed) whose
# ESP holds GRUB, grub.cfg and the kernel; report.json lists their sha256;
# --format refuses what the platform cannot make; a boot mode naming {raw}
# makes it. The boots themselves are in tests/boot/matrix.yaml.
if [ -s "$out/iso1/anunix.iso" ] && [ ! -e "$out/iso1/anunix.raw" ] && [ ! -e "$out/iso1/anunix.qcow2" ]; then
    ok "build/disk images are not made unless asked"
else
    bad "build/disk images are not made unless asked" "$(ls "$out/iso1")"
fi
if command -v grub-mkimage >/dev/null && command -v mformat >/dev/null && command -v qemu-img >/dev/null &&
   [ -f /usr/lib/grub/i386-pc/boot.img ] && [ -d /usr/lib/grub/x86_64-efi ]; then
    "$anx" build build.yaml -p fake-iso --format raw,qcow2 -o "$out/disk1" >"$out/disk1.log" 2>&1
    sleep 1   # a different wall-clock second must not matter
    "$anx" build build.yaml -p fake-iso -f raw -f qcow2 -o "$out/disk2" >"$out/disk2.log" 2>&1
    if [ -s "$out/disk1/anunix.raw" ] && [ -s "$out/disk1/anunix.qcow2" ] &&
       cmp -s "$out/disk1/anunix.raw" "$out/disk2/anunix.raw" &&
       cmp -s "$out/disk1/anunix.qcow2" "$out/disk2/anunix.qcow2" && [ ! -e "$out/disk1/anunix.iso" ]; then
        ok "build/two raw and qcow2 builds are bit-identical (and --format skips the ISO)"
    else
        bad "build/two raw and qcow2 builds are bit-identical (and --format skips the ISO)" \
            "$(cat "$out/disk1.log" "$out/disk2.log"; ls "$out/disk1")"
    fi
    if ! command -v sgdisk >/dev/null; then
        echo "skip  build/the raw image is a valid GPT disk (sgdisk missing: Debian's gdisk)"
    elif sgdisk -v "$out/disk1/anunix.raw" | grep -q 'No problems found' &&
         sgdisk -p "$out/disk1/anunix.raw" | grep -Eq '^ +1 +4096 .* EF00 +EFI system partition' &&
         sgdisk -p "$out/disk1/anunix.raw" | grep -Eq '^ +2 +2048 +4095 .* EF02 +BIOS boot partition'; then
        ok "build/the raw image is a valid GPT disk (ESP and BIOS boot partitions)"
    else
        bad "build/the raw image is a valid GPT disk (ESP and BIOS boot partitions)" \
            "$(sgdisk -v "$out/disk1/anunix.raw"; sgdisk -p "$out/disk1/anunix.raw")"
    fi
    esp="$out/disk1/anunix.raw@@2M"
    if mcopy -n -i "$esp" ::/boot/anunix.elf "$out/esp-kernel" 2>/dev/null &&
       cmp -s "$out/esp-kernel" "$out/disk1/image.elf" &&
       mdir -i "$esp" ::/EFI/BOOT 2>/dev/null | grep -q 'BOOTX64  EFI' &&
       mtype -i "$esp" ::/boot/grub/grub.cfg 2>/dev/null | cmp -s - "$here/tree/platforms/fake-iso/grub.cfg" &&
       dd if="$out/disk1/anunix.raw" bs=1 skip=510 count=2 status=none | od -An -tx1 | grep -q '55 aa'; then
        ok "build/the raw image's ESP holds the kernel, GRUB and grub.cfg; its MBR boots"
    else
        bad "build/the raw image's ESP holds the kernel, GRUB and grub.cfg; its MBR boots" "$(mdir -/ -i "$esp" :: 2>&1)"
    fi
    if python3 - "$out/disk1" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
outs = {o["kind"]: o for o in json.load(open(os.path.join(d, "report.json")))["outputs"]}
for kind, name in (("raw", "anunix.raw"), ("qcow2", "anunix.qcow2")):
    data = open(os.path.join(d, name), "rb").read()
    o = outs[kind]
    assert o["sha256"] == hashlib.sha256(data).hexdigest() and o["bytes"] == len(data), kind
assert "iso" not in outs
PY
    then
        ok "build/report.json lists the raw and qcow2 images with their sha256"
    else
        bad "build/report.json lists the raw and qcow2 images with their sha256" "$(cat "$out/disk1/report.json")"
    fi
    "$anx" test pass.yaml -p fake-iso --boot raw -o "$out/disk3" >"$out/disk3.log" 2>&1
    if [ -s "$out/disk3/anunix.raw" ] && [ ! -e "$out/disk3/anunix.qcow2" ] &&
       grep -q "format=raw,file=$out/disk3/anunix.raw,snapshot=on" "$out/disk3.log"; then
        ok "build/a boot mode naming {raw} makes the raw image"
    else
        bad "build/a boot mode naming {raw} makes the raw image" "$(cat "$out/disk3.log")"
    fi
else
    echo "skip  build/disk images (grub-mkimage, GRUB's i386-pc or x86_64-efi files, mtools or qemu-img missing)"
fi
# arm64's raw disk, from the real repository: the kernel itself is the EFI
# application (arch/arm64/entry.S's PE header, efi.c), alone on the ESP of a
# UEFI-only GPT disk; bit-identical across builds like the x86 one.
if command -v aarch64-linux-gnu-objcopy >/dev/null && command -v mformat >/dev/null && command -v qemu-img >/dev/null; then
    "$anx" --root "$root" build "$root/manifests/hello.yaml" -p arm64-virt -f raw,qcow2 -o "$out/arm1" >"$out/arm1.log" 2>&1
    sleep 1
    "$anx" --root "$root" build "$root/manifests/hello.yaml" -p arm64-virt -f raw,qcow2 -o "$out/arm2" >"$out/arm2.log" 2>&1
    mcopy -n -i "$out/arm1/anunix.raw@@2M" ::/EFI/BOOT/BOOTAA64.EFI "$out/arm1.efi" 2>/dev/null
    if [ -s "$out/arm1/anunix.raw" ] && cmp -s "$out/arm1/anunix.raw" "$out/arm2/anunix.raw" &&
       cmp -s "$out/arm1/anunix.qcow2" "$out/arm2/anunix.qcow2" &&
       aarch64-linux-gnu-objdump -f "$out/arm1.efi" 2>/dev/null | grep -q 'file format pei-aarch64-little' &&
       aarch64-linux-gnu-objdump -p "$out/arm1.efi" 2>/dev/null | grep -Eq 'Subsystem[[:space:]]+0+a[[:space:]]+\(EFI application\)' &&
       aarch64-linux-gnu-objdump -p "$out/arm1.efi" 2>/dev/null | grep -Eq 'ImageBase[[:space:]]+0+40200000'; then
        ok "build/arm64 raw: the kernel is a PE EFI application on the ESP; two builds are bit-identical"
    else
        bad "build/arm64 raw: the kernel is a PE EFI application on the ESP; two builds are bit-identical" \
            "$(cat "$out/arm1.log" "$out/arm2.log"; aarch64-linux-gnu-objdump -p "$out/arm1.efi" 2>&1 | head -30)"
    fi
    if ! command -v sgdisk >/dev/null; then
        echo "skip  build/arm64 raw is a UEFI-only GPT disk (sgdisk missing: Debian's gdisk)"
    elif sgdisk -v "$out/arm1/anunix.raw" | grep -q 'No problems found' &&
         [ "$(sgdisk -p "$out/arm1/anunix.raw" | grep -Ec '^ +[0-9]+ ')" = 1 ] &&
         sgdisk -p "$out/arm1/anunix.raw" | grep -Eq '^ +1 +4096 .* EF00 +EFI system partition'; then
        ok "build/arm64 raw is a UEFI-only GPT disk (one partition: the ESP)"
    else
        bad "build/arm64 raw is a UEFI-only GPT disk (one partition: the ESP)" "$(sgdisk -p "$out/arm1/anunix.raw")"
    fi
else
    echo "skip  build/arm64 raw (aarch64-linux-gnu-objcopy, mtools or qemu-img missing)"
fi
"$anx" build build.yaml --format raw -o "$out/disk4" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && [ "$(head -1 "$out/stderr")" = "anx: error: platform 'fake' cannot make a raw image (its images: elf); choose one of those with --format, or another platform with -p (anx platforms lists them)" ]; then
    ok "build/--format refuses an image the platform cannot make"
else
    bad "build/--format refuses an image the platform cannot make" "exit $rc: $(cat "$out/stderr")"
fi
"$anx" build build.yaml --format rawr -o "$out/disk4" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && [ "$(head -1 "$out/stderr")" = "anx: error: --format: unknown image kind 'rawr' (kinds: elf, iso, raw, qcow2) (did you mean 'raw'?)" ]; then
    ok "build/--format refuses an unknown kind"
else
    bad "build/--format refuses an unknown kind" "exit $rc: $(cat "$out/stderr")"
fi

# files: folders (docs/manifest.md): every file below, sorted by image path
# whatever order the folder was written in, each in report.json; two builds
# from folders written in opposite orders are bit-identical.
folder_site() {   # $1: the folder, then file names in the order to write them
    local d=$1
    shift
    rm -rf "$d"
    for f in "$@"; do mkdir -p "$(dirname "$d/$f")" && echo "content of $f" >"$d/$f"; done
}
mkdir -p "$out/folder"
printf 'name: folder\nplatform: fake\nmodules:\n  gamma: {}\nfiles:\n  /www/: site/\n  /etc/motd: site/index.html\n' \
    >"$out/folder/folder.yaml"
folder_site "$out/folder/site" index.html css/site.css a-b .well-known/x.txt img/z/deep.png
"$anx" build "$out/folder/folder.yaml" -o "$out/folder/b1" >"$out/folder/b1.log" 2>&1
folder_site "$out/folder/site" img/z/deep.png .well-known/x.txt a-b css/site.css index.html
"$anx" build "$out/folder/folder.yaml" -o "$out/folder/b2" >"$out/folder/b2.log" 2>&1
if python3 - "$out/folder/b1" >"$out/py.log" 2>&1 <<'EOF' &&
import json, struct, sys
b = sys.argv[1]
a = open(b + "/gen/files.bin", "rb").read()
n = struct.unpack_from("<I", a, 12)[0]
paths = []
for i in range(n):
    po, pl = struct.unpack_from("<II", a, 16 + 64 * i)
    paths.append(a[po:po + pl].decode())
want = ["/etc/motd", "/www/.well-known/x.txt", "/www/a-b", "/www/css/site.css", "/www/img/z/deep.png", "/www/index.html"]
assert paths == want, paths
inputs = [i["path"] for i in json.load(open(b + "/report.json"))["inputs"]]
for f in ["site/.well-known/x.txt", "site/a-b", "site/css/site.css", "site/img/z/deep.png", "site/index.html"]:
    assert any(p.endswith("folder/" + f) for p in inputs), (f, inputs)
EOF
    cmp -s "$out/folder/b1/gen/files.bin" "$out/folder/b2/gen/files.bin" &&
    cmp -s "$out/folder/b1/image.elf" "$out/folder/b2/image.elf"; then
    ok "build/a folder in files: sorted, in report.json, bit-identical whatever the write order"
else
    bad "build/a folder in files:" "$(cat "$out/folder/b1.log" "$out/folder/b2.log" "$out/py.log")"
fi

# module.yaml files: (docs/modules.md): a module's files join the image's
# files archive and report.json's inputs; a manifest entry of the same image
# path wins; a module's host path may be absolute.
mkdir -p "$out/modfiles"
cp "$here/runner/motd.txt" "$out/modfiles/"
printf 'name: modfiles\nplatform: fake\nmodules:\n  gpu: {}\nfiles:\n  /etc/motd: motd.txt\n' >"$out/modfiles/own.yaml"
printf 'name: modfiles\nplatform: fake\nmodules:\n  gpu: {}\nfiles:\n  /fonts/fake.ttf: motd.txt\n' >"$out/modfiles/wins.yaml"
rm -rf "$out/tree-abs"
cp -r "$here/tree" "$out/tree-abs"
printf 'a font at an absolute path\n' >"$out/modfiles/abs.ttf"
sed -i "s|: font/fake.ttf|: $out/modfiles/abs.ttf|" "$out/tree-abs/modules/gpu/module.yaml"
"$anx" build "$out/modfiles/own.yaml" -o "$out/modfiles/b1" >"$out/modfiles/b1.log" 2>&1 &&
    "$anx" build "$out/modfiles/wins.yaml" -o "$out/modfiles/b2" >"$out/modfiles/b2.log" 2>&1 &&
    ANX_ROOT=$out/tree-abs "$anx" build "$out/modfiles/own.yaml" -o "$out/modfiles/b3" >"$out/modfiles/b3.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && python3 - "$out/modfiles" "$here/tree/modules/gpu" >"$out/py.log" 2>&1 <<'EOF' &&
import json, struct, sys
out, gpu = sys.argv[1], sys.argv[2]
def archive(b):
    a = open(out + "/" + b + "/gen/files.bin", "rb").read()
    files = {}
    for i in range(struct.unpack_from("<I", a, 12)[0]):
        po, pl, do, size = struct.unpack_from("<IIQQ", a, 16 + 64 * i)
        files[a[po:po + pl].decode()] = a[do:do + size]
    return files
def inputs(b):
    return [i["path"] for i in json.load(open(out + "/" + b + "/report.json"))["inputs"]]
font, notes, motd = (open(p, "rb").read() for p in (gpu + "/font/fake.ttf", gpu + "/gpu.txt", out + "/motd.txt"))
f = archive("b1")
assert sorted(f) == ["/etc/motd", "/fonts/fake.ttf", "/share/gpu.txt"], sorted(f)
assert f["/fonts/fake.ttf"] == font and f["/share/gpu.txt"] == notes and f["/etc/motd"] == motd, f
assert "modules/gpu/font/fake.ttf" in inputs("b1") and "modules/gpu/gpu.txt" in inputs("b1"), inputs("b1")
f = archive("b2")
assert sorted(f) == ["/fonts/fake.ttf", "/share/gpu.txt"] and f["/fonts/fake.ttf"] == motd, f
assert "modules/gpu/font/fake.ttf" not in inputs("b2"), inputs("b2")
f = archive("b3")
assert f["/fonts/fake.ttf"] == open(out + "/abs.ttf", "rb").read(), f
assert out + "/abs.ttf" in inputs("b3"), inputs("b3")
EOF
    grep -q 'files.bin: 3 files' "$out/modfiles/b1.log"; then
    ok "build/module.yaml files: in the archive and report.json; the manifest's entry wins; absolute paths"
else
    bad "build/module.yaml files:" "exit $rc: $(cat "$out/modfiles/"b*.log "$out/py.log")"
fi

# Memory against the linked image: bigbss's 3 MiB of bss pass check (which
# knows only the files) and fail anx build right after the link, with the
# exact size; and anx build refuses what check refuses (validate.c runs in
# resolve, for every command).
cd "$here/good"
"$anx" build memory-linked.yaml -o "$out/memlink" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 1 ] && grep -q "^memory-linked.yaml:6:9: error: memory: 4M is too small for this image: needs at least 5 MiB (image 3.1 MiB, platform 1.3 MiB, core 12 KiB); write memory: 5M$" "$out/stderr" &&
    [ ! -e "$out/memlink/report.json" ]; then
    ok "build/memory is checked again after the link, with the image's exact size"
else
    bad "build/memory is checked again after the link" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
cd "$here/bad"
"$anx" build ports-no-nic.yaml -o "$out/portsnic" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && [ "$(head -1 "$out/stderr")" = "$(cat ports-no-nic.expect)" ] && [ ! -d "$out/portsnic" ]; then
    ok "build/refuses what check refuses (ports without a NIC), before compiling"
else
    bad "build/refuses what check refuses" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
cd "$here/runner"

# 5. anx test and anx run with the QEMU double
make -C "$root/tools/store" -s OUT="$out/host" >"$out/store-make.log" 2>&1 || bad "make -C tools/store" "$(cat "$out/store-make.log")"
store=$out/host/anx-store
# wait_for FILE REGEX SECONDS: until a line of FILE matches
wait_for() {
    local i
    for i in $(seq 1 $(($3 * 20))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}
# a free port for the tests that need one in use
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
"$anx" test pass.yaml >"$out/test-pass.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(tail -1 "$out/test-pass.log")" = "4 passed, 0 failed" ] &&
    [ -s "$out/build/pass-fake/console.log" ]; then
    ok "test/passing checks: exit 0, '4 passed, 0 failed', console.log"
else
    bad "test/passing checks" "$(cat "$out/test-pass.log")"
fi
"$anx" test fail.yaml reset.yaml >"$out/test-fail.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(tail -1 "$out/test-fail.log")" = "1 passed, 6 failed" ] &&
    grep -q 'guest exited with status 3, expected 0' "$out/test-fail.log" &&
    grep -q 'reset or stopped without an exit status' "$out/test-fail.log" &&
    grep -q 'no port to connect to: the manifest has no run: ports' "$out/test-fail.log" &&
    grep -q 'QEMU exited before /fail/ appeared (guest exited with status 3)' "$out/test-fail.log" &&
    grep -q -- '--- console (all of it in console.log) ---' "$out/test-fail.log"; then
    ok "test/failing checks: statuses, reasons, console lines, exit 1"
else
    bad "test/failing checks" "$(cat "$out/test-fail.log")"
fi
# Four failures in fail.yaml: its console is shown once, not again after
# every failure.
if [ "$(grep -c '| fake boot:' "$out/test-fail.log")" = 2 ]; then   # fail.yaml and reset.yaml
    ok "test/the console is shown once, not after every failure"
else
    bad "test/the console is shown once" "$(cat "$out/test-fail.log")"
fi
# http: checks through the forward: the double plays the forward and the
# guest's server (python3 http.server on the host port, FAKEQEMU_HTTP_DIR)
FAKEQEMU_HTTP_DIR=$here/runner FAKEQEMU_HTTP_LOG=$out/http-server.log "$anx" test http.yaml >"$out/test-http.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(tail -1 "$out/test-http.log")" = "5 passed, 4 failed" ] &&
    grep -q 'status 200, expected 500' "$out/test-http.log" &&
    grep -q '/not there/ not in the body (29 bytes)' "$out/test-http.log" &&
    grep -q 'no forward of guest port 81' "$out/test-http.log" &&
    grep -q '"POST /motd.txt HTTP/1.1" 501' "$out/http-server.log"; then
    ok "test/http checks: status, body regex, headers, POST, retries until the server is up"
else
    bad "test/http checks" "$(cat "$out/test-http.log")"
fi
# Free host ports: anx test forwards each run: ports guest port from a port
# free when QEMU starts, not the manifest's (18731 here), and says which.
# Two tests of one manifest side by side: the first holds its forward (its
# "await" check) until the second has passed on its own; with the
# manifest's port the second would fail ("port 18731 is already in use").
rm -f "$out/await"
FAKEQEMU_HTTP_DIR=$here/runner FAKEQEMU_AWAIT=$out/await "$anx" build pair.yaml >"$out/pair-build.log" 2>&1
FAKEQEMU_HTTP_DIR=$here/runner FAKEQEMU_AWAIT=$out/await "$anx" test pair.yaml >"$out/pair1.log" 2>&1 &
pair1=$!
wait_for "$out/pair1.log" 'http GET /motd.txt .* ok ' 20
FAKEQEMU_HTTP_DIR=$here/runner FAKEQEMU_AWAIT=$out/await "$anx" test pair.yaml >"$out/pair2.log" 2>&1 &
pair2=$!
for _ in $(seq 1 400); do grep -q 'http GET /motd.txt .* ok \|failed$' "$out/pair2.log" && break; sleep 0.05; done
touch "$out/await"
wait "$pair1"
rc1=$?
wait "$pair2"
rc2=$?
port1=$(sed -n 's/^  port     127.0.0.1:\([0-9]*\) -> guest port 80 (free port picked.*/\1/p' "$out/pair1.log")
port2=$(sed -n 's/^  port     127.0.0.1:\([0-9]*\) -> guest port 80 (free port picked.*/\1/p' "$out/pair2.log")
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "$(tail -1 "$out/pair1.log")" = "4 passed, 0 failed" ] &&
    [ "$(tail -1 "$out/pair2.log")" = "4 passed, 0 failed" ] && [ -n "$port1" ] && [ -n "$port2" ] &&
    [ "$port1" != "$port2" ] && [ "$port1" != 18731 ] && [ "$port2" != 18731 ]; then
    ok "test/two tests of one manifest side by side: each forward gets its own free host port ($port1, $port2)"
else
    bad "test/two tests of one manifest side by side" "$(cat "$out/pair-build.log" "$out/pair1.log" "$out/pair2.log")"
fi
# A picked port taken before QEMU binds it (the double fails the first boot
# as QEMU does): another is picked, once, and the checks run on the second
# boot; a second failure is the checks' reason.
rm -f "$out/fail-once"
FAKEQEMU_HOSTFWD_FAIL_ONCE=$out/fail-once FAKEQEMU_HTTP_DIR=$here/runner "$anx" test http.yaml >"$out/test-retry.log" 2>&1
first=$(sed -n 's/^  port     127.0.0.1:\([0-9]*\) -> guest port 80 (free.*/\1/p' "$out/test-retry.log" | head -1)
if [ "$(tail -1 "$out/test-retry.log")" = "5 passed, 4 failed" ] && [ "$(grep -c '^  boot ' "$out/test-retry.log")" = 2 ] &&
    grep -q "^  port     127.0.0.1:$first was taken before QEMU could bind it; picking another$" "$out/test-retry.log" &&
    [ "$(grep -c "^  port     127.0.0.1:[0-9]* -> guest port 80 (free" "$out/test-retry.log")" = 2 ]; then
    ok "test/a picked port taken before QEMU binds it: another is picked and the test passes"
else
    bad "test/a picked port taken before QEMU binds it" "$(cat "$out/test-retry.log")"
fi
FAKEQEMU_HOSTFWD_FAIL=1 "$anx" test http.yaml >"$out/test-retry2.log" 2>&1
rc=$?
second=$(sed -n 's/^  port     127.0.0.1:\([0-9]*\) -> guest port 80 (free.*/\1/p' "$out/test-retry2.log" | tail -1)
if [ $rc -eq 1 ] && [ "$(grep -c '^  boot ' "$out/test-retry2.log")" = 2 ] &&
    grep -q "QEMU exited before /anunix: ready/ appeared (port $second is already in use" "$out/test-retry2.log"; then
    ok "test/picked ports taken twice: one retry, then the checks fail naming the port"
else
    bad "test/picked ports taken twice" "exit $rc: $(cat "$out/test-retry2.log")"
fi
# A failing body is shown up to 400 bytes: motd.txt is listed ~300 bytes in.
if grep 'a failing body shows' "$out/test-http.log" | grep -q 'not in the body ([0-9]* bytes): ".*href=\\\?"motd.txt'; then
    ok "test/a failing http body is shown up to 400 bytes"
else
    bad "test/a failing http body is shown up to 400 bytes" "$(grep 'a failing body' "$out/test-http.log")"
fi
start=$(date +%s%N)
"$anx" test slow.yaml --boot slow >"$out/test-slow.log" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $rc -eq 1 ] && [ $ms -lt 5000 ] && [ "$(tail -1 "$out/test-slow.log")" = "0 passed, 2 failed" ]; then
    ok "test/timeouts end a hung boot (${ms} ms) and stop QEMU"
else
    bad "test/timeouts end a hung boot (${ms} ms)" "$(cat "$out/test-slow.log")"
fi
# QEMU exits (status 3) while a child keeps its console open: the checks
# after it fail at once (5 s timeouts each) and say why.
# check_secs LOG: the longest time a check of LOG took, in whole seconds
check_secs() { sed -n 's/.* \(ok\|FAIL\) *\([0-9]*\)\.[0-9]* s.*/\2/p' "$1" | sort -n | tail -1; }
"$anx" test gone.yaml >"$out/test-gone.log" 2>&1
secs=$(check_secs <(grep ' FAIL ' "$out/test-gone.log"))   # the first check waits for the boot
if [ "${secs:-9}" -lt 2 ] && [ "$(tail -1 "$out/test-gone.log")" = "1 passed, 4 failed" ] &&
    grep -q 'shell "crash" .*QEMU exited before /never printed/ appeared (guest exited with status 3)' "$out/test-gone.log" &&
    [ "$(grep -c 'FAIL .*QEMU exited earlier (guest exited with status 3)$' "$out/test-gone.log")" = 3 ]; then
    ok "test/once QEMU has exited, later checks fail at once (5 s timeouts): 'QEMU exited earlier'"
else
    bad "test/once QEMU has exited, later checks fail at once" "$(cat "$out/test-gone.log")"
fi
"$anx" test unknown.yaml >"$out/test-unknown.log" 2>&1
secs=$(check_secs "$out/test-unknown.log")
if [ "${secs:-9}" -lt 2 ] && grep -q 'the shell answered "unknown command: frob"' "$out/test-unknown.log"; then
    ok "test/a shell check reports the shell's 'unknown command' at once (5 s timeout)"
else
    bad "test/a shell check reports the shell's 'unknown command'" "$(cat "$out/test-unknown.log")"
fi
"$anx" test pass.yaml --boot fast >"$out/stdout" 2>"$out/stderr"
if [ $? -ne 0 ] && grep -q "no boot mode 'fast'" "$out/stderr"; then ok "test/unknown boot mode"; else bad "test/unknown boot mode" "$(cat "$out/stderr")"; fi
"$anx" test --help >"$out/stdout" 2>&1
if head -2 "$out/stdout" | grep -q -- '-o DIR' && head -2 "$out/stdout" | grep -q -- '--port HOST:GUEST'; then
    ok "test/--help: the usage line lists -o and --port"
else
    bad "test/--help: the usage line lists -o and --port" "$(head -3 "$out/stdout")"
fi
"$anx" run pass.yaml --port 8080:80 </dev/null >"$out/run.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q 'anunix: ready' "$out/run.log" && grep -q 'no NIC' "$out/run.log" &&
    grep -q -- '-nographic' "$out/run.log"; then
    ok "run/boots, warns about ports without a NIC, exits with the guest status"
else
    bad "run/boots with the guest status" "exit $rc: $(cat "$out/run.log")"
fi
if grep -q -- '-netdev' "$out/run.log"; then
    bad "run/no NIC module, no network device" "$(cat "$out/run.log")"
else
    ok "run/no NIC module, no network device"
fi
# --secret NAME=FILE (docs/credentials.md): each file goes to QEMU as the
# fw_cfg file opt/anunix/secret/NAME (a ',' in its path doubled, as QEMU's
# option syntax wants); anx never reads it, so its text is in no output or
# build file; a name the manifest does not declare is warned about; a bad
# option stops before boot with what is wrong.
mkdir -p "$out/sec,ret"
planted="planted-$$-$RANDOM$RANDOM"
printf '%s\n' "$planted" >"$out/sec,ret/pw"
sed 's/^name: pass/name: secrets/' pass.yaml >"$out/secrets.yaml"
printf 'credentials:\n  admin-password: {type: password, modules: [gamma], required: true}\n' >>"$out/secrets.yaml"
"$anx" test "$out/secrets.yaml" --secret admin-password="$out/sec,ret/pw" --secret stray="$out/sec,ret/pw" \
    >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && grep -qF -- "-fw_cfg name=opt/anunix/secret/admin-password,file=$out/sec,,ret/pw" "$out/stdout" &&
    grep -qF -- "-fw_cfg name=opt/anunix/secret/stray," "$out/stdout"; then
    ok "test/--secret passes the file as fw_cfg opt/anunix/secret/NAME"
else
    bad "test/--secret passes the file as fw_cfg opt/anunix/secret/NAME" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
if grep -q "warning: --secret stray: the manifest declares no credential 'stray' (its credentials: admin-password); the image ignores it" "$out/stderr"; then
    ok "test/--secret of an undeclared credential is warned about"
else
    bad "test/--secret of an undeclared credential is warned about" "$(cat "$out/stderr")"
fi
if grep -rqF "$planted" "$out/stdout" "$out/stderr" "$out/build/secrets-fake"; then
    bad "test/--secret: the value is in no output or build file" "$(grep -rlF "$planted" "$out/stdout" "$out/stderr" "$out/build/secrets-fake")"
elif ! grep -q 'CONFIG_CREDENTIALS { { "admin-password", "password", "gamma", "gamma", "", 1, 0 }, { 0 } }' "$out/build/secrets-fake/gen/config.h"; then
    bad "test/--secret: the value is in no output or build file" "config.h lacks the credential row: $(grep CRED "$out/build/secrets-fake/gen/config.h")"
else
    ok "test/--secret: the value is in no output or build file"
fi
head -c 70000 /dev/zero >"$out/big-secret"
for c in "admin-password|--secret expects NAME=FILE (like --secret admin-password=build/pw.txt), found 'admin-password'" \
         "Admin=$out/sec,ret/pw|--secret: invalid credential name 'Admin' (1-37 lowercase letters, digits, '-', '_' and '.', as in the manifest's credentials:)" \
         "pw=$out/none|--secret pw: cannot read '$out/none': No such file or directory" \
         "pw=$out|--secret pw: '$out' is not a regular file" \
         "pw=$out/big-secret|--secret pw: '$out/big-secret' is larger than 64 KiB; a credential file holds one key, password, token or authorized_keys list"; do
    arg=${c%%|*} want="anx: error: ${c#*|}"
    "$anx" run "$out/secrets.yaml" --secret "$arg" </dev/null >"$out/stdout" 2>"$out/stderr"
    rc=$?
    if [ $rc -eq 2 ] && [ "$(head -1 "$out/stderr")" = "$want" ]; then
        ok "run/--secret $arg refused"
    else
        bad "run/--secret $arg refused" "exit $rc: $(cat "$out/stderr")"
    fi
done
"$anx" run "$out/secrets.yaml" --secret pw="$out/sec,ret/pw" --secret pw="$out/sec,ret/pw" </dev/null >"$out/stdout" 2>"$out/stderr"
if [ $? -eq 2 ] && grep -q "^anx: error: --secret pw is given twice; give each credential once" "$out/stderr"; then
    ok "run/--secret twice for one name refused"
else
    bad "run/--secret twice for one name refused" "$(cat "$out/stderr")"
fi

# anx run shows the build as anx build does (one line per step), and the
# forwards before it boots.
rm -rf "$out/build/nic-fake"
p1=$(free_port)
"$anx" run nic.yaml --port "$p1:80" </dev/null >"$out/run-steps.log" 2>&1
if grep -q '^  compile  [0-9]* objects' "$out/run-steps.log" && grep -q '^  link ' "$out/run-steps.log" &&
    grep -q '^built .*image.elf in ' "$out/run-steps.log" &&
    grep -q "^anx: http://127.0.0.1:$p1 -> guest port 80$" "$out/run-steps.log"; then
    ok "run/prints the build steps and the forwarded URLs before boot"
else
    bad "run/prints the build steps and the forwarded URLs" "$(cat "$out/run-steps.log")"
fi
"$anx" test nic.yaml >"$out/test-nic.log" 2>&1
if grep -q -- "-netdev user,id=net0 -device fake-nic,netdev=net0" "$out/test-nic.log"; then
    ok "test/a NIC module gets the platform's NIC arguments"
else
    bad "test/a NIC module gets the platform's NIC arguments" "$(cat "$out/test-nic.log")"
fi

# display: the QEMU arguments of the image's display, input and other device
# modules (platform.yaml qemu: display:, input: and devices:; vga and fb share theirs, given
# once), headless in anx test; anx run's screen: --display MODE, --vnc, and
# for an image with a display: section a window only when there is a
# desktop and QEMU has GTK, else a line saying how to see the screen
printf 'name: screen\nplatform: fake\ndisplay:\n  device: gpu\nmodules:\n  kbd: {}\n  mouse: {}\n  vga: {}\n  fb: {}\n  rng: {}\ntest:\n  - serial: "anunix: ready"\n    timeout: 5s\n' \
    >"$out/screen.yaml"
"$anx" test "$out/screen.yaml" >"$out/test-screen.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q -- "-display none .*-device fake-gpu -vga std -device fake-tablet" "$out/test-screen.log" &&
    [ "$(grep -o -- '-vga std' "$out/test-screen.log" | wc -l)" = 1 ]; then
    ok "test/display and input modules get the platform's arguments (once each), headless"
else
    bad "test/display and input modules get the platform's arguments" "exit $rc: $(cat "$out/test-screen.log")"
fi
if grep -q -- '-device fake-gpu' "$out/test-nic.log"; then
    bad "test/no display module, no display arguments" "$(cat "$out/test-nic.log")"
else
    ok "test/no display module, no display arguments"
fi
if grep -q -- "-device fake-tablet -device fake-rng" "$out/test-screen.log" && ! grep -q -- 'fake-rng' "$out/test-nic.log"; then
    ok "test/a device module (qemu: devices:) gets its arguments, an image without it none"
else
    bad "test/a device module (qemu: devices:) gets its arguments" "$(cat "$out/test-screen.log" "$out/test-nic.log")"
fi
env -u DISPLAY -u WAYLAND_DISPLAY "$anx" run "$out/screen.yaml" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && grep -q -- '-nographic' "$out/stderr" &&
    grep -qx 'anx: the image has a display, but there is no desktop here ($DISPLAY and $WAYLAND_DISPLAY are unset): to see the screen, run with --vnc' "$out/stderr"; then
    ok "run/a display without a desktop: -nographic and a line naming --vnc"
else
    bad "run/a display without a desktop" "exit $rc: $(cat "$out/stderr")"
fi
DISPLAY=:99 "$anx" run "$out/screen.yaml" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && grep -q -- '-display gtk -serial mon:stdio .*-device fake-gpu' "$out/stderr" && ! grep -q -- '-nographic' "$out/stderr"; then
    ok "run/a display with \$DISPLAY set: a GTK window, the console on stdio"
else
    bad "run/a display with \$DISPLAY set" "exit $rc: $(cat "$out/stderr")"
fi
env -u DISPLAY WAYLAND_DISPLAY=wayland-0 FAKEQEMU_NO_GTK=1 "$anx" run "$out/screen.yaml" </dev/null >"$out/stdout" 2>"$out/stderr"
if grep -q -- '-nographic' "$out/stderr" && grep -q 'has no GTK display (Debian: install qemu-system-gui): to see the screen, run with --vnc' "$out/stderr"; then
    ok "run/a desktop but a QEMU without GTK: -nographic and a line naming the package and --vnc"
else
    bad "run/a desktop but a QEMU without GTK" "$(cat "$out/stderr")"
fi
DISPLAY=:99 "$anx" run "$out/screen.yaml" --display none </dev/null >"$out/stdout" 2>"$out/stderr"
if grep -q -- '-nographic' "$out/stderr" && ! grep -q 'has a display' "$out/stderr"; then
    ok "run/--display none: -nographic, no hint"
else
    bad "run/--display none" "$(cat "$out/stderr")"
fi
"$anx" run "$out/screen.yaml" --vnc </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
n=$(sed -n 's/^anx: vnc: 127\.0\.0\.1:59[0-9][0-9] (display :\([0-9]*\))$/\1/p' "$out/stderr")
if [ $rc -eq 0 ] && [ -n "$n" ] && grep -q "^anx: vnc: 127.0.0.1:$((5900 + n)) (display :$n)$" "$out/stderr" &&
    grep -q -- "-display vnc=127.0.0.1:$n -serial mon:stdio" "$out/stderr"; then
    ok "run/--vnc: VNC on 127.0.0.1 at a free display number (:$n), printed"
else
    bad "run/--vnc" "exit $rc: $(cat "$out/stderr")"
fi
# --vnc skips a display number whose port is taken
python3 -c 'import socket, time
s = [socket.socket() for _ in range(100)]
for i, x in enumerate(s):
    try: x.bind(("127.0.0.1", 5900 + i)); x.listen(1)
    except OSError: pass
    if i == '"${n:-0}"': break
print("held", flush=True); time.sleep(30)' >"$out/vnc-hold.log" 2>&1 &
hold_pid=$!
wait_for "$out/vnc-hold.log" held 5
"$anx" run "$out/screen.yaml" --vnc </dev/null >"$out/stdout" 2>"$out/stderr"
kill "$hold_pid"
wait "$hold_pid" 2>/dev/null
n2=$(sed -n 's/^anx: vnc: 127\.0\.0\.1:59[0-9][0-9] (display :\([0-9]*\))$/\1/p' "$out/stderr")
if [ -n "$n2" ] && [ "$n2" -gt "${n:-0}" ] && grep -q -- "-display vnc=127.0.0.1:$n2 " "$out/stderr"; then
    ok "run/--vnc skips display numbers whose port is in use (:$n2)"
else
    bad "run/--vnc skips display numbers in use" "$(cat "$out/stderr")"
fi
"$anx" run pass.yaml --display vnc=:7 </dev/null >"$out/stdout" 2>"$out/stderr"
rc1=$?
"$anx" run --display pass.yaml </dev/null >"$out/stdout" 2>"$out/stderr2"
rc2=$?
"$anx" run --display gtk pass.yaml </dev/null >"$out/stdout" 2>"$out/stderr3"
rc3=$?
if [ $rc1 -eq 0 ] && grep -q -- '-display vnc=127.0.0.1:7 -serial mon:stdio' "$out/stderr" &&
    [ $rc2 -eq 0 ] && grep -q -- '-display gtk -serial mon:stdio' "$out/stderr2" &&
    [ $rc3 -eq 0 ] && grep -q -- '-display gtk -serial mon:stdio' "$out/stderr3"; then
    ok "run/--display vnc=:N (on 127.0.0.1), --display alone (gtk, as before) and --display gtk"
else
    bad "run/--display vnc=:N, --display alone, --display gtk" "$rc1 $rc2 $rc3: $(cat "$out/stderr" "$out/stderr2" "$out/stderr3")"
fi
DISPLAY=:99 "$anx" run pass.yaml </dev/null >"$out/stdout" 2>"$out/stderr"
if grep -q -- '-nographic' "$out/stderr" && ! grep -q -- '-display' "$out/stderr"; then
    ok "run/no display: section: -nographic even with \$DISPLAY set"
else
    bad "run/no display: section: -nographic" "$(cat "$out/stderr")"
fi
"$anx" run pass.yaml --display vga </dev/null >"$out/stdout" 2>"$out/stderr"
rc1=$?
"$anx" run pass.yaml --vnc --display gtk </dev/null >"$out/stdout" 2>"$out/stderr2"
rc2=$?
if [ $rc1 -eq 2 ] && [ "$(head -1 "$out/stderr")" = "anx: error: --display expects none, gtk or vnc=:N (N from 0 to 99, VNC port 5900+N), found 'vga'" ] &&
    [ $rc2 -eq 2 ] && grep -q -- '--vnc and --display both choose the screen' "$out/stderr2" && ! grep -q 'anx: booting' "$out/stderr" "$out/stderr2"; then
    ok "run/a bad --display, or --vnc with --display: usage errors before boot"
else
    bad "run/a bad --display, or --vnc with --display" "$rc1 $rc2: $(cat "$out/stderr" "$out/stderr2")"
fi

# ports: one already in use stops anx run and anx test before boot, naming
# who holds it and how to choose another; QEMU's own hostfwd failure (the
# port taken after the check) is a failure too, never "status 0"
p2=$(free_port)
python3 -m http.server --bind 127.0.0.1 "$p2" >/dev/null 2>&1 &
busy_pid=$!
wait_for /proc/net/tcp ":$(printf '%04X' "$p2") 00000000:0000 0A" 5
"$anx" run nic.yaml --port "$p2:80" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 1 ] && grep -q "error: port $p2 is already in use by python3 (pid $busy_pid); choose another with --port HOST:GUEST (e.g. --port [0-9]*:80)" "$out/stderr" &&
    ! grep -q 'anx: booting' "$out/stderr"; then
    ok "run/a forwarded port in use: 'port N is already in use by python3 (pid N)', exit 1, no boot"
else
    bad "run/a forwarded port in use" "exit $rc: $(cat "$out/stderr")"
fi
"$anx" test nic.yaml --port "$p2:80" >"$out/stdout" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "ports .*FAIL  port $p2 is already in use by python3 (pid $busy_pid)" "$out/stdout" &&
    ! grep -q '  boot ' "$out/stdout"; then
    ok "test/a forwarded port in use fails before boot"
else
    bad "test/a forwarded port in use fails before boot" "exit $rc: $(cat "$out/stdout")"
fi
# ... but only a --port: the manifest's own host port held by another
# program does not matter to anx test, which picks a free one.
mkdir -p "$out/held"
sed "s/18731:80/$p2:80/" http.yaml >"$out/held/http.yaml"
FAKEQEMU_HTTP_DIR=$here/runner "$anx" test "$out/held/http.yaml" >"$out/stdout" 2>&1
if [ "$(tail -1 "$out/stdout")" = "5 passed, 4 failed" ] && grep -q "ports:.*$p2:80" "$out/held/http.yaml" &&
    grep -q '^  port     127.0.0.1:[0-9]* -> guest port 80 (free port picked for this test' "$out/stdout" &&
    ! grep -q "127.0.0.1:$p2 " "$out/stdout"; then
    ok "test/a manifest's host port in use does not matter: the forward gets a free one"
else
    bad "test/a manifest's host port in use does not matter" "$(cat "$out/stdout")"
fi
kill "$busy_pid"
wait "$busy_pid" 2>/dev/null
FAKEQEMU_HOSTFWD_FAIL=1 "$anx" run nic.yaml --port "$p2:80" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 1 ] && grep -q "Could not set up host forwarding rule" "$out/stderr" &&
    grep -q "error: port $p2 is already in use; choose another with --port" "$out/stderr" &&
    ! grep -q 'guest exited with status 0' "$out/stderr"; then
    ok "run/QEMU's hostfwd failure is an error naming the port, not 'status 0'"
else
    bad "run/QEMU's hostfwd failure" "exit $rc: $(cat "$out/stderr")"
fi
FAKEQEMU_HOSTFWD_FAIL=1 "$anx" test nic.yaml --port "$p2:80" >"$out/stdout" 2>&1
if grep -q "QEMU exited before /anunix: ready/ appeared (port $p2 is already in use" "$out/stdout"; then
    ok "test/QEMU's hostfwd failure is the reason of the failing check"
else
    bad "test/QEMU's hostfwd failure" "$(cat "$out/stdout")"
fi

# signals: SIGTERM or SIGHUP to anx run, SIGTERM to anx test, take QEMU
# (the double) down, say so, and free the forwarded port
# (anx run's stdin is a FIFO held open by fd 9, so the double's shell waits)
rm -f "$out/stdin.fifo"
mkfifo "$out/stdin.fifo"
p3=$(free_port)
for sig in TERM HUP; do
    rm -f "$out/run-sig.log"
    FAKEQEMU_HTTP_DIR=$here/runner "$anx" run nic.yaml --port "$p3:80" <"$out/stdin.fifo" >"$out/run-sig.log" 2>&1 &
    anx_pid=$!
    exec 9>"$out/stdin.fifo"
    wait_for "$out/run-sig.log" 'anunix: ready' 10 && wait_for /proc/net/tcp ":$(printf '%04X' "$p3") 00000000:0000 0A" 5
    kill -"$sig" "$anx_pid"
    wait "$anx_pid"
    rc=$?
    exec 9>&-
    qpid=$(sed -n "s/.*anx: stopping QEMU (pid \([0-9]*\)): received SIG$sig.*/\1/p" "$out/run-sig.log")
    if [ -n "$qpid" ] && ! kill -0 "$qpid" 2>/dev/null && [ $rc -ne 0 ] &&
        ! grep -q ":$(printf '%04X' "$p3") 00000000:0000 0A" /proc/net/tcp; then
        ok "run/SIG$sig stops QEMU (pid $qpid gone, port free) and says so"
    else
        bad "run/SIG$sig stops QEMU" "exit $rc, QEMU pid '$qpid': $(cat "$out/run-sig.log"; grep -i "$(printf '%04X' "$p3")" /proc/net/tcp)"
    fi
done
"$anx" test slow.yaml --boot slow >"$out/test-sig.log" 2>&1 &
anx_pid=$!
wait_for "$out/test-sig.log" '  boot ' 10
sleep 0.3
kill -TERM "$anx_pid"
wait "$anx_pid"
qpid=$(sed -n 's/.*anx: stopping QEMU (pid \([0-9]*\)): received SIGTERM.*/\1/p' "$out/test-sig.log")
if [ -n "$qpid" ] && ! kill -0 "$qpid" 2>/dev/null; then
    ok "test/SIGTERM stops QEMU and says so"
else
    bad "test/SIGTERM stops QEMU and says so" "$(cat "$out/test-sig.log")"
fi

# disks: only for an image with a disk driver module; created sparse on
# first use (--disk-size or 64M) and kept; run: disk: gives anx test a
# scratch disk of its own, never anx run's
rm -f "$out/d1.img" "$out/d2.img"
"$anx" test nic.yaml --disk "$out/d1.img" --disk-size 2M >"$out/test-disk.log" 2>&1
if grep -q -- "-drive file=$out/d1.img,format=raw" "$out/test-disk.log" &&
    [ "$(stat -c %s "$out/d1.img")" = 2097152 ] && [ "$(stat -c %b "$out/d1.img")" = 0 ]; then
    ok "test/--disk FILE is created sparse (--disk-size) and attached for a disk module"
else
    bad "test/--disk FILE created and attached" "$(cat "$out/test-disk.log"; ls -ls "$out/d1.img")"
fi
echo "kept by --disk" >"$out/d1.img"
"$anx" test nic.yaml --disk "$out/d1.img" >"$out/test-disk.log" 2>&1
if [ "$(cat "$out/d1.img")" = "kept by --disk" ] && grep -q "disk     .*/d1.img (--disk, kept)" "$out/test-disk.log"; then
    ok "test/--disk FILE is used as given, and the test says so"
else
    bad "test/--disk FILE is used as given" "$(cat "$out/test-disk.log")"
fi
"$anx" run pass.yaml --disk "$out/d2.img" </dev/null >"$out/run-disk.log" 2>&1
if grep -q 'no disk driver module' "$out/run-disk.log" && ! grep -q -- '-drive' "$out/run-disk.log" &&
    [ ! -e "$out/d2.img" ]; then
    ok "run/no disk module: --disk warns, attaches and creates nothing"
else
    bad "run/no disk module: --disk warns" "$(cat "$out/run-disk.log")"
fi
mkdir -p "$out/build/disk-fake"
echo "the disk anx run keeps" >"$out/build/disk-fake/disk.img"
"$anx" test disk.yaml >"$out/test-disk2.log" 2>&1
if grep -q -- "-drive file=$out/build/disk-fake/test-disk.img,format=raw" "$out/test-disk2.log" &&
    grep -q "disk     .*/build/disk-fake/test-disk.img (scratch" "$out/test-disk2.log" &&
    [ "$(stat -c %s "$out/build/disk-fake/test-disk.img")" = 3145728 ] &&
    [ "$(cat "$out/build/disk-fake/disk.img")" = "the disk anx run keeps" ]; then
    ok "test/run: disk: gives anx test a scratch disk; anx run's disk.img is untouched"
else
    bad "test/run: disk: gives anx test a scratch disk" "$(cat "$out/test-disk2.log"; ls -l "$out/build/disk-fake")"
fi
"$anx" run pass.yaml --disk x.img --disk-size 12Q >"$out/stdout" 2>"$out/stderr"
if [ $? -eq 2 ] && grep -q -- "--disk-size expects a size" "$out/stderr"; then ok "run/bad --disk-size"; else bad "run/bad --disk-size" "$(cat "$out/stderr")"; fi
printf 'QFI\373\000\000\000\003' >"$out/q.qcow2"
truncate -s 1M "$out/q.qcow2"
"$anx" run nic.yaml --disk "$out/q.qcow2" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q "q.qcow2 is a qcow2 image, and anx attaches disks as raw images (format=raw); convert it with: qemu-img convert -O raw" "$out/stderr" &&
    ! grep -q 'anx: booting' "$out/stderr"; then
    ok "run/a qcow2 --disk says it is qcow2 and how to convert it"
else
    bad "run/a qcow2 --disk" "exit $rc: $(cat "$out/stderr")"
fi

# --disk-fault RULES: the disk through QEMU's blkdebug; a rules file that is
# not there, a path blkdebug's syntax cannot carry, or no disk: exit 2
printf '[inject-error]\nevent = "write_aio"\n' >"$out/faults.conf"
"$anx" test nic.yaml --disk "$out/d1.img" --disk-fault "$out/faults.conf" >"$out/test-fault.log" 2>&1
if grep -q -- "-drive file=blkdebug:$out/faults.conf:$out/d1.img,format=raw" "$out/test-fault.log"; then
    ok "test/--disk-fault puts blkdebug with the rules in front of the disk"
else
    bad "test/--disk-fault puts blkdebug in front of the disk" "$(cat "$out/test-fault.log")"
fi
"$anx" run nic.yaml --disk "$out/d1.img" --disk-fault "$out/none.conf" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q -- "--disk-fault: cannot read the rules file '$out/none.conf': No such file" "$out/stderr"; then
    ok "run/--disk-fault: a missing rules file"
else
    bad "run/--disk-fault: a missing rules file" "exit $rc: $(cat "$out/stderr")"
fi
cp "$out/faults.conf" "$out/fa:ults.conf"
"$anx" run nic.yaml --disk "$out/d1.img" --disk-fault "$out/fa:ults.conf" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q -- "holds ':' or ',', which QEMU's blkdebug: syntax cannot carry" "$out/stderr"; then
    ok "run/--disk-fault: a path with ':' is refused"
else
    bad "run/--disk-fault: a path with ':'" "exit $rc: $(cat "$out/stderr")"
fi
"$anx" run nic.yaml --disk-fault "$out/faults.conf" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -ne 0 ] && grep -q -- "--disk-fault needs a disk" "$out/stderr" && ! grep -q 'anx: booting' "$out/stderr"; then
    ok "run/--disk-fault without a disk is refused before boot"
else
    bad "run/--disk-fault without a disk" "exit $rc: $(cat "$out/stderr")"
fi

# --tap NAME: the NIC on a host tap device instead of the user network (no
# forwards); a name that is no interface name, or an image without a NIC: refused
"$anx" run nic.yaml --tap anxt0 --port 18080:80 </dev/null >"$out/stdout" 2>"$out/stderr"
if grep -q -- "-netdev tap,id=net0,ifname=anxt0,script=no,downscript=no -device fake-nic,netdev=net0" "$out/stderr" &&
    ! grep -q hostfwd "$out/stderr" && grep -q -- "--tap anxt0: the port forwards do not apply" "$out/stderr"; then
    ok "run/--tap puts the NIC on the tap device, without forwards"
else
    bad "run/--tap puts the NIC on the tap device" "$(cat "$out/stderr")"
fi
"$anx" run nic.yaml --tap 'bad name,x' </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q -- "--tap expects a network interface name" "$out/stderr"; then
    ok "run/--tap: a bad interface name"
else
    bad "run/--tap: a bad interface name" "exit $rc: $(cat "$out/stderr")"
fi
"$anx" run pass.yaml --tap anxt0 </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -ne 0 ] && grep -q -- "--tap anxt0: the image has no NIC driver module" "$out/stderr" && ! grep -q 'anx: booting' "$out/stderr"; then
    ok "run/--tap without a NIC driver is refused before boot"
else
    bad "run/--tap without a NIC driver" "exit $rc: $(cat "$out/stderr")"
fi

# disk locks: anx run/test hold the disk while QEMU runs; anx store and
# another anx refuse it, naming the holder; anx refuses a disk anx store or
# a bare QEMU holds; QEMU's own locking cannot be turned off
"$store" create "$out/s.img" --size 4M >/dev/null
"$anx" run nic.yaml --disk "$out/s.img" <"$out/stdin.fifo" >"$out/run-lock.log" 2>&1 &
anx_pid=$!
exec 9>"$out/stdin.fifo"
wait_for "$out/run-lock.log" 'anunix: ready' 10
"$store" put "$out/s.img" x "$here/runner/motd.txt" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 1 ] && grep -q "anx store: $out/s.img: disk in use by anx-asan (pid $anx_pid); stop it first" "$out/stderr"; then
    ok "lock/anx store put refuses a disk anx run holds: 'disk in use by anx-asan (pid N)'"
else
    bad "lock/anx store put refuses a disk anx run holds" "exit $rc: $(cat "$out/stderr")"
fi
"$store" ls "$out/s.img" >"$out/stdout" 2>"$out/stderr"
rc1=$?
"$anx" test nic.yaml --disk "$out/s.img" >"$out/stdout" 2>&1
rc2=$?
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && grep -q "cannot use .*/s.img: disk in use by anx-asan (pid $anx_pid); stop it first" "$out/stdout" &&
    ! grep -q '  boot ' "$out/stdout"; then
    ok "lock/anx store ls and a second anx test refuse it too"
else
    bad "lock/anx store ls and a second anx test refuse it too" "ls exit $rc1, test exit $rc2: $(cat "$out/stdout")"
fi
kill "$anx_pid"
wait "$anx_pid" 2>/dev/null
exec 9>&-
if "$store" put "$out/s.img" x "$here/runner/motd.txt" >"$out/stdout" 2>"$out/stderr"; then
    ok "lock/the lock goes with anx run"
else
    bad "lock/the lock goes with anx run" "$(cat "$out/stderr")"
fi
sleep 3 | "$store" put "$out/s.img" slow - >/dev/null 2>&1 &
store_pid=$!
for _ in $(seq 1 40); do grep -qs '^lock:' /proc/"$store_pid"/fdinfo/* && break; sleep 0.05; done
"$anx" test nic.yaml --disk "$out/s.img" >"$out/stdout" 2>&1
rc=$?
wait "$store_pid"
if [ $rc -eq 1 ] && grep -q "disk in use by anx-store (pid $store_pid)" "$out/stdout"; then
    ok "lock/anx test refuses a disk anx store is writing"
else
    bad "lock/anx test refuses a disk anx store is writing" "exit $rc: $(cat "$out/stdout")"
fi
if command -v qemu-system-x86_64 >/dev/null; then
    qemu-system-x86_64 -M q35 -accel tcg -display none -nodefaults -S \
        -drive "file=$out/s.img,if=none,id=d0,format=raw" -device virtio-blk-pci,drive=d0 &
    qemu_pid=$!
    # QEMU locks in steps: wait for the last, byte 201 (write not shared)
    for _ in $(seq 1 100); do grep -qs '^lock:.* 201 201$' /proc/"$qemu_pid"/fdinfo/* && break; sleep 0.05; done
    "$anx" run nic.yaml --disk "$out/s.img" </dev/null >"$out/stdout" 2>"$out/stderr"
    rc1=$?
    "$store" ls "$out/s.img" >/dev/null 2>"$out/stderr2"
    rc2=$?
    kill "$qemu_pid"
    wait "$qemu_pid" 2>/dev/null
    if [ $rc1 -eq 1 ] && grep -q "disk in use by qemu-system-x86_64 (pid $qemu_pid)" "$out/stderr" &&
        [ $rc2 -eq 1 ] && grep -q "disk in use by qemu-system-x86_64 (pid $qemu_pid)" "$out/stderr2"; then
        ok "lock/anx run and anx store refuse a disk a bare QEMU holds (its OFD locks)"
    else
        bad "lock/a bare QEMU's disk" "run exit $rc1: $(cat "$out/stderr"); store exit $rc2: $(cat "$out/stderr2")"
    fi
else
    echo "skip  lock/a bare QEMU's disk: qemu-system-x86_64 is not installed"
fi
rm -rf "$out/tree-nolock"
cp -r "$here/tree" "$out/tree-nolock"
sed -i 's/format=raw/format=raw,file.locking=off/' "$out/tree-nolock/platforms/fake/platform.yaml"
ANX_ROOT=$out/tree-nolock "$anx" run nic.yaml --disk "$out/d3.img" </dev/null >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q "turns off QEMU's image locking" "$out/stderr" && ! grep -q 'anx: booting' "$out/stderr"; then
    ok "lock/a platform that turns QEMU's image locking off is refused"
else
    bad "lock/a platform that turns QEMU's image locking off is refused" "exit $rc: $(cat "$out/stderr")"
fi

# Screen and input checks over QMP (docs/anx.md "Screen checks"), against
# the QMP double fakeqmp.py, as the QEMU of a platform fake-qmp added to a
# copy of the tree (so platform lists elsewhere stay as they are). Its
# screen is black for the first
# FAKEQMP_LATE_MS, then a 64x48 FAKEQMP_BG screen with a 10x10 white square;
# a click paints a 3x3 red square where the pointer is; send-key and
# input-send-event go to FAKEQMP_LOG. The manifest and its reference live in
# $out: a test never writes into tests/.
scr=$out/screen
mkdir -p "$scr"
rm -rf "$out/tree-qmp"
cp -r "$here/tree" "$out/tree-qmp"
mkdir -p "$out/tree-qmp/platforms/fake-qmp"
cat >"$out/tree-qmp/platforms/fake-qmp/platform.yaml" <<YAML
summary: The fake platform with a QMP double, for the screen and input checks
arch: x86_64
sources: [platforms/fake/board.c]
images: [elf]
exit: debug-exit
qemu:
  binary: $here/fakeqmp.py
  machine: [-M, fake]
  common: []
  boot:
    direct: [-kernel, "{elf}"]
YAML
cat >"$scr/screen.yaml" <<'YAML'
name: screen
platform: fake-qmp
modules:
  gamma: {}
test:
  - serial: "anunix: ready"
  - screen: ref.png
  - screenshot: shot
  - pixels: {color: "#ffffff", min: 100, max: 100}
  - key: ctrl-alt-f2
  - type: "Hi!\n"
  - click: {x: 20, y: 30}
  - pixels: {color: "#ff0000", min: 9, max: 9, region: {x: 19, y: 29, w: 3, h: 3}}
YAML
sb=$out/build/screen-fake-qmp
# png_pixel FILE X Y: the pixel of a PNG anx wrote (8-bit RGB), as "R G B"
png_pixel() {
    python3 - "$@" <<'PY'
import sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = int.from_bytes(d[16:20], "big"), int.from_bytes(d[20:24], "big")
data, at = b"", 8
while at < len(d):
    n = int.from_bytes(d[at:at + 4], "big")
    if d[at + 4:at + 8] == b"IDAT":
        data += d[at + 8:at + 8 + n]
    at += 12 + n
raw, stride, rows, prev = zlib.decompress(data), 1 + w * 3, [], bytearray(w * 3)
for y in range(h):   # undo the PNG row filters
    f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
    for i in range(len(line)):
        a = line[i - 3] if i >= 3 else 0
        b = prev[i]
        c = prev[i - 3] if i >= 3 else 0
        p = a + b - c
        pred = [0, a, b, (a + b) // 2,
                a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c][f]
        line[i] = (line[i] + pred) & 255
    rows.append(line)
    prev = line
x, y = int(sys.argv[2]), int(sys.argv[3])
print(w, h, *rows[y][x * 3:x * 3 + 3])
PY
}
FAKEQMP_LATE_MS=500 FAKEQMP_LOG=$scr/log1 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t1.log" 2>&1
rc=$?
# No reference: the check waits for a screen unchanged for 1 s (not the
# black one), saves it, says how to adopt it, and fails.
if [ $rc -eq 1 ] && [ "$(tail -1 "$scr/t1.log")" = "7 passed, 1 failed" ] &&
    grep -q "no reference image .*ref.png; the screen (64x48, unchanged for 1 s) is saved as .*screen-2.png: look at it, and if it is right, adopt it with: cp .*screen-2.png .*ref.png" "$scr/t1.log" &&
    [ ! -e "$scr/ref.png" ] && [ "$(png_pixel "$sb/screen-2.png" 0 0)" = "64 48 32 48 64" ] &&
    [ "$(png_pixel "$sb/shot.png" 5 5)" = "64 48 255 255 255" ]; then
    ok "screen/no reference: the stable screen saved, how to adopt it said, nothing written beside the manifest"
else
    bad "screen/no reference" "exit $rc: $(cat "$scr/t1.log")"
fi
# Input: the chord and the text as send-key qcodes (shift for capitals and
# symbols, ret for \n); the click as abs values scaled to 0..0x7fff that the
# double scales back to (20, 30), where the red square then is.
if grep -qx 'key ctrl+alt+f2 hold 100' "$scr/log1" &&
    [ "$(grep '^key' "$scr/log1" | sed -n '2,5p' | tr '\n' ' ')" = "key shift+h hold 30 key i hold 30 key shift+1 hold 30 key ret hold 30 " ] &&
    grep -qx 'abs x 10239' "$scr/log1" && grep -qx 'btn left down at 20,30' "$scr/log1" &&
    grep -qx 'btn left up at 20,30' "$scr/log1" && grep -q 'click 20,30 left .* ok .*absolute (tablet)' "$scr/t1.log"; then
    ok "screen/key:, type: and click: (absolute) send the expected QMP input"
else
    bad "screen/key:, type: and click: (absolute)" "$(cat "$scr/log1" "$scr/t1.log")"
fi
# Adopted: the same screen passes; a background 8 off per channel still
# passes (the slack), 16 off fails with the count, the saved screen and the
# diff image (the white square dimmed to a third, the rest red).
cp "$sb/screen-2.png" "$scr/ref.png"
FAKEQMP_BG=283848 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t2.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(tail -1 "$scr/t2.log")" = "8 passed, 0 failed" ]; then
    ok "screen/an adopted reference matches, within the per-channel slack of 8"
else
    bad "screen/an adopted reference matches" "exit $rc: $(cat "$scr/t2.log")"
fi
rm -f "$sb"/screen-2*.png
sed -i 's|^  - screen: ref.png$|&\n    timeout: 2s|' "$scr/screen.yaml"
FAKEQMP_BG=203050 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t3.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(tail -1 "$scr/t3.log")" = "7 passed, 1 failed" ] &&
    grep -q "the screen did not match .*ref.png within 2\.[0-9] s: 2972 of 3072 pixels differ (tolerance allows 0; the fewest seen: 2972); it showed .*screen-2.png, the differences in red: .*screen-2-diff.png" "$scr/t3.log" &&
    [ "$(png_pixel "$sb/screen-2-diff.png" 0 0)" = "64 48 255 0 0" ] &&
    [ "$(png_pixel "$sb/screen-2-diff.png" 5 5)" = "64 48 85 85 85" ] &&
    [ "$(png_pixel "$sb/screen-2.png" 0 0)" = "64 48 32 48 80" ]; then
    ok "screen/a mismatch fails with the count, the screen seen and a diff image"
else
    bad "screen/a mismatch fails with the count, the screen seen and a diff image" "exit $rc: $(cat "$scr/t3.log")"
fi
# tolerance: 97% of 3072 allows 2979 pixels, 96% only 2949
sed -i 's|^    timeout: 2s$|&\n    tolerance: 97%|' "$scr/screen.yaml"
FAKEQMP_BG=203050 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t3b.log" 2>&1
rc=$?
sed -i 's|^    tolerance: 97%$|    tolerance: 96%|' "$scr/screen.yaml"
FAKEQMP_BG=203050 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t3c.log" 2>&1
rc2=$?
if [ $rc -eq 0 ] && grep -q 'screen ref.png .* ok .*2972 of 3072 pixels differ (tolerance allows 2979)' "$scr/t3b.log" &&
    [ $rc2 -eq 1 ] && grep -q '2972 of 3072 pixels differ (tolerance allows 2949' "$scr/t3c.log"; then
    ok "screen/tolerance: a percentage of the pixels"
else
    bad "screen/tolerance: a percentage of the pixels" "exit $rc, $rc2: $(cat "$scr/t3b.log" "$scr/t3c.log")"
fi
# A relative mouse: moves to the corner first, then by the offset.
FAKEQMP_MOUSE=rel FAKEQMP_LOG=$scr/log4 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t4.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q 'click 20,30 left .* ok .*relative' "$scr/t4.log" &&
    grep -q '^rel x -' "$scr/log4" && grep -qx 'btn left down at 20,30' "$scr/log4" && ! grep -q '^abs' "$scr/log4"; then
    ok "screen/click: with a relative mouse lands on the position"
else
    bad "screen/click: with a relative mouse" "exit $rc: $(cat "$scr/log4" "$scr/t4.log")"
fi
# QEMU's own error (no display): its desc, at once.
FAKEQMP_NO_CONSOLE=1 ANX_ROOT=$out/tree-qmp "$anx" test "$scr/screen.yaml" >"$scr/t5.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'screenshot shot .*FAIL .*QMP screendump failed: There is no console to take a screendump from' "$scr/t5.log" &&
    grep -q 'screen ref.png .*FAIL  0\.' "$scr/t5.log"; then
    ok "screen/a QMP error is reported with QEMU's description"
else
    bad "screen/a QMP error is reported with QEMU's description" "exit $rc: $(cat "$scr/t5.log")"
fi

# 6. CLI basics
cd "$here"
"$anx" --help >"$out/stdout" 2>&1 && grep -q 'usage: anx' "$out/stdout" && grep -q '^  config-h MODULE' "$out/stdout" &&
    ok "cli/--help" || bad "cli/--help" "$(cat "$out/stdout")"
"$anx" --version | grep -q '^anx [0-9]' && ok "cli/--version" || bad "cli/--version"
for c in build run test check modules platforms config-h module-tests; do
    "$anx" $c --help >"$out/stdout" 2>&1 && grep -q "usage: anx $c" "$out/stdout" || { bad "cli/$c --help" "$(cat "$out/stdout")"; continue; }
    ok "cli/$c --help"
done
"$anx" biuld x.yaml 2>"$out/stderr"
[ $? -eq 2 ] && grep -q "did you mean 'build'" "$out/stderr" && ok "cli/unknown command" || bad "cli/unknown command" "$(cat "$out/stderr")"
"$anx" build 2>/dev/null
[ $? -eq 2 ] && ok "cli/missing argument is a usage error" || bad "cli/missing argument is a usage error"
"$anx" check nonexistent.yaml 2>"$out/stderr"
[ $? -eq 2 ] && grep -q 'nonexistent.yaml: error: cannot read the manifest' "$out/stderr" && ok "cli/missing manifest" || bad "cli/missing manifest" "$(cat "$out/stderr")"
"$anx" modules >"$out/stdout" 2>"$out/stderr"
[ $? -eq 2 ] && grep -q 'must *int *= (required)' "$out/stdout" && grep -q 'broken-yaml' "$out/stderr" && ok "cli/modules lists keys, reports broken modules" || bad "cli/modules" "$(cat "$out/stdout" "$out/stderr")"
"$anx" platforms >"$out/stdout" 2>/dev/null
grep -q 'boot: direct, slow, iso (default direct)' "$out/stdout" && ok "cli/platforms" || bad "cli/platforms" "$(cat "$out/stdout")"
grep -q 'nic: zeta; .*display: gpu, vga, fb; input: kbd, mouse; devices: rng$' "$out/stdout" && ok "cli/platforms lists the driver modules QEMU has devices for" ||
    bad "cli/platforms lists the driver modules QEMU has devices for" "$(cat "$out/stdout")"

# anx config-h: the config.h of a host build, every key at its default, the
# modules named plus their dependencies (tests/gen/config-h/*.expect).
cd "$here/config-h"
"$anx" config-h hostcfg >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && d=$(diff hostcfg.expect "$out/stdout"); then
    ok "config-h/a module at its defaults, with its dependency"
else
    bad "config-h/a module at its defaults, with its dependency" "exit $rc: $d $(cat "$out/stderr")"
fi
# The same text as a build of an image with that module: one code path.
"$anx" check hostcfg.yaml --print-config >"$out/build.txt" 2>&1
sed -n '/CONFIG_MODULE_/,/^#endif/p' "$out/build.txt" >"$out/build-mods.txt"
sed -n '/CONFIG_MODULE_/,/^#endif/p' hostcfg.expect >"$out/host-mods.txt"
if [ -s "$out/host-mods.txt" ] && d=$(diff "$out/build-mods.txt" "$out/host-mods.txt"); then
    ok "config-h/module macros equal those of anx build"
else
    bad "config-h/module macros equal those of anx build" "$d $(cat "$out/build.txt")"
fi
"$anx" config-h >"$out/stdout" 2>&1
if grep -q '^#define CONFIG_ARCH_HOST 1$' "$out/stdout" && ! grep -q CONFIG_MODULE_ "$out/stdout"; then
    ok "config-h/no module: the image-level macros only"
else
    bad "config-h/no module: the image-level macros only" "$(cat "$out/stdout")"
fi
"$anx" config-h hostcgf >"$out/stdout" 2>"$out/stderr"
rc=$?
want="anx: error: unknown module 'hostcgf' (did you mean 'hostcfg'?)"
if [ $rc -eq 2 ] && [ "$(head -1 "$out/stderr")" = "$want" ] && [ ! -s "$out/stdout" ]; then
    ok "config-h/unknown module"
else
    bad "config-h/unknown module" "exit $rc: $(cat "$out/stderr")"
fi
"$anx" config-h cfg >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q "modules/cfg/module.yaml:9:3: error: config key 'must' of module 'cfg' has no default" "$out/stderr"; then
    ok "config-h/a key without a default is an error at module.yaml"
else
    bad "config-h/a key without a default is an error at module.yaml" "exit $rc: $(cat "$out/stderr")"
fi
# Object grants (grants.c): a module's objects: with {KEY} from the image's
# config, and the manifest's grants: replacing one list, in the module table.
cd "$here/grants"
grant_case() {  # NAME MANIFEST LINE...: each LINE is in the generated modules.c
    local name=$1 f=$2; shift 2
    "$anx" check "$f" --print-config >"$out/stdout" 2>"$out/stderr"
    local rc=$? miss=""
    for l in "$@"; do grep -qxF "$l" "$out/stdout" || miss="$miss [$l]"; done
    if [ $rc -eq 0 ] && [ -z "$miss" ]; then ok "grants/$name"; else bad "grants/$name" "exit $rc, missing$miss: $(cat "$out/stderr")"; fi
}
grant_case "module.yaml objects: with the config's value" defaults.yaml \
    'static const char *const reads_grant_cfg[] = {"logs/today", "shared/", 0};' \
    'static const char *const writes_grant_cfg[] = {"logs/today", 0};'
grant_case "a list key's items are entries (leading '/' dropped)" list.yaml \
    'static const char *const reads_grant_cfg[] = {"data/x", "shared/", "www/", "pages/home", 0};'
grant_case "the manifest's grants: replaces the write list only" override.yaml \
    'static const char *const reads_grant_cfg[] = {"data/x", "shared/", 0};' \
    'static const char *const writes_grant_cfg[] = {"*", "notes/", 0};'
cd "$here/config-h"
# A list is COUNT plus a null-terminated initializer: valid ISO C, empty too.
cat >"$out/lists.c" <<'EOF2'
#include <string.h>
static const char *const names[] = CONFIG_HOSTCFG_NAMES;
static const char *const none[] = CONFIG_HOSTCFG_NONE;
_Static_assert(sizeof names / sizeof names[0] == CONFIG_HOSTCFG_NAMES_COUNT + 1, "names: COUNT + 1");
_Static_assert(sizeof none / sizeof none[0] == CONFIG_HOSTCFG_NONE_COUNT + 1, "none: COUNT + 1");
int main(void)
{
    return strcmp(names[0], "one") || strcmp(names[1], "two \"2\"") || names[2] || none[0];
}
EOF2
if gcc -std=c11 -pedantic-errors -Wall -Wextra -Werror -include hostcfg.expect "$out/lists.c" -o "$out/lists" \
    >"$out/cc.log" 2>&1 && "$out/lists"; then
    ok "config-h/list keys compile as ISO C arrays (empty too) with their items"
else
    bad "config-h/list keys compile as ISO C arrays (empty too) with their items" "$(cat "$out/cc.log")"
fi
# -o writes only a changed text: an unchanged file keeps its mtime.
h=$out/host/config.h
"$anx" config-h -o "$h" hostcfg && cmp -s "$h" hostcfg.expect && touch -d '2001-01-01' "$h" &&
    "$anx" config-h -o "$h" hostcfg && [ "$(stat -c %Y "$h")" = "$(date -d 2001-01-01 +%s)" ] &&
    "$anx" config-h -o "$h" hostcfg gamma && [ "$(stat -c %Y "$h")" = "$(date -d 2001-01-01 +%s)" ] &&
    "$anx" config-h -o "$h" zeta hostcfg && [ "$(stat -c %Y "$h")" != "$(date -d 2001-01-01 +%s)" ] &&
    grep -q CONFIG_MODULE_ZETA "$h"
if [ $? -eq 0 ]; then
    ok "config-h/-o keeps an unchanged file (mtime), rewrites a changed one"
else
    bad "config-h/-o keeps an unchanged file (mtime), rewrites a changed one" "$(ls -l --full-time "$h")"
fi

# anx module-tests: a module's tests: key for tests/modules.sh, paths made
# relative to the root, link items of a dependency resolved, every file
# checked at its module.yaml line; --image compiles as an image build does.
cd "$here"
"$anx" module-tests tested >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && (. "$out/stdout" && eval "link=(${test_link[0]}) args=(${test_args[0]}) env=(${test_env[0]})" &&
    [ "$ntests" = 3 ] && [ "${link[*]}" = "modules/tested/tested.c modules/beta/beta.c" ] &&
    [ "${args[1]}" = "it's" ] && [ "${env[0]}" = "MODE=a b" ] && [ "${test_seconds[1]}" = 3 ] &&
    [ "${test_platform[1]}" = none ] && [ "${test_without_data[0]}" = run ]); then
    ok "module-tests/the tests: key as bash assignments"
else
    bad "module-tests/the tests: key as bash assignments" "exit $rc: $(cat "$out/stderr" "$out/stdout")"
fi
"$anx" module-tests tested-bad >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$out/stdout" ] &&
    grep -qx "tree/modules/tested-bad/module.yaml:4:15: error: 'sources': 'tests/nothere.c' not found (paths are relative to tree/modules/tested-bad)" "$out/stderr" &&
    grep -q "module.yaml:7:12: error: 'link': 'alpha/alpha.c' is code of module 'alpha', which 'tested-bad' does not depend on" "$out/stderr"; then
    ok "module-tests/a missing file and code of a module not depended on, at module.yaml"
else
    bad "module-tests/a missing file and code of a module not depended on, at module.yaml" "exit $rc: $(cat "$out/stderr")"
fi
# link: third_party/ENTRY (every source of the entry, as the image build
# compiles them) and third_party/ENTRY/PATH, grouped per entry with the
# entry's private folders and cflags; entries of a dependency too.
tpd=$here/tree/third_party/fake
ANX_THIRD_PARTY=$here/tree/third_party "$anx" module-tests tested-tp >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && (. "$out/stdout" &&
    eval "link=(${test_link[0]}) s0=(${test_tp_srcs[0]}) f0=(${test_tp_flags[0]}) s1=(${test_tp_srcs[1]}) f1=(${test_tp_flags[1]})" &&
    [ "${link[*]}" = "modules/tested-tp/tested_tp.c" ] &&
    [ ${#s0[@]} = 1 ] && [ "${s0[0]}" = "$tpd/src/fakeextra.c $tpd/src/fakelib.c" ] &&
    [ "${f0[0]}" = "-I$tpd/src/private -DFAKE_EXTRA=7" ] &&
    [ ${#s1[@]} = 2 ] && [ "${s1[0]}" = "$tpd/src/fakeskip.c" ] && [ "${s1[1]}" = "$tpd/src/fakelib.c" ] &&
    [ "${f1[0]}" = "-I$tpd/src/private -DFAKE_EXTRA=7" ] && [ "${f1[1]}" = "" ]); then
    ok "module-tests/link: third_party/ENTRY and third_party/ENTRY/PATH, with the entry's flags"
else
    bad "module-tests/link: third_party/ENTRY and third_party/ENTRY/PATH, with the entry's flags" "exit $rc: $(cat "$out/stderr" "$out/stdout")"
fi
ANX_THIRD_PARTY=$here/tree/third_party "$anx" module-tests tested-tp-bad >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$out/stdout" ] &&
    grep -qx "tree/modules/tested-tp-bad/module.yaml:6:12: error: 'link': 'third_party/nosuch/src/x.c': no third_party: entry 'nosuch' in 'tested-tp-bad' or the modules it depends on (third_party/ENTRY/PATH names a file of an entry's tree)" "$out/stderr" &&
    grep -qx "tree/modules/tested-tp-bad/module.yaml:6:40: error: 'link': 'third_party/fake/src/nothere.c' not found (src/nothere.c is relative to the tree tree/third_party/fake)" "$out/stderr"; then
    ok "module-tests/link: an unknown entry and a file not in the tree, at module.yaml"
else
    bad "module-tests/link: an unknown entry and a file not in the tree, at module.yaml" "exit $rc: $(cat "$out/stderr")"
fi
ANX_THIRD_PARTY=$out/no-such-cache "$anx" module-tests tested-tp >"$out/stdout" 2>"$out/stderr"
if [ $? -eq 2 ] && grep -q "module.yaml:7:25: error: 'link': 'third_party/fake': fake not fetched: run scripts/setup.sh" "$out/stderr"; then
    ok "module-tests/link: a third-party tree not fetched says how to fetch it"
else
    bad "module-tests/link: a third-party tree not fetched says how to fetch it" "$(cat "$out/stderr")"
fi
"$anx" module-tests tested --image "$out/mt-image" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc -eq 0 ] && grep -qx 'ok   tested: compiles for an image on x86_64 (fake flags, 1 sources, -Werror)' "$out/stdout"; then
    ok "module-tests/--image compiles the module as an image build does"
else
    bad "module-tests/--image compiles the module as an image build does" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
if grep -qx 'ok   tested: its global symbols on x86_64 start with tested_ (1)' "$out/stdout"; then
    ok "module-tests/--image: the module's global symbols start with its prefix"
else
    bad "module-tests/--image: the module's global symbols start with its prefix" "$(cat "$out/stdout")"
fi
"$anx" module-tests stray --image "$out/mt-stray" >"$out/stdout" 2>"$out/stderr"
rc=$?
want='FAIL stray: 2 global symbols on x86_64 do not start with str_, strx_ (module.yaml prefix:; make them static or rename them): helper, stray_count'
if [ $rc -ne 0 ] && grep -qxF "$want" "$out/stdout"; then
    ok "module-tests/--image names the global symbols outside the module's prefixes"
else
    bad "module-tests/--image names the global symbols outside the module's prefixes" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi

# anx matrix (bad files, results, reports, scheduling, examples/ci)
source "$here/matrix.sh"
# sbom.cdx.json against the official CycloneDX 1.5 schema; anx schema and the manifests
source "$here/sbom.sh"
source "$here/schema.sh"

# anx export libvirt (the domain XML, its schema, the usage errors)
source "$here/export.sh"
# anx sign, anx verify, anx run --verify; round trips with minisign
source "$here/sign.sh"

# 7. fuzz smoke
if res=$("$root/gen/fuzz/replay" "$here/fuzz-corpus" "$here/bad" "$here/good" 2>&1); then
    ok "fuzz/replay corpus under ASan+UBSan ($(echo "$res" | tail -1))"
else
    bad "fuzz/replay corpus" "$res"
fi
if command -v clang >/dev/null && make -C "$root/gen" -s fuzz/fuzz_manifest >"$out/fuzzbuild.log" 2>&1; then
    mkdir -p "$out/fuzz"
    secs=${ANX_FUZZ_SECONDS:-15}
    if "$root/gen/fuzz/fuzz_manifest" -max_total_time="$secs" -max_len=4096 -artifact_prefix="$out/" \
        "$out/fuzz" "$here/fuzz-corpus" >"$out/fuzz.log" 2>&1; then
        ok "fuzz/libFuzzer ${secs} s: $(grep -o 'Done [0-9]* runs' "$out/fuzz.log")"
    else
        bad "fuzz/libFuzzer" "$(tail -30 "$out/fuzz.log")"
    fi
else
    echo "skip  fuzz/libFuzzer (clang unavailable)"
fi

# 8. anx token: mint, inspect with the key, attenuate (only narrows: the
# caveats add up), a wrong key, a byte changed, and the errors of bad input
head -c 32 /dev/urandom >"$out/tok-key"
head -c 48 /dev/urandom >"$out/tok-other"
printf 'short' >"$out/tok-short"
tok=$("$anx" token mint --key "$out/tok-key" --resource '/api/v1/objects/docs/*' --rights read --expires 1h 2>"$out/stderr")
if [[ $tok == anx1.*.* ]] && "$anx" token inspect "$tok" --key "$out/tok-key" >"$out/stdout" 2>>"$out/stderr" &&
    grep -qx 'resource /api/v1/objects/docs/\*' "$out/stdout" && grep -qx 'rights   read' "$out/stdout" &&
    grep -qE '^expires  [0-9]{10} \(20[0-9-]*T' "$out/stdout" && grep -qx 'tag      valid for this key' "$out/stdout" &&
    grep -qE '^id       [0-9a-f]{32}$' "$out/stdout"; then
    ok "token: mint, then inspect --key shows the id and caveats and a valid tag"
else
    bad "token: mint, then inspect --key shows the id and caveats and a valid tag" "$tok $(cat "$out/stdout" "$out/stderr")"
fi
id=$(sed -n 's/^id       //p' "$out/stdout")
child=$(echo "$tok" | "$anx" token attenuate - --rights write --resource '/api/v1/objects/docs/a' 2>"$out/stderr")
if "$anx" token inspect "$child" --key "$out/tok-key" >"$out/stdout" 2>>"$out/stderr" &&
    grep -qx "id       $id" "$out/stdout" && [ "$(grep -c '^rights ' "$out/stdout")" = 2 ] &&
    grep -qx 'resource /api/v1/objects/docs/a' "$out/stdout" && grep -qx 'tag      valid for this key' "$out/stdout"; then
    ok "token: attenuate from standard input keeps the id and adds caveats after the old ones, still valid"
else
    bad "token: attenuate keeps the id and adds caveats" "$child $(cat "$out/stdout" "$out/stderr")"
fi
"$anx" token inspect "$child" --key "$out/tok-other" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc = 1 ] && grep -qx 'tag      INVALID: altered, or made with another key' "$out/stdout"; then
    ok "token: inspect with another key says INVALID and exits 1"
else
    bad "token: inspect with another key says INVALID and exits 1" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
# the body with one caveat's letter changed ('read' to 'reae'), re-encoded: the tag no longer matches
body=${tok#anx1.}; body=${body%%.*}
forged=$(printf '%s' "$body" | tr -- '-_' '+/' | base64 -d 2>/dev/null | sed 's/^rights read$/rights reae/' | base64 -w0 |
         tr -- '+/' '-_' | tr -d '=')
"$anx" token inspect "anx1.$forged.${tok##*.}" --key "$out/tok-key" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc = 1 ] && grep -qx 'rights   reae' "$out/stdout" && grep -q 'INVALID' "$out/stdout"; then
    ok "token: a caveat changed in the body is INVALID under the key"
else
    bad "token: a caveat changed in the body is INVALID under the key" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
# token_err DESCRIPTION EXPECTED-FIRST-STDERR-LINE ARGS...: exit 2 and that line
token_err() {
    local what=$1 want=$2
    shift 2
    "$anx" token "$@" >"$out/stdout" 2>"$out/stderr" </dev/null
    local rc=$?
    if [ $rc = 2 ] && [ "$(head -n 1 "$out/stderr")" = "$want" ]; then
        ok "token: $what"
    else
        bad "token: $what" "exit $rc: $(cat "$out/stderr")"
    fi
}
token_err "mint without --key" "anx: error: token mint: --key FILE is required (the secret given to the image with --secret)" mint --rights read
token_err "a key file too short" "anx: error: token: --key $out/tok-short: 5 bytes; a secret file has 32 to 65536 (make one with 'head -c 32 /dev/urandom > $out/tok-short')" mint --key "$out/tok-short"
token_err "a key file that is missing" "anx: error: token: --key $out/nope: cannot read it: No such file or directory" mint --key "$out/nope"
token_err "a bad duration" "anx: error: token: --expires '1y': expected Unix seconds or a duration such as 90s, 30m, 1h, 7d" mint --key "$out/tok-key" --expires 1y
token_err "a resource that is not a pattern" "anx: error: token: caveat 'resource docs': bad resource (a router pattern: literal and {param} segments from '/', an optional final *)" mint --key "$out/tok-key" --resource docs
token_err "bad rights" "anx: error: token: caveat 'rights read write': bad caveat value (1-200 printable characters, no spaces)" attenuate "$tok" --rights 'read write'
token_err "attenuate without a caveat" "anx: error: token attenuate: no caveat given (--resource, --rights, --expires or --caveat)" attenuate "$tok"
token_err "not a token" "anx: error: token: 'sk-api-key-123': not a capability token (it starts with anx1.)" inspect sk-api-key-123
token_err "a tag cut short" "anx: error: token: '${tok:0:40}...': the tag is not 32 bytes of base64url (43 characters)" inspect "${tok%?}"
token_err "an unknown subcommand" "anx: error: token: unknown command 'forge' (mint, attenuate or inspect); see 'anx token --help'" forge
if "$anx" token --help | grep -q '^  --expires WHEN ' && "$anx" --help | grep -q '^  token CMD'; then
    ok "token: --help describes the caveats; anx --help lists token"
else
    bad "token: --help describes the caveats; anx --help lists token" "$("$anx" token --help 2>&1)"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
