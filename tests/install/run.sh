#!/usr/bin/env bash
# make install / make uninstall, and an installed anx used from a project of
# one's own (README, "Using anx in your own project"; docs/anx.md, "Where
# things are"):
#   1. make install PREFIX=TMP/prefix DESTDIR= puts bin/anx and share/anunix;
#      the prefix is then made read-only and snapshotted
#   2. from a project folder with no repository around: anx --help, check,
#      modules (every config-key column aligned), build -> PROJECT/build/
#      NAME-PLATFORM, objects in $XDG_CACHE_HOME/anunix/objects; the same
#      from another current directory; anx test boots the image (QEMU)
#   3. the installed manifests/hello.yaml builds into the user's cache, and
#      its image.elf and anunix.iso have the bytes of the repository's
#      gen/anx build of manifests/hello.yaml
#   4. anx store builds its host tool into the user's cache
#   5. nothing under the prefix was written; make uninstall removes all
# Prints one line per test and ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/anunix-install.XXXXXX)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { printf 'ok    %s\n' "$1"; pass=$((pass + 1)); }
bad() {
    printf 'FAIL  %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -30 | sed 's/^/      /'
    fail=$((fail + 1))
}
finish() {
    echo "$pass passed, $fail failed"
    [ $fail -eq 0 ]
    exit
}
# The installed anx must find everything by itself: no repository hints.
unset ANX_ROOT ANX_BUILD ANX_CACHE ANX_THIRD_PARTY SOURCE_DATE_EPOCH
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/xdg-cache
mkdir -p "$HOME" "$XDG_CACHE_HOME"
# Third-party trees (lwIP) stay where scripts/setup.sh put them; hello needs none.
prefix=$tmp/prefix
anx=$prefix/bin/anx

# 1. install
if make -C "$root" -s install PREFIX="$prefix" DESTDIR= >"$tmp/install.log" 2>&1 &&
    [ -x "$anx" ] && [ -f "$prefix/share/anunix/installed.txt" ] &&
    [ -f "$prefix/share/anunix/modules/console/module.yaml" ] &&
    [ -f "$prefix/share/anunix/platforms/x86_64-pc/platform.yaml" ] &&
    [ -f "$prefix/share/anunix/arch/x86_64/kernel.ld" ] &&
    [ -f "$prefix/share/anunix/core/include/anx/module.h" ] &&
    [ -f "$prefix/share/anunix/tools/store/Makefile" ] &&
    [ -x "$prefix/share/anunix/scripts/setup.sh" ] &&
    [ -f "$prefix/share/anunix/docs/anx.md" ] &&
    [ -z "$(find "$prefix/share/anunix" -name tests -o -name '*.o')" ]; then
    ok "install: bin/anx and share/anunix (modules, platforms, arch, core, tools, scripts, docs; no tests)"
else
    bad "install: bin/anx and share/anunix" "$(cat "$tmp/install.log"; find "$prefix" -maxdepth 3)"
    finish
fi
chmod -R a-w "$prefix"
# Root ignores permissions, so a snapshot also proves nothing is written under the prefix.
snapshot() { find "$prefix" -printf '%P %y %s %T@\n' | LC_ALL=C sort; }
snapshot >"$tmp/prefix-before"

# 2. a project of one's own
proj=$tmp/work/site
mkdir -p "$proj" "$tmp/elsewhere"
cat >"$proj/site.yaml" <<'EOF'
name: site
platform: x86_64-pc
memory: 64M
modules:
  console: {}
  shell: {prompt: "site> "}
files:
  /etc/motd: motd.txt
test:
  - serial: "anunix: ready"
  - shell: "cat /etc/motd"
    expect: "hello from my project"
EOF
echo "hello from my project" >"$proj/motd.txt"
cd "$proj"
"$anx" --help >"$tmp/help" 2>&1 && grep -q 'usage: anx' "$tmp/help" && grep -q 'PREFIX/share/anunix' "$tmp/help" &&
    ok "installed anx --help" || bad "installed anx --help" "$(cat "$tmp/help")"
"$anx" check site.yaml >"$tmp/check" 2>&1 && grep -qx 'site.yaml: ok: x86_64-pc: console shell' "$tmp/check" &&
    ok "installed anx check" || bad "installed anx check" "$(cat "$tmp/check")"
"$anx" modules >"$tmp/modules" 2>&1
rc=$?
# Every config-key line: the name, type, "=" and doc columns start at the same place.
cols=$(python3 - "$tmp/modules" <<'EOF'
import re, sys
key = re.compile(r'^( +)(\S+) +(enum\{[^}]*\}|\S+) += ("(?:[^"\\]|\\.)*"|\S+) +(\S.*)$')
cols, n = set(), 0
for line in open(sys.argv[1]):
    m = key.match(line.rstrip('\n'))
    if m and m.group(2) != 'depends:':
        n += 1
        cols.add((m.start(2), m.start(3), line.index(' = '), m.start(5)))
print(n, len(cols))
EOF
)
if [ $rc -eq 0 ] && grep -q '^httpd ' "$tmp/modules" && [ "${cols%% *}" -ge 20 ] && [ "${cols##* }" = 1 ]; then
    ok "installed anx modules: ${cols%% *} config keys, columns aligned whatever the key length"
else
    bad "installed anx modules: columns aligned (key lines, distinct column sets: $cols)" "$(grep -A3 '^httpd' "$tmp/modules")"
fi

out=$proj/build/site-x86_64-pc
"$anx" build site.yaml >"$tmp/build.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ -s "$out/image.elf" ] && [ -s "$out/anunix.iso" ] && [ -s "$out/report.json" ] &&
    grep -q '^built build/site-x86_64-pc/image.elf' "$tmp/build.log" &&
    [ -n "$(ls "$XDG_CACHE_HOME/anunix/objects/" 2>/dev/null)" ]; then
    ok "installed anx build: image beside the manifest (build/site-x86_64-pc), objects in XDG_CACHE_HOME/anunix/objects"
else
    bad "installed anx build: image beside the manifest" "exit $rc: $(cat "$tmp/build.log"; ls -R "$proj" | head)"
fi
cd "$tmp/elsewhere"
"$anx" build ../work/site/site.yaml >"$tmp/build2.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qE 'compile  ([0-9]+) objects \(\1 cached, 0 compiled\)' "$tmp/build2.log" &&
    grep -q "^built ../work/site/build/site-x86_64-pc/image.elf" "$tmp/build2.log" && [ ! -e build ]; then
    ok "installed anx build from another folder: the same build beside the manifest, all objects cached"
else
    bad "installed anx build from another folder" "exit $rc: $(cat "$tmp/build2.log")"
fi
"$anx" test ../work/site/site.yaml >"$tmp/test.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^2 passed, 0 failed' "$tmp/test.log" && [ -s "$out/console.log" ]; then
    ok "installed anx test: boots in QEMU, serial and shell checks pass"
else
    bad "installed anx test" "exit $rc: $(cat "$tmp/test.log")"
fi

# 3. a manifest of the installed tree builds into the user's cache (never
#    under the prefix, even as root), with the bytes the repository's
#    generator gives for the same manifest
"$anx" build "$prefix/share/anunix/manifests/hello.yaml" >"$tmp/hello.log" 2>&1
rc=$?
hello=$XDG_CACHE_HOME/anunix/build/hello-x86_64-pc
if [ $rc -eq 0 ] && [ -s "$hello/image.elf" ] && grep -q "^built .*xdg-cache/anunix/build/hello-x86_64-pc/image.elf" "$tmp/hello.log"; then
    ok "installed anx build of share/anunix/manifests/hello.yaml: into XDG_CACHE_HOME/anunix/build"
else
    bad "installed anx build of share/anunix/manifests/hello.yaml" "exit $rc: $(cat "$tmp/hello.log")"
fi
"$root/gen/anx" build "$root/manifests/hello.yaml" -o "$tmp/repo-hello" >"$tmp/repo-hello.log" 2>&1
same=1
for f in image.elf anunix.iso; do
    cmp -s "$hello/$f" "$tmp/repo-hello/$f" || same=0
done
[ $same = 1 ] && ok "installed and repository builds of hello.yaml: image.elf and anunix.iso bit-identical" ||
    bad "installed and repository builds of hello.yaml: image.elf and anunix.iso bit-identical" \
        "$(cat "$tmp/hello.log" "$tmp/repo-hello.log")"

# 4. a host tool, built on first use into the user's cache
cd "$proj"
"$anx" store create disk.img --size 8M >"$tmp/store.log" 2>&1 && "$anx" store ls disk.img >>"$tmp/store.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ -x "$XDG_CACHE_HOME/anunix/host/anx-store" ] &&
    grep -q 'anx: building anx-store into' "$tmp/store.log"; then
    ok "installed anx store: host tool built into XDG_CACHE_HOME/anunix/host"
else
    bad "installed anx store: host tool built into the user's cache" "exit $rc: $(cat "$tmp/store.log")"
fi

# 5. read-only prefix untouched; uninstall
snapshot >"$tmp/prefix-after"
if cmp -s "$tmp/prefix-before" "$tmp/prefix-after"; then
    ok "nothing written under the (read-only) prefix"
else
    bad "nothing written under the (read-only) prefix" "$(diff "$tmp/prefix-before" "$tmp/prefix-after")"
fi
chmod -R u+w "$prefix"
if make -C "$root" -s uninstall PREFIX="$prefix" DESTDIR= >"$tmp/uninstall.log" 2>&1 &&
    [ -z "$(find "$prefix" ! -type d)" ] && [ ! -e "$prefix/share/anunix" ]; then
    ok "make uninstall removes bin/anx and share/anunix"
else
    bad "make uninstall removes everything it installed" "$(cat "$tmp/uninstall.log"; find "$prefix" ! -type d)"
fi
finish
