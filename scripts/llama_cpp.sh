#!/usr/bin/env bash
# Installs llama.cpp, the reference peer the inference engine is checked against (token
# agreement) and benchmarked against (llama-bench), into build/third_party/llama.cpp:
#   bin/llama-server, llama-bench, llama-cli, llama-completion, llama-simple, llama-quantize
# (wrappers that run sid's programs through sid's own ld.so; see the pin file for why these are
# Debian unstable's binary packages, not a source build).
#
#   usage: scripts/llama_cpp.sh [--check]   (--check: exit 0 when installed, 1 when not)
#
# Pins: scripts/third_party/llama.cpp-bin.sha256 ("sha256  PACKAGE=VERSION" lines). The
# packages come from the sid index through a private apt sources file and lists folder
# derived from the system's own apt sources (no mirror is named here; the system's apt
# configuration is untouched), each checked against its pinned sha256 as it arrives.
# Idempotent and cached: when the tree's stamp matches the pin file it does nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pin=$here/third_party/llama.cpp-bin.sha256
dir=$root/build/third_party/llama.cpp
cache=${ANX_THIRD_PARTY:-${XDG_CACHE_HOME:-$HOME/.cache}/anunix}
dl=$cache/.download/llama.cpp-bin
want=$(grep -v '^#' "$pin" | sha256sum | cut -d' ' -f1)
if [ -f "$dir/.anunix-verified" ] && [ "$(cat "$dir/.anunix-verified")" = "$want" ]; then
  [ "${1:-}" = --check ] || echo "llama.cpp: present ($dir)"
  exit 0
fi
[ "${1:-}" = --check ] && exit 1
# Only amd64 is pinned: elsewhere the agreement test compares with its record alone.
if [ "$(uname -m)" != x86_64 ]; then
  echo "llama.cpp: pinned for x86_64 only, not installed on $(uname -m)"; exit 0
fi
t0=$(date +%s)

# The apt options that reach sid's binary index: deb stanza from the system's first mirror.
suite=$(sed -n 's/^# suite: *//p' "$pin")
apt_dir=$cache/.apt/$suite-bin
src=/etc/apt/sources.list.d/debian.sources
if [ ! -f "$apt_dir/debian.sources" ]; then
  if [ -f "$src" ]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$src")
  else
    uri=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] ||
    { echo "llama.cpp: cannot find a Debian mirror in the system's apt sources" >&2; exit 1; }
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
    "$uri" "$suite" /usr/share/keyrings/debian-archive-keyring.gpg >"$apt_dir/debian.sources"
fi
opts=(-o "Dir::Etc::SourceList=$apt_dir/debian.sources" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
      -o "APT::Sandbox::User=$(id -un)" -o APT::Architecture=amd64
      # sid's Release file carries a Valid-Until a few days ahead, and a mirror
      # snapshot (or a machine whose clock is ahead of it) is past that; what
      # is fetched is checked against the pinned sha256 values anyway
      -o Acquire::Check-Valid-Until=false)

mkdir -p "$dl"
# have SHA256 FILE: FILE is there with that hash
have() { [ -f "$2" ] && echo "$1  $2" | sha256sum --quiet -c - >/dev/null 2>&1; }
mapfile -t pins < <(grep -v '^#' "$pin" | grep -v '^\s*$')
need=()
for line in "${pins[@]}"; do
  read -r sum pkg <<<"$line"
  have "$sum" "$dl/${pkg%%=*}.deb" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get "${opts[@]}" update -qq
  uris=$(apt-get "${opts[@]}" download --print-uris "${need[@]}" | grep "^'")
  for line in "${pins[@]}"; do
    read -r sum pkg <<<"$line"
    name=${pkg%%=*}
    have "$sum" "$dl/$name.deb" && continue
    uri=$(echo "$uris" | awk -v s="SHA256:$sum" '$4 == s {gsub("\047", "", $1); print $1}')
    [ -n "$uri" ] || { echo "llama.cpp: $pkg (sha256 $sum) is not in the $suite index" \
                            "(pinned version gone? update $pin)" >&2; exit 1; }
    /usr/lib/apt/apt-helper "${opts[@]}" download-file "$uri" "$dl/$name.deb" "SHA256:$sum" \
      >/dev/null
  done
fi

rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp/root" "$dir.tmp/bin"
for line in "${pins[@]}"; do
  read -r sum pkg <<<"$line"
  echo "$sum  $dl/${pkg%%=*}.deb" | sha256sum --quiet -c - ||
    { echo "llama.cpp: $dl/${pkg%%=*}.deb: sha256 mismatch against $pin" >&2; exit 1; }
  dpkg-deb -x "$dl/${pkg%%=*}.deb" "$dir.tmp/root"
done
# Each program runs through sid's loader with sid's libraries first; the host's are never
# mixed in (--library-path replaces LD_LIBRARY_PATH for the program, /etc/ld.so.cache is the
# host's but glibc 2.43's loader finds everything in the path first).
for p in llama-server llama-bench llama-cli llama-completion llama-simple llama-quantize; do
  cat >"$dir.tmp/bin/$p" <<WRAP
#!/bin/sh
# $p from Debian sid's llama.cpp (scripts/llama_cpp.sh)
r=\$(cd "\$(dirname "\$0")/../root" && pwd)
l=\$r/usr/lib/x86_64-linux-gnu
# The CPU backend: ggml's haswell variant (AVX2, FMA, F16C) where the CPU has AVX2, as the
# engine's own fastest kernels are AVX2, else the plain x64 one; LLAMA_CPU_VARIANT overrides
# (ls \$l/ggml/backends0). sid's libggml looks for its variants only under /usr, so the path
# is given to it (GGML_BACKEND_PATH); it then also says it found none under /usr (harmless).
v=\${LLAMA_CPU_VARIANT:-\$(grep -qw avx2 /proc/cpuinfo && echo haswell || echo x64)}
export GGML_BACKEND_PATH="\$l/ggml/backends0/libggml-cpu-\$v.so"
exec "\$r/usr/lib64/ld-linux-x86-64.so.2" --library-path "\$l:\$l/llama:\$r/lib/x86_64-linux-gnu" \\
  "\$r/usr/bin/$p" "\$@"
WRAP
  chmod +x "$dir.tmp/bin/$p"
done
"$dir.tmp/bin/llama-cli" --version >"$dir.tmp/version" 2>&1 ||
  { cat "$dir.tmp/version"; echo "llama.cpp: llama-cli does not run" >&2; exit 1; }
echo "$want" >"$dir.tmp/.anunix-verified"
mv "$dir.tmp" "$dir"
echo "llama.cpp: $(head -n 1 "$dir/version") installed into $dir in $(( $(date +%s) - t0 )) s"
