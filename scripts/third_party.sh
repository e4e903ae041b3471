#!/usr/bin/env bash
# Fetches the third-party source packages the images build from (lwIP, stb, NetSurf, BearSSL), into a
# cache outside the repository, checks them against the sha256 values pinned in
# scripts/third_party/*.sha256 and unpacks them. Nothing third-party is ever
# committed.
#
#   cache root: $ANX_THIRD_PARTY, else ${XDG_CACHE_HOME:-$HOME/.cache}/anunix
#   trees:      ROOT/lwip, ROOT/libstb, ROOT/netsurf, ROOT/bearssl  (the unpacked Debian source packages)
#
# Idempotent: when the unpacked tree is present and its stamp matches the
# pinned hashes it does nothing. The deb-src entry it needs is derived at run
# time from the system's own apt sources (no mirror is named here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${ANX_THIRD_PARTY:-${XDG_CACHE_HOME:-$HOME/.cache}/anunix}
mkdir -p "$root"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && sudo=sudo
fi

srcs_added=0
ensure_deb_src() {
  [ $srcs_added -eq 1 ] && return 0
  local out=/etc/apt/sources.list.d/anunix-deb-src.sources
  local src=/etc/apt/sources.list.d/debian.sources
  if [ ! -f "$out" ]; then
    if [ -f "$src" ]; then
      # Every stanza of the system's deb822 sources with Types: deb → deb-src.
      local tmp
      tmp=$(mktemp)
      awk '
        BEGIN { RS=""; FS="\n" }
        {
          isdeb = 0; body = ""
          for (i = 1; i <= NF; i++) {
            line = $i
            if (line ~ /^#/) continue
            if (line ~ /^Types:/) { if (line ~ /(^|[ \t])deb([ \t]|$)/) isdeb = 1; continue }
            if (line ~ /^(URIs|Suites|Components|Signed-By):/) body = body line "\n"
          }
          if (isdeb && body != "") printf "Types: deb-src\n%s\n", body
        }' "$src" >"$tmp"
      if [ ! -s "$tmp" ]; then
        echo "third_party: no 'Types: deb' stanza in $src" >&2; rm -f "$tmp"; return 1
      fi
      $sudo install -m 0644 "$tmp" "$out"
      rm -f "$tmp"
    elif [ -f /etc/apt/sources.list ]; then
      local tmp
      tmp=$(mktemp)
      sed -n 's/^deb \(.*\)$/deb-src \1/p' /etc/apt/sources.list >"$tmp"
      $sudo install -m 0644 "$tmp" /etc/apt/sources.list.d/anunix-deb-src.list
      rm -f "$tmp"
    else
      echo "third_party: cannot find the system's apt sources" >&2; return 1
    fi
    echo "third_party: added deb-src entries ($out)"
  fi
  $sudo apt-get update -qq
  srcs_added=1
}

# The apt options that reach another suite's source index (a pin's
# "# suite: trixie" line) without touching the system's apt configuration:
# a private sources file and lists folder under the cache, derived from the
# system's first deb URI (no mirror is named here).
suite_opts() {
  local suite=$1 d="$root/.apt/$1"
  local src=/etc/apt/sources.list.d/debian.sources uri
  if [ ! -f "$d/debian.sources" ]; then
    if [ -f "$src" ]; then
      uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$src")
    else
      uri=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
    fi
    [ -n "$uri" ] || { echo "third_party: cannot find a Debian mirror in the system's apt sources" >&2; return 1; }
    mkdir -p "$d/lists/partial" "$d/cache"
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" "$suite" >"$d/debian.sources"
  fi
  echo "-o Dir::Etc::SourceList=$d/debian.sources -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache"
}

# fetch NAME: NAME's pin file lists "sha256  filename" lines (the files of
# the source package to fetch: .dsc and tarballs, or only the upstream
# tarball) and comment lines: "# source: PKG=VERSION", optionally
# "# suite: SUITE" (another Debian suite than the system's). After
# unpacking, scripts/third_party/NAME.prepare (if any) runs inside the tree
# to make the files upstream's makefiles generate, and the patches in
# scripts/third_party/NAME/*.patch apply in name order (patch -p1).
fetch() {
  local name=$1 pin="$here/third_party/$1.sha256"
  local dir="$root/$name" dl="$root/.download/$name"
  local stamp="$dir/.anunix-verified"
  local prep="$here/third_party/$name.prepare" patches=()
  [ -d "$here/third_party/$name" ] && mapfile -t patches < <(ls "$here/third_party/$name"/*.patch 2>/dev/null | sort)
  local want
  want=$( (grep -v '^#' "$pin"
            if [ -f "$prep" ]; then cat "$prep"; fi
            if [ ${#patches[@]} -gt 0 ]; then cat "${patches[@]}"; fi) | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "third_party: $name present ($dir)"
    return 0
  fi
  mkdir -p "$dl"
  local missing=0 f sum
  while read -r sum f; do
    [ -f "$dl/$f" ] || missing=1
  done < <(grep -v '^#' "$pin")
  if [ $missing -eq 1 ]; then
    command -v dpkg-source >/dev/null || $sudo apt-get install -y -qq --no-install-recommends dpkg-dev
    # The cache belongs to the user running this, not to apt's sandbox user.
    local pkgver suite opts="-o APT::Sandbox::User=$(id -un)"
    pkgver=$(grep '^# source:' "$pin" | sed 's/^# source: *//')
    suite=$(grep '^# suite:' "$pin" | sed 's/^# suite: *//' || true)
    if [ -n "$suite" ]; then
      opts="$opts $(suite_opts "$suite")"
      # shellcheck disable=SC2086
      apt-get $opts update -qq
    else
      ensure_deb_src
    fi
    echo "third_party: fetching $pkgver${suite:+ ($suite)}"
    # Only the pinned files, each checked as it arrives: apt-helper
    # verifies the hash, and a package whose .dsc the mirror lacks can
    # still be pinned by its tarball alone.
    local uris
    # shellcheck disable=SC2086
    uris=$(apt-get $opts source --print-uris "$pkgver" | grep "^'")
    while read -r sum f; do
      [ -f "$dl/$f" ] && continue
      local uri
      uri=$(echo "$uris" | awk -v f="$f" '$2 == f {gsub("\047", "", $1); print $1}')
      [ -n "$uri" ] || { echo "third_party: $name: $f is not in the source index of $pkgver" >&2; return 1; }
      # shellcheck disable=SC2086
      /usr/lib/apt/apt-helper $opts download-file "$uri" "$dl/$f" "SHA256:$sum" >/dev/null
    done < <(grep -v '^#' "$pin")
  fi
  (cd "$dl" && grep -v '^#' "$pin" | sha256sum --quiet -c -) || {
    rm -rf "$dl"
    echo "third_party: $name: sha256 mismatch against $pin (download removed; a new run fetches it again)" >&2
    return 1; }
  local dsc tarball
  dsc=$(grep -v '^#' "$pin" | awk '{print $2}' | grep '\.dsc$' || true)
  rm -rf "$dir" "$dl/unpack"
  if [ -n "$dsc" ]; then
    (cd "$dl" && dpkg-source --no-check --no-copy -x "$dsc" unpack >/dev/null)
  else
    tarball=$(grep -v '^#' "$pin" | awk '{print $2}' | grep '\.orig\.tar\.' | head -1)
    mkdir "$dl/unpack"
    tar -xf "$dl/$tarball" -C "$dl/unpack" --strip-components=1
  fi
  if [ -f "$prep" ]; then
    (cd "$dl/unpack" && bash "$prep") || { echo "third_party: $name: $prep failed" >&2; return 1; }
  fi
  local p
  for p in "${patches[@]}"; do
    (cd "$dl/unpack" && patch -p1 -s --no-backup-if-mismatch <"$p") ||
      { echo "third_party: $name: patch $(basename "$p") does not apply" >&2; return 1; }
  done
  mv "$dl/unpack" "$dir"
  echo "$want" >"$stamp"
  echo "third_party: $name unpacked into $dir"
}

fetch lwip
fetch libstb
fetch zlib
fetch netsurf
fetch bearssl
fetch libsodium
