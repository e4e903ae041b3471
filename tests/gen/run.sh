#!/usr/bin/env bash
# Generator tests: builds gen/anx-asan (ASan + UBSan) and runs
#   1. unit tests of gen internals (tests/gen/unit_*.c)
#   2. bad manifests: the first stderr line must equal bad/NAME.expect, exit 2
#   3. good manifests: `anx check` output must equal good/NAME.expect
#   4. builds with the fake platform of tests/gen/tree: bit-identical
#      rebuilds, cache hits, unchanged rebuild under 1 s, report.json
#   5. anx test / anx run against the QEMU double (tree/platforms/fake)
#   6. CLI basics and a fuzz smoke (corpus replay, libFuzzer if clang works)
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

# 2. bad manifests
cd "$here/bad"
for f in *.yaml; do
    name=bad/$f
    [ -f "${f%.yaml}.expect" ] || { bad "$name" "missing ${f%.yaml}.expect"; continue; }
    "$anx" check "$f" >/dev/null 2>"$out/stderr"
    rc=$?
    got=$(head -1 "$out/stderr")
    want=$(cat "${f%.yaml}.expect")
    if [ $rc -ne 2 ]; then
        bad "$name" "exit $rc, expected 2; stderr: $(cat "$out/stderr")"
    elif grep -q 'AddressSanitizer\|runtime error' "$out/stderr"; then
        bad "$name" "$(cat "$out/stderr")"
    elif [ "$got" != "$want" ]; then
        bad "$name" "got:      $got"$'\n'"expected: $want"
    else
        ok "$name"
    fi
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
if grep -q '(9 cached, 0 compiled)' "$out/build2.log" && grep -q 'up to date' "$out/build2.log"; then
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
paths = [i["path"] for i in r["inputs"]]
for p in ["core/kmain.c", "core/include/anx/module.h", "modules/alpha/alpha.c", "platforms/fake/fake.ld",
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
    ok "build/--json report: modules, sizes, inputs, outputs with sha256, timings"
else
    bad "build/--json report: modules, sizes, inputs, outputs with sha256, timings" "$(cat "$out/stderr" "$out/py.log")"
fi
# A header edit must invalidate the objects that can see it; a config edit too.
cp -r "$here/tree" "$out/tree2"
echo "/* edited */" >>"$out/tree2/core/include/anx/module.h"
ANX_ROOT=$out/tree2 "$anx" build build.yaml -o "$out/b3" >"$out/build4.log" 2>&1
if grep -q '(0 cached, 9 compiled)' "$out/build4.log"; then
    ok "build/a header edit recompiles"
else
    bad "build/a header edit recompiles" "$(cat "$out/build4.log")"
fi
sed 's/must: 2/must: 3/' build.yaml >"$out/build-cfg.yaml"
cp motd.txt "$out/"
"$anx" build "$out/build-cfg.yaml" -o "$out/b4" >"$out/build5.log" 2>&1
if grep -q 'CONFIG_CFG_MUST 3' "$out/b4/gen/config.h" && grep -q '(0 cached' "$out/build5.log"; then
    ok "build/a config change regenerates config.h and recompiles"
else
    bad "build/a config change regenerates config.h and recompiles" "$(cat "$out/build5.log")"
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
    grep -q 'third_party/fake/src/fakelib.c' "$out/tp/report.json"; then
    ok "build/third_party sources and exported include folders"
else
    bad "build/third_party sources and exported include folders" "$(cat "$out/tp.log")"
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

# 5. anx test and anx run with the QEMU double
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
    grep -q 'last console lines' "$out/test-fail.log"; then
    ok "test/failing checks: statuses, reasons, console tail, exit 1"
else
    bad "test/failing checks" "$(cat "$out/test-fail.log")"
fi
# http: checks against a host server on the forwarded port (the fake platform
# has no NIC; the checks still connect to run: ports)
python3 -m http.server --bind 127.0.0.1 --directory "$here/runner" 18731 >"$out/http-server.log" 2>&1 &
http_pid=$!
"$anx" test http.yaml >"$out/test-http.log" 2>&1
rc=$?
kill "$http_pid" 2>/dev/null
wait "$http_pid" 2>/dev/null
if [ $rc -eq 1 ] && [ "$(tail -1 "$out/test-http.log")" = "5 passed, 3 failed" ] &&
    grep -q 'status 200, expected 500' "$out/test-http.log" &&
    grep -q '/not there/ not in the body (29 bytes)' "$out/test-http.log" &&
    grep -q 'no forward of guest port 81' "$out/test-http.log" &&
    grep -q '"POST /motd.txt HTTP/1.1" 501' "$out/http-server.log"; then
    ok "test/http checks: status, body regex, headers, POST, retries until the server is up"
else
    bad "test/http checks" "$(cat "$out/test-http.log")"
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
"$anx" test pass.yaml --boot fast >"$out/stdout" 2>"$out/stderr"
if [ $? -ne 0 ] && grep -q "no boot mode 'fast'" "$out/stderr"; then ok "test/unknown boot mode"; else bad "test/unknown boot mode" "$(cat "$out/stderr")"; fi
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
"$anx" test nic.yaml >"$out/test-nic.log" 2>&1
if grep -q -- "-netdev user,id=net0 -device fake-nic,netdev=net0" "$out/test-nic.log"; then
    ok "test/a NIC module gets the platform's NIC arguments"
else
    bad "test/a NIC module gets the platform's NIC arguments" "$(cat "$out/test-nic.log")"
fi
# disks: only for an image with a disk driver module; created sparse on
# first use (--disk-size or 64M) and kept; run: disk: gives a fresh one per test
rm -f "$out/d1.img" "$out/d2.img"
"$anx" test nic.yaml --disk "$out/d1.img" --disk-size 2M >"$out/test-disk.log" 2>&1
if grep -q -- "-drive file=$out/d1.img,format=raw" "$out/test-disk.log" &&
    [ "$(stat -c %s "$out/d1.img")" = 2097152 ] && [ "$(stat -c %b "$out/d1.img")" = 0 ]; then
    ok "test/--disk FILE is created sparse (--disk-size) and attached for a disk module"
else
    bad "test/--disk FILE created and attached" "$(cat "$out/test-disk.log"; ls -ls "$out/d1.img")"
fi
"$anx" run pass.yaml --disk "$out/d2.img" </dev/null >"$out/run-disk.log" 2>&1
if grep -q 'no disk driver module' "$out/run-disk.log" && ! grep -q -- '-drive' "$out/run-disk.log" &&
    [ ! -e "$out/d2.img" ]; then
    ok "run/no disk module: --disk warns, attaches and creates nothing"
else
    bad "run/no disk module: --disk warns" "$(cat "$out/run-disk.log")"
fi
"$anx" test disk.yaml >"$out/test-disk2.log" 2>&1
if grep -q -- "-drive file=$out/build/disk-fake/disk.img,format=raw" "$out/test-disk2.log" &&
    [ "$(stat -c %s "$out/build/disk-fake/disk.img")" = 3145728 ]; then
    ok "test/run: disk: size gives a fresh disk in the build folder"
else
    bad "test/run: disk: size gives a fresh disk" "$(cat "$out/test-disk2.log")"
fi
"$anx" run pass.yaml --disk x.img --disk-size 12Q >"$out/stdout" 2>"$out/stderr"
if [ $? -eq 2 ] && grep -q -- "--disk-size expects a size" "$out/stderr"; then ok "run/bad --disk-size"; else bad "run/bad --disk-size" "$(cat "$out/stderr")"; fi

# 6. CLI basics
cd "$here"
"$anx" --help >"$out/stdout" 2>&1 && grep -q 'usage: anx' "$out/stdout" && ok "cli/--help" || bad "cli/--help"
"$anx" --version | grep -q '^anx [0-9]' && ok "cli/--version" || bad "cli/--version"
for c in build run test check modules platforms; do
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

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
