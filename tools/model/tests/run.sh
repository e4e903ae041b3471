#!/usr/bin/env bash
# Tests of the `anx model` host tool (tools/model): its usage and --help,
# and the name `convert` writes into a GGUF (general.name: --name, else
# the output's file name), on the bundled model of examples/model. Ends
# with "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test/model-tool
mkdir -p "$out"
cd "$root"
pass=0 fail=0
ok() { echo "ok   model-tool: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL model-tool: $1"; fail=$((fail + 1)); }

if ! make -s -C tools/model >"$out/build.log" 2>&1; then
  cat "$out/build.log"; bad "build"; echo "$pass passed, $fail failed"; exit 1
fi
tool=$root/build/host/anx-model
model=examples/model/model.bin tok=examples/model/tokenizer.bin

# --help: the usage on stdout, exit 0, under the name people type
"$tool" --help >"$out/help.out" 2>"$out/help.err"; rc=$?
if [ $rc -eq 0 ] && head -n 1 "$out/help.out" | grep -q '^usage: anx model generate' &&
   ! grep -q 'anx-model' "$out/help.out" && [ ! -s "$out/help.err" ]; then
  ok "--help prints the usage (anx model ...) on stdout and exits 0"
else
  bad "--help: exit $rc, $(head -n 1 "$out/help.out")"
fi
"$tool" convert --help >"$out/help2.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'anx model convert IN.bin' "$out/help2.out" &&
  ok "convert --help exits 0 too" || bad "convert --help: exit $rc"
# a usage mistake: stderr, exit 2
"$tool" frobnicate >"$out/bad.out" 2>"$out/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q '^usage: anx model' "$out/bad.err" && [ ! -s "$out/bad.out" ] &&
  ok "an unknown command prints the usage on stderr and exits 2" || bad "unknown command: exit $rc"
"$tool" info /nonexistent.bin >/dev/null 2>"$out/missing.err"; rc=$?
[ $rc -eq 1 ] && grep -q '^anx model: /nonexistent.bin: No such file or directory' "$out/missing.err" &&
  ok "a missing file: 'anx model: PATH: reason', exit 1" || bad "missing file: exit $rc: $(cat "$out/missing.err")"

# convert: general.name from the output's file name, or --name
if "$tool" convert "$model" --tokenizer "$tok" -o "$out/tiny-fortunes.gguf" 2>"$out/conv1.err" &&
   "$tool" info "$out/tiny-fortunes.gguf" >"$out/info1.out" 2>&1 &&
   grep -qx 'name: tiny-fortunes' "$out/info1.out"; then
  ok "convert names the model after the output file (tiny-fortunes.gguf -> tiny-fortunes)"
else
  bad "convert without --name: $(cat "$out/conv1.err"; grep '^name' "$out/info1.out" 2>/dev/null)"
fi
if "$tool" convert "$model" --tokenizer "$tok" -o "$out/x.gguf" --name "Fortunes 1.0" --type q8_0 2>"$out/conv2.err" &&
   "$tool" info "$out/x.gguf" >"$out/info2.out" 2>&1 && grep -qx 'name: Fortunes 1.0' "$out/info2.out" &&
   grep -q 'general.name Fortunes 1.0' "$out/conv2.err"; then
  ok "convert --name NAME writes NAME as general.name"
else
  bad "convert --name: $(cat "$out/conv2.err"; grep '^name' "$out/info2.out" 2>/dev/null)"
fi
"$tool" convert "$model" --tokenizer "$tok" -o "$out/y.gguf" --name "" >/dev/null 2>"$out/conv3.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--name must be 1 to 63 bytes' "$out/conv3.err" &&
  ok "an empty --name is a usage error" || bad "empty --name: exit $rc"

# through the generator, as people call it
if [ -x gen/anx ]; then
  gen/anx model --help >"$out/anx-help.out" 2>&1; rc=$?
  [ $rc -eq 0 ] && grep -q '^usage: anx model' "$out/anx-help.out" &&
    ok "gen/anx model --help exits 0" || bad "gen/anx model --help: exit $rc"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
