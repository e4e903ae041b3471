#!/usr/bin/env bash
# Fetches the third-party source packages the images build from (lwIP, stb), into a
# cache outside the repository, checks them against the sha256 values pinned in
# scripts/third_party/*.sha256 and unpacks them. Nothing third-party is ever
# committed.
#
#   cache root: $ANX_THIRD_PARTY, else ${XDG_CACHE_HOME:-$HOME/.cache}/anunix
#   trees:      ROOT/lwip, ROOT/libstb  (the unpacked Debian source packages)
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

# fetch NAME: NAME's pin file lists "sha256  filename" lines (.dsc and tarballs)
# and a "# unpack: DIR" line naming the folder the tree ends up in.
fetch() {
  local name=$1 pin="$here/third_party/$1.sha256"
  local dir="$root/$name" dl="$root/.download/$name"
  local stamp="$dir/.anunix-verified"
  local want
  want=$(grep -v '^#' "$pin" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "third_party: $name present ($dir)"
    return 0
  fi
  mkdir -p "$dl"
  local missing=0 f
  while read -r sum f; do
    [ -f "$dl/$f" ] || missing=1
  done < <(grep -v '^#' "$pin")
  if [ $missing -eq 1 ]; then
    ensure_deb_src
    command -v dpkg-source >/dev/null || $sudo apt-get install -y -qq --no-install-recommends dpkg-dev
    local pkgver
    pkgver=$(grep '^# source:' "$pin" | sed 's/^# source: *//')
    echo "third_party: fetching $pkgver"
    (cd "$dl" && apt-get source --download-only "$pkgver")
  fi
  (cd "$dl" && grep -v '^#' "$pin" | sha256sum --quiet -c -) || {
    rm -rf "$dl"
    echo "third_party: $name: sha256 mismatch against $pin (download removed; a new run fetches it again)" >&2
    return 1; }
  local dsc
  dsc=$(grep -v '^#' "$pin" | awk '{print $2}' | grep '\.dsc$')
  rm -rf "$dir" "$dl/unpack"
  (cd "$dl" && dpkg-source --no-check --no-copy -x "$dsc" unpack >/dev/null)
  mv "$dl/unpack" "$dir"
  echo "$want" >"$stamp"
  echo "third_party: $name unpacked into $dir"
}

fetch lwip
fetch libstb
