#!/usr/bin/env bash
# `make demo`: build the default workload and boot it.
# On a terminal you get the anx> prompt (type `help`, `poweroff` to leave);
# without one (CI, a pipe) a few commands are typed for you.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
manifest=manifests/hello.yaml
gen/anx build "$manifest"
if [ -t 0 ]; then
  echo "booting $manifest: type 'help' at the anx> prompt, 'poweroff' to leave"
  exec gen/anx run "$manifest"
fi
echo "booting $manifest (no terminal: typing help, modules, uptime, poweroff)"
{ sleep 2; printf 'help\n'; sleep 0.5; printf 'modules\n'; sleep 0.5; printf 'uptime\n'; sleep 0.5; printf 'poweroff\n'; sleep 5; } |
  gen/anx run "$manifest"
