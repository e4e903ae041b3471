#!/usr/bin/env bash
# The GGUF files test_infer reads: stories260K converted to f32, q8_0 and
# q4_0 by the anx model tool (tools/model), as a user converts a model.
# A test of modules/infer/module.yaml (tests:, docs/modules.md "Tests").
# Usage: convert.sh MODELS OUT   (MODELS: ../shared/testdata/models)
set -uo pipefail
models=$1 out=$2
if ! make -s -C tools/model >"$out/tool.log" 2>&1; then
  cat "$out/tool.log"; echo "FAIL infer: anx-model build"; exit 1
fi
for t in f32 q8_0 q4_0; do
  if ! build/host/anx-model convert "$models/stories260K.bin" --tokenizer "$models/tok512.bin" \
       -o "$out/stories_$t.gguf" --type $t 2>>"$out/tool.log"; then
    tail -n 20 "$out/tool.log"; echo "FAIL infer: anx-model convert --type $t"; exit 1
  fi
done
echo "ok   infer: anx-model builds and converts stories260K to f32, q8_0 and q4_0 GGUF"
