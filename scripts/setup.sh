#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/packages.txt that are
# missing (with --bench also scripts/packages-bench.txt, with --fresh-check
# also scripts/packages-fresh-check.txt), then fetches and verifies the
# third-party sources (scripts/third_party.sh) and installs llama.cpp, the
# inference engine's reference peer (scripts/llama_cpp.sh: about 16 s and
# 35 MB of downloads the first time, on x86_64).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here/packages.txt")
for arg in "$@"; do
  case $arg in
    --bench) lists+=("$here/packages-bench.txt") ;;
    --fresh-check) lists+=("$here/packages-fresh-check.txt") ;;
    *) echo "setup: unknown option '$arg' (known: --bench, --fresh-check)" >&2; exit 2 ;;
  esac
done
mapfile -t wanted < <(cat "${lists[@]}" | grep -v '^\s*#' | grep -v '^\s*$')
missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#wanted[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "setup: done"
fi
"$here/third_party.sh"
# The peer is only compared against: without it the agreement test uses the
# recorded ids (modules/infer/tests/agreement.expected), so a failure here
# warns and the setup goes on.
"$here/llama_cpp.sh" ||
  echo "setup: warning: llama.cpp could not be installed (see above); the tests compare with its recorded answers" >&2
