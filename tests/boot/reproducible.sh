#!/usr/bin/env bash
# Reproducible builds beyond one folder (issue 17): every artifact of an
# image - the unstripped ELF, the stripped image, the ISO, raw and qcow2
# disks the platform makes, and the SBOM - is byte-identical between two builds
# that differ in everything but their inputs:
#   A: build/test/reproducible-TAG/a, the usual object cache, umask 022,
#      LC_ALL=C, TZ=UTC;
#   B: a longer folder elsewhere, an empty object cache of its own (so
#      every object is compiled again), umask 077, LC_ALL=C.UTF-8,
#      TZ=Asia/Kolkata, some seconds later, and - when this runs as root -
#      as the user nobody for manifests/hello.yaml (the web manifest reads
#      third-party trees from root's cache, which nobody may not read).
# report.json is not compared: it records timings and paths by design.
# Usage: tests/boot/reproducible.sh [PLATFORM]   (no boot: builds only)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out reproducible
b_root=$(mktemp -d /tmp/anx-repro.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$b_root"' EXIT
chmod 755 "$b_root"
passes=0 fails=0

# build WHO MANIFEST DIR CACHE UMASK LOCALE TZ
build() {
  local who=$1 manifest=$2 dir=$3 cache=$4 um=$5 loc=$6 tz=$7
  local run=()
  [ "$who" = nobody ] && run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  (umask "$um"; "${run[@]}" env LC_ALL="$loc" TZ="$tz" ANX_CACHE="$cache" HOME="$b_root" \
      ANX_THIRD_PARTY="${ANX_THIRD_PARTY:-${XDG_CACHE_HOME:-$HOME/.cache}/anunix}" \
      gen/anx build "$manifest" -p "$platform" -o "$dir" "${formats[@]}") >"$dir.log" 2>&1
}
# every image kind the platform makes (anx platforms lists them)
case $platform in
  x86_64-pc) formats=(--format elf,iso,raw,qcow2) ;;
  arm64-virt) formats=(--format elf,raw,qcow2) ;;
  *) formats=() ;;
esac

for manifest in manifests/hello.yaml manifests/web.yaml; do
  name=$(basename "$manifest" .yaml)
  a=$out/a-$name
  b=$b_root/some/longer/folder/than/a/$name
  mkdir -p "$(dirname "$b")" "$b_root/cache-$name"
  chmod -R 755 "$b_root"
  who=me
  [ "$(id -u)" = 0 ] && [ "$name" = hello ] && command -v setpriv >/dev/null && who=nobody
  [ $who = nobody ] && chown -R 65534:65534 "$b_root/cache-$name" "$(dirname "$b")"
  if ! build me "$manifest" "$a" "${ANX_CACHE:-$root/build/.cache}" 022 C UTC; then
    echo "FAIL $name: build A"; tail -n 20 "$a.log"; fails=$((fails + 1)); continue
  fi
  sleep 2   # another second of the clock
  if ! build $who "$manifest" "$b" "$b_root/cache-$name" 077 C.UTF-8 Asia/Kolkata; then
    echo "FAIL $name: build B ($who)"; tail -n 20 "$b.log"; fails=$((fails + 1)); continue
  fi
  also=""
  [ $who = nobody ] && also=", user nobody"
  for f in anunix.elf image.elf anunix.iso anunix.raw anunix.qcow2 sbom.cdx.json; do
    [ -f "$a/$f" ] || continue
    check "$name: $f is identical (other folder, fresh object cache, umask, locale, TZ, time$also)" \
        cmp -s "$a/$f" "$b/$f"
  done
done
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
